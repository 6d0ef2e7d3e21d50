// Registration with phone confirmation through the whole host: real HTTP into the BaaS, the
// plugin's hooks, the simulator's outbox, and the users table in SQLite.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const {
  outbox,
  postJson,
  readCode,
  registerWithCode,
  startApp,
  tempDir,
} = require('./host-helpers');

test('registration in two calls with email identity creates a confirmed user', async (t) => {
  const { app, sms } = await startApp(t);
  const phone = '+14155550100';

  const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber: phone });
  assert.equal(step1.status, 200, step1.text);
  assert.deepEqual(Object.keys(step1.body).sort(), [
    'channel',
    'codeLength',
    'expiresInSeconds',
    'phoneNumber',
    'resendAfterSeconds',
    'transactionId',
  ]);
  assert.equal(step1.body.resendAfterSeconds, 30);
  assert.equal(step1.body.phoneNumber, phone);
  assert.equal(step1.body.codeLength, 6);
  assert.equal(step1.body.expiresInSeconds, 300);
  assert.equal(sms.length, 1, 'the SMS reached the terminal printer');
  assert.match(
    sms[0].body,
    /^Your Demo App verification code is \d{6}\. It expires in 5 min\. Do not share it with anyone\.$/,
  );

  const code = await readCode(app.simulatorUrl, phone);
  const step2 = await postJson(`${app.url}/api/users/register`, {
    email: 'ann@example.com',
    password: 'correct horse battery staple',
    name: 'Ann',
    phoneNumber: '+1 (415) 555-0100',
    transactionId: step1.body.transactionId,
    transactionCode: code,
  });
  assert.equal(step2.status, 200, step2.text);
  const user = step2.body;
  assert.match(user.objectId, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  assert.equal(user.email, 'ann@example.com');
  assert.equal(user.name, 'Ann');
  assert.equal(user.phoneNumber, phone, 'stored normalized to E.164');
  assert.equal(user.phoneNumberConfirmed, true);
  for (const hidden of ['password', 'transactionId', 'transactionCode']) {
    assert.equal(hidden in user, false, `${hidden} must not be in the answer`);
  }

  const row = app.db.prepare('SELECT * FROM users WHERE object_id = ?').get(user.objectId);
  assert.equal(row.identity, 'ann@example.com');
  assert.equal(row.phone_number, phone);
  assert.equal(row.phone_number_confirmed, 1);
  assert.match(row.password_hash, /^scrypt\$16384\$8\$1\$/);
  assert.deepEqual(JSON.parse(row.properties), { name: 'Ann' });
});

test('registration with the phone number as identity needs no email', async (t) => {
  const dir = tempDir(t);
  const settingsFile = path.join(dir, 'plugin-config.json');
  fs.writeFileSync(settingsFile, JSON.stringify({ identityField: 'phoneNumber' }));
  const { app } = await startApp(t, { env: { PLUGIN_CONFIG_FILE: settingsFile } });
  const phone = '+14155550101';

  const { step1, step2 } = await registerWithCode(app, phone, { password: 'pw-for-phone-login' });
  assert.equal(step1.status, 200, step1.text);
  assert.equal(step2.status, 200, step2.text);
  assert.equal(step2.body.phoneNumber, phone);
  assert.equal(step2.body.phoneNumberConfirmed, true);
  assert.equal('email' in step2.body, false);

  const row = app.db.prepare('SELECT identity, phone_number FROM users').get();
  assert.deepEqual({ ...row }, { identity: phone, phone_number: phone });
  const login = await postJson(`${app.url}/api/users/login`, {
    login: phone,
    password: 'pw-for-phone-login',
  });
  assert.equal(login.status, 200, login.text);
  assert.equal(login.body.objectId, step2.body.objectId);
});

test('a taken email after a correct code gives 3033 and the same code works with another email', async (t) => {
  const { app } = await startApp(t);
  const first = await registerWithCode(app, '+14155550102', {
    email: 'taken@example.com',
    password: 'first-user-password',
  });
  assert.equal(first.step2.status, 200, first.step2.text);

  const phone = '+14155550103';
  const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber: phone });
  const code = await readCode(app.simulatorUrl, phone);
  const step2 = (email) =>
    postJson(`${app.url}/api/users/register`, {
      email,
      password: 'second-user-password',
      phoneNumber: phone,
      transactionId: step1.body.transactionId,
      transactionCode: code,
    });

  const clash = await step2('Taken@Example.com');
  assert.equal(clash.status, 400, clash.text);
  assert.equal(clash.body.code, 3033);
  assert.match(clash.body.message, /already exists/);

  const retry = await step2('second@example.com');
  assert.equal(retry.status, 200, retry.text);
  assert.equal(retry.body.email, 'second@example.com');
  assert.equal(retry.body.phoneNumberConfirmed, true);
  assert.equal((await outbox(app.simulatorUrl, phone)).length, 1, 'no second SMS was needed');
  assert.equal(app.db.prepare('SELECT count(*) AS n FROM users').get().n, 2);
});

