// Fixed documents: /html, /xml, /json, /robots.txt, /deny, /encoding/utf8,
// /forms/post and /base64/<value>. The shapes (root elements, JSON keys,
// content types) are httpbin's; the texts are meshbench's own (the real apps
// ship a Moby-Dick chapter, a JAXP sample slideshow and Markus Kuhn's UTF-8
// demo; their lengths differ here, see docs/apps.md).

import type { Exchange, Flavor } from './exchange.js';
import { params, sendText } from './exchange.js';
import { escapeHtml } from './redirects.js';

const MOBY_HTML = `<!DOCTYPE html>
<html>
  <head>
  </head>
  <body>
      <h1>Herman Melville - Moby-Dick</h1>

      <div>
        <p>
          Call me Ishmael. Some years ago, never mind how long precisely, having little or no money in my purse,
          and nothing particular to interest me on shore, I thought I would sail about a little and see the watery
          part of the world. It is a way I have of driving off the spleen and regulating the circulation. Whenever I
          find myself growing grim about the mouth; whenever it is a damp, drizzly November in my soul, then I account
          it high time to get to sea as soon as I can.
        </p>
      </div>
  </body>
</html>`;

const SAMPLE_XML = `<?xml version='1.0' encoding='us-ascii'?>

<!--  A sample slideshow (the same one /json describes)  -->

<slideshow
    title="Sample Slide Show"
    date="Date of publication"
    author="Yours Truly"
    >

    <!-- TITLE SLIDE -->
    <slide type="all">
      <title>Wake up to WonderWidgets!</title>
    </slide>

    <!-- OVERVIEW -->
    <slide type="all">
        <title>Overview</title>
        <item>Why <em>WonderWidgets</em> are great</item>
        <item/>
        <item>Who <em>buys</em> WonderWidgets</item>
    </slide>

</slideshow>`;

/** /json's document (core.a_json_endpoint). */
export const SLIDESHOW = {
  slideshow: {
    author: 'Yours Truly',
    date: 'date of publication',
    slides: [
      { title: 'Wake up to WonderWidgets!', type: 'all' },
      { items: ['Why <em>WonderWidgets</em> are great', 'Who <em>buys</em> WonderWidgets'], title: 'Overview', type: 'all' },
    ],
    title: 'Sample Slide Show',
  },
};

const UTF8_DEMO = `<h1>Unicode Demo</h1>

<pre>
UTF-8 encoded sample plain-text file (meshbench)

Mathematics:  ∮ E⋅da = Q,  n → ∞, ∑ f(i) = ∏ g(i), ∀x∈ℝ: ⌈x⌉ = −⌊−x⌋
Linguistics:  ði ıntəˈnæʃənəl fəˈnɛtık əsoʊsiˈeıʃn
Greek:        Σὲ γνωρίζω ἀπὸ τὴν κόψη
Russian:      Зарегистрируйтесь сейчас на Конференцию
Georgian:     გთხოვთ ახლავე გაიაროთ რეგისტრაცია
Thai:         สิบสองกษัตริย์ก่อนหน้าแลถัดไป
Amharic:      ሰማይ አይታረስ ንጉሥ አይከሰስ።
Runes:        ᚻᛖ ᚳᚹᚫᚦ ᚦᚫᛏ ᚻᛖ ᛒᚢᛞᛖ ᚩᚾ ᚦᚫᛗ
Braille:      ⡌⠁⠧⠑ ⠼⠁⠒  ⡍⠜⠇⠑⠹⠰⠎ ⡣⠕⠌
Japanese:     いろはにほへとちりぬるを
Box drawing:  ╔══╦══╗  ┌──┬──┐  ╭──┬──╮
              ╚══╩══╝  └──┴──┘  ╰──┴──╯
</pre>
`;

const FORMS_POST = `<!DOCTYPE html>
<html>
  <head>
  </head>
  <body>
  <!-- Example form from HTML5 spec http://www.w3.org/TR/html5/forms.html#writing-a-form's-user-interface -->
  <form method="post" action="/post">
   <p><label>Customer name: <input name="custname"></label></p>
   <p><label>Telephone: <input type=tel name="custtel"></label></p>
   <p><label>E-mail address: <input type=email name="custemail"></label></p>
   <fieldset>
    <legend> Pizza Size </legend>
    <p><label> <input type=radio name=size value="small"> Small </label></p>
    <p><label> <input type=radio name=size value="medium"> Medium </label></p>
    <p><label> <input type=radio name=size value="large"> Large </label></p>
   </fieldset>
   <fieldset>
    <legend> Pizza Toppings </legend>
    <p><label> <input type=checkbox name="topping" value="bacon"> Bacon </label></p>
    <p><label> <input type=checkbox name="topping" value="cheese"> Extra Cheese </label></p>
    <p><label> <input type=checkbox name="topping" value="onion"> Onion </label></p>
    <p><label> <input type=checkbox name="topping" value="mushroom"> Mushroom </label></p>
   </fieldset>
   <p><label>Preferred delivery time: <input type=time min="11:00" max="21:00" step="900" name="delivery"></label></p>
   <p><label>Delivery instructions: <textarea name="comments"></textarea></label></p>
   <p><button>Submit order</button></p>
  </form>
  </body>
</html>`;

