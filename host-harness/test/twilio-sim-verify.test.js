'use strict';
// The simulator's Verify API (v2; real Twilio: https://verify.twilio.com): the service, sending
// a code (POST Verifications), reading it back (GET Verifications/{Sid}) and checking it
// (POST VerificationCheck), with Verify's own limits. Every answer is checked against Twilio's
// OpenAPI (test/support/openapi-check.js), and so is every request meant to be valid.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');

const {
  API_KEY,
  createSimulator,
  FULL_ACCOUNT,
  SUSPENDED_ACCOUNT,
  TEST_CREDENTIALS_ACCOUNT,
  TRIAL_ACCOUNT,
  VERIFY_MAGIC_TO,
  VERIFY_SERVICE,
} = require('../src/twilio-sim');
const { basic, checkedCall } = require('./support/sim-requests');
const oai = require('./support/twilio-oai/twilio_verify_v2.json');

const SERVICE = VERIFY_SERVICE.sid;
const RECIPIENT = '+14155550100';
const START = Date.parse('2026-03-01T12:00:00Z');
const MINUTE = 60 * 1000;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

// ---------------------------------------------------------------------------------------------
// Helpers

const FULL_AUTH = basic(FULL_ACCOUNT.sid, FULL_ACCOUNT.authToken);

/** A started simulator with a clock the test moves (`sim.clock.advance(ms)`). */
async function startSim(t, options = {}) {
  let now = START;
  const sim = createSimulator({ log: () => {}, now: () => now, ...options });
  await sim.start(0);
  t.after(() => sim.stop());
  sim.clock = {
    advance: (ms) => {
      now += ms;
    },
  };
  return sim;
}

/** One request to the simulator, as the Full account unless `auth` says otherwise. */
const call = (sim, method, path, { auth = FULL_AUTH, ...options } = {}) =>
  checkedCall(sim, method, path, { auth, ...options });

const startVerification = (sim, form, options) =>
  call(sim, 'POST', `/v2/Services/${SERVICE}/Verifications`, { form, ...options });
const checkCode = (sim, form, options) =>
  call(sim, 'POST', `/v2/Services/${SERVICE}/VerificationCheck`, { form, ...options });
const fetchVerification = (sim, sid) =>
  call(sim, 'GET', `/v2/Services/${SERVICE}/Verifications/${sid}`);

function assertTwilioError(result, code, status, message) {
  assert.equal(result.status, status);
  assert.deepEqual(result.body, {
    code,
    message: message ?? result.body.message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  });
}

/** The code in the last Verify send to `to`, read from the outbox like a test of the plugin would. */
function lastCode(sim, to = RECIPIENT) {
  const entry = sim.outbox.list({ to }).at(-1);
  return /\d{4,10}/.exec(entry.body.replace(/, /g, ''))[0];
}

const schemaProperties = (name) => Object.keys(oai.components.schemas[name].properties).sort();

// ---------------------------------------------------------------------------------------------