test('a wrong code gives CODE_MISMATCH with attempts left and creates no user', async (t) => {
  const { app } = await startApp(t);
  const phone = '+14155550104';
  const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber: phone });
  const code = await readCode(app.simulatorUrl, phone);
  const wrong = code === '000000' ? '111111' : '000000';

  const answer = await postJson(`${app.url}/api/users/register`, {
    email: 'guess@example.com',
    password: 'a-password',
    phoneNumber: phone,
    transactionId: step1.body.transactionId,
    transactionCode: wrong,
  });
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 'CODE_MISMATCH');
  assert.equal(answer.body.details.attemptsLeft, 4);
  assert.equal(app.db.prepare('SELECT count(*) AS n FROM users').get().n, 0);
});

test('a password and phone number without a code are refused before any SMS is sent', async (t) => {
  const { app, sms } = await startApp(t);
  const answer = await postJson(`${app.url}/api/users/register`, {
    email: 'skip@example.com',
    password: 'a-password',
    phoneNumber: '+14155550105',
    phoneNumberConfirmed: true,
  });
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 'VERIFICATION_REQUIRED');
  assert.equal(sms.length, 0);
  assert.equal(app.db.prepare('SELECT count(*) AS n FROM users').get().n, 0);
});

test('a number that has an account: step 1 answers as for any number, step 2 says 409', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { resendCooldownSeconds: 0 } });
  const taken = '+14155550106';
  await registerWithCode(app, taken, { email: 'owner@example.com', password: 'pw' });

  // Step 1 tells no one that the number has an account: same status, same fields.
  const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber: taken });
  const free = await postJson(`${app.url}/api/users/register`, { phoneNumber: '+14155550107' });
  assert.equal(step1.status, 200, step1.text);
  assert.equal(free.status, step1.status);
  assert.deepEqual(Object.keys(step1.body).sort(), Object.keys(free.body).sort());

  // Step 2, once the code proved the number is the caller's, says so and advises to log in.
  const again = await postJson(`${app.url}/api/users/register`, {
    email: 'someone@example.com',
    password: 'pw',
    phoneNumber: taken,
    transactionId: step1.body.transactionId,
    transactionCode: await readCode(app.simulatorUrl, taken),
  });
  assert.equal(again.status, 409, again.text);
  assert.equal(again.body.code, 'PHONE_NUMBER_IN_USE');
  assert.match(again.body.message, /log in/);
  assert.equal(app.db.prepare('SELECT count(*) AS n FROM users').get().n, 1);
});

test('a transaction id far too long to be ours is a wrong answer, not a storage failure', async (t) => {
  const { app, logs } = await startApp(t);
  const answer = await postJson(`${app.url}/api/users/register`, {
    email: 'long@example.com',
    password: 'correct horse battery staple',
    phoneNumber: '+14155550171',
    transactionId: 'x'.repeat(600),
    transactionCode: '123456',
  });
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 'CODE_MISMATCH');
  assert.deepEqual(
    logs.filter((entry) => entry.level === 'error'),
    [],
  );
});

test("the code SMS speaks the client's language (Accept-Language)", async (t) => {
  const { app, sms } = await startApp(t, {
    pluginConfig: { messageTemplates: { it: 'Codice {appName}: {code}' } },
  });
  const start = (phoneNumber, language) =>
    postJson(`${app.url}/api/users/register`, { phoneNumber }, { 'Accept-Language': language });
  assert.equal((await start('+14155550141', 'de-CH, de;q=0.9, en;q=0.8')).status, 200);
  assert.match(sms.at(-1).body, /^Ihr Demo App Code lautet \d{6}\. Er ist 5 Min\. gültig\./);
  assert.equal((await start('+14155550142', 'it-IT')).status, 200);
  assert.match(sms.at(-1).body, /^Codice Demo App: \d{6}$/);
  assert.equal((await start('+14155550143', '*')).status, 200);
  assert.match(sms.at(-1).body, /^Your Demo App verification code is \d{6}\./);
});
