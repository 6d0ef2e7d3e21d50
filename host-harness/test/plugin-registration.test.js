// The built wasm module, driven through both identity modes with an in-memory host.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { AUTH_TOKEN, baseConfig, createMemoryHost } = require('./support/memory-host');
const { BUILDS } = require('./support/builds');
const { rejectsWith, wrongCode } = require('./support/plugin-calls');

const PHONE = '+14155552671';
const ctx = { event: 'register', requestId: 'r1', appName: 'Acme' };

/** An http failure as a host reports it: an Error with the kind the plugin reads. */
function failure(message, kind) {
  const err = new Error(message);
  if (kind) err.kind = kind;
  return err;
}

for (const build of BUILDS) {
  const { TwilioPlugin } = build;

  const setup = async (overrides) => {
    const mem = createMemoryHost();
    const plugin = await TwilioPlugin.create(baseConfig(overrides), mem.host);
    return { mem, plugin };
  };

  describe(build.name, () => {
    test('email identity: two register calls confirm the phone and continue with the user', async () => {
      const { mem, plugin } = await setup();
      const first = await plugin.beforeRegister(ctx, { phoneNumber: '+1 (415) 555-2671' });
      assert.equal(first.action, 'respond');
      assert.equal(first.status, 200);
      assert.deepEqual(Object.keys(first.body).sort(), [
        'channel',
        'codeLength',
        'expiresInSeconds',
        'phoneNumber',
        'resendAfterSeconds',
        'transactionId',
      ]);
      assert.equal(first.body.phoneNumber, PHONE);
      assert.match(
        mem.lastSmsBody(),
        /^Your Acme verification code is \d{6}\. It expires in 5 min\. Do not share it with anyone\.$/,
      );
      const request = mem.state.requests[0];
      assert.equal(request.method, 'POST');
      assert.match(request.url, /\/2010-04-01\/Accounts\/AC0{32}\/Messages\.json$/);
      assert.equal(request.headers['Content-Type'], 'application/x-www-form-urlencoded');

      const user = {
        email: 'ada@example.com',
        password: 's3cret-pass',
        phoneNumber: PHONE,
        transactionId: first.body.transactionId,
        transactionCode: mem.lastCode(),
      };
      const second = await plugin.beforeRegister(ctx, user);
      assert.deepEqual(second, {
        action: 'continue',
        args: {
          email: 'ada@example.com',
          password: 's3cret-pass',
          phoneNumber: PHONE,
          phoneNumberConfirmed: true,
        },
      });
      const after = await plugin.afterRegister(ctx, user, {
        user: { objectId: 'U1', ...second.args },
      });
      assert.deepEqual(after, { action: 'continue' });
      await rejectsWith(plugin.beforeRegister(ctx, user), 'CODE_MISMATCH');
    });

    test('phone identity: the second call carries only phone, password and the transaction', async () => {
      const { mem, plugin } = await setup({ identityField: 'phoneNumber' });
      const first = await plugin.beforeRegister(ctx, { phoneNumber: PHONE });
      const second = await plugin.beforeRegister(ctx, {
        phoneNumber: PHONE,
        password: 'pw-123456',
        transactionId: first.body.transactionId,
        transactionCode: mem.lastCode(),
      });
      assert.deepEqual(second.args, {
        phoneNumber: PHONE,
        password: 'pw-123456',
        phoneNumberConfirmed: true,
      });
    });

    test('phone identity: the code is bound to its number, works once, and afterRegister continues', async () => {
      const { mem, plugin } = await setup({ identityField: 'phoneNumber' });
      const first = await plugin.beforeRegister(ctx, { phoneNumber: '+1 415 555 2671' });
      const user = {
        phoneNumber: '+1 (415) 555-2671',
        password: 'pw-123456',
        transactionId: first.body.transactionId,
        transactionCode: mem.lastCode(),
      };
      await rejectsWith(
        plugin.beforeRegister(ctx, { ...user, phoneNumber: '+14155552672' }),
        'CODE_MISMATCH',
      );
      const second = await plugin.beforeRegister(ctx, user);
      assert.deepEqual(second.args, {
        phoneNumber: PHONE,
        password: 'pw-123456',
        phoneNumberConfirmed: true,
      });
      const after = await plugin.afterRegister(ctx, user, {
        user: { objectId: 'U1', ...second.args },
      });
      assert.deepEqual(after, { action: 'continue' });
      await rejectsWith(plugin.beforeRegister(ctx, user), 'CODE_MISMATCH');
      assert.equal(mem.state.requests.length, 1);
    });

    test('phone identity with custom columns: the number, its confirmation and the identity are one', async () => {
      const { mem, plugin } = await setup({
        phoneNumberField: 'mobile',
        identityField: 'mobile',
        phoneConfirmedField: 'mobileVerified',
        phoneRequired: false,
      });
      // The number is the identity, so it is required whatever phoneRequired says.
      const err = await rejectsWith(
        plugin.beforeRegister(ctx, { password: 'pw-123456' }),
        'PHONE_NUMBER_REQUIRED',
      );
      assert.match(err.message, /mobile/);
      const first = await plugin.beforeRegister(ctx, { mobile: PHONE });
      assert.equal(first.body.phoneNumber, PHONE);
      const second = await plugin.beforeRegister(ctx, {
        mobile: PHONE,
        password: 'pw-123456',
        mobileVerified: false,
        transactionId: first.body.transactionId,
        transactionCode: mem.lastCode(),
      });
      assert.deepEqual(second.args, {
        mobile: PHONE,
        password: 'pw-123456',
        mobileVerified: true,
      });
    });

    for (const identityField of ['email', 'phoneNumber']) {
      test(`${identityField} identity: a number with an account is told at step 2, once the code proved it`, async () => {
        const { mem, plugin } = await setup({ identityField });
        mem.state.users.push({ objectId: 'U0', email: 'old@example.com', phoneNumber: PHONE });
        const first = await plugin.beforeRegister(ctx, { phoneNumber: PHONE });
        assert.equal(first.action, 'respond');
        assert.equal(first.status, 200, 'step 1 answers as for any number');
        const code = mem.lastCode();
        const user = {
          ...(identityField === 'email' ? { email: 'ada@example.com' } : {}),
          password: 'pw-123456',
          phoneNumber: PHONE,
          transactionId: first.body.transactionId,
        };
        await rejectsWith(
          plugin.beforeRegister(ctx, { ...user, transactionCode: wrongCode(code) }),
          'CODE_MISMATCH',
        );
        const err = await rejectsWith(
          plugin.beforeRegister(ctx, { ...user, transactionCode: code }),
          'PHONE_NUMBER_IN_USE',
        );
        assert.equal(err.status, 409);
        assert.match(err.message, /log in/);
      });
    }

    test('calls that skip the code get errors that explain the two calls, and nothing is sent', async () => {
      const { mem, plugin } = await setup();
      for (const [user, code] of [
        [{ email: 'a@example.com', password: 'pw' }, 'PHONE_NUMBER_REQUIRED'],
        [{ email: 'a@example.com', password: 'pw', phoneNumber: PHONE }, 'VERIFICATION_REQUIRED'],
        [{ phoneNumber: PHONE, transactionId: 'x' }, 'INVALID_INPUT'],
        [{ phoneNumber: PHONE, transactionCode: '123456' }, 'INVALID_INPUT'],
        [{ phoneNumber: 14155552671 }, 'INVALID_INPUT'],
        [{ phoneNumber: '415 555 2671' }, 'INVALID_PHONE_NUMBER'],
      ]) {
        const err = await rejectsWith(plugin.beforeRegister(ctx, user), code);
        assert.equal(err.status, 400, JSON.stringify(user));
        assert.match(err.message, /phoneNumber|\+14155552671|transaction/, JSON.stringify(user));
      }
      assert.equal(mem.state.requests.length, 0);
    });

    test('without phoneRequired a user registers with no number, and cannot confirm one itself', async () => {
      const { mem, plugin } = await setup({ phoneRequired: false });
      const outcome = await plugin.beforeRegister(ctx, {
        email: 'a@example.com',
        password: 'pw',
        phoneNumberConfirmed: true,
      });
      assert.deepEqual(outcome, {
        action: 'continue',
        args: { email: 'a@example.com', password: 'pw' },
      });
      assert.equal(mem.state.requests.length, 0);
    });

    test('a failed registration keeps the code usable for a corrected second call', async () => {
      const { mem, plugin } = await setup();
      const first = await plugin.beforeRegister(ctx, { phoneNumber: PHONE });
      const user = {
        email: 'taken@example.com',
        password: 'pw-123456',
        phoneNumber: PHONE,
        transactionId: first.body.transactionId,
        transactionCode: mem.lastCode(),
      };
      await plugin.beforeRegister(ctx, user);
      await plugin.afterRegister(ctx, user, {
        error: { code: 3033, message: 'User already exists.' },
      });
      const corrected = { ...user, email: 'ada@example.com' };
      const retry = await plugin.beforeRegister(ctx, corrected);
      assert.equal(retry.args.email, 'ada@example.com');
      assert.equal(mem.state.requests.length, 1, 'no second SMS');
    });

    test('concurrent second calls with the right code give exactly one success', async () => {
      const { mem, plugin } = await setup();
      const first = await plugin.beforeRegister(ctx, { phoneNumber: PHONE });
      const user = {
        email: 'ada@example.com',
        password: 'pw-123456',
        phoneNumber: PHONE,
        transactionId: first.body.transactionId,
        transactionCode: mem.lastCode(),
      };
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => plugin.beforeRegister(ctx, { ...user })),
      );
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      for (const r of results.filter((r) => r.status === 'rejected')) {
        // A loser lost the race for the verification or, in an instance that runs one call at
        // a time, came after the winner had claimed it.
        assert.ok(
          ['CODE_MISMATCH', 'REGISTRATION_IN_PROGRESS'].includes(r.reason.code),
          r.reason.code,
        );
      }
    });

    test('wrong codes count down attemptsLeft, then even the right code fails', async () => {
      const { mem, plugin } = await setup({ maxAttempts: 3 });
      const first = await plugin.beforeRegister(ctx, { phoneNumber: PHONE });
      const code = mem.lastCode();
      const wrong = code === '000000' ? '000001' : '000000';
      const call = (transactionCode) =>
        plugin.beforeRegister(ctx, {
          email: 'ada@example.com',
          password: 'pw-123456',
          phoneNumber: PHONE,
          transactionId: first.body.transactionId,
          transactionCode,
        });
      assert.equal((await rejectsWith(call(wrong), 'CODE_MISMATCH')).details.attemptsLeft, 2);
      assert.equal((await rejectsWith(call(wrong), 'CODE_MISMATCH')).details.attemptsLeft, 1);
      await rejectsWith(call(wrong), 'TOO_MANY_ATTEMPTS');
      await rejectsWith(call(code), 'TOO_MANY_ATTEMPTS');
    });

    test('an expired code fails with VERIFICATION_EXPIRED', async () => {
      const { mem, plugin } = await setup({ codeTtlSeconds: 60 });
      const first = await plugin.beforeRegister(ctx, { phoneNumber: PHONE });
      mem.advanceSeconds(61);
      await rejectsWith(
        plugin.beforeRegister(ctx, {
          email: 'ada@example.com',
          password: 'pw',
          phoneNumber: PHONE,
          transactionId: first.body.transactionId,
          transactionCode: mem.lastCode(),
        }),
        'VERIFICATION_EXPIRED',
      );
    });

    test('Twilio refusals become TWILIO_REJECTED with Twilio code and no verification left', async () => {
      const { mem, plugin } = await setup();
      mem.state.replies.push({
        status: 400,
        headers: {},
        body: JSON.stringify({
          code: 21610,
          message: 'Attempt to send to unsubscribed recipient',
          more_info: 'https://www.twilio.com/docs/errors/21610',
          status: 400,
        }),
      });
      const err = await rejectsWith(
        plugin.beforeRegister(ctx, { phoneNumber: '+15005550004' }),
        'TWILIO_REJECTED',
      );
      assert.equal(err.status, 400);
      assert.equal(err.details.twilioCode, 21610);
      assert.equal(err.details.moreInfo, 'https://www.twilio.com/docs/errors/21610');
      assert.match(err.message, /STOP/);
      assert.equal([...mem.store.keys()].filter((k) => k.startsWith('verification/')).length, 0);
    });

    test('a connection that never opened becomes TWILIO_UNAVAILABLE with status 503', async () => {
      const { mem, plugin } = await setup();
      mem.state.replies.push(failure('connect ECONNREFUSED 127.0.0.1:8788', 'connect'));
      const err = await rejectsWith(
        plugin.beforeRegister(ctx, { phoneNumber: PHONE }),
        'TWILIO_UNAVAILABLE',
      );
      assert.equal(err.status, 503);
      assert.equal(err.details.deliveryUncertain, undefined);
      assert.match(err.message, /Try again/);
    });

    test("a request the host's allowlist refused is a configuration problem naming origin and setting", async () => {
      const { mem, plugin } = await setup({ twilioApiBaseUrl: 'http://127.0.0.1:9' });
      mem.state.replies.push(
        failure('http://127.0.0.1:9 is not among the allowed origins', 'refused'),
      );
      const err = await rejectsWith(
        plugin.beforeRegister(ctx, { phoneNumber: PHONE }),
        'CONFIG_INVALID',
      );
      assert.equal(err.status, 500);
      assert.match(err.message, /http:\/\/127\.0\.0\.1:9/);
      assert.match(err.message, /twilioApiBaseUrl/);
      assert.doesNotMatch(err.message, /try again/i);
      assert.deepEqual(
        err.details.problems.map((p) => p.field),
        ['twilioApiBaseUrl'],
      );
    });

    test('a timeout, a reset or a failure of no known kind keeps the code: it may arrive', async () => {
      const { mem, plugin } = await setup();
      const phones = ['+14155550201', '+14155550202', '+14155550203'];
      for (const [i, kind] of ['timeout', 'reset', undefined].entries()) {
        mem.state.replies.push(failure('no answer within 10000 ms', kind));
        const outcome = await plugin.beforeRegister(ctx, { phoneNumber: phones[i] });
        assert.equal(outcome.action, 'respond');
        assert.equal(outcome.status, 202, String(kind));
        assert.equal(outcome.body.deliveryUncertain, true);
      }
    });

    test('the code and the auth token appear in no stored value, log line, error or outcome', async () => {
      const { mem, plugin } = await setup();
      const seen = [];
      const first = await plugin.beforeRegister(ctx, { phoneNumber: PHONE });
      const code = mem.lastCode();
      seen.push(JSON.stringify(first));
      mem.state.replies.push({ status: 401, headers: {}, body: '{"code":20003,"status":401}' });
      const err = await plugin.beforeRegister(ctx, { phoneNumber: '+14155550000' }).catch((e) => e);
      seen.push(err.message, JSON.stringify(err.details));
      const bad = await TwilioPlugin.create({ ...baseConfig(), codeLength: 99 }, mem.host).catch(
        (e) => e,
      );
      seen.push(bad.message, JSON.stringify(bad.details));
      seen.push(...mem.state.logs);
      for (const [key, entry] of mem.store) seen.push(key, entry.value);
      for (const text of seen) {
        assert.ok(!text.includes(AUTH_TOKEN), `token leaked: ${text}`);
        assert.ok(!text.includes(code), `code leaked: ${text}`);
      }
    });

    test('create lists every configuration problem at once', async () => {
      const mem = createMemoryHost();
      await assert.rejects(
        TwilioPlugin.create({ accountSid: 'nope', codeLength: 3 }, mem.host),
        (err) => {
          assert.equal(err.code, 'CONFIG_INVALID');
          const fields = err.details.problems.map((p) => p.field).sort();
          assert.deepEqual(fields, ['accountSid', 'authToken', 'codeLength', 'senderPhoneNumber']);
          return true;
        },
      );
      const report = await TwilioPlugin.validateConfig({ accountSid: 'nope' });
      assert.equal(report.ok, false);
      assert.equal((await TwilioPlugin.validateConfig(baseConfig())).ok, true);
    });

    test('create refuses a host that lacks an import, naming it', async () => {
      const { host } = createMemoryHost();
      const { storageTake, ...partial } = host;
      assert.equal(typeof storageTake, 'function');
      await assert.rejects(
        TwilioPlugin.create(baseConfig(), partial),
        (err) => err.code === 'INVALID_INPUT' && /storageTake/.test(err.message),
      );
    });
  });
}
