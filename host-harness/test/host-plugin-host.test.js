// The PluginHost imports on their own: the HTTP allowlist, the host deadline, redirects, log
// redaction and the storage delegation, against local servers that count what reaches them.

const assert = require('node:assert/strict');
const http = require('node:http');
const { test } = require('node:test');

const Database = require('better-sqlite3');

const { createKvStore } = require('../src/host/kv-store');
const { createLogger, REDACTED } = require('../src/host/logger');
const { MAX_RESPONSE_BYTES } = require('../src/host/plugin-http');
const { createPluginHost } = require('../src/host/plugin-host');

const TWILIO = 'https://api.twilio.com';

/** A local server that counts requests and answers with `handler` (default: 200 "ok"). */
async function countingServer(t, handler = (_req, res) => res.end('ok')) {
  const server = http.createServer((req, res) => {
    server.hits += 1;
    handler(req, res);
  });
  server.hits = 0;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { server, origin: `http://127.0.0.1:${server.address().port}` };
}

function makeHost(t, { allowedOrigins = [TWILIO], deadlineMs } = {}) {
  const entries = [];
  const db = new Database(':memory:');
  t.after(() => db.close());
  const kv = createKvStore(db, { sweepIntervalMs: 0 });
  const host = createPluginHost({
    storage: kv.namespace('test-plugin'),
    users: {
      findBy: (field, value) =>
        field === 'email' && value === 'a@b.co' ? { objectId: 'X' } : null,
    },
    allowedOrigins,
    log: createLogger({ sink: (entry) => entries.push(entry), minLevel: 'debug' }),
    deadlineMs,
  });
  t.after(() => host.close());
  return { host, entries, kv };
}

const twilioLikeRequest = (url) => ({
  method: 'POST',
  url,
  headers: {
    Authorization: 'Basic QUMwMDA6c2VjcmV0LXRva2Vu',
    'Content-Type': 'application/x-www-form-urlencoded',
  },
  body: 'To=%2B14155550100&Body=Your+code+is+123456',
  timeoutMs: 2000,
});

test('http to an origin outside the allowlist is refused, logged and never sent', async (t) => {
  const { server, origin } = await countingServer(t);
  const { host, entries } = makeHost(t);

  await assert.rejects(
    host.http(twilioLikeRequest(`${origin}/2010-04-01/Accounts/AC000/Messages.json`)),
    (err) => err instanceof Error && /not among the origins/.test(err.message),
  );
  assert.equal(server.hits, 0, 'the request must not reach the server');
  await assert.rejects(host.http(twilioLikeRequest(`${origin}/x`)), { kind: 'refused' });
  const refusal = entries.find((entry) => /refused/.test(entry.message));
  assert.ok(refusal, 'the refusal is logged');
  assert.equal(refusal.level, 'warn');
  assert.equal(refusal.origin, origin);
  assert.doesNotMatch(JSON.stringify(entries), /QUMwMDA6|123456/, 'no credentials or codes logged');
});

test('http to an allowed origin is sent and answers status, headers and body', async (t) => {
  const { server, origin } = await countingServer(t, (_req, res) => {
    res.writeHead(201, { 'Content-Type': 'application/json', 'X-Test': 'yes' });
    res.end('{"sid":"SM1"}');
  });
  const { host } = makeHost(t, { allowedOrigins: [TWILIO, origin] });
  const reply = await host.http(twilioLikeRequest(`${origin}/Messages.json`));
  assert.equal(server.hits, 1);
  assert.equal(reply.status, 201);
  assert.equal(reply.body, '{"sid":"SM1"}');
  assert.equal(reply.headers['x-test'], 'yes');
});

test('a redirect to another origin is handed back to the plugin, not followed', async (t) => {
  const elsewhere = await countingServer(t);
  const { origin } = await countingServer(t, (_req, res) => {
    res.writeHead(307, { Location: `${elsewhere.origin}/steal` });
    res.end();
  });
  const { host } = makeHost(t, { allowedOrigins: [origin] });
  const reply = await host.http(twilioLikeRequest(`${origin}/Messages.json`));
  assert.equal(reply.status, 307);
  assert.equal(elsewhere.server.hits, 0);
});

test('a failed request says whether it may have been received', async (t) => {
  // A port nothing listens on: the connection never opens.
  const closed = await countingServer(t);
  await new Promise((resolve) => closed.server.close(resolve));
  const cut = await countingServer(t, (req) => req.socket.destroy());
  const { host } = makeHost(t, { allowedOrigins: [closed.origin, cut.origin] });
  await assert.rejects(host.http(twilioLikeRequest(`${closed.origin}/x`)), { kind: 'connect' });
  await assert.rejects(host.http(twilioLikeRequest(`${cut.origin}/x`)), { kind: 'reset' });
});

test("the host deadline caps a plugin's longer timeout", async (t) => {
  const { origin } = await countingServer(t, () => {
    // Never answers.
  });
  const { host, entries } = makeHost(t, { allowedOrigins: [origin], deadlineMs: 200 });
  const started = performance.now();
  await assert.rejects(host.http({ ...twilioLikeRequest(`${origin}/slow`), timeoutMs: 10_000 }), {
    message: /no answer within 200 ms/,
    kind: 'timeout',
  });
  assert.ok(performance.now() - started < 1500);
  assert.ok(entries.some((entry) => entry.message === 'plugin HTTP request failed'));
});