describe('GET /v2/Services/{Sid}', () => {
  test("answers 200 with every property of Twilio's Service schema and the fixture's values", async (t) => {
    const sim = await startSim(t);
    const { status, body } = await call(sim, 'GET', `/v2/Services/${SERVICE}`);
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body).sort(), schemaProperties('verify.v2.service'));
    assert.equal(body.sid, SERVICE);
    assert.equal(body.account_sid, FULL_ACCOUNT.sid);
    assert.equal(body.friendly_name, 'Simulated Verify Service');
    assert.equal(body.code_length, 6);
    assert.equal(body.custom_code_enabled, false);
    assert.deepEqual(body.whatsapp, { msg_service_sid: null, from: '+15005550006' });
    assert.match(body.date_created, ISO_SECONDS);
    assert.equal(body.url, `${sim.url}/v2/Services/${SERVICE}`);
    assert.equal(body.links.verifications, `${body.url}/Verifications`);
    assert.equal(body.links.verification_checks, `${body.url}/VerificationCheck`);
  });

  test('an API key of the account may read it', async (t) => {
    const sim = await startSim(t);
    const result = await call(sim, 'GET', `/v2/Services/${SERVICE}`, {
      auth: basic(API_KEY.sid, API_KEY.secret),
    });
    assert.equal(result.status, 200);
  });

  test('a wrong token, no credentials or a suspended account answer 401 / 20003', async (t) => {
    const sim = await startSim(t);
    for (const auth of [
      basic(FULL_ACCOUNT.sid, 'wrong_token_0000000000000000000'),
      null,
      basic(SUSPENDED_ACCOUNT.sid, SUSPENDED_ACCOUNT.authToken),
    ]) {
      const result = await call(sim, 'GET', `/v2/Services/${SERVICE}`, { auth });
      assertTwilioError(result, 20003, 401, 'Authenticate');
      assert.equal(result.headers.get('www-authenticate'), 'Basic realm="Twilio API"');
    }
  });

  test('test credentials answer 403 / 20008', async (t) => {
    const sim = await startSim(t);
    const result = await startVerification(
      sim,
      { To: RECIPIENT, Channel: 'sms' },
      { auth: basic(TEST_CREDENTIALS_ACCOUNT.sid, TEST_CREDENTIALS_ACCOUNT.authToken) },
    );
    assertTwilioError(result, 20008, 403);
    assert.equal(sim.outbox.size, 0);
  });

  test('a wrong method answers 405 / 20004 with Allow', async (t) => {
    const sim = await startSim(t);
    const noSuchOperation = (method, path) => [
      `no operation ${method} ${path} in Twilio's OpenAPI`,
    ];
    const post = await call(sim, 'POST', `/v2/Services/${SERVICE}`, {
      form: { FriendlyName: 'x' },
      requestProblems: noSuchOperation('POST', `/v2/Services/${SERVICE}`),
    });
    assertTwilioError(post, 20004, 405, 'Method not allowed');
    assert.equal(post.headers.get('allow'), 'GET');
    const path = `/v2/Services/${SERVICE}/Verifications`;
    const get = await call(sim, 'GET', path, { requestProblems: noSuchOperation('GET', path) });
    assertTwilioError(get, 20004, 405, 'Method not allowed');
    assert.equal(get.headers.get('allow'), 'POST');
  });

  test("an unknown service, or another account's, answers 404 / 20404 naming the path", async (t) => {
    const sim = await startSim(t);
    const unknown = `VA${'f'.repeat(32)}`;
    assertTwilioError(
      await call(sim, 'GET', `/v2/Services/${unknown}`),
      20404,
      404,
      `The requested resource /v2/Services/${unknown} was not found`,
    );
    const other = await call(sim, 'GET', `/v2/Services/${SERVICE}`, {
      auth: basic(TRIAL_ACCOUNT.sid, TRIAL_ACCOUNT.authToken),
    });
    assertTwilioError(
      other,
      20404,
      404,
      `The requested resource /v2/Services/${SERVICE} was not found`,
    );
  });

  test('a /v2 path the simulator does not serve answers 404 / 20404 without credentials', async (t) => {
    const sim = await startSim(t);
    const path = `/v2/Services/${SERVICE}/RateLimits`;
    const result = await call(sim, 'GET', path, {
      auth: null,
      requestProblems: [`no operation GET ${path} in Twilio's OpenAPI`],
    });
    assertTwilioError(result, 20404, 404, `The requested resource ${path} was not found`);
  });

  test('the verifyServices option replaces the default services', async (t) => {
    const own = {
      ...VERIFY_SERVICE,
      sid: `VA${'1'.repeat(32)}`,
      friendlyName: 'Own',
      codeLength: 4,
    };
    const sim = await startSim(t, { verifyServices: [own] });
    assert.equal((await call(sim, 'GET', `/v2/Services/${SERVICE}`)).status, 404);
    const { body } = await call(sim, 'GET', `/v2/Services/${own.sid}`);
    assert.equal(body.code_length, 4);
    const sent = await call(sim, 'POST', `/v2/Services/${own.sid}/Verifications`, {
      form: { To: RECIPIENT, Channel: 'sms' },
    });
    assert.equal(sent.status, 201);
    assert.match(sim.outbox.list()[0].body, /^Your Own verification code is: \d{4}$/);
  });
});

