'use strict';
// WhatsApp on the simulator's Messages API: `whatsapp:+E164` addresses, the account's WhatsApp
// senders, Content API templates (ContentSid + ContentVariables), and how the outbox shows
// messages of every channel. Every answer is checked against Twilio's OpenAPI.

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');

const {
  AUTH_TEMPLATE,
  createSimulator,
  FULL_ACCOUNT,
  MESSAGING_SERVICE,
  SMS_NUMBER,
  TRIAL_ACCOUNT,
  VOICE_ONLY_NUMBER,
} = require('../src/twilio-sim');
const { authOf, checkedCall } = require('./support/sim-requests');

const RECIPIENT = '+14155550100';
const WA_RECIPIENT = `whatsapp:${RECIPIENT}`;
const WA_SENDER = `whatsapp:${SMS_NUMBER}`;
const AUTH_TEXT = '*123456* is your verification code. For your security, do not share this code.';

// ---------------------------------------------------------------------------------------------
// Helpers

async function startSim(t, options = {}) {
  const sim = createSimulator({ log: () => {}, callbackDelayMs: 5, ...options });
  await sim.start(0);
  t.after(() => sim.stop());
  return sim;
}

/** One request to the simulator, as the account `as` (default the Full account). */
const call = (sim, method, path, { as = FULL_ACCOUNT, ...options } = {}) =>
  checkedCall(sim, method, path, { auth: authOf(as), ...options });

const sendMessage = (sim, form, options = {}) =>
  call(sim, 'POST', `/2010-04-01/Accounts/${(options.as ?? FULL_ACCOUNT).sid}/Messages.json`, {
    form,
    ...options,
  });

const whatsapp = (overrides = {}) => ({
  To: WA_RECIPIENT,
  From: WA_SENDER,
  Body: 'Your code is 123456',
  ...overrides,
});

const template = (overrides = {}) =>
  whatsapp({
    Body: undefined,
    ContentSid: AUTH_TEMPLATE.sid,
    ContentVariables: '{"1":"123456"}',
    ...overrides,
  });

function assertTwilioError(result, code, message = undefined) {
  assert.equal(result.status, 400);
  assert.deepEqual(result.body, {
    code,
    message: message ?? result.body.message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status: 400,
  });
}

async function outboxFor(sim, to) {
  const response = await fetch(`${sim.url}/_sim/messages?to=${encodeURIComponent(to)}`);
  return (await response.json()).messages;
}

// ---------------------------------------------------------------------------------------------

describe('WhatsApp messages', () => {
  test('are accepted with whatsapp: To and From, shown with the prefix, as one segment', async (t) => {
    const sim = await startSim(t);
    const long = 'a'.repeat(200);
    const { status, body } = await sendMessage(sim, whatsapp({ Body: long }));
    assert.equal(status, 201);
    assert.equal(body.to, WA_RECIPIENT);
    assert.equal(body.from, WA_SENDER);
    assert.equal(body.body, long);
    assert.equal(body.num_segments, '1');
    assert.equal(body.status, 'queued');
  });

  test('reach the outbox with the bare number in to, the address in address', async (t) => {
    const sim = await startSim(t);
    const { body } = await sendMessage(sim, whatsapp());
    const [entry] = await outboxFor(sim, RECIPIENT);
    assert.equal(entry.sid, body.sid);
    assert.equal(entry.via, 'messages');
    assert.equal(entry.channel, 'whatsapp');
    assert.equal(entry.to, RECIPIENT);
    assert.equal(entry.address, WA_RECIPIENT);
    assert.equal(entry.from, WA_SENDER);
    assert.equal(entry.numSegments, 1);
    assert.deepEqual(
      (await outboxFor(sim, WA_RECIPIENT)).map((message) => message.sid),
      [body.sid],
    );
  });

  test('SMS and MMS entries name their channel and address too', async (t) => {
    const sim = await startSim(t);
    await sendMessage(sim, { To: RECIPIENT, From: SMS_NUMBER, Body: 'sms' });
    await sendMessage(sim, {
      To: RECIPIENT,
      From: SMS_NUMBER,
      MediaUrl: 'https://example.com/a.png',
    });
    assert.deepEqual(
      sim.outbox.list().map((entry) => [entry.via, entry.channel, entry.to, entry.address]),
      [
        ['messages', 'sms', RECIPIENT, RECIPIENT],
        ['messages', 'mms', RECIPIENT, RECIPIENT],
      ],
    );
  });

  for (const [name, overrides] of [
    ['a WhatsApp To from an SMS From', { From: SMS_NUMBER }],
    ['an SMS To from a WhatsApp From', { To: RECIPIENT }],
  ]) {
    test(`${name} answers 400 / 21910`, async (t) => {
      const sim = await startSim(t);
      assertTwilioError(
        await sendMessage(sim, whatsapp(overrides)),
        21910,
        'Invalid From and To pair. From and To should be of the same channel',
      );
      assert.equal(sim.outbox.size, 0);
    });
  }

  test('a WhatsApp From that is not a WhatsApp sender of the account answers 400 / 63007', async (t) => {
    const sim = await startSim(t);
    const message = 'Twilio could not find a Channel with the specified From address';
    assertTwilioError(
      await sendMessage(sim, whatsapp({ From: `whatsapp:${VOICE_ONLY_NUMBER}` })),
      63007,
      message,
    );
    // The Trial account owns +15005550006 for SMS, but has no WhatsApp sender.
    assertTwilioError(await sendMessage(sim, whatsapp(), { as: TRIAL_ACCOUNT }), 63007, message);
  });

  test('a WhatsApp To that is not E.164 inside answers 400 / 21211', async (t) => {
    const sim = await startSim(t);
    assertTwilioError(await sendMessage(sim, whatsapp({ To: 'whatsapp:4155550100' })), 21211);
  });

  for (const [number, code] of [
    ['+15005550001', 21211],
    ['+15005550002', 21612],
    ['+15005550004', 21610],
  ]) {
    test(`the magic To ${number} behind whatsapp: answers 400 / ${code}`, async (t) => {
      const sim = await startSim(t);
      assertTwilioError(await sendMessage(sim, whatsapp({ To: `whatsapp:${number}` })), code);
    });
  }

  test('delivery outcomes follow the number: whatsapp:+15005550010 ends undelivered 30003', async (t) => {
    const sim = await startSim(t);
    await sendMessage(sim, whatsapp({ To: 'whatsapp:+15005550010' }));
    await sim.settled();
    const [entry] = sim.outbox.list();
    assert.deepEqual([entry.status, entry.errorCode], ['undelivered', 30003]);
  });

  test("with a Messaging Service the service's sender sends as its WhatsApp address", async (t) => {
    const sim = await startSim(t);
    const { body } = await sendMessage(
      sim,
      whatsapp({ From: undefined, MessagingServiceSid: MESSAGING_SERVICE.sid }),
    );
    assert.equal(body.status, 'accepted');
    assert.equal(body.from, null);
    await sim.settled();
    const fetched = await call(
      sim,
      'GET',
      `/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Messages/${body.sid}.json`,
    );
    assert.equal(fetched.body.from, WA_SENDER);
    assert.equal(fetched.body.to, WA_RECIPIENT);
    assert.equal(sim.outbox.list()[0].from, WA_SENDER);
  });
});

