// POST /api/users/login with the plugin's login hooks (the manifest's `login` hook):
// - beforeLogin may answer itself (phone login's first step: a code is texted), vouch for a
//   user (`authenticate`: phone login or two-factor with a correct code), or let the BaaS check
//   the password (`continue`);
// - afterLogin sees the result and may withhold the session (two-factor: `respond` with
//   `twoFactorRequired`). Unlike registration, a failing after-hook fails closed: the session
//   is revoked, because issuing it would skip a second factor the app asked for. The user's
//   lastLogin is recorded only once the session is granted.
// Password checks are throttled per account and per client address (failure-throttle.js): a
// refused attempt runs no hash at all, and a correct password clears the account's failures.

const { addressKey } = require('./client-address');
const { BaasError, baasErrorResponse, errors, hostResultError } = require('./errors');
const { createFailureThrottle } = require('./failure-throttle');
const { createOutcomeHandling, isPlainObject, respondAnswer } = require('./hook-outcomes');
const { decoyHash, verifyPassword } = require('./password-hash');

/** One account: a few typos are free, then waits of 1, 2, 4 ... 64 s, then 15 minutes locked. */
const ACCOUNT_RULE = Object.freeze({
  freeFailures: 3,
  baseDelaySeconds: 1,
  lockAfter: 10,
  lockSeconds: 900,
  forgetAfterSeconds: 900,
  clearOnSuccess: true,
});

/** How failed password logins are throttled (README, "Password login throttling"). */
const LOGIN_THROTTLE_RULES = Object.freeze({
  account: ACCOUNT_RULE,
  // One account from an address it signed in from before (its owner's usual place): the
  // account's own rule, kept apart so that guesses from elsewhere cannot lock its owner out
  // there, while someone sharing that address (a NAT, a VPN exit) gets no more guesses.
  pair: ACCOUNT_RULE,
  // One client address, which carrier-grade NAT shares among many real users: far more slack,
  // waits of at most a minute, and one user's success does not clear the others' failures.
  address: Object.freeze({
    freeFailures: 20,
    baseDelaySeconds: 1,
    maxDelaySeconds: 60,
    lockAfter: 100,
    lockSeconds: 900,
    forgetAfterSeconds: 900,
    clearOnSuccess: false,
  }),
});

/**
 * The login throttle on `db`; `rules` may change any field of LOGIN_THROTTLE_RULES' scopes.
 * @param {import('better-sqlite3').Database} db
 * @param {{clock?: () => number, rules?: {account?: object, address?: object},
 *   secret?: string | Buffer}} [options] `secret` keys the stored HMACs of logins and addresses
 */
function createLoginThrottle(db, { clock, rules = {}, secret } = {}) {
  const scope = (name, refusal) => ({
    ...LOGIN_THROTTLE_RULES[name],
    ...rules[name],
    refuse: ({ retryAfterSeconds }) => refusal(retryAfterSeconds),
  });
  return createFailureThrottle(db, {
    namespace: 'login',
    secret,
    clock,
    scopes: {
      account: scope('account', errors.accountLocked),
      address: scope('address', errors.addressLocked),
      pair: scope('pair', errors.accountLocked),
    },
  });
}

/**
 * @param {object} deps
 * @param {{beforeLogin: Function, afterLogin: Function}} deps.plugin
 * @param {ReturnType<import('./users-store').createUsersStore>} deps.users
 * @param {ReturnType<import('./sessions-store').createSessionsStore>} deps.sessions
 * @param {Function} deps.log
 * @param {ReturnType<typeof createLoginThrottle> | null} [deps.throttle] counts failed
 *   password logins; null: not throttled
 * @param {ReturnType<import('./known-logins').createKnownLogins> | null} [deps.knownLogins]
 *   accounts and the addresses they signed in from: served first when hashing is busy
 */