describe('POST /v2/Services/{ServiceSid}/Verifications', () => {
  test("answers 201 with every property of Twilio's Verification schema", async (t) => {
    const sim = await startSim(t);
    const { status, body } = await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    assert.equal(status, 201);
    assert.deepEqual(Object.keys(body).sort(), schemaProperties('verify.v2.service.verification'));
    assert.match(body.sid, /^VE[0-9a-f]{32}$/);
    assert.equal(body.service_sid, SERVICE);
    assert.equal(body.account_sid, FULL_ACCOUNT.sid);
    assert.equal(body.to, RECIPIENT);
    assert.equal(body.channel, 'sms');
    assert.equal(body.status, 'pending');
    assert.equal(body.valid, false);
    assert.equal(body.lookup.carrier.type, 'mobile');
    assert.equal(body.amount, null);
    assert.equal(body.payee, null);
    assert.equal(body.sna, null);
    assert.equal(body.date_created, '2026-03-01T12:00:00Z');
    assert.equal(body.url, `${sim.url}/v2/Services/${SERVICE}/Verifications/${body.sid}`);
    assert.equal(body.send_code_attempts.length, 1);
    const [attempt] = body.send_code_attempts;
    assert.match(attempt.attempt_sid, /^VL[0-9a-f]{32}$/);
    assert.equal(attempt.channel, 'sms');
    assert.equal(attempt.time, '2026-03-01T12:00:00Z');
  });

  test('the code sent lands in the outbox with the text the phone shows', async (t) => {
    const sim = await startSim(t);
    const { body } = await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    const entries = (await (await fetch(`${sim.url}/_sim/messages?to=%2B14155550100`)).json())
      .messages;
    assert.equal(entries.length, 1);
    const [entry] = entries;
    assert.match(entry.body, /^Your Simulated Verify Service verification code is: \d{6}$/);
    assert.deepEqual(
      { ...entry, body: undefined, attemptSid: undefined },
      {
        sid: body.sid,
        via: 'verify',
        channel: 'sms',
        accountSid: FULL_ACCOUNT.sid,
        serviceSid: SERVICE,
        attemptSid: undefined,
        to: RECIPIENT,
        address: RECIPIENT,
        from: null,
        body: undefined,
        locale: 'en',
        mediaUrls: [],
        status: 'sent',
        dateCreated: '2026-03-01T12:00:00.000Z',
        dateUpdated: '2026-03-01T12:00:00.000Z',
      },
    );
    assert.equal(entry.attemptSid, body.send_code_attempts[0].attempt_sid);
  });

  test('codes are random digits of the code length', async (t) => {
    const sim = await startSim(t);
    const codes = new Set();
    for (let i = 0; i < 20; i += 1) {
      await startVerification(sim, { To: `+1415555${String(i).padStart(4, '0')}`, Channel: 'sms' });
    }
    for (const entry of sim.outbox.list()) codes.add(/\d{6}$/.exec(entry.body)[0]);
    assert.ok(codes.size > 15, `only ${codes.size} different codes in 20`);
  });

  test('CustomFriendlyName replaces the service name where Twilio enabled it, else 60204', async (t) => {
    const refusing = await startSim(t);
    const refused = await startVerification(refusing, {
      To: RECIPIENT,
      Channel: 'sms',
      CustomFriendlyName: 'Demo App',
    });
    assertTwilioError(refused, 60204, 400, 'Service does not support this feature');
    assert.equal(refusing.outbox.size, 0);
    const sim = await startSim(t, {
      verifyServices: [{ ...VERIFY_SERVICE, customFriendlyNameEnabled: true }],
    });
    await startVerification(sim, { To: RECIPIENT, Channel: 'sms', CustomFriendlyName: 'Demo App' });
    assert.match(sim.outbox.list()[0].body, /^Your Demo App verification code is: \d{6}$/);
  });

  test("AppHash follows the text on its own line, in Android's SMS Retriever format", async (t) => {
    const sim = await startSim(t);
    await startVerification(sim, { To: RECIPIENT, Channel: 'sms', AppHash: 'He42w354ol9' });
    assert.match(
      sim.outbox.list()[0].body,
      /^<#> Your Simulated Verify Service verification code is: \d{6}\nHe42w354ol9$/,
    );
  });

  test('AppHash with another channel than SMS answers 400 / 60602', async (t) => {
    const sim = await startSim(t);
    const result = await startVerification(sim, {
      To: RECIPIENT,
      Channel: 'call',
      AppHash: 'He42w354ol9',
    });
    assertTwilioError(result, 60602, 400);
    assert.equal(sim.outbox.size, 0);
  });

  const localeCases = [
    ['en', /^Your Simulated Verify Service verification code is: \d{6}$/],
    ['de', /^Ihr Simulated Verify Service Verifizierungscode lautet: \d{6}$/],
    ['fr', /^Votre code de vérification Simulated Verify Service est : \d{6}$/],
    ['es', /^Tu código de verificación de Simulated Verify Service es: \d{6}$/],
    ['pt', /^O seu código de verificação Simulated Verify Service é: \d{6}$/],
    ['pt-BR', /^Seu código de verificação Simulated Verify Service é: \d{6}$/],
    ['it', /^Il tuo codice di verifica Simulated Verify Service è: \d{6}$/],
    ['nl', /^Je Simulated Verify Service verificatiecode is: \d{6}$/],
    ['ja', /^Your Simulated Verify Service verification code is: \d{6}$/],
    ['en-GB', /^Your Simulated Verify Service verification code is: \d{6}$/],
  ];
  for (const [locale, text] of localeCases) {
    test(`Locale ${locale} gives the text ${text}`, async (t) => {
      const sim = await startSim(t);
      const result = await startVerification(sim, {
        To: RECIPIENT,
        Channel: 'sms',
        Locale: locale,
      });
      assert.equal(result.status, 201);
      assert.match(sim.outbox.list()[0].body, text);
      assert.equal(sim.outbox.list()[0].locale, locale);
    });
  }

  test("without Locale the number's country chooses the language", async (t) => {
    const sim = await startSim(t);
    await startVerification(sim, { To: '+4915112345678', Channel: 'sms' });
    await startVerification(sim, { To: '+5511912345678', Channel: 'sms' });
    assert.deepEqual(
      sim.outbox.list().map((entry) => entry.locale),
      ['de', 'pt-BR'],
    );
    assert.match(sim.outbox.list()[0].body, /^Ihr /);
  });

  test('a call says the code digit by digit', async (t) => {
    const sim = await startSim(t);
    const { body } = await startVerification(sim, { To: RECIPIENT, Channel: 'call' });
    assert.equal(body.channel, 'call');
    const [entry] = sim.outbox.list();
    assert.equal(entry.channel, 'call');
    assert.match(entry.body, /^Your Simulated Verify Service verification code is: (\d, ){5}\d\.$/);
  });

  test("WhatsApp sends Meta's authentication template from the service's WhatsApp sender", async (t) => {
    const sim = await startSim(t);
    const { status, body } = await startVerification(sim, { To: RECIPIENT, Channel: 'whatsapp' });
    assert.equal(status, 201);
    assert.equal(body.channel, 'whatsapp');
    assert.equal(body.to, RECIPIENT);
    const [entry] = sim.outbox.list({ to: RECIPIENT });
    assert.match(
      entry.body,
      /^\*\d{6}\* is your verification code\. For your security, do not share this code\.$/,
    );
    assert.equal(entry.channel, 'whatsapp');
    assert.equal(entry.address, `whatsapp:${RECIPIENT}`);
    assert.equal(entry.from, 'whatsapp:+15005550006');
  });

  test('WhatsApp on a service without a WhatsApp sender answers 400 / 68008', async (t) => {
    const sim = await startSim(t, {
      verifyServices: [{ ...VERIFY_SERVICE, whatsappFrom: null }],
    });
    const result = await startVerification(sim, { To: RECIPIENT, Channel: 'whatsapp' });
    assertTwilioError(result, 68008, 400, 'Verify WhatsApp channel not configured');
  });

  test('a channel the service has disabled answers 400 / 60223', async (t) => {
    const sim = await startSim(t, { verifyServices: [{ ...VERIFY_SERVICE, channels: ['sms'] }] });
    assertTwilioError(
      await startVerification(sim, { To: RECIPIENT, Channel: 'call' }),
      60223,
      400,
      'Delivery channel disabled',
    );
    assert.equal((await startVerification(sim, { To: RECIPIENT, Channel: 'sms' })).status, 201);
  });

  const invalid = [
    [
      'no To',
      { Channel: 'sms' },
      'Invalid parameter `To`: ',
      ['required form parameter To is missing'],
    ],
    ['To not in E.164', { To: '4155550100', Channel: 'sms' }, 'Invalid parameter `To`: 4155550100'],
    [
      'the magic invalid To',
      { To: '+15005550001', Channel: 'sms' },
      'Invalid parameter `To`: +15005550001',
    ],
    [
      'no Channel',
      { To: RECIPIENT },
      'Invalid parameter `Channel`: ',
      ['required form parameter Channel is missing'],
    ],
    ['Channel email', { To: RECIPIENT, Channel: 'email' }, 'Invalid parameter `Channel`: email'],
    ['Channel sna', { To: RECIPIENT, Channel: 'sna' }, 'Invalid parameter `Channel`: sna'],
    ['Channel auto', { To: RECIPIENT, Channel: 'auto' }, 'Invalid parameter `Channel`: auto'],
    ['Channel SMS', { To: RECIPIENT, Channel: 'SMS' }, 'Invalid parameter `Channel`: SMS'],
    [
      'an unsupported Locale',
      { To: RECIPIENT, Channel: 'sms', Locale: 'xx' },
      'Invalid parameter `Locale`',
    ],
    [
      'a Locale that is no tag',
      { To: RECIPIENT, Channel: 'sms', Locale: 'en_US!' },
      'Invalid parameter `Locale`',
    ],
    [
      'an unknown RiskCheck',
      { To: RECIPIENT, Channel: 'sms', RiskCheck: 'maybe' },
      'Invalid parameter `RiskCheck`',
      ['form RiskCheck: "maybe" is not one of enable, disable'],
    ],
  ];
  for (const [name, form, message, requestProblems = []] of invalid) {
    test(`${name} answers 400 / 60200 "${message}"`, async (t) => {
      const sim = await startSim(t);
      assertTwilioError(
        await startVerification(sim, form, { requestProblems }),
        60200,
        400,
        message,
      );
      assert.equal(sim.outbox.size, 0, 'a refused verification sends nothing');
    });
  }

  test("form parameters Twilio's OpenAPI does not list are ignored, as Twilio ignores them", async (t) => {
    const sim = await startSim(t);
    const result = await startVerification(
      sim,
      { To: RECIPIENT, Channel: 'sms', Colour: 'blue' },
      { requestProblems: ["form parameter Colour is not in Twilio's OpenAPI for this operation"] },
    );
    assert.equal(result.status, 201);
  });

  test('CustomCode on a service without custom codes answers 400 / 60204', async (t) => {
    const sim = await startSim(t);
    const result = await startVerification(sim, {
      To: RECIPIENT,
      Channel: 'sms',
      CustomCode: '4321',
    });
    assertTwilioError(result, 60204, 400, 'Service does not support this feature');
  });

  test('CustomCode on a service that allows it is the code sent and checked', async (t) => {
    const sim = await startSim(t, {
      verifyServices: [{ ...VERIFY_SERVICE, customCodeEnabled: true }],
    });
    await startVerification(sim, { To: RECIPIENT, Channel: 'sms', CustomCode: '4321' });
    assert.match(sim.outbox.list()[0].body, /is: 4321$/);
    const checked = await checkCode(sim, { To: RECIPIENT, Code: '4321' });
    assert.equal(checked.body.status, 'approved');
    const short = await startVerification(sim, {
      To: '+14155550111',
      Channel: 'sms',
      CustomCode: '12',
    });
    assertTwilioError(short, 60200, 400, 'Invalid parameter `CustomCode`');
  });
});

