// Phone login and two-factor through the login hooks of every build, with an in-memory host:
// a code texted to the account's number logs it in, a password is followed by a texted code
// where two-factor applies, and no code passes for another flow or user.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { BUILDS } = require('./support/builds');
const {
  ADA,
  BOB,
  CY,
  USERS,
  lastForm,
  passwordLogin,
  phoneLoginStart,
  rejectsWith,
  requestsMade,
  setupFor,
  twoFactorStart,
  wrongCode,
} = require('./support/plugin-calls');

const UNKNOWN = '+14155550199';
const LOGIN_KEYS = ['channel', 'expiresInSeconds', 'resendAfterSeconds', 'transactionId'];

for (const build of BUILDS) {
  const setup = setupFor(build.TwilioPlugin);
  const withUsers = (overrides) => setup(overrides, USERS);

  describe(build.name, () => {
    describe('phone login', () => {
      test('a number with an account gets a code, and the code authenticates its user', async () => {
        const { mem, plugin } = await withUsers();
        const body = await phoneLoginStart(plugin, mem, '+1 (415) 555-2672');
        assert.deepEqual(Object.keys(body).sort(), LOGIN_KEYS);
        assert.equal(body.expiresInSeconds, 300);
        assert.equal(body.resendAfterSeconds, 30);
        const [sms] = mem.state.requests;
        assert.equal(sms.method, 'POST');
        assert.match(sms.url, /\/Accounts\/AC0{32}\/Messages\.json$/);
        assert.equal(lastForm(mem).get('To'), BOB.phoneNumber);
        assert.match(
          mem.lastSmsBody(),
          /^Your Acme verification code is \d{6}\. It expires in 5 min\. Do not share it with anyone\.$/,
        );

        const outcome = await plugin.beforeLogin(
          {},
          {
            phoneNumber: BOB.phoneNumber,
            transactionId: body.transactionId,
            transactionCode: mem.lastCode(),
          },
        );
        assert.deepEqual(outcome, { action: 'authenticate', userId: BOB.objectId });
      });

      test('a number with no account answers the same way and texts nothing', async () => {
        const { mem, plugin } = await withUsers();
        const known = await phoneLoginStart(plugin, mem, BOB.phoneNumber);
        const unknown = await phoneLoginStart(plugin, mem, UNKNOWN);
        assert.deepEqual(Object.keys(unknown).sort(), LOGIN_KEYS);
        assert.equal(unknown.expiresInSeconds, known.expiresInSeconds);
        assert.equal(unknown.resendAfterSeconds, known.resendAfterSeconds);
        assert.equal(unknown.transactionId.length, known.transactionId.length);
        assert.deepEqual(
          mem.state.requests.map((r) => r.method),
          ['POST', 'GET'],
          'the SMS for the account, a read that sends nothing for the other',
        );
        assert.ok(!mem.state.requests[1].url.endsWith('/Messages.json'));

        // A guess answers alike for both, attempts left included.
        const knownCode = new URLSearchParams(mem.state.requests[0].body).get('Body');
        const guess = wrongCode(/\d{6}/.exec(knownCode)[0]);
        const answers = [];
        for (const [phone, started] of [
          [BOB.phoneNumber, known],
          [UNKNOWN, unknown],
        ]) {
          const err = await rejectsWith(
            plugin.beforeLogin(
              {},
              { phoneNumber: phone, transactionId: started.transactionId, transactionCode: guess },
            ),
            'CODE_MISMATCH',
          );
          answers.push([err.status, err.details.attemptsLeft, err.message]);
        }
        assert.deepEqual(answers[0], answers[1]);
        assert.equal(answers[0][1], 4);
      });

      test('a wrong code is CODE_MISMATCH with attempts left, and the right one still works', async () => {
        const { mem, plugin } = await withUsers();
        const body = await phoneLoginStart(plugin, mem, BOB.phoneNumber);
        const code = mem.lastCode();
        const finish = (phoneNumber, transactionCode) =>
          plugin.beforeLogin(
            {},
            { phoneNumber, transactionId: body.transactionId, transactionCode },
          );
        const err = await rejectsWith(finish(BOB.phoneNumber, wrongCode(code)), 'CODE_MISMATCH');
        assert.equal(err.status, 400);
        assert.equal(err.details.attemptsLeft, 4);
        // The right code for another number (with an account) is a wrong answer too.
        await rejectsWith(finish('+14155550100', code), 'CODE_MISMATCH');
        const outcome = await finish(BOB.phoneNumber, code);
        assert.deepEqual(outcome, { action: 'authenticate', userId: BOB.objectId });
      });

      test('phoneLogin off: PHONE_LOGIN_DISABLED, nothing texted, passwords still work', async () => {
        const { mem, plugin } = await withUsers({ phoneLogin: false });
        const err = await rejectsWith(
          plugin.beforeLogin({}, { phoneNumber: BOB.phoneNumber }),
          'PHONE_LOGIN_DISABLED',
        );
        assert.equal(err.status, 400);
        assert.match(err.message, /password/);
        await requestsMade(mem, 0);
        assert.deepEqual(await passwordLogin(plugin, BOB), { action: 'continue' });
      });

      test('a phone code alone never signs in an account with two-factor on', async () => {
        const { mem, plugin } = await withUsers();
        const body = await phoneLoginStart(plugin, mem, ADA.phoneNumber);
        const err = await rejectsWith(
          plugin.beforeLogin(
            {},
            {
              phoneNumber: ADA.phoneNumber,
              transactionId: body.transactionId,
              transactionCode: mem.lastCode(),
            },
          ),
          'TWO_FACTOR_REQUIRED',
        );
        assert.equal(err.status, 403);
        assert.match(err.message, /password/);
      });

      test('under twoFactor "required" phone login says so for every number and texts nothing', async () => {
        const { mem, plugin } = await withUsers({ twoFactor: 'required' });
        for (const phone of [BOB.phoneNumber, UNKNOWN]) {
          const err = await rejectsWith(
            plugin.beforeLogin({}, { phoneNumber: phone }),
            'TWO_FACTOR_REQUIRED',
          );
          assert.equal(err.status, 403, phone);
        }
        await requestsMade(mem, 0);
      });

      test('with the phone number as identity, a login written any way is passed on normalized', async () => {
        const { plugin } = await setup({ identityField: 'phoneNumber' });
        for (const written of ['+1 415 555 0161', '+1 (415) 555-0161', '0014155550161']) {
          const outcome = await plugin.beforeLogin({}, { login: written, password: 'pw' });
          assert.deepEqual(
            outcome,
            { action: 'continue', args: { login: '+14155550161', password: 'pw' } },
            written,
          );
        }
        // Not a number: left as it is, for the host to refuse as any unknown login.
        const other = await plugin.beforeLogin({}, { login: 'ann@example.com', password: 'pw' });
        assert.deepEqual(other, {
          action: 'continue',
          args: { login: 'ann@example.com', password: 'pw' },
        });
        // With an email identity the login goes through untouched.
        const { plugin: byEmail } = await setup();
        assert.deepEqual(
          await byEmail.beforeLogin({}, { login: '+1 415 555 0161', password: 'pw' }),
          {
            action: 'continue',
          },
        );
      });
    });

    describe('two-factor', () => {
      test('"optional": a password of a user with two-factor on is answered with a code, not a session', async () => {
        const { mem, plugin } = await withUsers();
        const body = await twoFactorStart(plugin, ADA);
        assert.deepEqual(Object.keys(body).sort(), [
          'channel',
          'expiresInSeconds',
          'phoneNumber',
          'resendAfterSeconds',
          'transactionId',
          'twoFactorRequired',
        ]);
        assert.equal(body.phoneNumber, '+1******2671', 'the number is masked');
        assert.equal(lastForm(mem).get('To'), ADA.phoneNumber);
        assert.ok(!JSON.stringify(body).includes(ADA.phoneNumber));

        const outcome = await plugin.beforeLogin(
          {},
          { login: ADA.email, transactionId: body.transactionId, transactionCode: mem.lastCode() },
        );
        assert.deepEqual(outcome, { action: 'authenticate', userId: ADA.objectId });
        // A user with two-factor off gets the session at once, and no SMS.
        const requests = mem.state.requests.length;
        assert.deepEqual(await passwordLogin(plugin, BOB), { action: 'continue' });
        assert.equal(mem.state.requests.length, requests);
      });

      test('"optional" reads the two-factor column as true, 1 or "true" in any case', async () => {
        const { plugin } = await setup({ twoFactorField: 'mfa', resendCooldownSeconds: 0 });
        const user = (n, mfa) => ({
          objectId: `M${n}`,
          email: `m${n}@example.com`,
          phoneNumber: `+1415555030${n}`,
          mfa,
        });
        for (const [n, mfa] of [true, 1, 'true', 'TRUE'].entries()) {
          const outcome = await passwordLogin(plugin, user(n, mfa));
          assert.equal(outcome.body?.twoFactorRequired, true, JSON.stringify(mfa));
        }
        for (const [n, mfa] of [false, 0, 'false', 'yes', null].entries()) {
          assert.deepEqual(await passwordLogin(plugin, user(n + 5, mfa)), { action: 'continue' });
        }
        // The default column does not count when another is configured.
        assert.deepEqual(await passwordLogin(plugin, ADA), { action: 'continue' });
      });

      test('"required": everyone with a number gets a code; without one, TWO_FACTOR_UNAVAILABLE', async () => {
        const { mem, plugin } = await withUsers({
          twoFactor: 'required',
          resendCooldownSeconds: 0,
        });
        const body = await twoFactorStart(plugin, BOB);
        assert.equal(body.phoneNumber, '+1******2672');
        const code = mem.lastCode();
        // Without the code there is still no session: the password again, or the id alone.
        assert.equal((await passwordLogin(plugin, BOB)).body?.twoFactorRequired, true);
        await rejectsWith(
          plugin.beforeLogin({}, { login: BOB.email, transactionId: body.transactionId }),
          'INVALID_INPUT',
        );
        const outcome = await plugin.beforeLogin(
          {},
          { login: BOB.email, transactionId: body.transactionId, transactionCode: code },
        );
        assert.deepEqual(outcome, { action: 'authenticate', userId: BOB.objectId });

        const err = await rejectsWith(passwordLogin(plugin, CY), 'TWO_FACTOR_UNAVAILABLE');
        assert.equal(err.status, 403);
        assert.match(err.message, /no phone number/);
      });

      test('"off": a password is enough, whatever the user column says', async () => {
        const { mem, plugin } = await withUsers({ twoFactor: 'off' });
        assert.deepEqual(await passwordLogin(plugin, ADA), { action: 'continue' });
        await requestsMade(mem, 0);
      });

      test('empty transaction fields on a password login do not skip two-factor', async () => {
        const { plugin } = await withUsers({ resendCooldownSeconds: 0 });
        for (const extra of [
          { transactionId: '' },
          { transactionId: null },
          { transactionId: '  ', transactionCode: '' },
        ]) {
          const outcome = await passwordLogin(plugin, ADA, extra);
          assert.equal(outcome.body?.twoFactorRequired, true, JSON.stringify(extra));
        }
      });

      test('a failed password login texts no code, and a login by phone code is not asked again', async () => {
        const { mem, plugin } = await withUsers({ twoFactor: 'required' });
        const failed = await plugin.afterLogin(
          {},
          { login: ADA.email, password: 'wrong' },
          { error: { code: 3003, message: 'Invalid login or password' } },
        );
        assert.deepEqual(failed, { action: 'continue' });
        const provedPhone = await plugin.afterLogin(
          {},
          { phoneNumber: ADA.phoneNumber, transactionId: 't', transactionCode: '1' },
          { user: { ...ADA } },
        );
        assert.deepEqual(provedPhone, { action: 'continue' });
        await requestsMade(mem, 0);
      });

      test('a phone-login or registration code does not pass for a two-factor one', async () => {
        const { mem, plugin } = await withUsers({ resendCooldownSeconds: 0 });
        const registration = await plugin.beforeRegister({}, { phoneNumber: ADA.phoneNumber });
        const registrationCode = mem.lastCode();
        const byPhone = await phoneLoginStart(plugin, mem, ADA.phoneNumber);
        const phoneCode = mem.lastCode();
        const twoFactor = await twoFactorStart(plugin, ADA);
        const twoFactorCode = mem.lastCode();

        const asSecondFactor = (transactionId, transactionCode) =>
          plugin.beforeLogin({}, { login: ADA.email, transactionId, transactionCode });
        await rejectsWith(
          asSecondFactor(registration.body.transactionId, registrationCode),
          'CODE_MISMATCH',
        );
        await rejectsWith(asSecondFactor(byPhone.transactionId, phoneCode), 'CODE_MISMATCH');
        // Nor the other way round: the two-factor code is no phone-login code.
        await rejectsWith(
          plugin.beforeLogin(
            {},
            {
              phoneNumber: ADA.phoneNumber,
              transactionId: twoFactor.transactionId,
              transactionCode: twoFactorCode,
            },
          ),
          'CODE_MISMATCH',
        );
        // A registration code logs no one in by phone either.
        await rejectsWith(
          plugin.beforeLogin(
            {},
            {
              phoneNumber: ADA.phoneNumber,
              transactionId: registration.body.transactionId,
              transactionCode: registrationCode,
            },
          ),
          'CODE_MISMATCH',
        );
        const outcome = await asSecondFactor(twoFactor.transactionId, twoFactorCode);
        assert.deepEqual(outcome, { action: 'authenticate', userId: ADA.objectId });
      });

      test("one user's two-factor code logs in no other user", async () => {
        const { mem, plugin } = await withUsers({ twoFactor: 'required' });
        const ada = await twoFactorStart(plugin, ADA);
        const code = mem.lastCode();
        const err = await rejectsWith(
          plugin.beforeLogin(
            {},
            { login: BOB.email, transactionId: ada.transactionId, transactionCode: code },
          ),
          'CODE_MISMATCH',
        );
        assert.equal(err.status, 400);
        const outcome = await plugin.beforeLogin(
          {},
          { login: ADA.email, transactionId: ada.transactionId, transactionCode: code },
        );
        assert.deepEqual(outcome, { action: 'authenticate', userId: ADA.objectId });
      });
    });
  });
}
