// Request authorities `host[:port]`: Envoy's Http::Utility::parseAuthority rules
// (a port only when the text after the last `:` is 0..65535, IPv6 brackets
// stripped), formatting back, default ports, and the users that build on them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  authorityPort,
  defaultPort,
  formatAuthority,
  hostMatchKey,
  isShadowHost,
  parseAuthority,
  shadowAuthority,
  splitRequestTarget,
} from '../../src/mesh/authority.js';

test('parseAuthority', () => {
  const cases: Array<[string, string, number | undefined]> = [
    ['httpbin', 'httpbin', undefined],
    ['httpbin:8000', 'httpbin', 8000],
    ['HttpBin.Default:8000', 'HttpBin.Default', 8000], // case kept: matching lower-cases separately
    ['httpbin.default.svc.cluster.local:9080', 'httpbin.default.svc.cluster.local', 9080],
    ['127.0.0.1:15001', '127.0.0.1', 15001],
    ['[::1]:8080', '::1', 8080],
    ['[::1]', '::1', undefined],
    ['::1', '::1', undefined],
    ['httpbin:0', 'httpbin', 0],
    ['httpbin:65535', 'httpbin', 65535],
    // Not a port: the whole text is the host (it then matches no virtual host).
    ['httpbin:65536', 'httpbin:65536', undefined],
    ['httpbin:http', 'httpbin:http', undefined],
    ['httpbin:', 'httpbin:', undefined],
    ['httpbin:-1', 'httpbin:-1', undefined],
    ['', '', undefined],
  ];
  for (const [input, host, port] of cases) assert.deepEqual(parseAuthority(input), { host, port }, input);
});

test('formatAuthority puts IPv6 literals in brackets and round-trips parseAuthority', () => {
  const cases: Array<[string, number | undefined, string]> = [
    ['httpbin', 8000, 'httpbin:8000'],
    ['httpbin', undefined, 'httpbin'],
    ['::1', 8080, '[::1]:8080'],
    ['::1', undefined, '[::1]'],
    ['127.0.0.1', 80, '127.0.0.1:80'],
  ];
  for (const [host, port, want] of cases) {
    assert.equal(formatAuthority(host, port), want);
    assert.deepEqual(parseAuthority(want), { host, port }, want);
  }
});

test('default ports by scheme; Host matching is case-insensitive', () => {
  assert.equal(defaultPort(), 80);
  assert.equal(defaultPort('http'), 80);
  assert.equal(defaultPort('https'), 443);
  assert.equal(defaultPort('HTTPS'), 443);
  assert.equal(authorityPort('httpbin'), 80);
  assert.equal(authorityPort('httpbin', 'https'), 443);
  assert.equal(authorityPort('httpbin:8000', 'https'), 8000);
  assert.equal(hostMatchKey('HTTPBIN.Default.svc.cluster.local'), 'httpbin.default.svc.cluster.local');
});

test('mirror Host suffix (spec §6): `-shadow` after the host, before the port; recognised by the apps', () => {
  const cases: Array<[string, string]> = [
    ['httpbin:8000', 'httpbin-shadow:8000'],
    ['httpbin', 'httpbin-shadow'],
    ['cluster-1', 'cluster-1-shadow'],
    ['httpbin.default.svc.cluster.local:8000', 'httpbin.default.svc.cluster.local-shadow:8000'],
  ];
  for (const [from, want] of cases) {
    assert.equal(shadowAuthority(from), want, from);
    assert.equal(isShadowHost(want), true, want);
    assert.equal(isShadowHost(from), false, from);
  }
  assert.equal(isShadowHost('httpbin-shadow'), true);
  assert.equal(isShadowHost('shadow:8000'), false);
});

test('request-target: absolute-form gives the authority and an origin-form path (RFC 9112 §3.2)', () => {
  const cases: Array<[string, string | undefined, string]> = [
    ['/get?a=1', undefined, '/get?a=1'],
    ['http://httpbin:8000/get?a=1', 'httpbin:8000', '/get?a=1'],
    ['HTTP://httpbin:8000/get', 'httpbin:8000', '/get'],
    ['https://[::1]:8443/x', '[::1]:8443', '/x'],
    ['http://httpbin:8000', 'httpbin:8000', '/'],
    ['http://httpbin:8000?q=/x', 'httpbin:8000', '/?q=/x'],
    ['*', undefined, '*'],
    ['ftp://host/x', undefined, 'ftp://host/x'],
  ];
  for (const [target, authority, path] of cases) assert.deepEqual(splitRequestTarget(target), { authority, path }, target);
});