describe('Verify magic numbers', () => {
  test('the exported table names each magic To', () => {
    assert.deepEqual(Object.keys(VERIFY_MAGIC_TO).sort(), [
      '+15005550001',
      '+15005550003',
      '+15005550009',
      '+15005550010',
    ]);
  });

  test('+15005550009 by SMS answers 400 / 60205; a call to it works and shows a landline', async (t) => {
    const sim = await startSim(t);
    assertTwilioError(
      await startVerification(sim, { To: '+15005550009', Channel: 'sms' }),
      60205,
      400,
      'SMS is not supported by landline phone number',
    );
    const call = await startVerification(sim, { To: '+15005550009', Channel: 'call' });
    assert.equal(call.status, 201);
    assert.equal(call.body.lookup.carrier.type, 'landline');
  });

  for (const channel of ['sms', 'call', 'whatsapp']) {
    test(`+15005550003 by ${channel} answers 403 / 60605 (geo permissions)`, async (t) => {
      const sim = await startSim(t);
      assertTwilioError(
        await startVerification(sim, { To: '+15005550003', Channel: channel }),
        60605,
        403,
        'Verification delivery attempt blocked',
      );
      assert.equal(sim.outbox.size, 0);
    });
  }

  test('+15005550010 by SMS answers 403 / 60410 (Fraud Guard), unless RiskCheck=disable', async (t) => {
    const sim = await startSim(t);
    assertTwilioError(
      await startVerification(sim, { To: '+15005550010', Channel: 'sms' }),
      60410,
      403,
      'Verification delivery attempt blocked',
    );
    const bypassed = await startVerification(sim, {
      To: '+15005550010',
      Channel: 'sms',
      RiskCheck: 'disable',
    });
    assert.equal(bypassed.status, 201);
  });

  test('+15005550010 by call is not held back: Fraud Guard watches SMS only', async (t) => {
    const sim = await startSim(t);
    assert.equal(
      (await startVerification(sim, { To: '+15005550010', Channel: 'call' })).status,
      201,
    );
  });
});

