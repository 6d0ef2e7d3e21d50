'use strict';
// The simulator's Messaging API (v1): GET /v1/Services/{Sid}, which TEST CONFIGURATION calls to
// check a Messaging Service sender (real Twilio: https://messaging.twilio.com/v1/Services/{Sid}).

const assert = require('node:assert/strict');
const { test } = require('node:test');

const {
  API_KEY,
  createSimulator,
  FULL_ACCOUNT,
  MESSAGING_SERVICE,
  SUSPENDED_ACCOUNT,
  TEST_CREDENTIALS_ACCOUNT,
  TRIAL_ACCOUNT,
} = require('../src/twilio-sim');

const UNKNOWN_SERVICE = `MG${'f'.repeat(32)}`;

async function startSim(t) {
  const sim = createSimulator({ log: () => {} });
  const { url } = await sim.start(0);
  t.after(() => sim.stop());
  return url;
}

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

async function getService(
  url,
  sid,
  { auth = basic(FULL_ACCOUNT.sid, FULL_ACCOUNT.authToken), method = 'GET' } = {},
) {
  const response = await fetch(`${url}/v1/Services/${sid}`, {
    method,
    headers: auth ? { Authorization: auth } : {},
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

function assertTwilioError(result, code, status) {
  assert.equal(result.status, status);
  assert.equal(result.body.code, code);
  assert.equal(result.body.status, status);
  assert.equal(result.body.more_info, `https://www.twilio.com/docs/errors/${code}`);
  assert.equal(typeof result.body.message, 'string');
}

test("a service of the account answers 200 with the fields of Twilio's Service schema", async (t) => {
  const url = await startSim(t);
  const { status, body } = await getService(url, MESSAGING_SERVICE.sid);
  assert.equal(status, 200);
  assert.deepEqual(Object.keys(body).sort(), [
    'account_sid',
    'area_code_geomatch',
    'date_created',
    'date_updated',
    'fallback_method',
    'fallback_to_long_code',
    'fallback_url',
    'friendly_name',
    'inbound_method',
    'inbound_request_url',
    'links',
    'mms_converter',
    'scan_message_content',
    'sid',
    'smart_encoding',
    'status_callback',
    'sticky_sender',
    'synchronous_validation',
    'url',
    'us_app_to_person_registered',
    'use_inbound_webhook_on_number',
    'usecase',
    'validity_period',
  ]);
  assert.equal(body.sid, MESSAGING_SERVICE.sid);
  assert.equal(body.account_sid, FULL_ACCOUNT.sid);
  assert.equal(body.friendly_name, MESSAGING_SERVICE.friendlyName);
  assert.match(body.date_created, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.equal(body.url, `${url}/v1/Services/${MESSAGING_SERVICE.sid}`);
  assert.equal(body.links.phone_numbers, `${body.url}/PhoneNumbers`);
  assert.equal(typeof body.validity_period, 'number');
});

test('an API key of the account may read the service', async (t) => {
  const url = await startSim(t);
  const result = await getService(url, MESSAGING_SERVICE.sid, {
    auth: basic(API_KEY.sid, API_KEY.secret),
  });
  assert.equal(result.status, 200);
});

test('an unknown service answers 404 with Twilio 20404', async (t) => {
  const url = await startSim(t);
  assertTwilioError(await getService(url, UNKNOWN_SERVICE), 20404, 404);
});

test("another account's service answers 404 / 20404, as if it did not exist", async (t) => {
  const url = await startSim(t);
  const result = await getService(url, MESSAGING_SERVICE.sid, {
    auth: basic(TRIAL_ACCOUNT.sid, TRIAL_ACCOUNT.authToken),
  });
  assertTwilioError(result, 20404, 404);
});

test('a wrong token, no credentials or a suspended account answer 401 / 20003', async (t) => {
  const url = await startSim(t);
  for (const auth of [
    basic(FULL_ACCOUNT.sid, 'wrong_token_0000000000000000000'),
    null,
    basic(SUSPENDED_ACCOUNT.sid, SUSPENDED_ACCOUNT.authToken),
  ]) {
    const result = await getService(url, MESSAGING_SERVICE.sid, { auth });
    assertTwilioError(result, 20003, 401);
    assert.equal(result.headers.get('www-authenticate'), 'Basic realm="Twilio API"');
  }
});

test('test credentials answer 403 / 20008', async (t) => {
  const url = await startSim(t);
  const result = await getService(url, MESSAGING_SERVICE.sid, {
    auth: basic(TEST_CREDENTIALS_ACCOUNT.sid, TEST_CREDENTIALS_ACCOUNT.authToken),
  });
  assertTwilioError(result, 20008, 403);
});

test('other methods answer 405 / 20004 and other v1 paths 404 / 20404', async (t) => {
  const url = await startSim(t);
  const post = await getService(url, MESSAGING_SERVICE.sid, { method: 'POST' });
  assertTwilioError(post, 20004, 405);
  assert.equal(post.headers.get('allow'), 'GET');
  const other = await getService(url, `${MESSAGING_SERVICE.sid}/PhoneNumbers`);
  assertTwilioError(other, 20404, 404);
});
