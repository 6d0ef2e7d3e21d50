// What a client of the BaaS sees when Twilio refuses or fails: the simulator's magic numbers,
// wrong credentials, and faults injected through POST /_sim/faults. A send that never left
// leaves no verification behind and costs no quota; one that may have reached Twilio (a
// timeout, a cut connection) keeps its verification, since the SMS may still arrive.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { outbox, postJson, readCode, startApp, storedKeys } = require('./host-helpers');

const TIMEOUT_MS = 1000;

/** Step 1 for `phone`. */
async function startRegistration(app, phone) {
  return { answer: await postJson(`${app.url}/api/users/register`, { phoneNumber: phone }) };
}

async function injectFault(app, fault) {
  const res = await postJson(`${app.simulatorUrl}/_sim/faults`, fault);
  assert.equal(res.status, 201, res.text);
}

test("Twilio's invalid-number magic To gives TWILIO_REJECTED 21211 with HTTP 400", async (t) => {
  const { app } = await startApp(t);
  const { answer } = await startRegistration(app, '+15005550001');
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 'TWILIO_REJECTED');
  assert.equal(answer.body.details.twilioCode, 21211);
  assert.equal(answer.body.details.moreInfo, 'https://www.twilio.com/docs/errors/21211');
  assert.deepEqual(storedKeys(app, 'verification/'), []);
});

test('a wrong Auth Token gives TWILIO_REJECTED 20003 with HTTP 502', async (t) => {
  const { app } = await startApp(t, {
    pluginConfig: { authToken: 'not_the_token_of_the_fixture_account' },
  });
  const { answer } = await startRegistration(app, '+14155550110');
  assert.equal(answer.status, 502, answer.text);
  assert.equal(answer.body.code, 'TWILIO_REJECTED');
  assert.equal(answer.body.details.twilioCode, 20003);
  assert.doesNotMatch(answer.text, /not_the_token/, 'the token never appears in an answer');
  assert.deepEqual(await outbox(app.simulatorUrl, '+14155550110'), []);
});

test('Twilio answering 503 reaches the client as TWILIO_UNAVAILABLE 503 and leaves nothing behind', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { twilioTimeoutMs: TIMEOUT_MS } });
  await injectFault(app, { status: 503 });
  const { answer } = await startRegistration(app, '+14155550111');
  assert.equal(answer.status, 503, answer.text);
  assert.equal(answer.body.code, 'TWILIO_UNAVAILABLE');
  assert.equal(answer.headers.get('retry-after'), String(answer.body.details.retryAfterSeconds));
  assert.deepEqual(storedKeys(app, 'verification/'), []);
});

test('Twilio answering 500 may have sent the SMS: the code is kept and the client told', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { twilioTimeoutMs: TIMEOUT_MS } });
  await injectFault(app, { status: 500 });
  const { answer } = await startRegistration(app, '+14155550116');
  assert.equal(answer.status, 202, answer.text);
  assert.equal(answer.body.deliveryUncertain, true);
  assert.equal(storedKeys(app, 'verification/').length, 1);
});

test('Twilio slower than twilioTimeoutMs: the answer says the code may still arrive, and it works', async (t) => {
  const { app, logs } = await startApp(t, { pluginConfig: { twilioTimeoutMs: TIMEOUT_MS } });
  await injectFault(app, { delayMs: 1.5 * TIMEOUT_MS });
  const phone = '+14155550112';
  const { answer } = await startRegistration(app, phone);
  assert.equal(answer.status, 202, answer.text);
  assert.equal(answer.body.deliveryUncertain, true);
  assert.match(answer.body.message, /may still arrive/);
  assert.equal(answer.body.resendAfterSeconds, 30);
  assert.ok(logs.some((entry) => /no answer within 1000 ms/.test(entry.reason ?? '')));

  // Twilio did take it: the SMS arrives late, and its code registers the user.
  const step2 = await postJson(`${app.url}/api/users/register`, {
    email: 'late@example.com',
    password: 'pw',
    phoneNumber: phone,
    transactionId: answer.body.transactionId,
    transactionCode: await readCode(app.simulatorUrl, phone),
  });
  assert.equal(step2.status, 200, step2.text);
  assert.equal(step2.body.phoneNumberConfirmed, true);
});

test('a connection cut after the request keeps the verification: the SMS may be out', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { twilioTimeoutMs: TIMEOUT_MS } });
  await injectFault(app, { drop: true });
  const phone = '+14155550113';
  const { answer } = await startRegistration(app, phone);
  assert.equal(answer.status, 202, answer.text);
  assert.equal(answer.body.deliveryUncertain, true);
  assert.equal(storedKeys(app, 'verification/').length, 1);
  // It counts as a send: asking again at once is a resend within the cooldown.
  const again = await startRegistration(app, phone);
  assert.equal(again.answer.status, 429, again.answer.text);
  assert.equal(again.answer.body.details.limit, 'number-cooldown');
});

test('a send that never left spends no quota: the next one goes through at once', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { twilioTimeoutMs: TIMEOUT_MS } });
  const phone = '+14155550114';
  for (let i = 0; i < 6; i += 1) {
    await injectFault(app, { status: 503 });
    const { answer } = await startRegistration(app, phone);
    assert.equal(answer.status, 503, answer.text);
    assert.equal(answer.body.code, 'TWILIO_UNAVAILABLE');
  }
  assert.deepEqual(storedKeys(app, 'verification/'), []);
  const { answer } = await startRegistration(app, phone);
  assert.equal(answer.status, 200, answer.text);
  assert.equal(storedKeys(app, 'verification/').length, 1);
});

test('a connection that never opened leaves nothing behind and spends no quota', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { twilioTimeoutMs: TIMEOUT_MS } });
  const phone = '+14155550115';
  const simulatorUrl = app.simulatorUrl;
  await app.simulator.stop();
  const { answer } = await startRegistration(app, phone);
  assert.equal(answer.status, 503, answer.text);
  assert.equal(answer.body.code, 'TWILIO_UNAVAILABLE');
  assert.equal(answer.body.details.deliveryUncertain, undefined);
  assert.deepEqual(storedKeys(app, 'verification/'), []);
  await app.simulator.start(new URL(simulatorUrl).port);
  const retry = await startRegistration(app, phone);
  assert.equal(retry.answer.status, 200, retry.answer.text);
});