describe('a pending verification', () => {
  test('is reused for the same To: same sid and code, one more attempt, the new channel', async (t) => {
    const sim = await startSim(t);
    const first = await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    sim.clock.advance(MINUTE);
    const second = await startVerification(sim, { To: RECIPIENT, Channel: 'call' });
    assert.equal(second.status, 201);
    assert.equal(second.body.sid, first.body.sid);
    assert.equal(second.body.channel, 'call');
    assert.equal(second.body.date_created, first.body.date_created);
    assert.deepEqual(
      second.body.send_code_attempts.map((attempt) => [attempt.channel, attempt.time]),
      [
        ['sms', '2026-03-01T12:00:00Z'],
        ['call', '2026-03-01T12:01:00Z'],
      ],
    );
    const [sms, call] = sim.outbox.list({ to: RECIPIENT });
    assert.equal(sms.sid, call.sid);
    assert.equal(/\d{6}$/.exec(sms.body)[0], call.body.replace(/\D/g, ''));
    const other = await startVerification(sim, { To: '+14155550101', Channel: 'sms' });
    assert.notEqual(other.body.sid, first.body.sid);
  });

  test('takes 5 sends; the 6th answers 429 / 60203 and sends nothing', async (t) => {
    const sim = await startSim(t);
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await startVerification(sim, { To: RECIPIENT, Channel: 'sms' })).status, 201);
    }
    assertTwilioError(
      await startVerification(sim, { To: RECIPIENT, Channel: 'sms' }),
      60203,
      429,
      'Max send attempts reached',
    );
    assert.equal(sim.outbox.size, 5);
  });

  test('lives 10 minutes from its creation, resends included, then is gone', async (t) => {
    const sim = await startSim(t);
    const { body } = await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    sim.clock.advance(5 * MINUTE);
    await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    sim.clock.advance(5 * MINUTE - 1);
    assert.equal((await fetchVerification(sim, body.sid)).status, 200);
    sim.clock.advance(1);
    assert.equal((await fetchVerification(sim, body.sid)).status, 404);
    assertTwilioError(
      await checkCode(sim, { To: RECIPIENT, Code: lastCode(sim) }),
      20404,
      404,
      `The requested resource /Services/${SERVICE}/VerificationCheck was not found`,
    );
    const fresh = await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    assert.notEqual(fresh.body.sid, body.sid);
    assert.equal(fresh.body.send_code_attempts.length, 1);
  });

  test('GET Verifications/{Sid} answers it, or 404 / 20404 naming the resource', async (t) => {
    const sim = await startSim(t);
    const { body } = await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    const fetched = await fetchVerification(sim, body.sid);
    assert.equal(fetched.status, 200);
    assert.deepEqual(fetched.body, body);
    const unknown = `VE${'0'.repeat(32)}`;
    assertTwilioError(
      await fetchVerification(sim, unknown),
      20404,
      404,
      `The requested resource /Services/${SERVICE}/Verifications/${unknown} was not found`,
    );
  });
});

