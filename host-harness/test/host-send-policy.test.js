// The send policy through the reference host and the Twilio simulator, as an attacker and as a
// user meet it: SMS pumping from one address and across a number range, the app's budget, a
// paused country, a user whose two-factor code must still arrive, test numbers, the forms of
// one number, and whose address a limit counts behind a proxy.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { FULL_ACCOUNT, SMS_NUMBER } = require('../src/twilio-sim');

const {
  consoleApi,
  outbox,
  postJson,
  readCode,
  registerWithCode,
  startApp,
  tally,
  uk,
} = require('./host-helpers');

/** Registration step 1, from `ip` when the host trusts the loopback proxy. */
function startRegistration(app, phone, ip) {
  const headers = ip ? { 'X-Forwarded-For': ip } : {};
  return postJson(`${app.url}/api/users/register`, { phoneNumber: phone }, headers);
}

const breakerOff = { breakerMinCodes: 0 };
const behindProxy = { TRUSTED_PROXIES: 'loopback' };

test('200 registration starts from one address to 200 numbers send the per-address cap', async (t) => {
  const { app, sms } = await startApp(t, { pluginConfig: breakerOff });
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) => startRegistration(app, uk(i))),
  );
  assert.deepEqual(tally(answers), { 200: 50, '429 RATE_LIMITED address-hour': 150 });
  assert.equal(sms.length, 50);
  const refused = answers.find((a) => a.status === 429);
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
});

test('200 sequential numbers of one range from 200 addresses send the range cap', async (t) => {
  const { app, sms } = await startApp(t, { env: behindProxy });
  const answers = await Promise.all(
    Array.from({ length: 200 }, (_, i) => startRegistration(app, uk(900, i), `198.51.100.${i}`)),
  );
  assert.deepEqual(tally(answers), { 200: 10, '429 RATE_LIMITED range-hour': 190 });
  assert.equal(sms.length, 10);
  // The next range is not affected.
  assert.equal((await startRegistration(app, uk(901), '203.0.113.9')).status, 200);
});

test('the app budget stops sending and the operator hears of it once', async (t) => {
  const { app, sms, logs } = await startApp(t, {
    env: behindProxy,
    pluginConfig: { ...breakerOff, maxCodesPerHour: 5 },
  });
  const answers = [];
  for (let i = 0; i < 12; i += 1) {
    answers.push(await startRegistration(app, uk(i), `198.51.100.${i}`));
  }
  assert.deepEqual(tally(answers), { 200: 5, '429 SMS_BUDGET_EXCEEDED app-hour': 7 });
  assert.equal(sms.length, 5);
  const alerts = logs.filter((e) => e.level === 'error' && /SMS budget spent/.test(e.message));
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].source, 'plugin');
});

test('a paused country gets no SMS while others still do, and the console shows it', async (t) => {
  const { app, sms } = await startApp(t, { env: behindProxy });
  const jamaica = (i) => `+1876${200 + i}0123`;
  for (let i = 0; i < 20; i += 1) {
    const answer = await startRegistration(app, jamaica(i), `198.51.100.${i}`);
    assert.equal(answer.status, 200, answer.text);
  }
  // Nobody entered those codes: Jamaica is paused, the UK is not.
  const paused = await startRegistration(app, jamaica(99), '203.0.113.1');
  assert.equal(paused.status, 429, paused.text);
  assert.equal(paused.body.details.limit, 'country-paused');
  assert.equal((await startRegistration(app, uk(1), '203.0.113.2')).status, 200);
  assert.equal(sms.filter((m) => m.to.startsWith('+1876')).length, 20);
  assert.equal(sms.filter((m) => m.to.startsWith('+44')).length, 1);

  const operator = await consoleApi(app);
  const report = await operator.post('test', {
    config: {
      accountSid: FULL_ACCOUNT.sid,
      authToken: FULL_ACCOUNT.authToken,
      senderPhoneNumber: SMS_NUMBER,
      twilioApiBaseUrl: app.simulatorUrl,
    },
  });
  assert.equal(report.status, 200, report.text);
  const sending = report.body.checks.find((check) => check.name === 'sending');
  assert.equal(sending.status, 'warning');
  assert.match(sending.message, /JM/);

  const activity = await operator.get('activity?hours=2');
  assert.equal(activity.status, 200, activity.text);
  assert.deepEqual(
    activity.body.paused.map((p) => [p.country, p.sent, p.verified]),
    [['JM', 20, 0]],
  );
  const hour = activity.body.hours[0].countries;
  assert.equal(hour.JM.sent, 20);
  assert.equal(hour.JM.refused['country-paused'], 1);
  assert.equal(hour.GB.sent, 1);
});

