'use strict';
// The Twilio simulator, driven over real HTTP exactly as the plugin drives Twilio.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const { describe, test } = require('node:test');

const {
  API_KEY,
  createSimulator,
  FULL_ACCOUNT,
  MESSAGING_SERVICE,
  SMS_NUMBER,
  SUSPENDED_ACCOUNT,
  TEST_CREDENTIALS_ACCOUNT,
  TRIAL_ACCOUNT,
  VERIFIED_NUMBER,
  VOICE_ONLY_NUMBER,
} = require('../src/twilio-sim');
const { validateSignature } = require('../src/twilio-signature');

const RFC_2822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/;
const RECIPIENT = '+14155550100';

// ---------------------------------------------------------------------------------------------
// Helpers

/** A started simulator that is stopped when the test ends. Callbacks are fast in tests. */
async function startSim(t, options = {}) {
  const logs = [];
  const sim = createSimulator({
    callbackDelayMs: 5,
    log: (level, message, fields) => logs.push({ level, message, fields }),
    ...options,
  });
  const { url } = await sim.start(0);
  t.after(() => sim.stop());
  return { sim, url, logs };
}

function basic(username, password) {
  return `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
}

function accountAuth(account) {
  return basic(account.sid, account.authToken);
}

/** Form body with repeated keys for arrays; undefined values are left out. */
function toForm(params) {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) form.append(name, item);
  }
  return form.toString();
}

/** POST Messages.json; `as` is the account whose path is used, `auth` the header to send. */
async function sendMessage(url, params, { as = FULL_ACCOUNT, auth = accountAuth(as) } = {}) {
  const response = await fetch(`${url}/2010-04-01/Accounts/${as.sid}/Messages.json`, {
    method: 'POST',
    headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: toForm(params),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function apiGet(url, pathAfterAccount, { as = FULL_ACCOUNT, auth = accountAuth(as) } = {}) {
  const response = await fetch(`${url}/2010-04-01/Accounts/${as.sid}${pathAfterAccount}`, {
    headers: { Authorization: auth },
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

async function admin(url, method, adminPath, body) {
  const response = await fetch(`${url}${adminPath}`, {
    method,
    headers: body ? { 'Content-Type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json() };
}

function validMessage(overrides = {}) {
  return { To: RECIPIENT, From: SMS_NUMBER, Body: 'Your code is 123456', ...overrides };
}

/** The exact Twilio error body for a code. */
function twilioErrorBody(code, status = 400) {
  return { code, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function assertTwilioError(result, code, status = 400) {
  assert.equal(result.status, status);
  const { message, ...rest } = result.body;
  assert.deepEqual(rest, twilioErrorBody(code, status));
  assert.equal(typeof message, 'string');
  assert.ok(message.length > 0);
}

/** A local receiver for status callbacks that records every request. */
async function startCallbackReceiver(t, { status = 204 } = {}) {
  const requests = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      requests.push({ path: req.url, headers: req.headers, params: new URLSearchParams(body) });
      res.writeHead(status).end();
      for (const waiter of waiters.splice(0)) waiter();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${server.address().port}`;
  async function waitFor(count, timeoutMs = 2000) {
    const deadline = Date.now() + timeoutMs;
    while (requests.length < count) {
      if (Date.now() > deadline) throw new Error(`only ${requests.length} of ${count} callbacks`);
      await new Promise((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return requests;
  }
  return { url: `${base}/twilio/status?app=demo`, requests, waitFor };
}

/** A port with nothing listening on it. */
async function closedPort() {
  const server = http.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// ---------------------------------------------------------------------------------------------

describe('authentication', () => {
  test('a wrong auth token answers 401 with exactly Twilio 20003 body and a Basic challenge', async (t) => {
    const { url } = await startSim(t);
    const result = await sendMessage(url, validMessage(), {
      auth: basic(FULL_ACCOUNT.sid, 'nope'),
    });
    assert.equal(result.status, 401);
    assert.deepEqual(result.body, {
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
    assert.equal(result.headers.get('www-authenticate'), 'Basic realm="Twilio API"');
  });

  test('a request without credentials answers 401 / 20003', async (t) => {
    const { url } = await startSim(t);
    const response = await fetch(`${url}/2010-04-01/Accounts/${FULL_ACCOUNT.sid}.json`);
    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, 20003);
  });

  test('an API key and secret authenticate for the key account', async (t) => {
    const { url } = await startSim(t);
    const result = await sendMessage(url, validMessage(), {
      auth: basic(API_KEY.sid, API_KEY.secret),
    });
    assert.equal(result.status, 201);
    assert.equal(result.body.account_sid, FULL_ACCOUNT.sid);
  });

  test('an API key with a wrong secret answers 401 / 20003', async (t) => {
    const { url } = await startSim(t);
    const result = await sendMessage(url, validMessage(), { auth: basic(API_KEY.sid, 'wrong') });
    assertTwilioError(result, 20003, 401);
  });

  test('valid credentials for another account than the path answers 401 / 20003', async (t) => {
    const { url } = await startSim(t);
    const viaToken = await sendMessage(url, validMessage(), {
      as: TRIAL_ACCOUNT,
      auth: accountAuth(FULL_ACCOUNT),
    });
    assertTwilioError(viaToken, 20003, 401);
    const viaKey = await sendMessage(url, validMessage(), {
      as: TRIAL_ACCOUNT,
      auth: basic(API_KEY.sid, API_KEY.secret),
    });
    assertTwilioError(viaKey, 20003, 401);
  });

  test('a suspended account cannot send but can read its own Account', async (t) => {
    const { url } = await startSim(t);
    const send = await sendMessage(url, validMessage({ To: VERIFIED_NUMBER }), {
      as: SUSPENDED_ACCOUNT,
    });
    assertTwilioError(send, 20003, 401);
    const account = await apiGet(url, '.json', { as: SUSPENDED_ACCOUNT });
    assert.equal(account.status, 200);
    assert.equal(account.body.status, 'suspended');
  });

  test('an unknown route answers 404 with Twilio 20404 body', async (t) => {
    const { url } = await startSim(t);
    const result = await apiGet(url, '/Widgets.json');
    assert.equal(result.status, 404);
    assert.deepEqual(result.body, {
      code: 20404,
      message: `The requested resource /2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Widgets.json was not found`,
      more_info: 'https://www.twilio.com/docs/errors/20404',
      status: 404,
    });
  });

  test('a path outside the accounts tree answers 404 / 20404 without credentials', async (t) => {
    const { url } = await startSim(t);
    const response = await fetch(`${url}/v1/Services`);
    assert.equal(response.status, 404);
    assert.equal((await response.json()).code, 20404);
  });

  test('a known route with an unsupported method answers 405 / 20004', async (t) => {
    const { url } = await startSim(t);
    const response = await fetch(`${url}/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Messages.json`, {
      method: 'DELETE',
      headers: { Authorization: accountAuth(FULL_ACCOUNT) },
    });
    assert.equal(response.status, 405);
    assert.equal((await response.json()).code, 20004);
  });
});

describe('message validation', () => {
  const tooManyMedia = Array.from({ length: 11 }, (_, i) => `https://cdn.example.com/${i}.png`);
  const cases = [
    ['missing To', { To: undefined }, 21604],
    ['missing From and MessagingServiceSid', { From: undefined }, 21603],
    ['no Body, MediaUrl or ContentSid', { Body: undefined }, 21602],
    ['Body of 1601 characters', { Body: 'a'.repeat(1601) }, 21617],
    ['11 MediaUrl', { MediaUrl: tooManyMedia }, 21623],
    ['a MediaUrl that is not http(s)', { MediaUrl: ['ftp://cdn.example.com/a.png'] }, 21620],
    ['a ContentSid that is not HX + 32 hex', { Body: undefined, ContentSid: 'HX123' }, 21655],
    [
      'a StatusCallback host with an underscore',
      { StatusCallback: 'https://my_app.test/s' },
      21609,
    ],
    ['a StatusCallback that is not a URL', { StatusCallback: 'not a url' }, 21609],
    ['a StatusCallback that is not http(s)', { StatusCallback: 'ftp://example.com/s' }, 21609],
    ['ValidityPeriod 0', { ValidityPeriod: '0' }, 21624],
    ['ValidityPeriod over 36000', { ValidityPeriod: '36001' }, 21624],
    ['To not in E.164', { To: '4155550100' }, 21211],
    ['From not in E.164', { From: 'ACME' }, 21212],
    [
      'MessagingServiceSid not MG + 32 hex',
      { From: undefined, MessagingServiceSid: 'MG123' },
      21705,
    ],
    [
      'a MessagingServiceSid the account does not have',
      { From: undefined, MessagingServiceSid: `MG${'f'.repeat(32)}` },
      21701,
    ],
    ['a From the account does not own', { From: '+14155550199' }, 21606],
    ['a From the account owns that is not SMS-capable', { From: VOICE_ONLY_NUMBER }, 21606],
    ['To equal to From', { To: SMS_NUMBER }, 21266],
  ];

  for (const [name, overrides, code] of cases) {
    test(`${name} answers 400 / ${code}`, async (t) => {
      const { url, sim } = await startSim(t);
      assertTwilioError(await sendMessage(url, validMessage(overrides)), code);
      assert.equal(sim.outbox.size, 0, 'a rejected message must not reach the outbox');
    });
  }

  test('a Body of exactly 1600 characters is accepted', async (t) => {
    const { url } = await startSim(t);
    const result = await sendMessage(url, validMessage({ Body: 'a'.repeat(1600) }));
    assert.equal(result.status, 201);
  });

  test('10 MediaUrl without a Body are accepted', async (t) => {
    const { url } = await startSim(t);
    const media = Array.from({ length: 10 }, (_, i) => `https://cdn.example.com/${i}.png`);
    const result = await sendMessage(url, validMessage({ Body: undefined, MediaUrl: media }));
    assert.equal(result.status, 201);
    assert.equal(result.body.num_media, '10');
  });
});

describe('magic test numbers', () => {
  const cases = [
    ['From', '+15005550001', 21212],
    ['From', '+15005550007', 21606],
    ['From', '+15005550008', 21611],
    ['To', '+15005550001', 21211],
    ['To', '+15005550002', 21612],
    ['To', '+15005550003', 21408],
    ['To', '+15005550004', 21610],
    ['To', '+15005550009', 21614],
  ];

  for (const account of [FULL_ACCOUNT, TEST_CREDENTIALS_ACCOUNT]) {
    for (const [field, number, code] of cases) {
      test(`${field} ${number} answers 400 / ${code} for ${account.friendlyName}`, async (t) => {
        const { url } = await startSim(t);
        const result = await sendMessage(url, validMessage({ [field]: number }), { as: account });
        assertTwilioError(result, code);
      });
    }
  }

  test('From +15005550006 passes validation for test credentials, which own no numbers', async (t) => {
    const { url } = await startSim(t);
    const result = await sendMessage(url, validMessage(), { as: TEST_CREDENTIALS_ACCOUNT });
    assert.equal(result.status, 201);
  });

  test('test credentials with any other From answer 400 / 21606', async (t) => {
    const { url } = await startSim(t);
    const result = await sendMessage(url, validMessage({ From: '+15005550005' }), {
      as: TEST_CREDENTIALS_ACCOUNT,
    });
    assertTwilioError(result, 21606);
  });
});

describe('trial accounts', () => {
  test('sending to an unverified number answers 400 / 21608', async (t) => {
    const { url } = await startSim(t);
    const result = await sendMessage(url, validMessage(), { as: TRIAL_ACCOUNT });
    assertTwilioError(result, 21608);
  });

  test('sending to a verified number is accepted', async (t) => {
    const { url } = await startSim(t);
    const result = await sendMessage(url, validMessage({ To: VERIFIED_NUMBER }), {
      as: TRIAL_ACCOUNT,
    });
    assert.equal(result.status, 201);
  });
});

describe('accepted messages', () => {
  test("201 carries exactly Twilio's Message fields with Twilio's types", async (t) => {
    const { url } = await startSim(t);
    const result = await sendMessage(url, validMessage());
    assert.equal(result.status, 201);
    const message = result.body;
    assert.deepEqual(Object.keys(message).sort(), [
      'account_sid',
      'api_version',
      'body',
      'date_created',
      'date_sent',
      'date_updated',
      'direction',
      'error_code',
      'error_message',
      'from',
      'messaging_service_sid',
      'num_media',
      'num_segments',
      'price',
      'price_unit',
      'sid',
      'status',
      'subresource_uris',
      'to',
      'uri',
    ]);
    assert.match(message.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(message.account_sid, FULL_ACCOUNT.sid);
    assert.equal(message.to, RECIPIENT);
    assert.equal(message.from, SMS_NUMBER);
    assert.equal(message.messaging_service_sid, null);
    assert.equal(message.body, 'Your code is 123456');
    assert.equal(message.status, 'queued');
    assert.equal(message.num_segments, '1');
    assert.equal(message.num_media, '0');
    assert.equal(message.direction, 'outbound-api');
    assert.equal(message.price, null);
    assert.equal(message.price_unit, 'USD');
    assert.equal(message.error_code, null);
    assert.equal(message.error_message, null);
    assert.equal(message.api_version, '2010-04-01');
    assert.match(message.date_created, RFC_2822);
    assert.match(message.date_updated, RFC_2822);
    assert.equal(message.date_sent, null);
    const uri = `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Messages/${message.sid}`;
    assert.equal(message.uri, `${uri}.json`);
    assert.deepEqual(message.subresource_uris, { media: `${uri}/Media.json` });
  });

  test('dates use the configured clock in RFC 2822', async (t) => {
    const { url } = await startSim(t, { now: () => Date.parse('2023-08-24T05:01:45Z') });
    const { body } = await sendMessage(url, validMessage());
    assert.equal(body.date_created, 'Thu, 24 Aug 2023 05:01:45 +0000');
  });

  const segmentCases = [
    ['160 GSM-7 characters', 'a'.repeat(160), '1'],
    ['161 GSM-7 characters', 'a'.repeat(161), '2'],
    ['306 GSM-7 characters', 'a'.repeat(306), '2'],
    ['307 GSM-7 characters', 'a'.repeat(307), '3'],
    ['80 GSM-7 extension characters (two septets each)', '€'.repeat(80), '1'],
    ['81 GSM-7 extension characters', '€'.repeat(81), '2'],
    ['70 UCS-2 characters', 'ж'.repeat(70), '1'],
    ['71 UCS-2 characters', 'ж'.repeat(71), '2'],
    ['134 UCS-2 characters', 'ж'.repeat(134), '2'],
    ['135 UCS-2 characters', 'ж'.repeat(135), '3'],
  ];
  for (const [name, body, expected] of segmentCases) {
    test(`num_segments is "${expected}" for ${name}`, async (t) => {
      const { url } = await startSim(t);
      const result = await sendMessage(url, validMessage({ Body: body }));
      assert.equal(result.body.num_segments, expected);
    });
  }

  test('repeated MediaUrl become a media list and an MM sid', async (t) => {
    const { url, sim } = await startSim(t);
    const media = ['https://cdn.example.com/a.png', 'https://cdn.example.com/b.jpg'];
    const result = await sendMessage(url, validMessage({ MediaUrl: media }));
    assert.equal(result.status, 201);
    assert.match(result.body.sid, /^MM[0-9a-f]{32}$/);
    assert.equal(result.body.num_media, '2');
    assert.deepEqual(sim.outbox.list()[0].mediaUrls, media);
  });

  test('a Messaging Service message is accepted with from null and 0 segments', async (t) => {
    const { url } = await startSim(t);
    const result = await sendMessage(
      url,
      validMessage({ From: undefined, MessagingServiceSid: MESSAGING_SERVICE.sid }),
    );
    assert.equal(result.status, 201);
    assert.equal(result.body.status, 'accepted');
    assert.equal(result.body.from, null);
    assert.equal(result.body.num_segments, '0');
    assert.equal(result.body.messaging_service_sid, MESSAGING_SERVICE.sid);
  });

  test('onMessage is called with each accepted message', async (t) => {
    const seen = [];
    const { url } = await startSim(t, { onMessage: (message) => seen.push(message) });
    const { body } = await sendMessage(url, validMessage());
    assert.equal(seen.length, 1);
    assert.equal(seen[0].sid, body.sid);
    assert.equal(seen[0].body, 'Your code is 123456');
  });

  test('GET Messages/{Sid}.json returns the message with its current status', async (t) => {
    const { url, sim } = await startSim(t);
    const { body } = await sendMessage(url, validMessage());
    await sim.settled();
    const fetched = await apiGet(url, `/Messages/${body.sid}.json`);
    assert.equal(fetched.status, 200);
    assert.equal(fetched.body.sid, body.sid);
    assert.equal(fetched.body.status, 'delivered');
    assert.match(fetched.body.date_sent, RFC_2822);
  });
});

describe('outbox', () => {
  test('GET /_sim/messages lists accepted messages oldest first with their fields', async (t) => {
    const { url } = await startSim(t);
    const first = await sendMessage(url, validMessage({ Body: 'one' }));
    await sendMessage(url, validMessage({ Body: 'two', StatusCallback: 'https://example.com/s' }));
    const { status, body } = await admin(url, 'GET', '/_sim/messages');
    assert.equal(status, 200);
    assert.deepEqual(
      body.messages.map((message) => message.body),
      ['one', 'two'],
    );
    const [message] = body.messages;
    assert.equal(message.sid, first.body.sid);
    assert.equal(message.to, RECIPIENT);
    assert.equal(message.from, SMS_NUMBER);
    assert.deepEqual(message.mediaUrls, []);
    assert.equal(message.errorCode, null);
    assert.equal(message.statusCallback, null);
    assert.equal(body.messages[1].statusCallback, 'https://example.com/s');
    assert.ok(['queued', 'sent', 'delivered'].includes(message.status));
    assert.ok(!Number.isNaN(Date.parse(message.dateCreated)));
  });

  test('GET /_sim/messages?to= returns only messages to that number', async (t) => {
    const { url } = await startSim(t);
    await sendMessage(url, validMessage({ To: '+14155550101', Body: 'for 101' }));
    await sendMessage(url, validMessage({ To: '+14155550102', Body: 'for 102' }));
    const { body } = await admin(
      url,
      'GET',
      `/_sim/messages?to=${encodeURIComponent('+14155550102')}`,
    );
    assert.deepEqual(
      body.messages.map((message) => message.body),
      ['for 102'],
    );
  });

  test('DELETE /_sim/messages empties the outbox', async (t) => {
    const { url } = await startSim(t);
    await sendMessage(url, validMessage());
    assert.equal((await admin(url, 'DELETE', '/_sim/messages')).status, 200);
    assert.deepEqual((await admin(url, 'GET', '/_sim/messages')).body, { messages: [] });
  });

  test('GET /_sim/health answers ok', async (t) => {
    const { url } = await startSim(t);
    assert.deepEqual(await admin(url, 'GET', '/_sim/health'), { status: 200, body: { ok: true } });
  });
});

describe('Account resource', () => {
  test("a Full account answers 200 with the schema's fields and never the auth token", async (t) => {
    const { url } = await startSim(t);
    const { status, body } = await apiGet(url, '.json');
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), [
      'date_created',
      'date_updated',
      'friendly_name',
      'owner_account_sid',
      'sid',
      'status',
      'subresource_uris',
      'type',
      'uri',
    ]);
    assert.equal(body.sid, FULL_ACCOUNT.sid);
    assert.equal(body.type, 'Full');
    assert.equal(body.status, 'active');
    assert.match(body.date_created, RFC_2822);
    assert.equal(body.uri, `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}.json`);
    assert.ok(!JSON.stringify(body).includes(FULL_ACCOUNT.authToken));
  });

  test('a Trial account reports type Trial', async (t) => {
    const { url } = await startSim(t);
    const { status, body } = await apiGet(url, '.json', { as: TRIAL_ACCOUNT });
    assert.equal(status, 200);
    assert.equal(body.type, 'Trial');
  });

  test('test credentials answer 403 / 20008 for GET Account', async (t) => {
    const { url } = await startSim(t);
    const result = await apiGet(url, '.json', { as: TEST_CREDENTIALS_ACCOUNT });
    assert.equal(result.status, 403);
    assert.deepEqual(result.body, {
      code: 20008,
      message: 'Resource not accessible with Test Account Credentials',
      more_info: 'https://www.twilio.com/docs/errors/20008',
      status: 403,
    });
  });

  test('test credentials answer 403 / 20008 for GET IncomingPhoneNumbers', async (t) => {
    const { url } = await startSim(t);
    const result = await apiGet(url, '/IncomingPhoneNumbers.json', {
      as: TEST_CREDENTIALS_ACCOUNT,
    });
    assertTwilioError(result, 20008, 403);
  });
});

describe('IncomingPhoneNumbers', () => {
  const filterFor = (number) =>
    `/IncomingPhoneNumbers.json?PhoneNumber=${encodeURIComponent(number)}`;

  test('an owned SMS number is listed with its SID and capabilities', async (t) => {
    const { url } = await startSim(t);
    const { status, body } = await apiGet(url, filterFor(SMS_NUMBER));
    assert.equal(status, 200);
    assert.equal(body.incoming_phone_numbers.length, 1);
    const [number] = body.incoming_phone_numbers;
    assert.match(number.sid, /^PN[0-9a-f]{32}$/);
    assert.equal(number.account_sid, FULL_ACCOUNT.sid);
    assert.equal(number.phone_number, SMS_NUMBER);
    assert.deepEqual(number.capabilities, { voice: true, sms: true, mms: true, fax: false });
    assert.match(number.date_created, RFC_2822);
    assert.equal(body.page, 0);
    assert.equal(body.page_size, 50);
    assert.equal(body.next_page_uri, null);
    assert.equal(body.previous_page_uri, null);
    assert.equal(body.start, 0);
    assert.equal(body.end, 0);
    assert.ok(body.first_page_uri.startsWith(`/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/`));
    assert.equal(typeof body.uri, 'string');
  });

  test('an owned voice-only number reports sms false', async (t) => {
    const { url } = await startSim(t);
    const { body } = await apiGet(url, filterFor(VOICE_ONLY_NUMBER));
    assert.equal(body.incoming_phone_numbers[0].capabilities.sms, false);
  });

  test('a number the account does not own answers 200 with an empty list', async (t) => {
    const { url } = await startSim(t);
    const { status, body } = await apiGet(url, filterFor('+14155550199'));
    assert.equal(status, 200);
    assert.deepEqual(body.incoming_phone_numbers, []);
  });

  test('without a filter every number of the account is listed', async (t) => {
    const { url } = await startSim(t);
    const { body } = await apiGet(url, '/IncomingPhoneNumbers.json');
    assert.deepEqual(
      body.incoming_phone_numbers.map((number) => number.phone_number).sort(),
      [SMS_NUMBER, VOICE_ONLY_NUMBER].sort(),
    );
  });

  test('the same number on two accounts has two different SIDs', async (t) => {
    const { url } = await startSim(t);
    const full = await apiGet(url, filterFor(SMS_NUMBER));
    const trial = await apiGet(url, filterFor(SMS_NUMBER), { as: TRIAL_ACCOUNT });
    assert.notEqual(
      full.body.incoming_phone_numbers[0].sid,
      trial.body.incoming_phone_numbers[0].sid,
    );
  });
});

describe('fault injection', () => {
  test('a status and code fault answers with that Twilio error and keeps the message out', async (t) => {
    const { url, sim } = await startSim(t);
    const injected = await admin(url, 'POST', '/_sim/faults', {
      count: 1,
      status: 500,
      code: 20500,
    });
    assert.equal(injected.status, 201);
    const faulted = await sendMessage(url, validMessage());
    assertTwilioError(faulted, 20500, 500);
    assert.equal(sim.outbox.size, 0);
    assert.equal((await sendMessage(url, validMessage())).status, 201);
  });

  test('a fault given only a status uses the matching Twilio code', async (t) => {
    const { url } = await startSim(t);
    await admin(url, 'POST', '/_sim/faults', { status: 429 });
    assertTwilioError(await sendMessage(url, validMessage()), 20429, 429);
  });

  test('a fault applies to exactly the next count requests', async (t) => {
    const { url } = await startSim(t);
    await admin(url, 'POST', '/_sim/faults', { count: 2, status: 503 });
    assert.equal((await sendMessage(url, validMessage())).status, 503);
    assert.equal((await apiGet(url, '.json')).status, 503);
    assert.equal((await sendMessage(url, validMessage())).status, 201);
  });

  test('a custom message is used in the fault body', async (t) => {
    const { url } = await startSim(t);
    await admin(url, 'POST', '/_sim/faults', { status: 500, message: 'Simulated outage' });
    const result = await sendMessage(url, validMessage());
    assert.equal(result.body.message, 'Simulated outage');
  });

  test('a delay-only fault answers normally after the delay and keeps the message', async (t) => {
    const { url, sim } = await startSim(t);
    await admin(url, 'POST', '/_sim/faults', { delayMs: 200 });
    const started = Date.now();
    const result = await sendMessage(url, validMessage());
    assert.ok(Date.now() - started >= 190, 'the answer came before the delay');
    assert.equal(result.status, 201);
    assert.equal(sim.outbox.size, 1);
  });

  test('a drop fault closes the connection without an answer and sends nothing', async (t) => {
    const { url, sim } = await startSim(t);
    await admin(url, 'POST', '/_sim/faults', { drop: true });
    await assert.rejects(sendMessage(url, validMessage()), TypeError);
    assert.equal(sim.outbox.size, 0);
  });

  test('admin routes are not consumed by faults', async (t) => {
    const { url } = await startSim(t);
    await admin(url, 'POST', '/_sim/faults', { status: 500 });
    assert.equal((await admin(url, 'GET', '/_sim/health')).status, 200);
    assert.equal((await admin(url, 'GET', '/_sim/faults')).body.faults.length, 1);
    assert.equal((await sendMessage(url, validMessage())).status, 500);
  });

  test('DELETE /_sim/faults clears pending faults', async (t) => {
    const { url } = await startSim(t);
    await admin(url, 'POST', '/_sim/faults', { count: 5, status: 500 });
    await admin(url, 'DELETE', '/_sim/faults');
    assert.equal((await sendMessage(url, validMessage())).status, 201);
  });

  test('an invalid fault is refused with 400', async (t) => {
    const { url } = await startSim(t);
    assert.equal((await admin(url, 'POST', '/_sim/faults', { count: 0, status: 500 })).status, 400);
    assert.equal((await admin(url, 'POST', '/_sim/faults', { count: 1 })).status, 400);
    assert.deepEqual((await admin(url, 'GET', '/_sim/faults')).body, { faults: [] });
  });
});

describe('status callbacks', () => {
  test('sent then delivered arrive in order, signed with the account auth token', async (t) => {
    const receiver = await startCallbackReceiver(t);
    const { url } = await startSim(t);
    const { body } = await sendMessage(url, validMessage({ StatusCallback: receiver.url }));
    const requests = await receiver.waitFor(2);
    assert.deepEqual(
      requests.map((request) => request.params.get('MessageStatus')),
      ['sent', 'delivered'],
    );
    for (const request of requests) {
      const params = Object.fromEntries(request.params);
      assert.deepEqual(Object.keys(params).sort(), [
        'AccountSid',
        'ApiVersion',
        'From',
        'MessageSid',
        'MessageStatus',
        'SmsSid',
        'SmsStatus',
        'To',
      ]);
      assert.equal(params.MessageSid, body.sid);
      assert.equal(params.SmsSid, body.sid);
      assert.equal(params.SmsStatus, params.MessageStatus);
      assert.equal(params.AccountSid, FULL_ACCOUNT.sid);
      assert.equal(params.From, SMS_NUMBER);
      assert.equal(params.To, RECIPIENT);
      assert.equal(params.ApiVersion, '2010-04-01');
      assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
      const signature = request.headers['x-twilio-signature'];
      assert.equal(
        validateSignature(FULL_ACCOUNT.authToken, signature, receiver.url, params),
        true,
      );
      assert.equal(validateSignature('other-token', signature, receiver.url, params), false);
    }
  });

  test('the outbox status follows the callbacks to delivered', async (t) => {
    const receiver = await startCallbackReceiver(t);
    const { url, sim } = await startSim(t);
    await sendMessage(url, validMessage({ StatusCallback: receiver.url }));
    await sim.settled();
    assert.equal(sim.outbox.list()[0].status, 'delivered');
  });

  test('a message created with an API key is still signed with the account auth token', async (t) => {
    const receiver = await startCallbackReceiver(t);
    const { url } = await startSim(t);
    await sendMessage(url, validMessage({ StatusCallback: receiver.url }), {
      auth: basic(API_KEY.sid, API_KEY.secret),
    });
    const [request] = await receiver.waitFor(1);
    const params = Object.fromEntries(request.params);
    const signature = request.headers['x-twilio-signature'];
    assert.equal(validateSignature(FULL_ACCOUNT.authToken, signature, receiver.url, params), true);
  });

  test('an unreachable handset gets sent then undelivered with ErrorCode 30003', async (t) => {
    const receiver = await startCallbackReceiver(t);
    const { url, sim } = await startSim(t);
    await sendMessage(url, validMessage({ To: '+15005550010', StatusCallback: receiver.url }));
    const requests = await receiver.waitFor(2);
    assert.deepEqual(
      requests.map((request) => [
        request.params.get('MessageStatus'),
        request.params.get('ErrorCode'),
      ]),
      [
        ['sent', null],
        ['undelivered', '30003'],
      ],
    );
    await sim.settled();
    assert.equal(sim.outbox.list()[0].errorCode, 30003);
  });

  test('a carrier-filtered message ends undelivered with ErrorCode 30007', async (t) => {
    const receiver = await startCallbackReceiver(t);
    const { url } = await startSim(t);
    await sendMessage(url, validMessage({ To: '+15005550011', StatusCallback: receiver.url }));
    const requests = await receiver.waitFor(2);
    assert.equal(requests[1].params.get('MessageStatus'), 'undelivered');
    assert.equal(requests[1].params.get('ErrorCode'), '30007');
  });

  test('a failed message gets a single failed callback with ErrorCode 30008', async (t) => {
    const receiver = await startCallbackReceiver(t);
    const { url, sim } = await startSim(t);
    await sendMessage(url, validMessage({ To: '+15005550012', StatusCallback: receiver.url }));
    await sim.settled();
    assert.deepEqual(
      receiver.requests.map((request) => [
        request.params.get('MessageStatus'),
        request.params.get('ErrorCode'),
      ]),
      [['failed', '30008']],
    );
  });

  test('delivery outcomes are configurable per To number', async (t) => {
    const receiver = await startCallbackReceiver(t);
    const { url } = await startSim(t, {
      deliveryOutcomes: { [RECIPIENT]: { status: 'undelivered', errorCode: 30005 } },
    });
    await sendMessage(url, validMessage({ StatusCallback: receiver.url }));
    const requests = await receiver.waitFor(2);
    assert.equal(requests[1].params.get('ErrorCode'), '30005');
  });

  test('a Messaging Service callback names the assigned sender and the service', async (t) => {
    const receiver = await startCallbackReceiver(t);
    const { url } = await startSim(t);
    await sendMessage(
      url,
      validMessage({
        From: undefined,
        MessagingServiceSid: MESSAGING_SERVICE.sid,
        StatusCallback: receiver.url,
      }),
    );
    const [sent] = await receiver.waitFor(1);
    assert.equal(sent.params.get('From'), SMS_NUMBER);
    assert.equal(sent.params.get('MessagingServiceSid'), MESSAGING_SERVICE.sid);
  });

  test('an unreachable callback URL is logged and recorded, and the simulator keeps serving', async (t) => {
    const port = await closedPort();
    const { url, sim, logs } = await startSim(t);
    const callbackUrl = `http://127.0.0.1:${port}/status`;
    const { body } = await sendMessage(url, validMessage({ StatusCallback: callbackUrl }));
    await sim.settled();
    assert.ok(
      logs.some((entry) => entry.level === 'warn' && entry.fields?.messageSid === body.sid),
    );
    const { body: record } = await admin(url, 'GET', '/_sim/callbacks');
    assert.deepEqual(
      record.callbacks.map((attempt) => [attempt.status, attempt.responseStatus, attempt.error]),
      [
        ['sent', null, 'ECONNREFUSED'],
        ['delivered', null, 'ECONNREFUSED'],
      ],
    );
    assert.equal(sim.outbox.list()[0].status, 'delivered');
    assert.equal((await admin(url, 'GET', '/_sim/health')).status, 200);
  });

  test('GET /_sim/callbacks records each attempt with the receiver status', async (t) => {
    const receiver = await startCallbackReceiver(t, { status: 200 });
    const { url, sim } = await startSim(t);
    const { body } = await sendMessage(url, validMessage({ StatusCallback: receiver.url }));
    await sim.settled();
    const { body: record } = await admin(url, 'GET', `/_sim/callbacks?messageSid=${body.sid}`);
    assert.deepEqual(
      record.callbacks.map((attempt) => [attempt.status, attempt.responseStatus, attempt.url]),
      [
        ['sent', 200, receiver.url],
        ['delivered', 200, receiver.url],
      ],
    );
  });

  test('no callback is posted for a message without StatusCallback', async (t) => {
    const { url, sim } = await startSim(t);
    await sendMessage(url, validMessage());
    await sim.settled();
    assert.deepEqual((await admin(url, 'GET', '/_sim/callbacks')).body, { callbacks: [] });
  });
});

describe('bin/twilio-sim.js', () => {
  test('prints each accepted SMS and exits cleanly on SIGTERM', async (t) => {
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'twilio-sim.js')], {
      env: { ...process.env, TWILIO_SIM_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const waitUntil = async (predicate) => {
      const deadline = Date.now() + 5000;
      while (!predicate()) {
        if (Date.now() > deadline) throw new Error(`timed out; stderr: ${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await waitUntil(() => /listening on (http:\/\/\S+)/.test(stderr));
    const url = /listening on (http:\/\/\S+)/.exec(stderr)[1];
    const result = await sendMessage(url, validMessage({ Body: 'Your code is 424242' }));
    assert.equal(result.status, 201);
    await waitUntil(() => stdout.includes('\n'));
    assert.equal(stdout, `SMS to ${RECIPIENT}: Your code is 424242\n`);
    assert.ok(!stderr.includes(FULL_ACCOUNT.authToken), 'the auth token must never be printed');
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });
});
