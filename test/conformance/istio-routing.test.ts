// Istio's own routing tests, as data (test/conformance/*.yaml), run through
// bench explain's code: the proxy's route table and cluster manager. A case
// meshbench answers differently is a proxy bug, or an entry of
// known-failures.yaml with its reason; an entry there that passes fails too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'yaml';
import { compileMesh } from '../../src/mesh/config/compile.js';
import { parseSource } from '../../src/mesh/config/source.js';
import { explainRequest, explainSource, type ExplainResult } from '../../src/mesh/explain.js';
import { repo } from '../helpers/io.js';

interface Expect {
  /** The one cluster (or PassthroughCluster) the request goes to. */
  cluster?: string;
  /** The sidecar's own answer (404 NR, fault abort, redirect…). */
  status?: number;
  /** Sent upstream, no local reply (Istio: the echo server answered). */
  forwarded?: boolean;
  virtualHost?: string;
  listenerPort?: number;
  location?: string;
  /** The path sent upstream after a rewrite. */
  path?: string;
  /** The authority sent upstream (every destination). */
  authority?: string;
  /** Request headers set or added by the route or its destinations. */
  requestHeaders?: Record<string, string>;
  retries?: { attempts: number; perTryTimeoutMs: number | null; retryOn: string[] };
  /** Cluster -> percent. */
  weights?: Record<string, number>;
}
interface CaseFile {
  services: string;
  cases: Array<{
    test: string;
    from?: string;
    'from-namespace'?: string;
    config: string;
    requests: Array<{ url: string; method?: string; headers?: Record<string, string>; expect: Expect }>;
  }>;
}

const DIR = repo('test/conformance');
const known = new Map<string, string>(
  (parse(readFileSync(`${DIR}/known-failures.yaml`, 'utf8')) as Array<{ case: string; reason: string }>).map((k) => [k.case, k.reason]),
);

/** The differences between what Istio expects and what explain decided; [] = conforms. */
function differences(r: ExplainResult, e: Expect): string[] {
  const out: string[] = [];
  const clusters = r.localReply?.status === 404 ? [] : r.destinations.map((d) => d.cluster);
  if (e.cluster !== undefined && (clusters.length !== 1 || clusters[0] !== e.cluster)) {
    out.push(`cluster: want ${e.cluster}, got ${clusters.join(', ') || `${r.localReply?.status} ${r.localReply?.flag ?? ''} (${r.localReply?.reason})`}`);
  }
  if (e.status !== undefined && r.localReply?.status !== e.status) out.push(`status: want ${e.status}, got ${r.localReply?.status ?? `forwarded to ${clusters.join(', ')}`}`);
  const vh = r.virtualHost ? `${r.virtualHost.service}:${r.virtualHost.port}` : undefined;
  if (e.virtualHost !== undefined && vh !== e.virtualHost) out.push(`virtual host: want ${e.virtualHost}, got ${vh}`);
  if (e.listenerPort !== undefined && r.listenerPort !== e.listenerPort) out.push(`listener port: want ${e.listenerPort}, got ${r.listenerPort}`);
  if (e.forwarded !== undefined && (r.localReply === null) !== e.forwarded) out.push(`forwarded: want ${e.forwarded}, got ${JSON.stringify(r.localReply)}`);
  if (e.location !== undefined && r.localReply?.location !== e.location) out.push(`location: want ${e.location}, got ${r.localReply?.location}`);
  if (e.path !== undefined) {
    const got = r.policy?.rewrite?.path ?? r.request.path;
    if (got !== e.path) out.push(`path: want ${e.path}, got ${got}`);
  }
  if (e.authority !== undefined) {
    const got = r.destinations.map((d) => d.authority ?? r.request.authority);
    if (got.length === 0 || got.some((a) => a !== e.authority)) out.push(`authority: want ${e.authority}, got ${got.join(', ')}`);
  }
  for (const [name, value] of Object.entries(e.requestHeaders ?? {})) {
    const ops = [r.policy?.requestHeaders, ...r.destinations.map((d) => d.requestHeaders)];
    const found = ops.some((o) => o?.set[name] === value || o?.add[name] === value);
    if (!found) out.push(`request header ${name}: want ${value}, got ${JSON.stringify(ops)}`);
  }
  if (e.retries !== undefined) {
    const rt = r.policy?.retries;
    const got = rt ? { attempts: rt.attempts, perTryTimeoutMs: rt.perTryTimeoutMs, retryOn: rt.retryOn } : null;
    if (JSON.stringify(got) !== JSON.stringify(e.retries)) out.push(`retries: want ${JSON.stringify(e.retries)}, got ${JSON.stringify(got)}`);
  }
  if (e.weights !== undefined) {
    const got = Object.fromEntries(r.destinations.map((d) => [d.cluster, d.weight]));
    if (JSON.stringify(got) !== JSON.stringify(e.weights)) out.push(`weights: want ${JSON.stringify(e.weights)}, got ${JSON.stringify(got)}`);
  }
  return out;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'known-failures.yaml');
const seen = new Set<string>();
let total = 0;

for (const file of files) {
  const data = parse(readFileSync(`${DIR}/${file}`, 'utf8')) as CaseFile;
  for (const c of data.cases) {
    test(`${file}: ${c.test}`, () => {
      const text = c.config.trim() ? `${data.services}\n---\n${c.config}` : data.services;
      const config = compileMesh(parseSource(text, `${file}#${c.test}`));
      const source = explainSource(config, c.from, c['from-namespace']);
      c.requests.forEach((rq, i) => {
        const key = `${file}#${c.test}#${i}`;
        seen.add(key);
        total++;
        const r = explainRequest(config, source, { method: rq.method ?? 'GET', url: rq.url, headers: rq.headers ?? {} });
        const diff = differences(r, rq.expect);
        const reason = known.get(key);
        if (reason === undefined) assert.deepEqual(diff, [], `${key} (${rq.url})`);
        else assert.notDeepEqual(diff, [], `${key} now conforms: take it off known-failures.yaml`);
      });
    });
  }
}

test('every known failure names a case that exists, and there are 40+ requests', () => {
  for (const k of known.keys()) assert.ok(seen.has(k), `known-failures.yaml: no case ${k}`);
  assert.ok(total >= 40, `only ${total} conformance requests`);
});
