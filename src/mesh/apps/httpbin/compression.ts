// /gzip, /deflate, /brotli: the request echo as JSON, compressed with node's
// zlib as httpbin's filters.py does (gzip level 4, zlib-wrapped deflate,
// brotli) with Content-Encoding and the compressed length. go-httpbin has no
// brotli: it answers 501 there.

import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { Exchange, Flavor } from './exchange.js';
import { sendText } from './exchange.js';

export type Coding = 'gzip' | 'deflate' | 'brotli';

const FLAG: Record<Coding, string> = { gzip: 'gzipped', deflate: 'deflated', brotli: 'brotli' };
const ENCODING: Record<Coding, string> = { gzip: 'gzip', deflate: 'deflate', brotli: 'br' };

export function compressed(x: Exchange, f: Flavor, coding: Coding): void {
  if (coding === 'brotli' && f.kind === 'go') return f.fail(x, 501);
  const doc = f.compressedEcho(x);
  doc[FLAG[coding]] = true;
  const text = Buffer.from(f.encode(doc));
  const body = coding === 'gzip' ? gzipSync(text, { level: 4 }) : coding === 'deflate' ? deflateSync(text) : brotliCompressSync(text);
  const type = f.kind === 'go' ? 'application/json; charset=utf-8' : 'application/json';
  sendText(x, f, 200, type, body, ['Content-Encoding', ENCODING[coding]]);
}
