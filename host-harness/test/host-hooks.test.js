// How the BaaS calls the register hooks, with a scripted plugin in place of the real one: what
// each outcome makes the host answer, and what the after-hook is told.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const Database = require('better-sqlite3');

const { createBaasApi } = require('../src/host/baas-api');
const { createLogger } = require('../src/host/logger');
const { createSessionsStore } = require('../src/host/sessions-store');
const { createUsersStore } = require('../src/host/users-store');
const { postJson } = require('./host-helpers');

const FIELDS = {
  identityField: 'email',
  phoneNumberField: 'phoneNumber',
  phoneConfirmedField: 'phoneNumberConfirmed',
};

/** A plugin whose hooks are the given functions; every call is recorded. */
function scriptedPlugin({ before, after = async () => ({ action: 'continue' }) }) {
  const calls = [];
  return {
    calls,
    beforeRegister: async (ctx, user) => {
      calls.push({ hook: 'before', ctx, user });
      return before(ctx, user);
    },
    afterRegister: async (ctx, user, result) => {
      calls.push({ hook: 'after', ctx, user, result });
      return after(ctx, user, result);
    },
  };
}

function pluginError(code, status, message, details = {}) {
  return Object.assign(new Error(message), { code, status, details });
}

async function serve(t, plugin) {
  const db = new Database(':memory:');
  const users = createUsersStore(db, FIELDS);
  const entries = [];
  const { server } = createBaasApi({
    plugin,
    users,
    sessions: createSessionsStore(db),
    log: createLogger({ sink: (entry) => entries.push(entry) }),
    appName: 'Hook Test',
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
    db.close();
  });
  return { url: `http://127.0.0.1:${server.address().port}/api/users/register`, users, entries };
}

test('a respond outcome is answered as given and nothing is registered', async (t) => {
  const plugin = scriptedPlugin({
    before: async () => ({ action: 'respond', status: 202, body: { transactionId: 't1' } }),
  });
  const { url, users } = await serve(t, plugin);
  const answer = await postJson(
    url,
    { phoneNumber: '+14155550150' },
    { 'User-Agent': 'hook-test/1' },
  );
  assert.equal(answer.status, 202);
  assert.deepEqual(answer.body, { transactionId: 't1' });
  assert.equal(users.findBy('phoneNumber', '+14155550150'), null);
  assert.deepEqual(
    plugin.calls.map((call) => call.hook),
    ['before'],
  );
  const { ctx } = plugin.calls[0];
  assert.equal(ctx.event, 'register');
  assert.equal(ctx.userAgent, 'hook-test/1');
  assert.equal(ctx.appName, 'Hook Test');
  assert.equal(ctx.clientIp, '127.0.0.1');
  assert.match(ctx.requestId, /^[0-9a-f-]{36}$/);
});

test("continue registers the hook's args and tells the after-hook the user", async (t) => {
  const plugin = scriptedPlugin({
    before: async (_ctx, user) => ({
      action: 'continue',
      args: {
        email: user.email,
        password: user.password,
        phoneNumber: '+14155550151',
        phoneNumberConfirmed: true,
      },
    }),
  });
  const { url } = await serve(t, plugin);
  const original = {
    email: 'c@example.com',
    password: 'pw',
    transactionId: 't',
    transactionCode: '1',
  };
  const answer = await postJson(url, original);
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.phoneNumberConfirmed, true);
  const after = plugin.calls.find((call) => call.hook === 'after');
  assert.deepEqual(after.user, original, 'the after-hook gets the original request');
  assert.equal(after.result.user.objectId, answer.body.objectId);
  assert.equal('password' in after.result.user, false);
});

test("a failed registration still runs the after-hook, with the error, and answers the host's error", async (t) => {
  const plugin = scriptedPlugin({
    before: async () => ({ action: 'continue', args: { password: 'pw' } }),
  });
  const { url } = await serve(t, plugin);
  const answer = await postJson(url, { password: 'pw' });
  assert.equal(answer.status, 400);
  assert.equal(answer.body.code, 3013);
  const after = plugin.calls.find((call) => call.hook === 'after');
  assert.deepEqual(after.result, { error: { code: 3013, message: answer.body.message } });
});

test('a plugin error is answered with its status, code, message and details', async (t) => {
  const plugin = scriptedPlugin({
    before: async () => {
      throw pluginError('RATE_LIMITED', 429, 'Too many codes.', { retryAfterSeconds: 42 });
    },
  });
  const { url } = await serve(t, plugin);
  const answer = await postJson(url, { phoneNumber: '+14155550152' });
  assert.equal(answer.status, 429);
  assert.deepEqual(answer.body, {
    code: 'RATE_LIMITED',
    message: 'Too many codes.',
    details: { retryAfterSeconds: 42 },
  });
  assert.equal(answer.headers.get('retry-after'), '42');
});

test('an outcome outside the plugin API is answered 500 and logged', async (t) => {
  const plugin = scriptedPlugin({ before: async () => ({ action: 'error', message: 'nope' }) });
  const { url, entries } = await serve(t, plugin);
  const answer = await postJson(url, { phoneNumber: '+14155550153' });
  assert.equal(answer.status, 500);
  assert.equal(answer.body.code, 500);
  assert.ok(entries.some((entry) => entry.level === 'error' && /outcome/.test(entry.message)));
});

test('an after-hook failure is logged and the registration result stands', async (t) => {
  const plugin = scriptedPlugin({
    before: async (_ctx, user) => ({ action: 'continue', args: user }),
    after: async () => {
      throw pluginError('STORAGE_UNAVAILABLE', 503, 'Storage down.');
    },
  });
  const { url, entries } = await serve(t, plugin);
  const answer = await postJson(url, { email: 'd@example.com', password: 'pw' });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.email, 'd@example.com');
  assert.ok(
    entries.some((entry) => entry.level === 'error' && /afterRegister failed/.test(entry.message)),
  );
});
