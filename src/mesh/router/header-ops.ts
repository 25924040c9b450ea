// VirtualService header manipulation on flat [name, value, ...] lists (spec §2.9):
// `set` = OVERWRITE_IF_EXISTS_OR_ADD, `add` = APPEND_IF_EXISTS_OR_ADD, `remove`.
// Request lists hold lower-case names (Envoy's HTTP/1 codec lower-cases headers).

import type { HeaderOps } from '../config/model.js';

export function removeHeader(h: string[], lowerName: string): void {
  let w = 0;
  for (let r = 0; r < h.length; r += 2) {
    if (h[r]!.toLowerCase() === lowerName) continue;
    if (w !== r) {
      h[w] = h[r]!;
      h[w + 1] = h[r + 1]!;
    }
    w += 2;
  }
  h.length = w;
}

export function getHeader(h: readonly string[], lowerName: string): string | undefined {
  for (let i = 0; i < h.length; i += 2) if (h[i]!.toLowerCase() === lowerName) return h[i + 1];
  return undefined;
}

export function setHeader(h: string[], lowerName: string, value: string): void {
  removeHeader(h, lowerName);
  h.push(lowerName, value);
}

/** Mutates a request header list in place (names already lower case). */
export function applyRequestOps(h: string[], ops: HeaderOps): void {
  for (const name of ops.remove) removeHeader(h, name.toLowerCase());
  for (const name in ops.set) setHeader(h, name.toLowerCase(), ops.set[name]!);
  for (const name in ops.add) h.push(name.toLowerCase(), ops.add[name]!);
}

/** Response lists may carry original-case names; returns the same list mutated. */
export function applyResponseOps(h: string[], ops: HeaderOps): string[] {
  for (const name of ops.remove) removeHeader(h, name.toLowerCase());
  for (const name in ops.set) setHeader(h, name.toLowerCase(), ops.set[name]!);
  for (const name in ops.add) h.push(name.toLowerCase(), ops.add[name]!);
  return h;
}
