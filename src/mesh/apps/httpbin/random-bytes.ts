// Seeded random bytes for /bytes and /stream-bytes: the same seed gives the
// same bytes (not Python's Mersenne Twister nor Go's math/rand sequence).

/** n bytes from a mulberry32 stream started at `seed`, or at a random seed. */
export function randomBytes(n: number, seed?: number): Buffer {
  let a = seed !== undefined ? seed >>> 0 : (Math.random() * 2 ** 32) >>> 0;
  const buf = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    buf[i] = (t ^ (t >>> 14)) & 0xff;
  }
  return buf;
}
