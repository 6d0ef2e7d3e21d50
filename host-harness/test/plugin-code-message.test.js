// The code SMS in every build: its text in the user's language (ctx.locale: the app's
// messageTemplates, else a built-in text, else messageTemplate), and the lines phones and
// browsers read by themselves: the origin-bound last line `@domain #code` (webOtpDomain: WebOTP
// in Chrome, Safari's AutoFill) and the Android app hash (androidAppHash: the SMS Retriever),
// with the segment rules that keep such a message readable: one segment with an app hash, a
// warning beyond two.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { ACCOUNT_SID, AUTH_TOKEN } = require('./support/memory-host');
const { BUILDS } = require('./support/builds');
const { setupFor } = require('./support/plugin-calls');

const PHONE = '+14155552671';
const ctx = { requestId: 'r1', appName: 'Acme' };
const HASH = 'FA+9qCX9VSu';
/** 150 plain characters and a code: one segment alone, two with an app hash. */
const LONG = `Your {appName} verification code is {code}. ${'Do not share it. '.repeat(7)}`.trim();

const json = (status, body) => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const account = json(200, {
  sid: ACCOUNT_SID,
  friendly_name: 'Acme',
  status: 'active',
  type: 'Full',
});
const numbers = json(200, {
  incoming_phone_numbers: [{ phone_number: '+15005550006', capabilities: { sms: true } }],
  page: 0,
});

for (const build of BUILDS) {
  const { TwilioPlugin } = build;
  const setup = setupFor(TwilioPlugin);
  const config = (overrides) => ({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    senderPhoneNumber: '+15005550006',
    ...overrides,
  });

  describe(build.name, () => {
    test("the user's language chooses the text: built-in, the app's own, or the default", async () => {
      const { mem, plugin } = await setup();
      const textFor = async (locale, phone = PHONE) => {
        await plugin.beforeRegister({ ...ctx, locale }, { phoneNumber: phone });
        return mem.lastSmsBody();
      };
      assert.match(
        await textFor('de-DE'),
        /^Ihr Acme Code lautet \d{6}\. Er ist 5 Min\. gültig\. Geben Sie ihn nicht weiter\.$/,
      );
      assert.match(
        await textFor('ja, pt-BR;q=0.8, en;q=0.5', '+14155552672'),
        /^Seu código Acme é \d{6}\./,
      );
      assert.match(
        await textFor('xx', '+14155552673'),
        /^Your Acme verification code is \d{6}\. It expires in 5 min\./,
      );
      assert.match(await textFor(undefined, '+14155552674'), /^Your Acme verification code/);

      const own = { 'pt-BR': 'Código {appName}: {code} ({minutes} min)', de: 'Code: {code}' };
      for (const messageTemplates of [own, JSON.stringify(own)]) {
        const { mem: m, plugin: p } = await setup({ messageTemplates, codeTtlSeconds: 120 });
        await p.beforeRegister({ ...ctx, locale: 'pt-PT' }, { phoneNumber: PHONE });
        assert.match(m.lastSmsBody(), /^Código Acme: \d{6} \(2 min\)$/);
        await p.beforeRegister({ ...ctx, locale: 'fr' }, { phoneNumber: '+14155552672' });
        assert.match(
          m.lastSmsBody(),
          /^Votre code Acme est \d{6}\./,
          'no text of its own: built-in',
        );
      }
      // An app that wrote its own messageTemplate keeps it for every language it has no text for.
      const { mem: m, plugin: p } = await setup({ messageTemplate: '{code} is your code' });
      await p.beforeRegister({ ...ctx, locale: 'fr' }, { phoneNumber: PHONE });
      assert.match(m.lastSmsBody(), /^\d{6} is your code$/);
    });

    test('messageTemplates that cannot be used are refused, naming what is wrong', async () => {
      for (const [messageTemplates, reason] of [
        [{ de: 'Ihr Code' }, /de must contain \{code\}/],
        [{ 'not a tag': '{code}' }, /not a language tag/],
        ['de: {code}', /object of language tags/],
        [{ de: `{code} ${'x'.repeat(150)}` }, null],
      ]) {
        const result = await TwilioPlugin.validateConfig(
          config({ messageTemplates, ...(reason ? {} : { androidAppHash: HASH }) }),
        );
        assert.equal(result.ok, false, JSON.stringify(messageTemplates));
        assert.equal(result.problems[0].field, 'messageTemplates');
        assert.match(
          result.problems[0].reason,
          reason ?? /one SMS segment.*the text for de takes 2/,
        );
      }
    });

    test('webOtpDomain ends the SMS with the origin-bound line, and the code in it verifies', async () => {
      const { mem, plugin } = await setup({ webOtpDomain: 'example.com' });
      const first = await plugin.beforeRegister(ctx, { phoneNumber: PHONE });
      const body = mem.lastSmsBody();
      const match =
        /^Your Acme verification code is (\d{6})\. .+ anyone\.\n\n@example\.com #(\d{6})$/.exec(
          body,
        );
      assert.ok(match, JSON.stringify(body));
      assert.equal(match[1], match[2], 'the same code in the text and the last line');
      const second = await plugin.beforeRegister(ctx, {
        email: 'ada@example.com',
        password: 's3cret-pass',
        phoneNumber: PHONE,
        transactionId: first.body.transactionId,
        transactionCode: match[2],
      });
      assert.equal(second.action, 'continue');
    });

    test('androidAppHash goes before the origin-bound line, within 140 bytes', async () => {
      const { mem, plugin } = await setup({
        webOtpDomain: 'login.example.com',
        androidAppHash: HASH,
      });
      await plugin.beforeRegister(ctx, { phoneNumber: PHONE });
      const lines = mem.lastSmsBody().split('\n');
      assert.equal(lines.length, 4);
      assert.equal(lines[2], HASH);
      assert.match(lines[3], /^@login\.example\.com #\d{6}$/);
      assert.ok(Buffer.byteLength(mem.lastSmsBody()) <= 140);

      const { mem: androidOnly, plugin: other } = await setup({ androidAppHash: HASH });
      await other.beforeRegister(ctx, { phoneNumber: PHONE });
      assert.ok(androidOnly.lastSmsBody().endsWith(`\n\n${HASH}`), androidOnly.lastSmsBody());
    });

    test('a message of more than one segment is refused with an app hash, and says why', async () => {
      const result = await TwilioPlugin.validateConfig(
        config({ androidAppHash: HASH, messageTemplate: LONG, appName: 'Acme' }),
      );
      assert.equal(result.ok, false);
      assert.deepEqual(
        result.problems.map((p) => p.field),
        ['messageTemplate'],
      );
      assert.match(result.problems[0].reason, /one SMS segment.*takes 2/);
      const without = await TwilioPlugin.validateConfig(config({ messageTemplate: LONG }));
      assert.equal(without.ok, true, JSON.stringify(without.problems));
    });

    test('a domain or hash that is not one is refused, naming the field', async () => {
      const result = await TwilioPlugin.validateConfig(
        config({ webOtpDomain: 'https://example.com/login', androidAppHash: 'too-short' }),
      );
      assert.deepEqual(result.problems.map((p) => p.field).sort(), [
        'androidAppHash',
        'webOtpDomain',
      ]);
    });

    test('TEST CONFIGURATION warns of a code message beyond two segments, and still passes', async () => {
      const three = `${'word '.repeat(62)}{code}`;
      const { mem, plugin } = await setup({ messageTemplate: three });
      mem.state.replies.push(account, numbers);
      const report = await plugin.testConfiguration();
      const fields = report.checks.find((c) => c.name === 'fields');
      assert.equal(fields.status, 'warning');
      assert.match(fields.message, /code SMS of 3 segments/);
      assert.equal(report.ok, true);
    });
  });
}

