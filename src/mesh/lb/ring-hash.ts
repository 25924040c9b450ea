// A consistent-hash ring (Envoy RingHashLoadBalancer): each host gets
// ceil(minRingSize / hosts) points; a key maps to the first point clockwise.
// Hash: 32-bit FNV-1a (Envoy uses xxHash64; the exact mapping is not observable here).

import type { Host } from '../cluster/host.js';

export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  // Final avalanche so nearby keys spread around the ring.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

export class RingHash {
  readonly #points: Uint32Array;
  readonly #owners: Host[];
  constructor(hosts: readonly Host[], minRingSize: number) {
    const per = Math.max(1, Math.ceil(minRingSize / hosts.length));
    const entries: Array<[number, Host]> = [];
    for (const h of hosts) for (let i = 0; i < per; i++) entries.push([fnv1a(`${h.id}_${i}`), h]);
    entries.sort((a, b) => a[0] - b[0]);
    this.#points = Uint32Array.from(entries.map((e) => e[0]));
    this.#owners = entries.map((e) => e[1]);
  }
  pick(key: string): Host {
    const h = fnv1a(key);
    const pts = this.#points;
    let lo = 0;
    let hi = pts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (pts[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.#owners[lo === pts.length ? 0 : lo]!;
  }
}
