// Images for /image and /image/<kind>: one small meshbench picture (a 32x32
// pink pig face) as PNG, JPEG, WebP and SVG. The rasters were made on this
// project's machine from one pixel grid (PNG by hand with zlib, JPEG with
// cjpeg, WebP with cwebp -lossless) and are embedded, so no file or network
// is needed; the real apps serve larger pictures of their own.

import type { Exchange, Flavor } from './exchange.js';
import { pyStatus, sendText } from './exchange.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAACAAAAAgCAIAAAD8GO2jAAAAiUlEQVR42mP4T2PAMGoBVSz4smQXVkQFC3AZTbw1DJQYTYw1DFQx' +
  'HY8dDNQyHZcdDFQ0Hasd9LWActMx7SBggYacBgSRJIXdAqxuIc8CZDsG2gLKo2FEWXAtrweOqGwBstFEWjMQFuCxg1QLyCwqiI+D' +
  'YVya0qPCoUeVSY9Knx7NFjo1vIZA2xQABmBZm5BPf0IAAAAASUVORK5CYII=',
  'base64',
);

const JPEG = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAUDBAQEAwUEBAQFBQUGBwwIBwcHBw8LCwkMEQ8SEhEPERETFhwXExQaFRERGCEYGh0d' +
  'Hx8fExciJCIeJBweHx7/2wBDAQUFBQcGBw4ICA4eFBEUHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4e' +
  'Hh4eHh4eHh7/wAARCAAgACADASIAAhEBAxEB/8QAFwABAQEBAAAAAAAAAAAAAAAABwYECP/EACUQAAECBQQCAwEAAAAAAAAAAAEC' +
  'AwQFETFBAAYSIRNRByJxMv/EABcBAQEBAQAAAAAAAAAAAAAAAAABBAX/xAAeEQACAQMFAAAAAAAAAAAAAAABAwACBTEEEUFR8f/a' +
  'AAwDAQACEQMRAD8A7KcWhttTjikoQkEqUo0AAydS0x3rBMuhEHDLik5WVeMYtUEnNwLZ1n+SJgtIYljfJIWPK4fYqQkX9gk1GBom' +
  'gNwzOJ39MNuu7bjIeXwsOHWpsoq8L6iGzwT9AKjmqyj/AAevUJnb0NvXVQGO5wPIwy7esE86URkMuFThYV5Bm9ACMWBvjVS2tDja' +
  'XG1JWhQBSpJqCDka51j9wzOG39L9utbbjIiXxUOXXZskq8LCgHDwV9CKngm6h/Y69rPxvMFqD8sc5KCB5Wz6FQFC/sgigydAY11v' +
  'XTQWJ4yPZn+SoV0R0NG0qyprxVAPSgSe8dg9fh0fz56ZNMJMva5VrzUE8lJ7FKDOcHThNICGmUGuFikckK7BF0nBBwdQsx2dNGHQ' +
  'IThFtmygoIItcE/tibahE02y4KpWFsOxHeJEyF6ZOsKMwa40pwUU8VK7NajGMDSB8awrpjomNpRlLXiqQe1Eg9Y6A7/RrLLtnTR9' +
  '0iL4QjYuoqCyb2AP5ci+rqVwENLYNELCo4oT2SbqOSTk6ARc7gqpZWs7k9Yn/9k=',
  'base64',
);

const WEBP = Buffer.from(
  'UklGRoYAAABXRUJQVlA4THoAAAAvH8AHAB8gECBSXOjwP2NDSEA80Z13kUK2ESCee6nOX+HmP/4RaqTgKJIkx6mIBbCQDspBOT5G' +
  'EoWFJO+leszIIojo/wTwj5qstQZVoIUC61DhHrp3TMH+MRykZeWd9DurazaOb5GBrq7hrtq9sw4VWihAAFhrDSjfBA==',
  'base64',
);

const SVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
  <circle cx="16" cy="16.5" r="13" fill="#f4a4ba"/>
  <circle cx="11" cy="13" r="2" fill="#281e28"/>
  <circle cx="20" cy="13" r="2" fill="#281e28"/>
  <ellipse cx="15.5" cy="20" rx="4" ry="2.4" fill="#d66e8c"/>
</svg>
`;

export type ImageKind = 'png' | 'jpeg' | 'webp' | 'svg';

const IMAGES: Record<ImageKind, [string, Buffer | string]> = {
  png: ['image/png', PNG],
  jpeg: ['image/jpeg', JPEG],
  webp: ['image/webp', WEBP],
  svg: ['image/svg+xml', SVG],
};

export function isImageKind(s: string): s is ImageKind {
  return s === 'png' || s === 'jpeg' || s === 'webp' || s === 'svg';
}

/** /image/<kind> */
export function image(x: Exchange, f: Flavor, kind: string): void {
  if (!isImageKind(kind)) return f.fail(x, 404);
  const [type, body] = IMAGES[kind];
  sendText(x, f, 200, type, body);
}

/**
 * /image: picked by Accept. Python (core.image) prefers webp, svg, jpeg, then
 * png or image/*, else 406; Go (ImageAccept) prefers png for none, image/* or
 * image/png, then webp, svg, jpeg, else 415.
 */
export function imageByAccept(x: Exchange, f: Flavor): void {
  const accept = x.req.headers.accept;
  if (f.kind === 'python') {
    if (accept === undefined) return image(x, f, 'png');
    const a = accept.toLowerCase();
    if (a.includes('image/webp')) return image(x, f, 'webp');
    if (a.includes('image/svg+xml')) return image(x, f, 'svg');
    if (a.includes('image/jpeg')) return image(x, f, 'jpeg');
    if (a.includes('image/png') || a.includes('image/*')) return image(x, f, 'png');
    return pyStatus(x, f, 406);
  }
  if (!accept || accept.includes('image/*') || accept.includes('image/png')) return image(x, f, 'png');
  if (accept.includes('image/webp')) return image(x, f, 'webp');
  if (accept.includes('image/svg+xml')) return image(x, f, 'svg');
  if (accept.includes('image/jpeg')) return image(x, f, 'jpeg');
  f.fail(x, 415);
}