describe('POST /v2/Services/{ServiceSid}/VerificationCheck', () => {
  test('the right code by To answers 200 approved, and the verification is then gone', async (t) => {
    const sim = await startSim(t);
    const { body: started } = await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    sim.clock.advance(MINUTE);
    const { status, body } = await checkCode(sim, { To: RECIPIENT, Code: lastCode(sim) });
    assert.equal(status, 200);
    assert.deepEqual(
      Object.keys(body).sort(),
      schemaProperties('verify.v2.service.verification_check'),
    );
    assert.deepEqual(body, {
      sid: started.sid,
      service_sid: SERVICE,
      account_sid: FULL_ACCOUNT.sid,
      to: RECIPIENT,
      channel: 'sms',
      status: 'approved',
      valid: true,
      amount: null,
      payee: null,
      date_created: '2026-03-01T12:00:00Z',
      date_updated: '2026-03-01T12:01:00Z',
      sna_attempts_error_codes: [],
    });
    assertTwilioError(
      await checkCode(sim, { To: RECIPIENT, Code: lastCode(sim) }),
      20404,
      404,
      `The requested resource /Services/${SERVICE}/VerificationCheck was not found`,
    );
    assert.equal((await fetchVerification(sim, started.sid)).status, 404);
  });

  test('the right code by VerificationSid answers approved', async (t) => {
    const sim = await startSim(t);
    const { body: started } = await startVerification(sim, { To: RECIPIENT, Channel: 'whatsapp' });
    const { body } = await checkCode(sim, { VerificationSid: started.sid, Code: lastCode(sim) });
    assert.equal(body.status, 'approved');
    assert.equal(body.channel, 'whatsapp');
  });

  test('a wrong code answers 200 pending, valid false, and the right one still works', async (t) => {
    const sim = await startSim(t);
    await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    const code = lastCode(sim);
    const wrong = code === '000000' ? '111111' : '000000';
    const { status, body } = await checkCode(sim, { To: RECIPIENT, Code: wrong });
    assert.equal(status, 200);
    assert.equal(body.status, 'pending');
    assert.equal(body.valid, false);
    assert.equal((await checkCode(sim, { To: RECIPIENT, Code: code })).body.status, 'approved');
  });

  test('after 4 wrong codes the 5th check may still approve', async (t) => {
    const sim = await startSim(t);
    await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    for (let i = 0; i < 4; i += 1) await checkCode(sim, { To: RECIPIENT, Code: 'wrong1' });
    const { body } = await checkCode(sim, { To: RECIPIENT, Code: lastCode(sim) });
    assert.equal(body.status, 'approved');
  });

  test('after 5 wrong codes the 6th check, even right, answers 429 / 60202 and ends it', async (t) => {
    const sim = await startSim(t);
    const { body: started } = await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    for (let i = 0; i < 5; i += 1) {
      assert.equal(
        (await checkCode(sim, { To: RECIPIENT, Code: 'wrong1' })).body.status,
        'pending',
      );
    }
    assertTwilioError(
      await checkCode(sim, { To: RECIPIENT, Code: lastCode(sim) }),
      60202,
      429,
      'Max check attempts reached',
    );
    assert.equal((await checkCode(sim, { To: RECIPIENT, Code: lastCode(sim) })).status, 404);
    assert.equal((await fetchVerification(sim, started.sid)).status, 404);
  });

  test('no Code answers 400 / 60200', async (t) => {
    const sim = await startSim(t);
    await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    assertTwilioError(
      await checkCode(sim, { To: RECIPIENT }),
      60200,
      400,
      'Invalid parameter `Code`',
    );
  });

  test('neither To nor VerificationSid answers 400 / 60200', async (t) => {
    const sim = await startSim(t);
    assertTwilioError(
      await checkCode(sim, { Code: '123456' }),
      60200,
      400,
      "Either a 'To' number or 'VerificationSid' must be specified",
    );
  });

  test('a number without a pending verification answers 404 / 20404', async (t) => {
    const sim = await startSim(t);
    await startVerification(sim, { To: RECIPIENT, Channel: 'sms' });
    assertTwilioError(
      await checkCode(sim, { To: '+14155550199', Code: '123456' }),
      20404,
      404,
      `The requested resource /Services/${SERVICE}/VerificationCheck was not found`,
    );
  });
});
