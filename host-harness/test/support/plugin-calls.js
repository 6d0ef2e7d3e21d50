// Shared by the plugin-*.test.js files that run against every build in BUILDS: a plugin on a
// fresh memory host, the error check every refusal gets, and the flows that end in a texted code
// (registration, phone login, two-factor, the app's own verification), started and finished
// through the plugin itself.
const assert = require('node:assert/strict');

const { baseConfig, createMemoryHost } = require('./memory-host');

/** Asserts that `promise` rejects with a plugin error of `code`, and answers the error. */
async function rejectsWith(promise, code) {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof Error, 'errors are JS Errors');
    assert.equal(err.code, code, err.message);
    assert.equal(typeof err.status, 'number');
    assert.equal(typeof err.details, 'object');
    return err;
  }
  assert.fail(`expected ${code}`);
}

/** `async (overrides, users) => {mem, plugin}`: a plugin of `TwilioPlugin` on a new memory host. */
const setupFor =
  (TwilioPlugin) =>
  async (overrides = {}, users = []) => {
    const mem = createMemoryHost();
    mem.state.users.push(...users.map((user) => ({ ...user })));
    const plugin = await TwilioPlugin.create(baseConfig(overrides), mem.host);
    return { mem, plugin };
  };

/** Another code of the same length. */
const wrongCode = (code) => (code[0] === '1' ? '2' : '1') + code.slice(1);

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the host has received `count` Twilio requests in all, and asserts that it has
 * exactly that many. Phone login calls Twilio after its answer (the SMS for a number with an
 * account, a read that sends nothing for one without), so a test waits for that call here.
 */
async function requestsMade(mem, count) {
  for (let i = 0; i < 500 && mem.state.requests.length < count; i += 1) await pause(4);
  // A moment more, in which no further request may come.
  await pause(10);
  assert.equal(mem.state.requests.length, count, 'Twilio requests made');
}

/** The form fields of the last Twilio request. */
const lastForm = (mem) => new URLSearchParams(mem.state.requests.at(-1)?.body ?? '');

const signedIn = (userId) => ({ userId, requestId: `req-${userId}` });

// --- The flows that text a code ------------------------------------------------------------------

const ADA = {
  objectId: 'U1',
  email: 'ada@example.com',
  phoneNumber: '+14155552671',
  twoFactorEnabled: true,
};
const BOB = {
  objectId: 'U2',
  email: 'bob@example.com',
  phoneNumber: '+14155552672',
  twoFactorEnabled: false,
};
/** A user with no phone number. */
const CY = { objectId: 'U3', email: 'cy@example.com' };
const USERS = [ADA, BOB, CY];

/** Phone login's first step for `phone`, once its Twilio call was made: `{transactionId, ...}`. */
async function phoneLoginStart(plugin, mem, phone) {
  const before = mem.state.requests.length;
  const outcome = await plugin.beforeLogin({}, { phoneNumber: phone });
  assert.equal(outcome.action, 'respond');
  assert.equal(outcome.status, 200);
  await requestsMade(mem, before + 1);
  return outcome.body;
}

/** A password login of `user` that the host accepted: what afterLogin answers. */
async function passwordLogin(plugin, user, extra = {}) {
  const login = { login: user.email, password: 'pw-123456', ...extra };
  const before = await plugin.beforeLogin({}, login);
  assert.deepEqual(before, { action: 'continue' });
  return plugin.afterLogin({}, login, { user: { ...user } });
}

/** Two-factor's first step for `user`: the withheld answer's body. */
async function twoFactorStart(plugin, user) {
  const outcome = await passwordLogin(plugin, user);
  assert.equal(outcome.action, 'respond', JSON.stringify(outcome));
  assert.equal(outcome.body.twoFactorRequired, true);
  return outcome.body;
}

/**
 * Each flow that texts a code, with a number it can text among USERS (`phone`), for `phone` (and, for two-factor, the user with that number):
 * `start` answers `{transactionId, code}`, `finish(started, code, {phone, user})` answers what
 * the plugin answers for that code, by default on the same number and user.
 */
const FLOWS = {
  registration: {
    phone: '+14155550123',
    async start(plugin, mem, phone) {
      const outcome = await plugin.beforeRegister({}, { phoneNumber: phone });
      assert.equal(outcome.action, 'respond');
      return { transactionId: outcome.body.transactionId, code: mem.lastCode() };
    },
    finish: (plugin, started, code, { phone }) =>
      plugin.beforeRegister(
        {},
        {
          email: 'new@example.com',
          password: 'pw-123456',
          phoneNumber: phone,
          transactionId: started.transactionId,
          transactionCode: code,
        },
      ),
  },
  'phone login': {
    phone: BOB.phoneNumber,
    async start(plugin, mem, phone) {
      const body = await phoneLoginStart(plugin, mem, phone);
      return { transactionId: body.transactionId, code: mem.lastCode() };
    },
    finish: (plugin, started, code, { phone }) =>
      plugin.beforeLogin(
        {},
        { phoneNumber: phone, transactionId: started.transactionId, transactionCode: code },
      ),
  },
  'two-factor': {
    phone: ADA.phoneNumber,
    async start(plugin, mem, phone) {
      const user = mem.state.users.find((u) => u.phoneNumber === phone);
      const body = await twoFactorStart(plugin, user);
      return { transactionId: body.transactionId, code: mem.lastCode() };
    },
    finish: (plugin, started, code, { user }) =>
      plugin.beforeLogin(
        {},
        { login: user.email, transactionId: started.transactionId, transactionCode: code },
      ),
  },
  'app verification': {
    phone: '+14155550124',
    async start(plugin, mem, phone) {
      const reply = await plugin.startVerification(signedIn('U1'), { phoneNumber: phone });
      return { transactionId: reply.transactionId, code: mem.lastCode() };
    },
    finish: (plugin, started, code, { phone, userId = 'U1' }) =>
      plugin.checkVerification(signedIn(userId), {
        phoneNumber: phone,
        transactionId: started.transactionId,
        transactionCode: code,
      }),
  },
};

module.exports = {
  ADA,
  BOB,
  CY,
  FLOWS,
  USERS,
  lastForm,
  passwordLogin,
  phoneLoginStart,
  rejectsWith,
  requestsMade,
  setupFor,
  signedIn,
  twoFactorStart,
  wrongCode,
};
