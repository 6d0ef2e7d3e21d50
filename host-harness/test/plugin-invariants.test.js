// The verification rules of the design, for every flow that texts a code (registration, phone
// login, two-factor, the app's own verification) and every build: codes of digits only and the
// configured length, kept only as a keyed hash, single use, a bounded number of wrong answers, a
// lifetime on the host's clock, bound to their number, purpose and user, refusals that all look
// alike, and transaction ids of at least 128 random bits.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { AUTH_TOKEN, baseConfig, createMemoryHost } = require('./support/memory-host');
const { BUILDS } = require('./support/builds');
const { ADA, FLOWS, USERS, rejectsWith, setupFor, wrongCode } = require('./support/plugin-calls');

const HASHING_KEY = 'host-secret-for-code-hashing-0123456789abcdef';
/** Settings under which one number can be sent codes back to back. */
const BACK_TO_BACK = {
  resendCooldownSeconds: 0,
  maxSmsPerNumberPerHour: 20,
  maxSmsPerNumberPerDay: 20,
};

/** Whether `answer` is the flow's success. */
function succeeded(answer) {
  if (answer?.action === 'continue') return answer.args?.phoneNumberConfirmed === true;
  if (answer?.action === 'authenticate') return typeof answer.userId === 'string';
  return answer?.verified === true;
}

const settled = (promise) =>
  promise.then(
    (value) => ({ ok: true, value }),
    (err) => ({ ok: false, err }),
  );