/** The Python app's `/` and `/legacy`. */
export const INDEX_HTML = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="UTF-8"><title>httpbin.org</title></head>
<body>
<h2>httpbin.org <small>0.9.2</small></h2>
<p>A simple HTTP Request &amp; Response Service (meshbench built-in, kennethreitz/httpbin compatible).</p>
<ul>
<li><a href="/get">/get</a> the request's query parameters, headers, origin and url</li>
<li><a href="/headers">/headers</a> the request's headers</li>
<li><a href="/ip">/ip</a> the requester's IP address</li>
<li><a href="/user-agent">/user-agent</a> the User-Agent header</li>
<li><a href="/uuid">/uuid</a> a UUID4</li>
<li>/post /put /patch /delete the request data for that method</li>
<li><a href="/anything">/anything</a> anything passed in the request</li>
<li>/status/:codes a status code, or a random one of <code>200,503</code> / <code>200:9,503:1</code></li>
<li>/delay/:n delays the response by n seconds (at most 10)</li>
<li>/bytes/:n n random bytes (<code>?seed=</code>)</li>
<li>/response-headers?Name=Value sets response headers</li>
</ul>
</body>
</html>
`;

const ROBOTS_TXT = 'User-agent: *\nDisallow: /deny\n';

const ANGRY = `
        .-""""""-.
      .'  \\    /  '.
     /    O    O    \\
    :                :
    |      ____      |
    :    .'    '.    :
     \\              /
      '.          .'
        '-......-'
     YOU SHOULDN'T BE HERE
`;

export type Document = 'html' | 'xml' | 'json' | 'robots' | 'deny' | 'utf8' | 'forms';

/** One of the fixed documents, typed as each app types it. */
export function document(x: Exchange, f: Flavor, which: Document): void {
  const py = f.kind === 'python';
  switch (which) {
    case 'html':
      return sendText(x, f, 200, 'text/html; charset=utf-8', MOBY_HTML);
    case 'xml':
      return sendText(x, f, 200, 'application/xml', SAMPLE_XML);
    case 'json':
      return f.json(x, SLIDESHOW);
    case 'robots':
      return sendText(x, f, 200, py ? 'text/plain' : 'text/plain; charset=utf-8', ROBOTS_TXT);
    case 'deny':
      return sendText(x, f, 200, py ? 'text/plain' : 'text/plain; charset=utf-8', py ? ANGRY : "YOU SHOULDN'T BE HERE");
    case 'utf8':
      return sendText(x, f, 200, 'text/html; charset=utf-8', UTF8_DEMO);
    case 'forms':
      return sendText(x, f, 200, 'text/html; charset=utf-8', FORMS_POST);
  }
}

const B64_HINT = 'Incorrect Base64 data try: SFRUUEJJTiBpcyBhd2Vzb21l';

/**
 * Python base64.urlsafe_b64decode (non-strict): characters outside the
 * alphabet are dropped, the padding must be right; null when it fails.
 */
export function urlsafeB64Decode(value: string): Buffer | null {
  const kept = value.replace(/-/g, '+').replace(/_/g, '/').replace(/[^A-Za-z0-9+/=]/g, '');
  const eq = kept.indexOf('=');
  const data = eq < 0 ? kept : kept.slice(0, eq);
  const pad = eq < 0 ? '' : kept.slice(eq);
  const rem = data.length % 4;
  if (rem === 1) return null;
  if (rem !== 0 && pad.length < 4 - rem) return null;
  return Buffer.from(data, 'base64');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** /base64/<value> (Python) and /base64/[encode|decode/]<data> (Go). */
export function base64(x: Exchange, f: Flavor, value: string, op = 'decode'): void {
  if (f.kind === 'python') {
    const buf = urlsafeB64Decode(value);
    let text = B64_HINT;
    if (buf !== null) {
      try {
        text = strictUtf8.decode(buf);
      } catch {
        text = B64_HINT;
      }
    }
    return sendText(x, f, 200, 'text/html; charset=utf-8', text);
  }
  if (op !== 'encode' && op !== 'decode') return f.fail(x, 400, `invalid operation: ${op}`);
  if (value === '') return f.fail(x, 400, 'no input data');
  let out: Buffer;
  // go-httpbin: encode with base64.URLEncoding (padded); decode URL-safe, then standard, strictly padded.
  if (op === 'encode') out = Buffer.from(Buffer.from(value).toString('base64').replace(/\+/g, '-').replace(/\//g, '_'));
  else {
    if (value.length % 4 !== 0 || !(/^[A-Za-z0-9_-]*={0,2}$/.test(value) || /^[A-Za-z0-9+/]*={0,2}$/.test(value))) {
      return f.fail(x, 400, 'base64 decode failed: illegal base64 data at input byte 0');
    }
    out = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  }
  const ct = params(x).get('content-type') || 'text/plain; charset=utf-8';
  // go-httpbin escapes the result unless the type is known to be safe.
  const safe = /^(text\/plain|application\/json|application\/octet-stream)\b/i.test(ct);
  sendText(x, f, 200, ct, safe ? out : escapeHtml(out.toString('utf8')));
}
