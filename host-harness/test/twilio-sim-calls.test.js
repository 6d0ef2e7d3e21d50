'use strict';
// The simulator's Calls API (POST /2010-04-01/Accounts/{Sid}/Calls.json) with inline TwiML,
// the request log (/_sim/requests) and the OpenAPI checker the simulator's tests rely on
// (test/support/openapi-check.js). Every answer is checked against Twilio's OpenAPI.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');

const {
  API_KEY,
  createSimulator,
  FULL_ACCOUNT,
  MAGIC_CALL_TO,
  SMS_NUMBER,
  TEST_CREDENTIALS_ACCOUNT,
  TRIAL_ACCOUNT,
  VERIFIED_NUMBER,
  VOICE_ONLY_NUMBER,
} = require('../src/twilio-sim');
const { checkRequest, checkResponse } = require('./support/openapi-check');
const { authOf, basic, checkedCall } = require('./support/sim-requests');
const oai = require('./support/twilio-oai/twilio_api_v2010.json');

const RECIPIENT = '+14155550100';
const START = Date.parse('2026-03-01T12:00:00Z');
const SAY = (text) => `<Response><Say>${text}</Say></Response>`;

// ---------------------------------------------------------------------------------------------
// Helpers

async function startSim(t, options = {}) {
  const sim = createSimulator({ log: () => {}, now: () => START, ...options });
  await sim.start(0);
  t.after(() => sim.stop());
  return sim;
}

/** One request to the simulator, as the Full account unless `auth` says otherwise. */
const call = (sim, method, path, { auth = authOf(FULL_ACCOUNT), ...options } = {}) =>
  checkedCall(sim, method, path, { auth, ...options });

function placeCall(sim, form, { as = FULL_ACCOUNT, ...options } = {}) {
  return call(sim, 'POST', `/2010-04-01/Accounts/${as.sid}/Calls.json`, {
    form,
    auth: authOf(as),
    ...options,
  });
}

const validCall = (overrides = {}) => ({
  To: RECIPIENT,
  From: SMS_NUMBER,
  Twiml: SAY('Your code is 1, 2, 3, 4.'),
  ...overrides,
});

function assertTwilioError(result, code, status = 400, message = undefined) {
  assert.equal(result.status, status);
  assert.deepEqual(result.body, {
    code,
    message: message ?? result.body.message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  });
}

// ---------------------------------------------------------------------------------------------