test("anonymous starts cannot keep a user's two-factor code from arriving", async (t) => {
  const clock = { now: Date.now() };
  const { app } = await startApp(t, { clock: () => clock.now, env: behindProxy });
  const phone = '+14155550301';
  const { step2 } = await registerWithCode(app, phone, {
    email: 'victim@example.com',
    password: 'victim-password',
    twoFactorEnabled: true,
  });
  assert.equal(step2.status, 200, step2.text);

  // Someone spends the number's allowance with registration and phone-login starts.
  let refused;
  for (let i = 0; i < 10 && !refused; i += 1) {
    clock.now += 600_000;
    const answer = await startRegistration(app, phone, `198.51.100.${i}`);
    if (answer.status === 429) refused = answer;
  }
  assert.equal(refused?.body.details.limit, 'number-hour');
  const phoneLogin = await postJson(
    `${app.url}/api/users/login`,
    { phoneNumber: phone },
    { 'X-Forwarded-For': '198.51.100.99' },
  );
  assert.equal(phoneLogin.status, 429, phoneLogin.text);

  // Her password login still gets its code, and the code still signs her in.
  const first = await postJson(`${app.url}/api/users/login`, {
    login: 'victim@example.com',
    password: 'victim-password',
  });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.twoFactorRequired, true);
  const second = await postJson(`${app.url}/api/users/login`, {
    login: 'victim@example.com',
    transactionId: first.body.transactionId,
    transactionCode: await readCode(app.simulatorUrl, phone),
  });
  assert.equal(second.status, 200, second.text);
  assert.ok(second.body['user-token']);
});

test('test numbers work with their fixed code and nothing is ever texted to them', async (t) => {
  const { app, sms, logs } = await startApp(t, {
    pluginConfig: { testPhoneNumbers: '+1 555 555 0100 246810' },
  });
  for (let i = 0; i < 8; i += 1) {
    const answer = await startRegistration(app, '+15555550100');
    assert.equal(answer.status, 200, answer.text);
  }
  const last = await startRegistration(app, '+15555550100');
  const registered = await postJson(`${app.url}/api/users/register`, {
    email: 'reviewer@example.com',
    password: 'review-password',
    phoneNumber: '+15555550100',
    transactionId: last.body.transactionId,
    transactionCode: '246810',
  });
  assert.equal(registered.status, 200, registered.text);
  assert.equal(registered.body.phoneNumberConfirmed, true);
  assert.equal(sms.length, 0);
  assert.deepEqual(await outbox(app.simulatorUrl, '+15555550100'), []);
  assert.equal(logs.filter((e) => /test number/.test(e.message)).length, 9);
});

test('the forms of one number are one number', async (t) => {
  const { app } = await startApp(t);
  const first = await startRegistration(app, '+44 (0)7700 900123');
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.phoneNumber, '+447700900123');
  for (const form of ['0044 0 7700 900123', '+447700900123', '+44 7700 900123']) {
    const again = await startRegistration(app, form);
    assert.equal(again.status, 429, `${form}: ${again.text}`);
    assert.equal(again.body.details.limit, 'number-cooldown');
  }
});

test('a client cannot pick its address: X-Forwarded-For counts only from a trusted proxy', async (t) => {
  const spoofed = async (env) => {
    const { app } = await startApp(t, {
      env,
      pluginConfig: { ...breakerOff, maxCodesPerAddressPerHour: 3 },
    });
    const answers = [];
    for (let i = 0; i < 5; i += 1) {
      answers.push(await startRegistration(app, uk(i), `203.0.113.${i}`));
    }
    return tally(answers);
  };
  assert.deepEqual(await spoofed({}), { 200: 3, '429 RATE_LIMITED address-hour': 2 });
  assert.deepEqual(await spoofed(behindProxy), { 200: 5 });
});

test('numbers of the international networks are refused, and nothing is stored or sent', async (t) => {
  const { app, sms } = await startApp(t);
  for (const phone of ['+881 6 1234 5678', '+882 1234 5678', '+883 5100 1234']) {
    const answer = await startRegistration(app, phone);
    assert.equal(answer.status, 403, answer.text);
    assert.equal(answer.body.code, 'COUNTRY_NOT_ALLOWED');
  }
  assert.equal(sms.length, 0);
  const stored = app.db
    .prepare("SELECT count(*) AS n FROM plugin_kv WHERE key NOT LIKE 'stats/%'")
    .get().n;
  assert.equal(stored, 0);
});
