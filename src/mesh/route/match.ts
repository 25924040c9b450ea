// Envoy route matching as pure functions (spec §1.3, §2.2, §2.3). Matchers are
// compiled once per route; evaluating one is allocation-free except for the
// query string, parsed only when a route has queryParams.

import type { HttpMatch, StringMatch } from '../config/model.js';

/** What matching sees of a request. `path` is the raw :path (with query). */
export interface RequestView {
  method: string;
  path: string;
  authority: string;
  scheme: string;
  /** Lower-case names (node:http's req.headers). */
  headers: Record<string, string | string[] | undefined>;
}

export type ValueMatcher = (v: string) => boolean;

/** RE2 full-string semantics on a JS RegExp: anchored both ends, `(?i)` prefix -> flag. */
export function compileRegex(re: string): RegExp {
  let flags = '';
  let src = re;
  const m = /^\(\?([a-zA-Z]+)\)/.exec(src);
  if (m) {
    src = src.slice(m[0].length);
    if (m[1]!.includes('i')) flags += 'i';
    if (m[1]!.includes('s')) flags += 's';
  }
  // RE2 `\z` (end of text) has no JS spelling; the outer anchor already covers it.
  src = src.replace(/\\z/g, '$');
  try {
    return new RegExp(`^(?:${src})$`, flags);
  } catch {
    // The config loader validates regexes; an unexpected one never matches.
    return /(?!)/;
  }
}

export function compileStringMatch(m: StringMatch, ignoreCase = false): ValueMatcher {
  if ('present' in m) return () => true;
  if ('exact' in m) {
    const e = ignoreCase ? m.exact.toLowerCase() : m.exact;
    return ignoreCase ? (v) => v.toLowerCase() === e : (v) => v === e;
  }
  if ('prefix' in m) {
    const p = ignoreCase ? m.prefix.toLowerCase() : m.prefix;
    return ignoreCase ? (v) => v.toLowerCase().startsWith(p) : (v) => v.startsWith(p);
  }
  const re = compileRegex(m.regex);
  return (v) => re.test(v);
}

function headerValue(h: string | string[] | undefined): string | undefined {
  if (h === undefined) return undefined;
  return typeof h === 'string' ? h : h.join(',');
}

/**
 * A header condition on an HTTP/2 pseudo-header (`:method`, `:authority`, `:path`,
 * `:scheme`): Envoy's header matchers see them like any header, so match on
 * the request line's parts (`:path` with its query string, as sent).
 */
function pseudoHeaderValue(r: RequestView, name: string): string | undefined {
  switch (name) {
    case ':method':
      return r.method;
    case ':authority':
      return r.authority;
    case ':path':
      return r.path;
    case ':scheme':
      return r.scheme;
    default:
      return undefined;
  }
}

function conditionValue(r: RequestView, h: HeaderCond): string | undefined {
  return h.pseudo ? pseudoHeaderValue(r, h.name) : headerValue(r.headers[h.name]);
}