describe('POST Calls.json', () => {
  test("answers 201 with every property of Twilio's Call schema", async (t) => {
    const sim = await startSim(t);
    const { status, body } = await placeCall(sim, validCall());
    assert.equal(status, 201);
    assert.deepEqual(
      Object.keys(body).sort(),
      Object.keys(oai.components.schemas['api.v2010.account.call'].properties).sort(),
    );
    assert.match(body.sid, /^CA[0-9a-f]{32}$/);
    assert.equal(body.account_sid, FULL_ACCOUNT.sid);
    assert.equal(body.status, 'queued');
    assert.equal(body.direction, 'outbound-api');
    assert.equal(body.to, RECIPIENT);
    assert.equal(body.from, SMS_NUMBER);
    assert.equal(body.to_formatted, '(415) 555-0100');
    assert.equal(body.from_formatted, '(500) 555-0006');
    assert.equal(body.api_version, '2010-04-01');
    assert.equal(body.date_created, 'Sun, 01 Mar 2026 12:00:00 +0000');
    assert.equal(body.start_time, null);
    assert.equal(body.price, null);
    assert.equal(body.price_unit, 'USD');
    const uri = `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Calls/${body.sid}`;
    assert.equal(body.uri, `${uri}.json`);
    assert.equal(body.subresource_uris.recordings, `${uri}/Recordings.json`);
    // The From number's own SID, as IncomingPhoneNumbers lists it.
    const owned = sim.accounts.get(FULL_ACCOUNT.sid).numbers;
    assert.equal(body.phone_number_sid, owned.find((n) => n.phoneNumber === SMS_NUMBER).sid);
  });

  test('an API key of the account may place a call', async (t) => {
    const sim = await startSim(t);
    const result = await call(sim, 'POST', `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Calls.json`, {
      form: validCall(),
      auth: basic(API_KEY.sid, API_KEY.secret),
    });
    assert.equal(result.status, 201);
  });

  test('the outbox holds the call with the words it says and its TwiML', async (t) => {
    const sim = await startSim(t);
    const twiml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<Response>\n  <Say language="de-DE">Ihr Code:\n 1, 2 &amp; 3.</Say>\n  <Pause length="2"/>\n  <!-- again -->\n  <Say voice="alice" loop="2">Code <break time="1s"/>1, 2 &#38; 3.</Say>\n  <Play>https://example.com/beep.mp3</Play>\n  <Say><![CDATA[Bye <now>]]></Say>\n</Response>';
    const { body } = await placeCall(sim, validCall({ Twiml: twiml }));
    const response = await fetch(`${sim.url}/_sim/messages?to=${encodeURIComponent(RECIPIENT)}`);
    const [entry] = (await response.json()).messages;
    assert.deepEqual(entry, {
      sid: body.sid,
      via: 'calls',
      channel: 'call',
      accountSid: FULL_ACCOUNT.sid,
      to: RECIPIENT,
      address: RECIPIENT,
      from: SMS_NUMBER,
      body: 'Ihr Code: 1, 2 & 3. Code 1, 2 & 3. Code 1, 2 & 3. Bye <now>',
      twiml,
      url: null,
      mediaUrls: [],
      status: 'queued',
      statusCallback: null,
      phoneNumberSid: body.phone_number_sid,
      dateCreated: '2026-03-01T12:00:00.000Z',
      dateUpdated: '2026-03-01T12:00:00.000Z',
    });
  });

  test('onMessage hears of each call', async (t) => {
    const seen = [];
    const sim = await startSim(t, { onMessage: (entry) => seen.push(entry) });
    await placeCall(sim, validCall());
    assert.deepEqual(
      seen.map((entry) => [entry.via, entry.body]),
      [['calls', 'Your code is 1, 2, 3, 4.']],
    );
  });

  const required = [
    ['no To', { To: undefined }, 21201, "No 'To' number is specified", 'To'],
    ['no From', { From: undefined }, 21213, "No 'From' number is specified", 'From'],
  ];
  for (const [name, overrides, code, message, field] of required) {
    test(`${name} answers 400 / ${code}`, async (t) => {
      const sim = await startSim(t);
      const result = await placeCall(sim, validCall(overrides), {
        requestProblems: [`required form parameter ${field} is missing`],
      });
      assertTwilioError(result, code, 400, message);
      assert.equal(sim.outbox.size, 0);
    });
  }

  test('neither Url, Twiml nor ApplicationSid answers 400 / 21205', async (t) => {
    const sim = await startSim(t);
    assertTwilioError(
      await placeCall(sim, validCall({ Twiml: undefined })),
      21205,
      400,
      'Url parameter is required. For more information, see http://www.twilio.com/docs/api/twiml',
    );
  });

  test('a Url call is placed without words; the simulator does not fetch it', async (t) => {
    const sim = await startSim(t);
    const url = 'https://example.com/twiml/code.xml';
    assert.equal((await placeCall(sim, validCall({ Twiml: undefined, Url: url }))).status, 201);
    const [entry] = sim.outbox.list();
    assert.equal(entry.url, url);
    assert.equal(entry.body, null);
    assert.equal(entry.twiml, null);
  });

  test('with both Url and Twiml, Twilio uses the Url and ignores the Twiml', async (t) => {
    const sim = await startSim(t);
    const result = await placeCall(
      sim,
      validCall({ Url: 'https://example.com/t', Twiml: '<oops' }),
    );
    assert.equal(result.status, 201);
  });

  test('a Url that is not an http(s) URL answers 400 / 21205', async (t) => {
    const sim = await startSim(t);
    assertTwilioError(
      await placeCall(sim, validCall({ Twiml: undefined, Url: 'Your code is 1234' })),
      21205,
      400,
      'Url is not a valid URL: Your code is 1234',
    );
  });

  test('an ApplicationSid answers 400 / 21218: the simulator has no Applications', async (t) => {
    const sim = await startSim(t);
    const result = await placeCall(sim, validCall({ ApplicationSid: `AP${'0'.repeat(32)}` }));
    assertTwilioError(result, 21218);
  });

  const numberCases = [
    ['To not in E.164', { To: '4155550100' }, 21211],
    ['From not in E.164', { From: 'ACME' }, 21212],
    ['the magic invalid From', { From: '+15005550001' }, 21212],
    ['a From the account does not own', { From: '+14155550199' }, 21210],
    ['a WhatsApp To', { To: `whatsapp:${RECIPIENT}` }, 21211],
  ];
  for (const [name, overrides, code] of numberCases) {
    test(`${name} answers 400 / ${code}`, async (t) => {
      const sim = await startSim(t);
      assertTwilioError(await placeCall(sim, validCall(overrides)), code);
    });
  }

  test("a From the account does not own names it in Twilio's words", async (t) => {
    const sim = await startSim(t);
    const result = await placeCall(sim, validCall({ From: '+14155550199' }));
    assert.equal(
      result.body.message,
      "The source phone number provided, +14155550199, is not yet verified for your account. You may only make calls from phone numbers that you've verified or purchased from Twilio.",
    );
  });

  test('a voice-only number of the account may call', async (t) => {
    const sim = await startSim(t);
    assert.equal((await placeCall(sim, validCall({ From: VOICE_ONLY_NUMBER }))).status, 201);
  });

  test('a number of the account without voice answers 400 / 21210', async (t) => {
    const sim = await startSim(t, {
      accounts: [
        {
          ...FULL_ACCOUNT,
          numbers: [{ phoneNumber: '+14155550177', capabilities: { voice: false, sms: true } }],
        },
      ],
    });
    assertTwilioError(await placeCall(sim, validCall({ From: '+14155550177' })), 21210);
  });

  for (const [to, code] of [
    ['+15005550001', 21217],
    ['+15005550002', 21214],
    ['+15005550003', 21215],
    ['+15005550004', 21216],
  ]) {
    test(`the magic To ${to} answers 400 / ${code}`, async (t) => {
      const sim = await startSim(t);
      assert.ok(MAGIC_CALL_TO[to]);
      assertTwilioError(await placeCall(sim, validCall({ To: to })), code);
    });
  }

  test('test credentials may call from +15005550006, and from nothing else', async (t) => {
    const sim = await startSim(t);
    assert.equal((await placeCall(sim, validCall(), { as: TEST_CREDENTIALS_ACCOUNT })).status, 201);
    const other = await placeCall(sim, validCall({ From: '+15005550005' }), {
      as: TEST_CREDENTIALS_ACCOUNT,
    });
    assertTwilioError(other, 21210);
  });

  test('a Trial account may call only verified numbers (400 / 21219 otherwise)', async (t) => {
    const sim = await startSim(t);
    assertTwilioError(await placeCall(sim, validCall(), { as: TRIAL_ACCOUNT }), 21219);
    const verified = await placeCall(sim, validCall({ To: VERIFIED_NUMBER }), {
      as: TRIAL_ACCOUNT,
    });
    assert.equal(verified.status, 201);
  });

  const optionCases = [
    ['Method PUT', { Method: 'PUT' }, 21209, ['form Method: "PUT" is not one of GET, POST']],
    ['Timeout 0', { Timeout: '0' }, 21208, []],
    ['Timeout 601', { Timeout: '601' }, 21208, []],
    ['Timeout soon', { Timeout: 'soon' }, 21208, ['form Timeout: "soon" is not an integer']],
    ['SendDigits with letters', { SendDigits: 'xyz' }, 21206, []],
  ];
  for (const [name, overrides, code, requestProblems] of optionCases) {
    test(`${name} answers 400 / ${code}`, async (t) => {
      const sim = await startSim(t);
      assertTwilioError(await placeCall(sim, validCall(overrides), { requestProblems }), code);
    });
  }

  test('a wrong token answers 401 / 20003 and GET answers 405 / 20004 with Allow POST', async (t) => {
    const sim = await startSim(t);
    const bad = await placeCall(sim, validCall(), { auth: basic(FULL_ACCOUNT.sid, 'nope') });
    assertTwilioError(bad, 20003, 401);
    const path = `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Calls.json`;
    const get = await call(sim, 'GET', path, {
      requestProblems: [`no operation GET ${path} in Twilio's OpenAPI`],
    });
    assertTwilioError(get, 20004, 405);
    assert.equal(get.headers.get('allow'), 'POST');
  });
});

