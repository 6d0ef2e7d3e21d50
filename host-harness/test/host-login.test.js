// Login through the plugin's login hooks: phone login with a texted code, and two-factor after
// a password, where the BaaS must not hand out a session before the second factor.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { outbox, postJson, readCode, registerWithCode, startApp } = require('./host-helpers');

const sessionCount = (app) => app.db.prepare('SELECT count(*) AS n FROM sessions').get().n;

async function registeredUser(app, phone, extra = {}) {
  const { step2 } = await registerWithCode(app, phone, {
    email: `${phone.slice(-4)}@example.com`,
    password: 'login-password',
    ...extra,
  });
  assert.equal(step2.status, 200, step2.text);
  return step2.body;
}

test('phone login texts a code and the code logs the user in', async (t) => {
  const { app } = await startApp(t);
  const phone = '+14155550170';
  const user = await registeredUser(app, phone);
  const login = (body) => postJson(`${app.url}/api/users/login`, body);

  const start = await login({ phoneNumber: phone });
  assert.equal(start.status, 200, start.text);
  assert.ok(start.body.transactionId);
  assert.equal(sessionCount(app), 0);

  const code = await readCode(app.simulatorUrl, phone);
  const done = await login({
    phoneNumber: phone,
    transactionId: start.body.transactionId,
    transactionCode: code,
  });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.objectId, user.objectId);
  assert.ok(done.body['user-token']);
  assert.equal(sessionCount(app), 1);
});

test('a password login with two-factor on gets no session until the texted code', async (t) => {
  const { app } = await startApp(t);
  const phone = '+14155550171';
  const user = await registeredUser(app, phone, { twoFactorEnabled: true });
  const login = (body) => postJson(`${app.url}/api/users/login`, body);

  const first = await login({ login: user.email, password: 'login-password' });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.twoFactorRequired, true);
  assert.equal('user-token' in first.body, false);
  assert.equal(sessionCount(app), 0, 'the session issued before the after-hook was revoked');

  const code = await readCode(app.simulatorUrl, phone);
  const second = await login({
    login: user.email,
    transactionId: first.body.transactionId,
    transactionCode: code,
  });
  assert.equal(second.status, 200, second.text);
  assert.equal(second.body.objectId, user.objectId);
  assert.ok(second.body['user-token']);
  assert.equal(sessionCount(app), 1);
});

test('when the two-factor code cannot be sent the login fails closed', async (t) => {
  const { app } = await startApp(t);
  const phone = '+14155550172';
  const user = await registeredUser(app, phone, { twoFactorEnabled: true });
  await postJson(`${app.simulatorUrl}/_sim/faults`, { drop: true });

  const answer = await postJson(`${app.url}/api/users/login`, {
    login: user.email,
    password: 'login-password',
  });
  assert.equal(answer.status, 503, answer.text);
  assert.equal(answer.body.code, 'TWILIO_UNAVAILABLE');
  assert.equal(sessionCount(app), 0);
  assert.equal((await outbox(app.simulatorUrl, phone)).length, 1, 'only the registration SMS');
});

test('a password login without two-factor answers the user with a user-token', async (t) => {
  const { app } = await startApp(t);
  const user = await registeredUser(app, '+14155550173');
  const answer = await postJson(`${app.url}/api/users/login`, {
    login: user.email,
    password: 'login-password',
  });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.objectId, user.objectId);
  assert.equal(answer.body.phoneNumberConfirmed, true);
  assert.ok(answer.body['user-token']);
  assert.equal(sessionCount(app), 1);
});