function createLoginRoute({ plugin, users, sessions, log, throttle = null, knownLogins = null }) {
  const { unexpected, callHook } = createOutcomeHandling(log);
  /** Accounts whose login is hashing in the priority queue now. */
  const hashingFirst = new Set();

  /** A session for the user: the after-hook's `result` and the answer, if the hook agrees. */
  async function issueSession(objectId) {
    const token = await sessions.create(objectId);
    return {
      token,
      result: { user: users.getById(objectId), userToken: token },
      grant() {
        const user = users.recordLogin(objectId);
        return { status: 200, body: { ...user, 'user-token': token }, headers: {} };
      },
    };
  }

  function withoutTransaction(login) {
    const { transactionId: _id, transactionCode: _code, ...rest } = login;
    return rest;
  }

  function failed(err) {
    return { token: null, result: { error: hostResultError(err) }, answer: baasErrorResponse(err) };
  }

  /** The BaaS's own check of `{login, password}`. */
  async function passwordLogin(args, ctx) {
    const { login, password } = args;
    if (typeof login !== 'string' || !login.trim() || typeof password !== 'string' || !password) {
      return failed(errors.loginMissing());
    }
    // Keyed by the identity as the users table compares it (Ann@ and ann@ are one account),
    // whether or not such a user exists: the answers do not tell who has an account.
    const account = users.identityKey(login);
    const address = addressKey(ctx.clientIp);
    // From an address the account signed in from before, the account's count (which anyone can
    // run up to lock it) gives way to one of its own for that place, with the same rule: nobody
    // can lock a user out of where they always sign in from without guessing from there.
    const known = knownLogins?.has(account, address) ?? false;
    const pair = JSON.stringify([account, address]);
    let counted = null;
    try {
      counted = throttle?.begin(known ? { pair, address } : { account, address });
    } catch (err) {
      if (err instanceof BaasError) return failed(err);
      throw err;
    }
    let found;
    let matches;
    try {
      found = users.findCredentials(login);
      // An unknown login costs the same hashing as a wrong password: timing does not tell which.
      // One priority hash per account at a time: an account's own correct logins, repeated by
      // the thousand, must not fill the priority queue for everyone.
      const priority = known && !hashingFirst.has(account);
      if (priority) hashingFirst.add(account);
      try {
        matches = await verifyPassword(password, found?.passwordHash ?? (await decoyHash()), {
          priority,
        });
      } finally {
        if (priority) hashingFirst.delete(account);
      }
    } catch (err) {
      // Busy (503) or broken: no password was checked, so the attempt counts neither way.
      counted?.cancel();
      if (err instanceof BaasError) return failed(err);
      throw err;
    }
    if (!found || !matches) {
      counted?.failed();
      return failed(errors.invalidLogin());
    }
    counted?.succeeded();
    knownLogins?.remember(account, address);
    return issueSession(found.user.objectId);
  }

  /** The plugin vouches for a user (it checked a code); the user must exist. */
  async function authenticated(userId, ctx) {
    if (typeof userId === 'string' && users.getById(userId)) return issueSession(userId);
    log('error', 'beforeLogin authenticated an unknown user', { requestId: ctx.requestId });
    return failed(errors.internal());
  }

  async function login({ body, ctx }) {
    const before = await callHook(plugin, 'beforeLogin', ctx, body);
    if (before.failure) return before.failure;
    const { outcome } = before;
    if (outcome?.action === 'respond') {
      return respondAnswer(outcome) ?? unexpected('beforeLogin', ctx, outcome);
    }
    let attempt;
    let loginSeen = body;
    if (outcome?.action === 'authenticate') {
      attempt = await authenticated(outcome.userId, ctx);
    } else if (outcome?.action === 'continue') {
      attempt = await passwordLogin(isPlainObject(outcome.args) ? outcome.args : body, ctx);
      // A password login proved no code: transaction fields it carries (empty, null) were
      // checked by no one, so the after-hook must not take it for two-factor's second step.
      loginSeen = withoutTransaction(body);
    } else {
      return unexpected('beforeLogin', ctx, outcome);
    }

    const after = await callHook(plugin, 'afterLogin', ctx, loginSeen, attempt.result);
    if (after.outcome?.action === 'continue') return attempt.grant?.() ?? attempt.answer;
    if (attempt.token) await sessions.revoke(attempt.token);
    if (after.failure) return after.failure;
    if (after.outcome?.action === 'respond') {
      return respondAnswer(after.outcome) ?? unexpected('afterLogin', ctx, after.outcome);
    }
    return unexpected('afterLogin', ctx, after.outcome);
  }

  return { login };
}

module.exports = { createLoginRoute, createLoginThrottle, LOGIN_THROTTLE_RULES };