for (const build of BUILDS) {
  const setup = setupFor(build.TwilioPlugin);
  const withUsers = (overrides) => setup({ ...BACK_TO_BACK, ...overrides }, USERS);

  /** The flow's finish with `code`, by default on the flow's number and that number's user. */
  const finishFor =
    (flow, plugin, mem) =>
    (started, code, over = {}) => {
      const phone = over.phone ?? flow.phone;
      const user = over.user ?? mem.state.users.find((u) => u.phoneNumber === phone);
      return flow.finish(plugin, started, code, { phone, user, userId: over.userId });
    };

  describe(build.name, () => {
    for (const [name, flow] of Object.entries(FLOWS)) {
      describe(name, () => {
        test('the code is digits only, of the configured length', async () => {
          for (const codeLength of [4, 8, 10]) {
            const { mem, plugin } = await withUsers({ codeLength });
            const started = await flow.start(plugin, mem, flow.phone);
            assert.match(started.code, new RegExp(`^\\d{${codeLength}}$`), String(codeLength));
            assert.match(
              mem.lastSmsBody(),
              new RegExp(`^Your Acme verification code is \\d{${codeLength}}\\. It expires in`),
            );
          }
        });

        test('the transaction id is URL-safe, at least 128 bits, and new for every code', async () => {
          const { mem, plugin } = await withUsers();
          const ids = [];
          for (let i = 0; i < 3; i += 1)
            ids.push((await flow.start(plugin, mem, flow.phone)).transactionId);
          for (const id of ids) {
            assert.match(id, /^[A-Za-z0-9_-]+$/);
            assert.ok(id.length * 6 >= 128, `${id} carries fewer than 128 bits`);
          }
          assert.equal(new Set(ids).size, ids.length);
        });

        test('the code, the Auth Token and the hashing key are in no stored value, log line or answer', async () => {
          const { mem, plugin } = await withUsers({ codeHashingKey: HASHING_KEY });
          const started = await flow.start(plugin, mem, flow.phone);
          const finish = finishFor(flow, plugin, mem);
          const seen = [JSON.stringify(started.transactionId)];
          const wrong = await finish(started, wrongCode(started.code)).catch((e) => e);
          seen.push(wrong.message, JSON.stringify(wrong.details));
          seen.push(JSON.stringify(await finish(started, started.code)));
          seen.push(...mem.state.logs);
          const stored = [...mem.store].flatMap(([key, entry]) => [key, entry.value]);
          seen.push(...stored);
          const plainHashes = ['hex', 'base64', 'base64url'].map((encoding) =>
            crypto.createHash('sha256').update(started.code).digest(encoding),
          );
          for (const text of seen) {
            for (const secret of [started.code, AUTH_TOKEN, HASHING_KEY, ...plainHashes]) {
              assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
            }
          }
          assert.ok(stored.length > 0, 'the verification is in the store');
        });

        test('two concurrent right answers: exactly one succeeds, and the code is spent', async () => {
          const { mem, plugin } = await withUsers();
          const started = await flow.start(plugin, mem, flow.phone);
          const finish = finishFor(flow, plugin, mem);
          const results = await Promise.all(
            [1, 2, 3].map(() => settled(finish(started, started.code))),
          );
          assert.equal(results.filter((r) => r.ok && succeeded(r.value)).length, 1);
          for (const r of results.filter((r) => !r.ok)) {
            assert.ok(
              ['CODE_MISMATCH', 'REGISTRATION_IN_PROGRESS'].includes(r.err.code),
              r.err.code,
            );
          }
          if (name !== 'registration') {
            // (A registration is spent by afterRegister, once the host made the user.)
            await rejectsWith(finish(started, started.code), 'CODE_MISMATCH');
          }
        });

        test('maxAttempts wrong answers end the verification, even for the right code', async () => {
          const { mem, plugin } = await withUsers({ maxAttempts: 3 });
          const started = await flow.start(plugin, mem, flow.phone);
          const finish = finishFor(flow, plugin, mem);
          const wrong = wrongCode(started.code);
          const lefts = [];
          for (let i = 0; i < 2; i += 1) {
            lefts.push(
              (await rejectsWith(finish(started, wrong), 'CODE_MISMATCH')).details.attemptsLeft,
            );
          }
          assert.deepEqual(lefts, [2, 1]);
          const last = await rejectsWith(finish(started, wrong), 'TOO_MANY_ATTEMPTS');
          assert.equal(last.status, 429);
          await rejectsWith(finish(started, started.code), 'TOO_MANY_ATTEMPTS');
        });

        test('wrong answers sent at once cannot exceed maxAttempts', async () => {
          const { mem, plugin } = await withUsers({ maxAttempts: 3 });
          const started = await flow.start(plugin, mem, flow.phone);
          const finish = finishFor(flow, plugin, mem);
          const guesses = Array.from(
            { length: 8 },
            (_, i) => `${started.code.slice(0, -1)}${i}`,
          ).filter((guess) => guess !== started.code);
          const results = await Promise.all(
            guesses.map((guess) => settled(finish(started, guess))),
          );
          assert.ok(results.every((r) => !r.ok));
          assert.ok(
            results.filter((r) => r.err.code === 'CODE_MISMATCH').length <= 2,
            results.map((r) => r.err.code).join(' '),
          );
          await rejectsWith(finish(started, started.code), 'TOO_MANY_ATTEMPTS');
        });

        test('the code expires after codeTtlSeconds on the host clock', async () => {
          const { mem, plugin } = await withUsers({ codeTtlSeconds: 60 });
          const finish = finishFor(flow, plugin, mem);
          const late = await flow.start(plugin, mem, flow.phone);
          mem.advanceSeconds(61);
          const err = await rejectsWith(finish(late, late.code), 'VERIFICATION_EXPIRED');
          assert.equal(err.status, 410);
          const early = await flow.start(plugin, mem, flow.phone);
          mem.advanceSeconds(59);
          assert.ok(
            succeeded(await finish(early, early.code)),
            'still valid just inside its lifetime',
          );
        });

        test('the code is bound to its number (and user), and a refusal tells nothing apart', async () => {
          const { mem, plugin } = await withUsers();
          const started = await flow.start(plugin, mem, flow.phone);
          const finish = finishFor(flow, plugin, mem);
          const other =
            name === 'two-factor'
              ? { user: USERS.find((u) => u.phoneNumber && u.phoneNumber !== flow.phone) }
              : { phone: '+14155550177' };
          const refusals = {
            'another number or user': await rejectsWith(
              finish(started, started.code, other),
              'CODE_MISMATCH',
            ),
            'a wrong code': await rejectsWith(
              finish(started, wrongCode(started.code)),
              'CODE_MISMATCH',
            ),
            'an unknown transaction': await rejectsWith(
              finish({ transactionId: 'A'.repeat(started.transactionId.length) }, started.code),
              'CODE_MISMATCH',
            ),
          };
          if (name === 'app verification') {
            refusals['another caller'] = await rejectsWith(
              finish(started, started.code, { userId: 'U2' }),
              'CODE_MISMATCH',
            );
          }
          const looks = Object.values(refusals).map((e) => [e.status, e.message]);
          for (const look of looks) assert.deepEqual(look, looks[0]);
          assert.ok(succeeded(await finish(started, started.code)), 'the right answer still works');
        });
      });
    }

    test("no flow's code passes for another flow's", async () => {
      // One number for all four: Ada's, who has an account and two-factor on.
      const { mem, plugin } = await withUsers();
      const phone = ADA.phoneNumber;
      const started = {};
      for (const [name, flow] of Object.entries(FLOWS))
        started[name] = await flow.start(plugin, mem, phone);
      for (const [from, code] of Object.entries(started)) {
        for (const [to, flow] of Object.entries(FLOWS)) {
          if (to === from) continue;
          const err = await flow
            .finish(plugin, code, code.code, { phone, user: ADA })
            .catch((e) => e);
          assert.equal(
            err.code,
            'CODE_MISMATCH',
            `a ${from} code for ${to}: ${err.code ?? JSON.stringify(err)}`,
          );
        }
      }
      // Each in its own flow is accepted: the number is Ada's (registration) and her account
      // wants two factors (phone login), which each flow says only once the code is right.
      const own = async (name) =>
        FLOWS[name].finish(plugin, started[name], started[name].code, { phone, user: ADA });
      await rejectsWith(own('registration'), 'PHONE_NUMBER_IN_USE');
      await rejectsWith(own('phone login'), 'TWO_FACTOR_REQUIRED');
      assert.ok(succeeded(await own('two-factor')));
      assert.ok(succeeded(await own('app verification')));
    });

    test('codes are uniform digits: every digit turns up', async () => {
      const { mem, plugin } = await setup({ codeLength: 10, breakerMinCodes: 0, ...BACK_TO_BACK });
      const counts = new Array(10).fill(0);
      for (let i = 0; i < 20; i += 1) {
        const { code } = await FLOWS.registration.start(plugin, mem, `+1415${300 + i}0${100 + i}`);
        for (const digit of code) counts[Number(digit)] += 1;
      }
      // 200 digits: a digit missing from a uniform source has odds of about 1 in 10^8.
      assert.ok(
        counts.every((n) => n > 0),
        counts.join(' '),
      );
      assert.ok(Math.max(...counts) < 60, counts.join(' '));
    });

    test('codes are hashed under the host key: with another key the stored code does not check', async () => {
      const mem = createMemoryHost();
      const create = (codeHashingKey) =>
        build.TwilioPlugin.create(baseConfig({ codeHashingKey }), mem.host);
      const sender = await create(HASHING_KEY);
      const { transactionId, code } = await FLOWS.registration.start(sender, mem, '+14155550160');
      const finish = (plugin) =>
        FLOWS.registration.finish(plugin, { transactionId }, code, { phone: '+14155550160' });
      await rejectsWith(finish(await create(`${HASHING_KEY}-rotated`)), 'CODE_MISMATCH');
      await rejectsWith(
        finish(await build.TwilioPlugin.create(baseConfig(), mem.host)),
        'CODE_MISMATCH',
      );
      assert.ok(succeeded(await finish(await create(HASHING_KEY))));
      // A host that supplies no key is told so, one that does is not.
      const warned = (logs) => logs.filter((line) => line.includes('no codeHashingKey')).length;
      assert.equal(warned(mem.state.logs), 1);
    });

    test('a lifetime beyond 10 minutes or attempts beyond 10 are refused', async () => {
      for (const [field, value] of [
        ['codeTtlSeconds', 601],
        ['codeTtlSeconds', 59],
        ['maxAttempts', 11],
        ['maxAttempts', 0],
        ['codeLength', 3],
        ['codeLength', 11],
      ]) {
        const report = await build.TwilioPlugin.validateConfig(baseConfig({ [field]: value }));
        assert.equal(report.ok, false, `${field} ${value}`);
        assert.deepEqual(
          report.problems.map((p) => p.field),
          [field],
        );
      }
    });
  });
}
