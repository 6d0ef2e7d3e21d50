// Who has an account must not show in registration or phone login: not in the status, the
// body, or the time the answer takes, also while Twilio fails. Timing is shown the way it
// cannot be noisy: the built module makes the same host calls, in the same order, before it
// answers for a number with an account and for one without (`make bench` measures the times).

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');

const { baseConfig, createMemoryHost } = require('./support/memory-host');
const { BUILDS } = require('./support/builds');

const KNOWN = '+14155550401';
const UNKNOWN = '+14155550402';

/** The host, with every import call recorded by name (and HTTP method) before it runs. */
function tracedHost() {
  const mem = createMemoryHost();
  const calls = [];
  const host = {};
  for (const [name, fn] of Object.entries(mem.host)) {
    host[name] = (...args) => {
      if (name !== 'now' && name !== 'log') {
        calls.push(name === 'http' ? `http ${args[0].method}` : name);
      }
      return fn(...args);
    };
  }
  mem.state.users.push({ objectId: 'U1', email: 'ann@example.com', phoneNumber: KNOWN });
  return { mem, host, calls };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

/** The answer (or error) of `call`, and the host calls made before it settled. */
async function seen(calls, call) {
  calls.length = 0;
  let answer;
  try {
    answer = await call();
  } catch (err) {
    answer = { error: err.code, status: err.status, details: err.details };
  }
  const before = [...calls];
  await settle();
  return { answer, before, after: calls.slice(before.length) };
}

/** An answer without its random transaction id, for comparing two. */
function shape(answer) {
  const copy = structuredClone(answer);
  if (copy.body?.transactionId) copy.body.transactionId = typeof copy.body.transactionId;
  return copy;
}

for (const build of BUILDS) {
  const { TwilioPlugin } = build;

  describe(build.name, () => {
    test('phone login: the same calls and the same answer before it, with or without an account', async () => {
      const { mem, host, calls } = tracedHost();
      const plugin = await TwilioPlugin.create(baseConfig(), host);
      const login = (phone) => () => plugin.beforeLogin({}, { phoneNumber: phone });

      const known = await seen(calls, login(KNOWN));
      const unknown = await seen(calls, login(UNKNOWN));
      assert.deepEqual(known.before, unknown.before);
      assert.ok(
        !known.before.some((c) => c.startsWith('http')),
        'Twilio is called after the answer',
      );
      assert.deepEqual(shape(known.answer), shape(unknown.answer));
      // After the answer: the SMS for the account, a read that sends nothing for the other.
      assert.deepEqual(
        [
          known.after.find((c) => c.startsWith('http')),
          unknown.after.find((c) => c.startsWith('http')),
        ],
        ['http POST', 'http GET'],
      );
      assert.equal(mem.state.requests.filter((r) => r.method === 'POST').length, 1);
    });

    test('phone login: while Twilio fails, both kinds of number still answer alike', async () => {
      const down = () => ({ status: 503, headers: {}, body: '{"code":20503,"status":503}' });
      // Each failure for both numbers' Twilio calls, and once for the SMS alone (the account read
      // of a number without an account still answering).
      for (const [failure, both] of [
        [() => Object.assign(new Error('connect ECONNREFUSED'), { kind: 'connect' }), true],
        [down, true],
        [() => Object.assign(new Error('no answer within 10000 ms'), { kind: 'timeout' }), true],
        [down, false],
      ]) {
        const { mem, host, calls } = tracedHost();
        const plugin = await TwilioPlugin.create(baseConfig(), host);
        const results = [];
        for (const phone of [KNOWN, UNKNOWN]) {
          if (phone === KNOWN || both) mem.state.replies.push(failure());
          const first = await seen(calls, () => plugin.beforeLogin({}, { phoneNumber: phone }));
          // What the next request finds is where a difference would show.
          const next = await seen(calls, () => plugin.beforeLogin({}, { phoneNumber: phone }));
          results.push({ first, next });
        }
        assert.deepEqual(shape(results[0].first.answer), shape(results[1].first.answer));
        assert.deepEqual(results[0].first.before, results[1].first.before);
        assert.equal(results[0].first.answer.status, 200);
        assert.deepEqual(shape(results[0].next.answer), shape(results[1].next.answer));
        assert.equal(results[0].next.answer.details?.limit, 'number-cooldown');
      }
    });

    test('registration step 1: the same calls and the same answer, with or without an account', async () => {
      const { host, calls } = tracedHost();
      const plugin = await TwilioPlugin.create(baseConfig(), host);
      const start = (phone) => () => plugin.beforeRegister({}, { phoneNumber: phone });
      const known = await seen(calls, start(KNOWN));
      const unknown = await seen(calls, start(UNKNOWN));
      assert.deepEqual(known.before, unknown.before);
      assert.ok(known.before.includes('http POST'), 'both numbers get a code');
      assert.ok(!known.before.includes('findUser'), 'nobody is looked up before the code');
      const withoutNumber = (a) => ({ ...shape(a), body: { ...shape(a).body, phoneNumber: 'n' } });
      assert.deepEqual(withoutNumber(known.answer), withoutNumber(unknown.answer));
    });
  });
}