describe('Twiml', () => {
  const refused = [
    ['an unclosed element', '<Response><Say>Hi</Response>', 12100],
    ['a mismatched closing tag', '<Response><Say>Hi</Pause></Response>', 12100],
    ['a bare ampersand', SAY('A & B'), 12100],
    ['an unknown entity', SAY('&nbsp;'), 12100],
    ['content after the root', `${SAY('Hi')}<Say/>`, 12100],
    ['an unquoted attribute', '<Response><Pause length=2/></Response>', 12100],
    ['a space before the XML declaration', ` <?xml version="1.0"?>${SAY('Hi')}`, 12100],
    ['a DOCTYPE', `<!DOCTYPE x>${SAY('Hi')}`, 12100],
    ['plain text', 'Your code is 1234', 12100],
    ['another root element', '<Say>Hi</Say>', 12102],
    ['a verb the simulator does not play', '<Response><Dial>+14155550100</Dial></Response>', 12200],
    ['a verb in the wrong case', '<Response><say>Hi</say></Response>', 12200],
    ['an unknown attribute', '<Response><Say colour="red">Hi</Say></Response>', 12200],
    ['a Pause of 0 seconds', '<Response><Pause length="0"/></Response>', 12200],
    ['a Pause with text', '<Response><Pause>1</Pause></Response>', 12200],
    ['a loop that is no number', '<Response><Say loop="twice">Hi</Say></Response>', 12200],
    ['text directly in Response', '<Response>Hi</Response>', 12200],
    ['a Play without a URL', '<Response><Play/></Response>', 12200],
    ['Play digits with letters', '<Response><Play digits="12x"/></Response>', 12200],
  ];
  for (const [name, twiml, code] of refused) {
    test(`${name} answers 400 / ${code}`, async (t) => {
      const sim = await startSim(t);
      assertTwilioError(await placeCall(sim, validCall({ Twiml: twiml })), code);
      assert.equal(sim.outbox.size, 0);
    });
  }

  test('4000 characters are accepted, 4001 answer 400 / 11750', async (t) => {
    const sim = await startSim(t);
    const frame = SAY('').length;
    const exactly = SAY('a'.repeat(4000 - frame));
    assert.equal(exactly.length, 4000);
    assert.equal((await placeCall(sim, validCall({ Twiml: exactly }))).status, 201);
    assertTwilioError(
      await placeCall(sim, validCall({ Twiml: SAY('a'.repeat(4001 - frame)) })),
      11750,
    );
  });

  test('Play digits and an empty Response are accepted and say nothing', async (t) => {
    const sim = await startSim(t);
    await placeCall(sim, validCall({ Twiml: '<Response><Play digits="ww12#"/></Response>' }));
    await placeCall(sim, validCall({ Twiml: '<Response/>' }));
    assert.deepEqual(
      sim.outbox.list().map((entry) => entry.body),
      ['', ''],
    );
  });
});