describe('Content API templates', () => {
  test("ContentSid with ContentVariables sends the template's text filled in", async (t) => {
    const sim = await startSim(t);
    const { status, body } = await sendMessage(sim, template());
    assert.equal(status, 201);
    assert.equal(body.body, AUTH_TEXT);
    assert.equal(sim.outbox.list()[0].body, AUTH_TEXT);
  });

  test('the template wins over a Body, and works over SMS too', async (t) => {
    const sim = await startSim(t);
    await sendMessage(sim, template({ Body: 'ignored' }));
    await sendMessage(sim, template({ To: RECIPIENT, From: SMS_NUMBER }));
    assert.deepEqual(
      sim.outbox.list().map((entry) => [entry.channel, entry.body]),
      [
        ['whatsapp', AUTH_TEXT],
        ['sms', AUTH_TEXT],
      ],
    );
  });

  test('an unknown ContentSid answers 400 / 21655', async (t) => {
    const sim = await startSim(t);
    assertTwilioError(
      await sendMessage(sim, template({ ContentSid: `HX${'f'.repeat(32)}` })),
      21655,
    );
  });

  const badVariables = [
    ['not JSON', '{1: 123456}'],
    ['a JSON array', '["123456"]'],
    ['a nested value', '{"1":{"code":"123456"}}'],
    ['without the variable the template needs', '{"2":"123456"}'],
  ];
  for (const [name, variables] of badVariables) {
    test(`ContentVariables ${name} answers 400 / 21656`, async (t) => {
      const sim = await startSim(t);
      assertTwilioError(
        await sendMessage(sim, template({ ContentVariables: variables })),
        21656,
        'The ContentVariables Parameter is invalid',
      );
      assert.equal(sim.outbox.size, 0);
    });
  }

  test('the contentTemplates option replaces the templates; one may belong to an account', async (t) => {
    const own = { sid: `HX${'1'.repeat(32)}`, body: 'Code {{1}} for {{2}}' };
    const trialOnly = { sid: `HX${'2'.repeat(32)}`, body: 'x', accountSid: TRIAL_ACCOUNT.sid };
    const sim = await startSim(t, { contentTemplates: [own, trialOnly] });
    assertTwilioError(await sendMessage(sim, template()), 21655);
    assertTwilioError(await sendMessage(sim, template({ ContentSid: trialOnly.sid })), 21655);
    const { body } = await sendMessage(
      sim,
      template({ ContentSid: own.sid, ContentVariables: '{"1":"42","2":"Demo"}' }),
    );
    assert.equal(body.body, 'Code 42 for Demo');
  });
});