for (const build of BUILDS) {
  const setup = setupFor(build.TwilioPlugin);
  describe(`${build.name}: a long host app name with an app hash`, () => {
    test('is left out rather than making the SMS two segments', async () => {
      const { mem, plugin } = await setup({
        androidAppHash: HASH,
        webOtpDomain: 'example.com',
        appName: '',
      });
      const long = { ...ctx, appName: 'Contoso Online Banking & Insurance Services Ltd' };
      await plugin.beforeRegister(long, { phoneNumber: PHONE });
      const body = mem.lastSmsBody();
      assert.doesNotMatch(body, /Contoso/);
      assert.match(body, /^Your verification code is \d{6}\./);
      assert.ok(body.length <= 160, body);
      await plugin.beforeRegister({ ...ctx, appName: 'Acme' }, { phoneNumber: '+14155552672' });
      assert.match(mem.lastSmsBody(), /^Your Acme verification code/);
    });
  });
}

describe('both builds read odd text settings alike', () => {
  const config = (overrides) => ({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    senderPhoneNumber: '+15005550006',
    ...overrides,
  });
  const odd = [
    { messageTemplate: { text: 'Your code is {code}' } },
    { testPhoneNumbers: { '+15555550100': '123456' } },
    { messageTemplates: JSON.parse('{"__proto__": "P {code}", "de": "D {code}"}') },
    { messageTemplates: [1] },
    { messageTemplates: 5 },
  ];
  for (const overrides of odd) {
    test(JSON.stringify(overrides), async () => {
      const answers = [];
      for (const build of BUILDS) {
        const result = await build.TwilioPlugin.validateConfig(config(overrides));
        answers.push({ ok: result.ok, fields: result.problems.map((p) => p.field) });
      }
      assert.equal(answers[0].ok, false);
      assert.deepEqual(answers[1], answers[0], 'the same answer from both builds');
    });
  }
});
