// The BaaS REST API's own behaviour around the plugin: Backendless-style validation and error
// bodies, sessions, and HTTP edge cases (bad JSON, oversized bodies, unknown routes).

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { getJson, postJson, request, startApp } = require('./host-helpers');

/** A host where the plugin lets registrations without a phone number through. */
const startOpenApp = (t) => startApp(t, { pluginConfig: { phoneRequired: false } });

test('registration without an identity answers 400 with Backendless code 3013', async (t) => {
  const { app } = await startOpenApp(t);
  const answer = await postJson(`${app.url}/api/users/register`, { password: 'pw' });
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 3013);
  assert.match(answer.body.message, /identity property "email"/);
});

test('registration without a password answers 400 with Backendless code 3011', async (t) => {
  const { app } = await startOpenApp(t);
  const answer = await postJson(`${app.url}/api/users/register`, { email: 'a@example.com' });
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 3011);
});

test('a malformed email identity answers 400 with Backendless code 3040', async (t) => {
  const { app } = await startOpenApp(t);
  const answer = await postJson(`${app.url}/api/users/register`, {
    email: 'not-an-email',
    password: 'pw',
  });
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 3040);
});

test('a client cannot mark its own phone number confirmed', async (t) => {
  const { app } = await startOpenApp(t);
  const answer = await postJson(`${app.url}/api/users/register`, {
    email: 'sneaky@example.com',
    password: 'pw',
    phoneNumberConfirmed: true,
  });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.phoneNumberConfirmed, false);
});

test('GET /api/users/:objectId needs a user-token of that user', async (t) => {
  const { app } = await startOpenApp(t);
  const register = async (email) =>
    (await postJson(`${app.url}/api/users/register`, { email, password: 'pw' })).body;
  const login = async (email) =>
    (await postJson(`${app.url}/api/users/login`, { login: email, password: 'pw' })).body;
  const ann = await register('ann@example.com');
  await register('bob@example.com');
  const annToken = (await login('ann@example.com'))['user-token'];
  const bobToken = (await login('bob@example.com'))['user-token'];

  const own = await getJson(`${app.url}/api/users/${ann.objectId}`, { 'user-token': annToken });
  assert.equal(own.status, 200, own.text);
  assert.equal(own.body.email, 'ann@example.com');
  assert.equal('password' in own.body, false);

  for (const headers of [{}, { 'user-token': 'ABCDEF' }, { 'user-token': bobToken }]) {
    const refused = await getJson(`${app.url}/api/users/${ann.objectId}`, headers);
    assert.equal(refused.status, 401, refused.text);
    assert.equal(refused.body.code, 3064);
  }
});

test('malformed JSON answers 400 with a message saying so', async (t) => {
  const { app } = await startApp(t);
  const answer = await postJson(`${app.url}/api/users/register`, '{"phoneNumber": ');
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 8002);
  assert.match(answer.body.message, /not valid JSON/);
});

test('a body over 64 KB answers 413 without reaching the plugin', async (t) => {
  const { app, sms } = await startApp(t);
  const answer = await postJson(`${app.url}/api/users/register`, {
    phoneNumber: '+14155550140',
    padding: 'x'.repeat(70 * 1024),
  });
  assert.equal(answer.status, 413, answer.text);
  assert.equal(answer.body.code, 413);
  assert.equal(sms.length, 0);
});

test('unknown routes answer 404 and known routes with another method 405, in JSON', async (t) => {
  const { app } = await startApp(t);
  const missing = await getJson(`${app.url}/api/nothing-here`);
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 404);
  assert.match(missing.headers.get('content-type'), /^application\/json/);

  const wrongMethod = await getJson(`${app.url}/api/users/register`);
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get('allow'), 'POST');
});

test('GET /api/health reports the mode, the plugin and the storage, with a request id', async (t) => {
  const { app } = await startApp(t);
  const health = await getJson(`${app.url}/api/health`);
  assert.equal(health.status, 200);
  assert.deepEqual(health.body, {
    ok: true,
    mode: 'simulator',
    plugin: 'twilio-phone-verification',
    version: app.version,
    storage: 'sqlite',
    pluginState: 'active',
  });
  assert.match(health.headers.get('x-request-id'), /^[0-9a-f-]{36}$/);
});

test('a property nested past 8 levels is refused at registration and update; 8 levels log in', async (t) => {
  const { app } = await startOpenApp(t);
  const nested = (levels) => {
    let value = 'leaf';
    for (let i = 0; i < levels; i++) value = [value];
    return value;
  };
  const tooDeep = await postJson(`${app.url}/api/users/register`, {
    email: 'deep@example.com',
    password: 'pw',
    prefs: nested(9),
  });
  assert.equal(tooDeep.status, 400, tooDeep.text);
  assert.equal(tooDeep.body.code, 3021);
  assert.match(tooDeep.body.message, /"prefs" nests too deeply/);

  const ann = await postJson(`${app.url}/api/users/register`, {
    email: 'ann@example.com',
    password: 'pw',
    prefs: nested(8),
  });
  assert.equal(ann.status, 200, ann.text);
  const login = async () =>
    postJson(`${app.url}/api/users/login`, { login: 'ann@example.com', password: 'pw' });
  const token = (await login()).body['user-token'];
  const url = `${app.url}/api/users/${ann.body.objectId}`;
  // Written as text: 5000 levels are past what JSON.stringify itself can walk.
  const text = (levels) => `{"prefs": ${'['.repeat(levels)}${']'.repeat(levels)}}`;
  for (const levels of [9, 5000]) {
    const put = await request('PUT', url, text(levels), { 'user-token': token });
    assert.equal(put.status, 400, `${levels}: ${put.text}`);
    assert.equal(put.body.code, 3021);
  }
  const again = await login();
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.body.prefs, nested(8));
});
