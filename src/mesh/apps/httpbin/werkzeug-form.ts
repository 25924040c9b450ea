// Request bodies as werkzeug parses them for httpbin's `form`, `data`,
// `files` and `json` (helpers.get_dict, json_safe, semiflatten).

import type { IncomingMessage } from 'node:http';
import { parseMultipart } from '../multipart.js';
import type { PyValue } from '../pyjson.js';

export interface BodyParts {
  form: Record<string, PyValue>;
  data: string;
  files: Record<string, PyValue>;
  json: PyValue;
}

export const NO_BODY: BodyParts = { form: {}, data: '', files: {}, json: null };

/** helpers.semiflatten(MultiDict): one value -> string, several -> list. */
export function semiflatten(encoded: string): Record<string, PyValue> {
  if (encoded === '') return {};
  const multi = new Map<string, PyValue[]>();
  for (const [k, v] of new URLSearchParams(encoded)) addMulti(multi, k, v);
  return flatten(multi);
}

function addMulti(multi: Map<string, PyValue[]>, k: string, v: PyValue): void {
  const list = multi.get(k);
  if (list) list.push(v);
  else multi.set(k, [v]);
}

function flatten(multi: Map<string, PyValue[]>): Record<string, PyValue> {
  const out: Record<string, PyValue> = {};
  for (const [k, list] of multi) out[k] = list.length === 1 ? list[0] : list;
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** helpers.json_safe: text if valid UTF-8, else an RFC 2397 data URL. */
function jsonSafe(buf: Buffer, contentType = 'application/octet-stream'): string {
  try {
    return strictUtf8.decode(buf);
  } catch {
    return 'data:' + contentType + ';base64,' + buf.toString('base64');
  }
}

export function parseBody(req: IncomingMessage, body: Buffer): BodyParts {
  if (body.length === 0) return NO_BODY;
  const ct = (req.headers['content-type'] ?? '').toLowerCase();
  if (ct.startsWith('application/x-www-form-urlencoded')) {
    return { form: semiflatten(body.toString('utf8')), data: '', files: {}, json: null };
  }
  if (ct.startsWith('multipart/form-data')) {
    const form = new Map<string, PyValue[]>();
    const files = new Map<string, PyValue[]>();
    for (const part of parseMultipart(body, req.headers['content-type'] ?? '')) {
      if (part.filename !== undefined) addMulti(files, part.name, jsonSafe(part.data, part.contentType ?? 'application/octet-stream'));
      else addMulti(form, part.name, part.data.toString('utf8'));
    }
    return { form: flatten(form), data: '', files: flatten(files), json: null };
  }
  const data = jsonSafe(body);
  let json: PyValue = null;
  try {
    json = JSON.parse(body.toString('utf8')) as PyValue;
  } catch {
    json = null;
  }
  return { form: {}, data, files: {}, json };
}
