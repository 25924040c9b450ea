// What node:http can write as a header: an RFC 9110 token for the name and
// visible ASCII, tabs and obs-text for the value (/response-headers skips others).

export function isToken(s: string): boolean {
  return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s);
}

export function isHeaderValue(s: string): boolean {
  return /^[\t\x20-\x7e\x80-\xff]*$/.test(s);
}