test('requests in a row share one kept-alive connection', async (t) => {
  const { server, origin } = await countingServer(t);
  let connections = 0;
  server.on('connection', () => {
    connections += 1;
  });
  const { host } = makeHost(t, { allowedOrigins: [origin] });
  for (let i = 0; i < 5; i++) {
    assert.equal((await host.http(twilioLikeRequest(`${origin}/Messages.json`))).status, 200);
  }
  assert.equal(server.hits, 5);
  assert.equal(connections, 1);
});

test("the plugin cannot set the connection's own headers (Host, Content-Length ...)", async (t) => {
  const seen = [];
  const { origin } = await countingServer(t, (req, res) => {
    seen.push(req.headers);
    res.end('ok');
  });
  const { host } = makeHost(t, { allowedOrigins: [origin] });
  const request = twilioLikeRequest(`${origin}/Messages.json`);
  request.headers = {
    ...request.headers,
    Host: 'evil.example',
    'Content-Length': '1',
    'Transfer-Encoding': 'chunked',
    Connection: 'upgrade',
  };
  assert.equal((await host.http(request)).status, 200);
  assert.equal(seen[0].host, new URL(origin).host);
  assert.equal(seen[0]['content-length'], String(Buffer.byteLength(request.body)));
  assert.equal(seen[0]['transfer-encoding'], undefined);
});

test('an answer over 1 MB is cut off, not buffered, and may have been received', async (t) => {
  const { origin } = await countingServer(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(Buffer.alloc(MAX_RESPONSE_BYTES + 1, 'x'));
  });
  const { host } = makeHost(t, { allowedOrigins: [origin] });
  await assert.rejects(host.http(twilioLikeRequest(`${origin}/big`)), {
    message: /answer over 1048576 bytes/,
    kind: 'reset',
  });
});

test('a server that sends its headers and then stalls is cut off at the deadline', async (t) => {
  const { origin } = await countingServer(t, (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.write('{"sid":');
  });
  const { host } = makeHost(t, { allowedOrigins: [origin], deadlineMs: 200 });
  await assert.rejects(host.http(twilioLikeRequest(`${origin}/stall`)), {
    message: /no answer within 200 ms/,
    kind: 'timeout',
  });
});

test('log redacts secret-looking fields, nested too, and keeps Twilio error codes', () => {
  const entries = [];
  const log = createLogger({ sink: (entry) => entries.push(entry) });
  log('info', 'example', {
    authToken: 'tok',
    transactionCode: '123456',
    code: '654321',
    nested: { Authorization: 'Basic abc', apiKeySecret: 's', password: 'p' },
    twilioCode: 21211,
    transactionId: 'tid',
  });
  const [entry] = entries;
  assert.equal(entry.authToken, REDACTED);
  assert.equal(entry.transactionCode, REDACTED);
  assert.equal(entry.code, REDACTED);
  assert.deepEqual(entry.nested, {
    Authorization: REDACTED,
    apiKeySecret: REDACTED,
    password: REDACTED,
  });
  assert.equal(entry.twilioCode, 21211);
  assert.equal(entry.transactionId, 'tid');
  assert.equal(entry.message, 'example');
});

test('storage imports resolve through the KV store in the plugin namespace', async (t) => {
  const { host, kv } = makeHost(t);
  await host.storagePut('verification/abc', '{"x":1}', 60);
  assert.equal(await host.storageGet('verification/abc'), '{"x":1}');
  assert.equal(kv.namespace('another-plugin').get('verification/abc'), null);
  assert.equal(await host.storageTake('verification/abc'), '{"x":1}');
  assert.equal(await host.storageTake('verification/abc'), null);
  assert.equal(await host.storageIncr('attempts/abc/0', 60), 1);
  assert.equal(await host.storageIncr('attempts/abc/0', 60), 2);
  // A storage failure rejects with kind `storage` and the store's reason; the plugin names the
  // operation itself when it reports it.
  await assert.rejects(host.storagePut('k', 'v', 0), (err) => {
    assert.equal(err.kind, 'storage');
    assert.match(err.message, /^ttlSeconds must be a positive whole number$/);
    return true;
  });
  assert.deepEqual(await host.findUser('email', 'a@b.co'), { objectId: 'X' });
  assert.equal(await host.findUser('email', 'nobody@b.co'), null);
  assert.equal(typeof host.now(), 'number');
});

test('log never throws at the plugin, whatever the sink does', () => {
  const db = new Database(':memory:');
  const circular = {};
  circular.self = circular;
  const host = createPluginHost({
    storage: createKvStore(db, { sweepIntervalMs: 0 }).namespace('p'),
    users: { findBy: () => null },
    allowedOrigins: [TWILIO],
    log: () => {},
    pluginLog: (_level, _message, fields) => {
      JSON.stringify(fields);
    },
  });
  assert.equal(host.log('info', 'a circular object', circular), undefined);
  assert.equal(host.log('warn', 'a BigInt', { n: 1n }), undefined);
  db.close();
});
