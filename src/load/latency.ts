// HDR histograms of latency in microseconds, shared by the workers (record,
// encode interval deltas) and the coordinator (decode, add exactly, summarize).
// The helpers live in src/report/hdr.ts (pure-JS build, 3 significant digits);
// this module names what the load engine uses from them.

export { createHdr, recordMs, encodeHdr, decodeHdr, summarize, addHdr as addEncoded, type Hdr } from '../report/hdr.js';
