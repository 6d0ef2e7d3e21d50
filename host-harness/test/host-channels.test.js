// Code backends and channels through the whole host against the simulator: registration through
// Twilio Verify and over WhatsApp, a code read out in a call, the fallback from one channel to the
// next, Verify's own refusals, TEST CONFIGURATION of a Verify service, and every request the
// plugin sent checked against Twilio's OpenAPI description.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { AUTH_TEMPLATE, FULL_ACCOUNT, SMS_NUMBER, VERIFY_SERVICE } = require('../src/twilio-sim');
const { consoleSession, getJson, outbox, postJson, startApp } = require('./host-helpers');
const { checkRequest } = require('./support/openapi-check');

const VERIFY = { codeBackend: 'verify', verifyServiceSid: VERIFY_SERVICE.sid };
/** A second service of the Full account, without a WhatsApp sender. */
const NO_WHATSAPP = `VA${'2'.repeat(32)}`;
const USER = { email: 'ada@example.com', password: 's3cret-pass' };

/** The code in the newest outbox entry to `to`: digits in a row, or read out one by one. */
async function newestCode(app, to) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const last = (await outbox(app.simulatorUrl, to)).at(-1);
    const match =
      last && (/\d(?:, \d){3,9}/.exec(last.body) ?? /(?<!\d)\d{4,10}(?!\d)/.exec(last.body));
    if (match) return { entry: last, code: match[0].replace(/, /g, '') };
    if (Date.now() > deadline) throw new Error(`no code to ${to}: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Every Twilio request the simulator received, with what the OpenAPI says is wrong with it. */
async function requestsSent(app) {
  const { body } = await getJson(`${app.simulatorUrl}/_sim/requests`);
  const requests = body.requests;
  for (const request of requests) {
    assert.deepEqual(checkRequest(request), [], `${request.method} ${request.path}`);
  }
  return requests;
}

const formOf = (request) => Object.fromEntries(request.form);

async function register(app, phoneNumber, extra = {}) {
  const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber, ...extra });
  return step1;
}

async function finish(app, phoneNumber, step1, code) {
  return postJson(`${app.url}/api/users/register`, {
    ...USER,
    phoneNumber,
    transactionId: step1.body.transactionId,
    transactionCode: code,
  });
}

test('a registration through Twilio Verify over WhatsApp, checked by Verify', async (t) => {
  const { app } = await startApp(t, {
    pluginConfig: { ...VERIFY, channels: 'sms, whatsapp, call' },
  });
  const phone = '+14155552671';
  const step1 = await register(app, phone, { channel: 'whatsapp' });
  assert.equal(step1.status, 200, step1.text);
  assert.equal(step1.body.channel, 'whatsapp');
  const { entry, code } = await newestCode(app, phone);
  assert.equal(entry.via, 'verify');
  assert.equal(entry.channel, 'whatsapp');

  const wrongCode = code === '000000' ? '111111' : '000000';
  const wrong = await finish(app, phone, step1, wrongCode);
  assert.equal(wrong.status, 400, wrong.text);
  assert.equal(wrong.body.code, 'CODE_MISMATCH');
  const step2 = await finish(app, phone, step1, code);
  assert.equal(step2.status, 200, step2.text);
  assert.equal(step2.body.phoneNumberConfirmed, true);
  assert.equal(step2.body.phoneNumber, phone);

  const requests = await requestsSent(app);
  const [send, ...checks] = requests.filter((r) => r.path.startsWith('/v2/'));
  assert.equal(send.path, `/v2/Services/${VERIFY_SERVICE.sid}/Verifications`);
  assert.deepEqual(
    { To: formOf(send).To, Channel: formOf(send).Channel },
    { To: phone, Channel: 'whatsapp' },
  );
  assert.deepEqual(
    checks.map((r) => [r.path, formOf(r).Code]),
    [
      [
        `/v2/Services/${VERIFY_SERVICE.sid}/VerificationCheck`,
        wrong.body && formOf(checks[0]).Code,
      ],
      [`/v2/Services/${VERIFY_SERVICE.sid}/VerificationCheck`, code],
    ],
  );
  assert.ok(
    !requests.some((r) => r.path.endsWith('/Messages.json')),
    'Verify sent it, not the plugin',
  );
});

test("Verify's refusals in plain words, and the fallback from a landline's SMS to a call", async (t) => {
  const { app } = await startApp(t, { pluginConfig: { ...VERIFY, channels: 'sms, call' } });
  const landline = '+15005550009';
  const refused = await register(app, landline);
  assert.equal(refused.status, 400, refused.text);
  assert.equal(refused.body.code, 'TWILIO_REJECTED');
  assert.match(refused.body.message, /landline.*phone call/);
  assert.equal(refused.body.details.twilioCode, 60205);
  const geo = await register(app, '+15005550003');
  assert.match(geo.body.message, /country is not enabled|Codes to this country/);
  assert.equal(geo.body.details.twilioCode, 60605);

  const asked = await register(app, landline, { channel: 'call' });
  assert.equal(asked.status, 200, asked.text);
  assert.equal(asked.body.channel, 'call');

  const { app: fallback } = await startApp(t, {
    pluginConfig: { ...VERIFY, channels: 'sms, call', channelFallback: true },
  });
  const step1 = await register(fallback, landline);
  assert.equal(step1.status, 200, step1.text);
  assert.equal(step1.body.channel, 'call');
  const { entry, code } = await newestCode(fallback, landline);
  assert.equal(entry.channel, 'call');
  const step2 = await finish(fallback, landline, step1, code);
  assert.equal(step2.status, 200, step2.text);
  const channels = (await requestsSent(fallback))
    .filter((r) => r.path.endsWith('/Verifications'))
    .map((r) => formOf(r).Channel);
  assert.deepEqual(channels, ['sms', 'call']);
});

test('over WhatsApp through the Messages API, with the text or an authentication template', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { channels: 'whatsapp, sms' } });
  const phone = '+14155552672';
  const step1 = await register(app, phone);
  assert.equal(step1.body.channel, 'whatsapp');
  const { entry, code } = await newestCode(app, phone);
  assert.equal(entry.channel, 'whatsapp');
  assert.equal(entry.address, `whatsapp:${phone}`);
  assert.equal(entry.from, `whatsapp:${SMS_NUMBER}`);
  assert.match(entry.body, /^Your Demo App verification code is \d{6}\. It expires in 5 min\./);
  assert.equal((await finish(app, phone, step1, code)).status, 200);
  const bySms = await register(app, '+14155552673', { channel: 'sms' });
  assert.equal(bySms.body.channel, 'sms');
  assert.equal((await newestCode(app, '+14155552673')).entry.channel, 'sms');

  const { app: templated } = await startApp(t, {
    pluginConfig: { channels: 'whatsapp', whatsappContentSid: AUTH_TEMPLATE.sid },
  });
  const first = await register(templated, phone);
  const sent = await newestCode(templated, phone);
  assert.match(sent.entry.body, /^\*\d{6}\* is your verification code\. For your security/);
  assert.equal((await finish(templated, phone, first, sent.code)).status, 200);
  const [message] = (await requestsSent(templated)).filter((r) =>
    r.path.endsWith('/Messages.json'),
  );
  assert.equal(formOf(message).ContentSid, AUTH_TEMPLATE.sid);
  assert.deepEqual(JSON.parse(formOf(message).ContentVariables), { 1: sent.code });
});

test('a call reads the code digit by digit, twice, in the TwiML the Calls API takes', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { channels: 'call' } });
  const phone = '+14155552674';
  const step1 = await postJson(
    `${app.url}/api/users/register`,
    { phoneNumber: phone },
    { 'Accept-Language': 'fr-CA, en;q=0.5' },
  );
  assert.equal(step1.status, 200, step1.text);
  assert.equal(step1.body.channel, 'call');
  const { entry, code } = await newestCode(app, phone);
  assert.equal(entry.via, 'calls');
  const spoken = code.split('').join(', ');
  assert.equal(entry.body.split(spoken).length, 3, `read twice: ${entry.body}`);
  assert.match(entry.twiml, /^<Response><Say language="fr-FR">Votre code Demo App est /);
  assert.equal((await finish(app, phone, step1, code)).status, 200);
  const [call] = (await requestsSent(app)).filter((r) => r.path.endsWith('/Calls.json'));
  assert.equal(formOf(call).From, SMS_NUMBER);
});

test('a channel the app does not allow is refused, and nothing is sent', async (t) => {
  const { app } = await startApp(t);
  const answer = await register(app, '+14155552675', { channel: 'whatsapp' });
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 'INVALID_INPUT');
  assert.match(
    answer.body.message,
    /`channel` must be one of the channels this app sends codes over: sms/,
  );
  assert.deepEqual(await outbox(app.simulatorUrl, '+14155552675'), []);
});

test('TEST CONFIGURATION finds the Verify service, or says where to copy its SID from', async (t) => {
  const { app } = await startApp(t, {
    simulatorOptions: {
      verifyServices: [VERIFY_SERVICE, { ...VERIFY_SERVICE, sid: NO_WHATSAPP, whatsappFrom: null }],
    },
  });
  const headers = await consoleSession(app);
  const testOf = async (overrides) => {
    const config = {
      accountSid: FULL_ACCOUNT.sid,
      authToken: FULL_ACCOUNT.authToken,
      senderPhoneNumber: SMS_NUMBER,
      twilioApiBaseUrl: app.simulatorUrl,
      ...overrides,
    };
    const { status, body } = await postJson(`${app.url}/console/api/test`, { config }, headers);
    assert.equal(status, 200, JSON.stringify(body));
    return Object.fromEntries(body.checks.map((check) => [check.name, check]));
  };
  const found = await testOf(VERIFY);
  assert.equal(found.sender.status, 'passed', found.sender.message);
  assert.match(found.sender.message, /The Verify service "Simulated Verify Service" exists/);
  const missing = await testOf({ ...VERIFY, verifyServiceSid: `VA${'1'.repeat(32)}` });
  assert.equal(missing.sender.status, 'failed');
  assert.match(missing.sender.message, /Console > Verify > Services/);
  const noSender = { ...VERIFY, verifyServiceSid: NO_WHATSAPP };
  assert.equal((await testOf(noSender)).sender.status, 'passed');
  const whatsapp = await testOf({ ...noSender, channels: 'whatsapp, sms' });
  assert.equal(whatsapp.sender.status, 'failed');
  assert.match(whatsapp.sender.message, /no WhatsApp sender, and channels has whatsapp/);
  const sixDigits = await testOf({ ...VERIFY, codeLength: 8 });
  assert.equal(sixDigits.sender.status, 'warning');
  assert.match(sixDigits.sender.message, /Set codeLength to 6/);
  const reads = (await requestsSent(app)).filter((r) => r.path.startsWith('/v2/'));
  assert.deepEqual(
    reads.map((r) => `${r.method} ${r.path}`),
    [VERIFY_SERVICE.sid, `VA${'1'.repeat(32)}`, NO_WHATSAPP, NO_WHATSAPP, VERIFY_SERVICE.sid].map(
      (sid) => `GET /v2/Services/${sid}`,
    ),
  );
});
