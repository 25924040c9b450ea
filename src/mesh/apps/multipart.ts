// Minimal multipart/form-data reader (RFC 7578) for httpbin's `form` and
// `files`: enough for curl -F and browsers; malformed input yields no parts.

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export function parseMultipart(body: Buffer, contentType: string): Part[] {
  const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!m) return [];
  const delim = Buffer.from('--' + (m[1] ?? m[2]));
  const parts: Part[] = [];
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    let start = pos + delim.length;
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break; // closing "--"
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2;
    const next = body.indexOf(delim, start);
    if (next < 0) break;
    let end = next;
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2;
    const headEnd = body.indexOf('\r\n\r\n', start);
    if (headEnd >= 0 && headEnd < end) {
      const part = readPart(body.subarray(start, headEnd).toString('utf8'), body.subarray(headEnd + 4, end));
      if (part) parts.push(part);
    }
    pos = next;
  }
  return parts;
}

function readPart(head: string, data: Buffer): Part | null {
  let name: string | undefined;
  let filename: string | undefined;
  let contentType: string | undefined;
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === 'content-disposition') {
      name = param(value, 'name');
      filename = param(value, 'filename');
    } else if (key === 'content-type') contentType = value;
  }
  if (name === undefined) return null;
  const part: Part = { name, data };
  if (filename !== undefined) part.filename = filename;
  if (contentType !== undefined) part.contentType = contentType;
  return part;
}

function param(value: string, key: string): string | undefined {
  const re = new RegExp('(?:^|;)\\s*' + key + '=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))', 'i');
  const m = re.exec(value);
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2].trim();
}
