// What a client of the BaaS sees when Twilio refuses or fails: the simulator's magic numbers,
// wrong credentials, and faults injected through POST /_sim/faults. A failed send must leave no
// verification behind.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { outbox, postJson, startApp, storedKeys } = require('./host-helpers');

const TIMEOUT_MS = 1000;

/** Step 1 for `phone`, with how long the BaaS took to answer. */
async function startRegistration(app, phone) {
  const started = performance.now();
  const answer = await postJson(`${app.url}/api/users/register`, { phoneNumber: phone });
  return { answer, ms: performance.now() - started };
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

test('Twilio answering 500 reaches the client as TWILIO_UNAVAILABLE 503 and leaves nothing behind', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { twilioTimeoutMs: TIMEOUT_MS } });
  await injectFault(app, { status: 500 });
  const { answer } = await startRegistration(app, '+14155550111');
  assert.equal(answer.status, 503, answer.text);
  assert.equal(answer.body.code, 'TWILIO_UNAVAILABLE');
  assert.equal(answer.headers.get('retry-after'), String(answer.body.details.retryAfterSeconds));
  assert.deepEqual(storedKeys(app, 'verification/'), []);
});

test('Twilio slower than twilioTimeoutMs gives TWILIO_UNAVAILABLE within the deadline', async (t) => {
  const { app, logs } = await startApp(t, { pluginConfig: { twilioTimeoutMs: TIMEOUT_MS } });
  await injectFault(app, { delayMs: 4 * TIMEOUT_MS });
  const { answer, ms } = await startRegistration(app, '+14155550112');
  assert.equal(answer.status, 503, answer.text);
  assert.equal(answer.body.code, 'TWILIO_UNAVAILABLE');
  assert.ok(ms >= TIMEOUT_MS - 50, `gave up after ${ms} ms, before the timeout`);
  assert.ok(
    ms < 2 * TIMEOUT_MS,
    `answered after ${ms} ms, long after the ${TIMEOUT_MS} ms timeout`,
  );
  assert.deepEqual(storedKeys(app, 'verification/'), []);
  assert.ok(logs.some((entry) => /no answer within 1000 ms/.test(entry.reason ?? '')));
});

test('a dropped connection gives TWILIO_UNAVAILABLE and leaves nothing behind', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { twilioTimeoutMs: TIMEOUT_MS } });
  await injectFault(app, { drop: true });
  const { answer, ms } = await startRegistration(app, '+14155550113');
  assert.equal(answer.status, 503, answer.text);
  assert.equal(answer.body.code, 'TWILIO_UNAVAILABLE');
  assert.ok(ms < TIMEOUT_MS, `a dropped connection should fail fast, took ${ms} ms`);
  assert.deepEqual(storedKeys(app, 'verification/'), []);
});

test('after a fault the next registration goes through', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { twilioTimeoutMs: TIMEOUT_MS } });
  await injectFault(app, { drop: true });
  assert.equal((await startRegistration(app, '+14155550114')).answer.status, 503);
  const { answer } = await startRegistration(app, '+14155550114');
  assert.equal(answer.status, 200, answer.text);
  assert.equal(storedKeys(app, 'verification/').length, 1);
});