export function stripQuery(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

/** First value of each query parameter (`?a` has value ''). */
export function parseQuery(path: string): Map<string, string> {
  const out = new Map<string, string>();
  const q = path.indexOf('?');
  if (q < 0) return out;
  const end = path.indexOf('#', q);
  const qs = path.slice(q + 1, end < 0 ? undefined : end);
  for (const part of qs.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let k = eq < 0 ? part : part.slice(0, eq);
    let v = eq < 0 ? '' : part.slice(eq + 1);
    try {
      k = decodeURIComponent(k.replace(/\+/g, ' '));
      v = decodeURIComponent(v.replace(/\+/g, ' '));
    } catch {
      // keep raw
    }
    if (!out.has(k)) out.set(k, v);
  }
  return out;
}

interface HeaderCond {
  name: string;
  present: boolean;
  match: ValueMatcher;
  /** As configured, for explain's reasons. */
  sm: StringMatch;
  /** `:method`, `:authority`, `:path`, `:scheme`. */
  pseudo: boolean;
}

function headerCond(name: string, sm: StringMatch): HeaderCond {
  const lower = name.toLowerCase();
  return { name: lower, present: 'present' in sm, match: compileStringMatch(sm), sm, pseudo: lower.startsWith(':') };
}

/** One HTTPMatchRequest compiled to its runtime conditions (AND-ed). */
export class CompiledMatch {
  readonly uriKind: 'exact' | 'prefix' | 'regex' | undefined;
  /** The literal for exact/prefix uri matches (prefix rewrite replaces it). */
  readonly uriLiteral: string | undefined;
  readonly #uri: ValueMatcher | undefined;
  readonly #uriRegex: string | undefined;
  readonly #method: ValueMatcher | undefined;
  readonly #authority: ValueMatcher | undefined;
  readonly #scheme: ValueMatcher | undefined;
  readonly #headers: HeaderCond[] = [];
  readonly #without: HeaderCond[] = [];
  readonly #query: Array<{ name: string; match: ValueMatcher; sm: StringMatch }> = [];

  constructor(readonly spec: HttpMatch) {
    const m = spec;
    const uri = m.uri;
    if (uri && !('present' in uri)) {
      if ('exact' in uri) {
        this.uriKind = 'exact';
        this.uriLiteral = uri.exact;
      } else if ('prefix' in uri) {
        this.uriKind = 'prefix';
        this.uriLiteral = uri.prefix;
      } else {
        this.uriKind = 'regex';
        this.#uriRegex = uri.regex;
      }
      // ignoreUriCase affects exact/prefix only (Envoy case_sensitive=false).
      this.#uri = compileStringMatch(uri, m.ignoreUriCase && this.uriKind !== 'regex');
    }
    if (m.method) this.#method = compileStringMatch(m.method);
    if (m.authority) this.#authority = compileStringMatch(m.authority);
    if (m.scheme) this.#scheme = compileStringMatch(m.scheme);
    for (const [name, sm] of Object.entries(m.headers)) {
      // `uri`, `scheme`, `method`, `authority` keys are ignored in headers (spec §2.3).
      if (name === 'uri' || name === 'scheme' || name === 'method' || name === 'authority') continue;
      this.#headers.push(headerCond(name, sm));
    }
    for (const [name, sm] of Object.entries(m.withoutHeaders)) {
      if (name === 'uri' || name === 'scheme' || name === 'method' || name === 'authority') continue;
      this.#without.push(headerCond(name, sm));
    }
    for (const [name, sm] of Object.entries(m.queryParams)) this.#query.push({ name, match: compileStringMatch(sm), sm });
  }

  /** Istio IsCatchAllRoute: no runtime condition except a `/` prefix or `.*` regex. */
  get isCatchAll(): boolean {
    if (this.#method || this.#authority || this.#scheme) return false;
    if (this.#headers.length || this.#without.length || this.#query.length) return false;
    if (!this.#uri) return true;
    return (this.uriKind === 'prefix' && this.uriLiteral === '/') || (this.uriKind === 'regex' && this.#uriRegex === '.*');
  }

  matches(r: RequestView): boolean {
    return this.#test(r, undefined);
  }

  /** Why `r` fails this match (its first failed condition), or undefined when it matches. */
  mismatch(r: RequestView): string | undefined {
    let why: string | undefined;
    this.#test(r, (reason) => (why = reason));
    return why;
  }

  /**
   * The one evaluation of the conditions, for the proxy (`why` undefined: no
   * strings built) and for `bench explain` (`why` told the first failure).
   */
  #test(r: RequestView, why: ((reason: string) => void) | undefined): boolean {
    const m = this.spec;
    if (this.#uri) {
      // exact and regex compare the path without its query string; prefix the raw path.
      const p = this.uriKind === 'prefix' ? r.path : stripQuery(r.path);
      if (!this.#uri(p)) return failed(why?.(`uri ${JSON.stringify(p)} does not match ${describeStringMatch(m.uri!)}${m.ignoreUriCase ? ' (ignoreUriCase)' : ''}`));
    }
    if (this.#method && !this.#method(r.method)) return failed(why?.(`method ${r.method} does not match ${describeStringMatch(m.method!)}`));
    if (this.#authority && !this.#authority(r.authority)) {
      return failed(why?.(`authority ${JSON.stringify(r.authority)} does not match ${describeStringMatch(m.authority!)}`));
    }
    if (this.#scheme && !this.#scheme(r.scheme)) return failed(why?.(`scheme ${r.scheme} does not match ${describeStringMatch(m.scheme!)}`));
    for (const h of this.#headers) {
      const v = conditionValue(r, h);
      if (v === undefined) return failed(why?.(`header ${h.name} is missing`));
      if (!h.present && !h.match(v)) return failed(why?.(`header ${h.name}: ${JSON.stringify(v)} does not match ${describeStringMatch(h.sm)}`));
    }
    for (const h of this.#without) {
      const v = conditionValue(r, h);
      if (h.present) {
        if (v !== undefined) return failed(why?.(`withoutHeaders: header ${h.name} is present`));
        continue;
      }
      // Inverted value match; a missing header is treated as the empty string.
      if (h.match(v ?? '')) return failed(why?.(`withoutHeaders: header ${h.name} ${JSON.stringify(v ?? '')} matches ${describeStringMatch(h.sm)}`));
    }
    if (this.#query.length) {
      const q = parseQuery(r.path);
      for (const c of this.#query) {
        const v = q.get(c.name);
        if (v === undefined) return failed(why?.(`query parameter ${c.name} is missing`));
        if (!c.match(v)) return failed(why?.(`query parameter ${c.name}: ${JSON.stringify(v)} does not match ${describeStringMatch(c.sm)}`));
      }
    }
    return true;
  }
}

/** `return failed(why?.(reason))`: optional chaining skips building the reason when nobody asks. */
function failed(_told: void): false {
  return false;
}

/** The runtime conditions of a match item, e.g. `uri prefix "/api"`, `header end-user exact "jason"` (explain). */
export function describeMatch(m: HttpMatch): string[] {
  const out: string[] = [];
  if (m.uri) out.push(`uri ${describeStringMatch(m.uri)}${m.ignoreUriCase ? ' (ignoreUriCase)' : ''}`);
  if (m.method) out.push(`method ${describeStringMatch(m.method)}`);
  if (m.authority) out.push(`authority ${describeStringMatch(m.authority)}`);
  if (m.scheme) out.push(`scheme ${describeStringMatch(m.scheme)}`);
  for (const [k, v] of Object.entries(m.headers)) out.push(`header ${k} ${describeStringMatch(v)}`);
  for (const [k, v] of Object.entries(m.withoutHeaders)) out.push(`withoutHeaders ${k} ${describeStringMatch(v)}`);
  for (const [k, v] of Object.entries(m.queryParams)) out.push(`query parameter ${k} ${describeStringMatch(v)}`);
  return out;
}

/** `prefix "/api"`, `exact "GET"`, `regex "v[12]"`, `present`: how explain names a condition. */
export function describeStringMatch(m: StringMatch): string {
  if ('present' in m) return 'present';
  if ('exact' in m) return `exact ${JSON.stringify(m.exact)}`;
  if ('prefix' in m) return `prefix ${JSON.stringify(m.prefix)}`;
  return `regex ${JSON.stringify(m.regex)}`;
}

/** Config-time selectors of a match item for one client sidecar (spec §2.2). */
export interface SourceContext {
  labels: Record<string, string>;
  namespace: string;
  /** The listener (service) port the route table is built for. */
  port: number;
}

export function configTimeApplies(m: HttpMatch, src: SourceContext): boolean {
  return configTimeMismatch(m, src) === undefined;
}

/** Why a match item does not apply to this client sidecar at all (built without it), or undefined. */
export function configTimeMismatch(m: HttpMatch, src: SourceContext): string | undefined {
  if (m.port !== undefined && m.port !== src.port) return `port ${m.port} is not the listener port ${src.port}`;
  if (m.sourceNamespace !== undefined && m.sourceNamespace !== src.namespace) return `sourceNamespace ${m.sourceNamespace} is not the client's namespace ${src.namespace}`;
  if (m.gateways !== undefined && m.gateways.length > 0 && !m.gateways.includes('mesh')) return `gateways [${m.gateways.join(', ')}] do not include mesh`;
  if (m.sourceLabels) {
    for (const k in m.sourceLabels) {
      if (src.labels[k] !== m.sourceLabels[k]) return `sourceLabels ${k}=${m.sourceLabels[k]} (the client has ${k in src.labels ? `${k}=${src.labels[k]}` : `no ${k} label`})`;
    }
  }
  return undefined;
}
