// The BaaS API's routing on fastify, driven through `inject()` (no socket): every route's body
// rule, every method on every known path, framework errors in the host's shape, and the headers
// every answer carries. Socket-level behaviour (lingering closes, parser refusals) is in
// host-refusals.test.js.

const assert = require('node:assert/strict');
const http = require('node:http');
const { test } = require('node:test');

const Database = require('better-sqlite3');

const { createBaasApi } = require('../src/host/baas-api');
const { createLogger } = require('../src/host/logger');
const { createSessionsStore } = require('../src/host/sessions-store');
const { createUsersStore } = require('../src/host/users-store');

const FIELDS = {
  identityField: 'email',
  phoneNumberField: 'phoneNumber',
  phoneConfirmedField: 'phoneNumberConfirmed',
};
const JSON_TYPE = { 'content-type': 'application/json' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A plugin that records every call and lets everything through. */
function passingPlugin() {
  const calls = [];
  const hook =
    (name) =>
    async (...args) => {
      calls.push(name);
      return name === 'beforeRegister'
        ? { action: 'continue', args: args[1] }
        : { action: 'continue' };
    };
  return {
    calls,
    beforeRegister: hook('beforeRegister'),
    afterRegister: hook('afterRegister'),
    beforeLogin: hook('beforeLogin'),
    afterLogin: hook('afterLogin'),
  };
}

function api(t, options = {}) {
  const db = new Database(':memory:');
  const plugin = passingPlugin();
  const entries = [];
  const { api: fastify, server } = createBaasApi({
    plugin,
    users: createUsersStore(db, FIELDS),
    sessions: createSessionsStore(db),
    log: createLogger({ sink: (entry) => entries.push(entry) }),
    appName: 'Routes Test',
    ...options,
  });
  t.after(() => {
    server.close();
    db.close();
  });
  return { fastify, plugin, entries };
}

const parsed = (answer) => ({ status: answer.statusCode, body: JSON.parse(answer.body) });

test('each user route wants a JSON object, says so with its own code, and calls no hook', async (t) => {
  const { fastify, plugin } = api(t);
  const user = '/api/users/0B8E5A1C-3F6D-4E2A-9C7B-1D2E3F4A5B6C';
  for (const [method, url, code] of [
    ['POST', '/api/users/register', 3038],
    ['POST', '/api/users/login', 3006],
    ['PUT', user, 3038],
  ]) {
    for (const payload of ['[]', '42', '"text"', 'null', 'true', '']) {
      const answer = parsed(await fastify.inject({ method, url, payload, headers: JSON_TYPE }));
      assert.equal(answer.status, 400, `${method} ${url} ${payload}`);
      assert.equal(answer.body.code, code, `${method} ${url} ${payload}`);
      assert.match(answer.body.message, /JSON object|login/);
    }
  }
  assert.deepEqual(plugin.calls, []);
});

test('every method Node parses is answered on every known path: 405 names the ones it has', async (t) => {
  const { fastify } = api(t);
  const paths = {
    '/api/users/register': ['POST'],
    '/api/health': ['GET', 'HEAD'],
    '/api/users/0B8E5A1C-3F6D-4E2A-9C7B-1D2E3F4A5B6C': ['GET', 'HEAD', 'PUT'],
  };
  for (const [url, allowed] of Object.entries(paths)) {
    for (const method of http.METHODS.filter((name) => name !== 'CONNECT')) {
      if (allowed.includes(method)) continue;
      // Typed: QUERY must say what its body is (RFC 10008) or it is refused before routing.
      const answer = await fastify.inject({ method, url, headers: JSON_TYPE });
      assert.equal(answer.statusCode, 405, `${method} ${url}`);
      assert.deepEqual(answer.headers.allow.split(', ').sort(), [...allowed].sort());
      if (method !== 'HEAD') assert.equal(JSON.parse(answer.body).code, 405);
    }
  }
  const head = await fastify.inject({ method: 'HEAD', url: '/api/health' });
  assert.equal(head.statusCode, 200);
  assert.equal(head.body, '');
});

test('unknown paths answer 404 in JSON whatever the method, a user path needs a UUID', async (t) => {
  const { fastify } = api(t);
  for (const [method, url] of [
    ['GET', '/'],
    ['PROPFIND', '/api'],
    ['GET', '/api/users/not-a-uuid'],
    ['PUT', '/api/users/0B8E5A1C'],
    ['POST', '/api/users/register/'],
  ]) {
    const answer = parsed(await fastify.inject({ method, url }));
    assert.equal(answer.status, 404, `${method} ${url}`);
    assert.equal(answer.body.code, 404);
    assert.match(answer.body.message, /No API route/);
  }
});

test("fastify's own refusals come in the host's shape", async (t) => {
  const { fastify } = api(t);
  // A path that does not decode.
  const badUrl = parsed(await fastify.inject({ method: 'GET', url: '/api/users/%E0%A4%A' }));
  assert.equal(badUrl.status, 400);
  assert.deepEqual(Object.keys(badUrl.body).sort(), ['code', 'message']);
  // A Content-Type that is not one.
  const badType = parsed(
    await fastify.inject({
      method: 'POST',
      url: '/api/users/register',
      payload: '{}',
      headers: { 'content-type': '/;;' },
    }),
  );
  assert.equal(badType.status, 415);
  assert.equal(badType.body.code, 415);
  assert.match(badType.body.message, /application\/json/);
});

test('the body limit holds on every route that reads one, before any hook', async (t) => {
  const { fastify, plugin } = api(t, { bodyLimit: 1024 });
  const big = JSON.stringify({ email: 'ann@example.com', padding: 'x'.repeat(2000) });
  for (const url of ['/api/users/register', '/api/users/login']) {
    const answer = parsed(
      await fastify.inject({ method: 'POST', url, payload: big, headers: JSON_TYPE }),
    );
    assert.equal(answer.status, 413, url);
    assert.equal(answer.body.code, 413);
    assert.match(answer.body.message, /1024|1 KB/);
  }
  assert.deepEqual(plugin.calls, []);
});

test('every answer carries a request id, no-store and a JSON type; the access log says each', async (t) => {
  const { fastify, entries } = api(t);
  const answers = [
    await fastify.inject({ method: 'GET', url: '/api/health' }),
    await fastify.inject({ method: 'GET', url: '/nothing' }),
    await fastify.inject({ method: 'DELETE', url: '/api/health' }),
    await fastify.inject({
      method: 'POST',
      url: '/api/users/register',
      payload: '{"email": "ann@example.com", "password": "correct horse battery staple"}',
      headers: JSON_TYPE,
    }),
  ];
  const ids = answers.map((answer) => answer.headers['x-request-id']);
  for (const [i, answer] of answers.entries()) {
    assert.match(ids[i], UUID);
    assert.equal(answer.headers['cache-control'], 'no-store');
    assert.equal(answer.headers['content-type'], 'application/json; charset=utf-8');
  }
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(
    answers.map((answer) => answer.statusCode),
    [200, 404, 405, 200],
  );
  const logged = entries.filter((entry) => entry.msg === 'request' || entry.message === 'request');
  assert.deepEqual(
    logged.map((entry) => [entry.requestId, entry.status]),
    ids.map((id, i) => [id, answers[i].statusCode]),
  );
});

test('a client cannot choose its request id', async (t) => {
  const { fastify } = api(t);
  const answer = await fastify.inject({
    method: 'GET',
    url: '/api/health',
    headers: { 'request-id': 'chosen', 'x-request-id': 'chosen' },
  });
  assert.match(answer.headers['x-request-id'], UUID);
});

test('QUERY without a type, an overlong id and a normalised path answer as their route would', async (t) => {
  const { fastify } = api(t);
  const query = await fastify.inject({ method: 'QUERY', url: '/api/health' });
  assert.equal(query.statusCode, 405);
  assert.equal(query.headers.allow, 'GET, HEAD');
  assert.equal((await fastify.inject({ method: 'QUERY', url: '/nothing' })).statusCode, 404);
  const long = parsed(
    await fastify.inject({ method: 'GET', url: `/api/users/${'a'.repeat(500)}` }),
  );
  assert.equal(long.status, 404);
  assert.equal(long.body.code, 404);
  // The message names the path as it was sent, not as URL normalisation reads it.
  const encoded = parsed(await fastify.inject({ method: 'GET', url: '/api/n%6Fthing?x=1' }));
  assert.equal(encoded.status, 404);
  assert.equal(encoded.body.message, 'No API route for GET /api/n%6Fthing.');
});

test('a path written with %-escapes reaches no route', async (t) => {
  const { fastify, plugin } = api(t);
  for (const [method, url] of [
    ['GET', '/api/%68ealth'],
    ['POST', '/api/users/%72egister'],
  ]) {
    const answer = parsed(await fastify.inject({ method, url, payload: '{}', headers: JSON_TYPE }));
    assert.equal(answer.status, 404, url);
  }
  assert.deepEqual(plugin.calls, []);
});
