// `destination: {host, subset, port: {number}}` of routes and mirrors; short hosts
// are completed with the VirtualService's namespace.

import type { Destination } from './model.js';
import { completeHost } from './context.js';
import type { Fields } from './fields.js';

export function compileDestination(f: Fields, ns: string): Destination | undefined {
  f.allow(['host', 'subset', 'port']);
  const host = f.str('host', { required: true, nonEmpty: true });
  const subset = f.str('subset');
  const pf = f.obj('port');
  const port = pf?.allow(['number']).int('number', { required: true, min: 1, max: 65535 });
  if (host === undefined) return undefined;
  const d: Destination = { host: completeHost(host, ns) };
  if (subset !== undefined && subset !== '') d.subset = subset;
  if (port !== undefined) d.port = port;
  return d;
}
