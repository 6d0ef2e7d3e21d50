// Channels and code backends in every build: the request's `channel` (registration, the app's
// own verification) within the configuration's `channels`, the channel each answer names, the
// Twilio call each makes (Messages with whatsapp: addresses, Calls with TwiML, Verify v2), and
// the new settings' validation.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { BUILDS } = require('./support/builds');
const { rejectsWith, setupFor, signedIn } = require('./support/plugin-calls');
const { baseConfig } = require('./support/memory-host');

const PHONE = '+14155552671';
const SERVICE = `VA${'0'.repeat(32)}`;
const ctx = { requestId: 'r1', appName: 'Acme' };

const json = (status, body) => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const verification = (status) =>
  json(201, { sid: `VE${'1'.repeat(32)}`, to: PHONE, channel: 'sms', status, valid: false });

for (const build of BUILDS) {
  const { TwilioPlugin } = build;
  const setup = setupFor(TwilioPlugin);

  describe(build.name, () => {
    test('the channel a request asks for, among the allowed, carries the code', async () => {
      const { mem, plugin } = await setup({ channels: 'sms, whatsapp, call' });
      const started = await plugin.startVerification(signedIn('U1'), {
        phoneNumber: PHONE,
        channel: 'call',
      });
      assert.equal(started.channel, 'call');
      const call = mem.state.requests.at(-1);
      assert.match(call.url, /\/Calls\.json$/);
      const twiml = new URLSearchParams(call.body).get('Twiml');
      assert.match(twiml, /^<Response><Say>Your Acme verification code is (\d, ){5}\d\./);

      mem.state.nowMs += 3_600_000;
      const first = await plugin.beforeRegister(ctx, { phoneNumber: PHONE, channel: 'whatsapp' });
      assert.equal(first.body.channel, 'whatsapp');
      const form = new URLSearchParams(mem.state.requests.at(-1).body);
      assert.equal(form.get('To'), `whatsapp:${PHONE}`);

      const err = await rejectsWith(
        plugin.startVerification(signedIn('U1'), { phoneNumber: PHONE, channel: 'fax' }),
        'INVALID_INPUT',
      );
      assert.equal(err.details.field, 'channel');
    });

    test('through Verify: the service sends and checks, the plugin keeps the transaction', async () => {
      const { mem, plugin } = await setup({ codeBackend: 'verify', verifyServiceSid: SERVICE });
      mem.state.replies.push(verification('pending'));
      const first = await plugin.beforeRegister(
        { ...ctx, locale: 'de-CH, de;q=0.9' },
        { phoneNumber: PHONE },
      );
      assert.equal(first.body.channel, 'sms');
      const sent = mem.state.requests.at(-1);
      assert.equal(sent.url, `https://verify.twilio.com/v2/Services/${SERVICE}/Verifications`);
      const form = new URLSearchParams(sent.body);
      assert.deepEqual(
        [form.get('To'), form.get('Channel'), form.get('Locale')],
        [PHONE, 'sms', 'de'],
      );

      mem.state.replies.push(json(200, { status: 'approved', valid: true, to: PHONE }));
      const second = await plugin.beforeRegister(ctx, {
        email: 'ada@example.com',
        password: 'pw-123456',
        phoneNumber: PHONE,
        transactionId: first.body.transactionId,
        transactionCode: '123456',
      });
      assert.equal(second.outcome ?? 'continue', 'continue');
      const check = new URLSearchParams(mem.state.requests.at(-1).body);
      assert.deepEqual([check.get('To'), check.get('Code')], [PHONE, '123456']);
    });

    test('the new settings are validated with what to write instead', async () => {
      const problems = async (overrides) =>
        (await TwilioPlugin.validateConfig(baseConfig(overrides))).problems.map((p) => p.field);
      assert.deepEqual(await problems({ codeBackend: 'verify' }), ['verifyServiceSid']);
      assert.deepEqual(await problems({ channels: 'sms, pigeon' }), ['channels']);
      assert.deepEqual(await problems({ channelFallback: 'yes' }), ['channelFallback']);
      assert.deepEqual(await problems({ whatsappContentSid: 'HX1' }), ['whatsappContentSid']);
      const verify = {
        codeBackend: 'verify',
        verifyServiceSid: SERVICE,
        channels: 'call, whatsapp',
      };
      assert.deepEqual(await problems(verify), []);
    });
  });
}
