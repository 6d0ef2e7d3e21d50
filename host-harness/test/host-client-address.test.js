// Whose address the per-address limit counts: the connection's peer, or behind a proxy the
// operator trusts (TRUSTED_PROXIES) the first address in X-Forwarded-For, read from the right,
// that is not a trusted proxy. A proxy that is not trusted could write anything there.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { clientAddress, parseTrustedProxies } = require('../src/host/client-address');
const { ConfigError, resolveHostConfig } = require('../src/host/config');
const { startApp } = require('./host-helpers');

const request = (peer, forwarded) => ({
  socket: { remoteAddress: peer },
  headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
});

test('without trusted proxies the peer is the client, whatever the header says', () => {
  assert.equal(clientAddress(request('203.0.113.7', '198.51.100.1'), null), '203.0.113.7');
  assert.equal(clientAddress(request('::ffff:203.0.113.7'), null), '203.0.113.7');
});

test('behind trusted proxies the header is read from the right', () => {
  const { list } = parseTrustedProxies('loopback, 10.0.0.0/8');
  for (const [peer, forwarded, client] of [
    ['127.0.0.1', '198.51.100.1', '198.51.100.1'],
    ['::1', '198.51.100.1', '198.51.100.1'],
    // The client's own claim (left) is ignored: the last proxy saw 198.51.100.2.
    ['127.0.0.1', '6.6.6.6, 198.51.100.2', '198.51.100.2'],
    // A chain of trusted proxies is walked through.
    ['127.0.0.1', '198.51.100.3, 10.1.2.3', '198.51.100.3'],
    // Garbage stops the walk at the last trusted hop.
    ['127.0.0.1', 'not-an-address', '127.0.0.1'],
    ['127.0.0.1', undefined, '127.0.0.1'],
    // A peer that is not trusted is the client.
    ['203.0.113.9', '198.51.100.1', '203.0.113.9'],
  ]) {
    assert.equal(clientAddress(request(peer, forwarded), list), client, `${peer} ${forwarded}`);
  }
});

test('TRUSTED_PROXIES must be addresses, ranges or loopback', () => {
  assert.equal(parseTrustedProxies('').list, null);
  assert.equal(parseTrustedProxies('10.0.0.0/8 ::1 fd00::/8').problem, null);
  for (const bad of ['10.0.0.0/33', 'proxy.example.com', '10.0.0.0/8/1']) {
    assert.match(parseTrustedProxies(bad).problem, /10\.0\.0\.0\/8/, bad);
  }
  assert.throws(
    () => resolveHostConfig({ TRUSTED_PROXIES: 'everyone' }),
    (err) => err instanceof ConfigError && err.problems[0].field === 'TRUSTED_PROXIES',
  );
});

test('the forms proxies write, with a port or in brackets, name the client', () => {
  const { plainAddress } = require('../src/host/client-address');
  assert.equal(plainAddress('203.0.113.7:5555'), '203.0.113.7');
  assert.equal(plainAddress('[2001:db8::1]'), '2001:db8::1');
  assert.equal(plainAddress('[2001:db8::1]:443'), '2001:db8::1');
  assert.equal(plainAddress('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(plainAddress('2001:db8::1'), '2001:db8::1');
});

test('behind a proxy TRUSTED_PROXIES does not name, the host says so, once', async (t) => {
  const { app, logs } = await startApp(t, { env: { PUBLIC_URL: 'https://baas.example.com' } });
  const warned = (pattern) => logs.filter((entry) => pattern.test(entry.message));
  assert.equal(warned(/PUBLIC_URL is set but TRUSTED_PROXIES is not/).length, 1);
  for (let i = 0; i < 3; i += 1) {
    await fetch(`${app.url}/api/health`, { headers: { 'X-Forwarded-For': '198.51.100.7' } });
  }
  assert.equal(warned(/X-Forwarded-For from a peer that TRUSTED_PROXIES does not name/).length, 1);
  const { banner } = require('../src/host/banner');
  assert.match(
    banner(app, { terminal: false }),
    /WARNING: +PUBLIC_URL is https:\/\/baas\.example\.com but TRUSTED_PROXIES/,
  );
});