describe('the request log', () => {
  test('GET /_sim/requests lists each API request in order, form pairs as sent', async (t) => {
    const sim = await startSim(t);
    await call(sim, 'POST', `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Messages.json`, {
      form: [
        ['To', RECIPIENT],
        ['From', SMS_NUMBER],
        ['Body', 'Hi'],
        ['MediaUrl', 'https://example.com/a.png'],
        ['MediaUrl', 'https://example.com/b.png'],
      ],
    });
    const path = `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/IncomingPhoneNumbers.json`;
    await fetch(`${sim.url}${path}?PhoneNumber=%2B15005550006&PageSize=5`, {
      headers: { Authorization: basic(API_KEY.sid, API_KEY.secret) },
    });
    await fetch(`${sim.url}/_sim/health`);
    const response = await fetch(`${sim.url}/_sim/requests`);
    const text = await response.text();
    assert.equal(response.status, 200);
    const { requests } = JSON.parse(text);
    assert.deepEqual(
      requests.map(({ at, ...rest }) => rest),
      [
        {
          method: 'POST',
          path: `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Messages.json`,
          query: [],
          form: [
            ['To', RECIPIENT],
            ['From', SMS_NUMBER],
            ['Body', 'Hi'],
            ['MediaUrl', 'https://example.com/a.png'],
            ['MediaUrl', 'https://example.com/b.png'],
          ],
          username: FULL_ACCOUNT.sid,
        },
        {
          method: 'GET',
          path,
          query: [
            ['PhoneNumber', SMS_NUMBER],
            ['PageSize', '5'],
          ],
          form: [],
          username: API_KEY.sid,
        },
      ],
    );
    assert.equal(requests[0].at, '2026-03-01T12:00:00.000Z');
    assert.ok(!text.includes(FULL_ACCOUNT.authToken), 'the auth token must never be logged');
    assert.ok(!text.includes(API_KEY.secret), 'the API key secret must never be logged');
    assert.ok(!/authorization/i.test(text), 'no header is logged');
    assert.deepEqual(sim.requests.list(), requests);
  });

  test('requests that a fault answers, or that are not form-encoded, are logged too', async (t) => {
    const sim = await startSim(t);
    sim.injectFault({ status: 500 });
    await placeCall(sim, validCall());
    await fetch(`${sim.url}/v2/Services/x`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"To":"+1"}',
    });
    assert.deepEqual(
      sim.requests.list().map((entry) => [entry.method, entry.path, entry.form.length]),
      [
        ['POST', `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Calls.json`, 3],
        ['POST', '/v2/Services/x', 0],
      ],
    );
  });

  test('DELETE /_sim/requests empties it', async (t) => {
    const sim = await startSim(t);
    await placeCall(sim, validCall());
    const response = await fetch(`${sim.url}/_sim/requests`, { method: 'DELETE' });
    assert.deepEqual(await response.json(), { requests: [] });
    assert.equal(sim.requests.size, 0);
  });
});

describe('openapi-check', () => {
  const messages = `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Messages.json`;

  test('a request as Twilio describes it has no problems', () => {
    const form = [
      ['To', RECIPIENT],
      ['From', SMS_NUMBER],
      ['Body', 'Hi'],
      ['MediaUrl', 'https://example.com/a.png'],
      ['MediaUrl', 'https://example.com/b.png'],
      ['SmartEncoded', 'true'],
      ['ValidityPeriod', '600'],
    ];
    assert.deepEqual(checkRequest({ method: 'POST', path: messages, form }), []);
  });

  test("each kind of request problem is found, in Twilio's terms", () => {
    const problems = checkRequest({
      method: 'POST',
      path: '/2010-04-01/Accounts/AC123/Messages.json',
      form: [
        ['From', SMS_NUMBER],
        ['From', SMS_NUMBER],
        ['Colour', 'blue'],
        ['SmartEncoded', 'yes'],
        ['ValidityPeriod', '10m'],
        ['TrafficType', 'marketing'],
        ['ContentSid', 'HX1'],
      ],
    });
    assert.deepEqual(problems, [
      'path AccountSid: "AC123" does not match ^AC[0-9a-fA-F]{32}$',
      'path AccountSid: "AC123" is shorter than 34',
      "form parameter Colour is not in Twilio's OpenAPI for this operation",
      'form SmartEncoded: "yes" is not true or false',
      'form ValidityPeriod: "10m" is not an integer',
      'form TrafficType: "marketing" is not one of free',
      'form ContentSid: "HX1" does not match ^HX[0-9a-fA-F]{32}$',
      'form ContentSid: "HX1" is shorter than 34',
      'form parameter From is repeated but is not a list',
      'required form parameter To is missing',
    ]);
  });

  test('query parameters and unknown operations are checked', () => {
    const path = `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/IncomingPhoneNumbers.json`;
    assert.deepEqual(checkRequest({ method: 'GET', path, query: { PageSize: '0', Beta: 'no' } }), [
      'query PageSize: 0 is below 1',
      'query Beta: "no" is not true or false',
    ]);
    assert.deepEqual(checkRequest({ method: 'DELETE', path: messages }), [
      `no operation DELETE ${messages} in Twilio's OpenAPI`,
    ]);
    assert.deepEqual(checkRequest({ method: 'GET', path, form: [['To', 'x']] }), [
      'GET /2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json takes no form body',
    ]);
  });

  test('a response is checked against its schema, nullable included, and for each property', () => {
    const path = `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}.json`;
    const account = {
      auth_token: null,
      date_created: 'Thu, 24 Aug 2023 05:01:45 +0000',
      date_updated: 'Thu, 24 Aug 2023 05:01:45 +0000',
      friendly_name: 'x',
      owner_account_sid: FULL_ACCOUNT.sid,
      sid: FULL_ACCOUNT.sid,
      status: 'active',
      subresource_uris: {},
      type: 'Full',
      uri: `${path}`,
    };
    assert.deepEqual(checkResponse('GET', path, 200, account), []);
    const { auth_token, ...withoutToken } = account;
    assert.deepEqual(
      checkResponse('GET', path, 200, { ...withoutToken, status: 'sleepy', extra: 1 }),
      [
        '/status must be equal to one of the allowed values',
        'property auth_token is missing',
        'property extra is not in the schema',
      ],
    );
    assert.deepEqual(checkResponse('GET', path, 200, { ...account, date_created: '2023-08-24' }), [
      '/date_created must match format "date-time-rfc-2822"',
    ]);
    assert.deepEqual(checkResponse('GET', path, 201, account), [
      'GET /2010-04-01/Accounts/{Sid}.json documents status 200, not 201',
    ]);
  });

  test("an error answer must be Twilio's error body with the HTTP status", () => {
    const body = {
      code: 20404,
      message: 'Not found',
      more_info: 'https://www.twilio.com/docs/errors/20404',
      status: 404,
    };
    assert.deepEqual(checkResponse('GET', '/anything', 404, body), []);
    assert.deepEqual(checkResponse('GET', '/anything', 400, { ...body, detail: 'x' }), [
      '(body) must NOT have additional properties',
      'body status 404 is not HTTP 400',
    ]);
  });
});
