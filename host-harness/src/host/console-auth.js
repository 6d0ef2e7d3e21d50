// The console's operator: one password, stored only as its scrypt hash, and sessions held in an
// HttpOnly cookie. Whoever reaches the host must sign in before the console shows or changes
// anything: the configuration holds the app's Twilio credentials and the rules against abuse.
//
// - The password: CONSOLE_PASSWORD when set (it replaces the stored hash when it differs, and
//   ends every session); otherwise one made up on first start and shown once in the banner.
// - A one-time sign-in link, printed in the banner at each start, so a local developer is one
//   click away: the token travels in the URL's fragment, which browsers never send to a server
//   or a Referer, and the sign-in page posts it. It works once, for an hour.
// - Sessions: a random 256-bit cookie value whose SHA-256 is stored (a copy of the database
//   signs no one in); an hour idle or twelve hours in all ends one; signing out ends it.
// - CSRF: every state-changing call carries X-CSRF-Token, an HMAC of the session's cookie value
//   that only the signed-in page can read (GET /console/api/session). Another site can neither
//   read it nor, with SameSite=Strict, send the cookie.
// - Password guesses are throttled per address and in all (failure-throttle.js). The link is
//   not: its 256 bits cannot be guessed, so it stays the way in when guessing has slowed the
//   password down for everyone (a restart prints a fresh one).

const crypto = require('node:crypto');

const { addressKey } = require('./client-address');
const { BaasError, waitInWords } = require('./errors');
const { createFailureThrottle } = require('./failure-throttle');
const { createKnownLogins } = require('./known-logins');
const { hashPassword, verifyPassword } = require('./password-hash');
const { hashToken } = require('./sessions-store');
const { safeEqual } = require('../twilio-signature');

const SCHEMA = `
CREATE TABLE IF NOT EXISTS console_operator (
  id            INTEGER PRIMARY KEY CHECK (id = 1),  -- one operator
  password_hash TEXT    NOT NULL,                    -- scrypt$N$r$p$salt$hash
  updated_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS console_sessions (
  token_hash TEXT    PRIMARY KEY,  -- hex SHA-256 of the cookie value
  created    INTEGER NOT NULL,
  expires_at INTEGER NOT NULL      -- the idle limit, never past created + SESSION_MAX_MS
);
`;

const COOKIE = 'baas_console';
/** The operator's key in the throttle and among the console's known logins. */
const OPERATOR = 'operator';
const MIN_PASSWORD_CHARS = 12;
const SESSION_IDLE_MS = 60 * 60 * 1000;
const SESSION_MAX_MS = 12 * 60 * 60 * 1000;
const LINK_TTL_MS = 60 * 60 * 1000;

/** 20 characters from a 32-letter alphabet without look-alikes: 100 bits, easy to type. */
function newPassword() {
  const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
  const bytes = crypto.randomBytes(20);
  const chars = [...bytes].map((byte) => alphabet[byte % 32]).join('');
  return chars.match(/.{5}/g).join('-');
}

/**
 * Every value of the console's cookie in a Cookie header. Not only the first: another origin on
 * the same host name (another port, a subdomain) can plant one with a longer Path, which the
 * browser sends first, to sign the operator out.
 */
function cookieValues(header) {
  const values = [];
  for (const part of String(header ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === COOKIE) values.push(rest.join('='));
  }
  return values.slice(0, 4);
}

/** Problems with CONSOLE_PASSWORD, for the start-up report (the value is never repeated). */
function consolePasswordProblems(env) {
  const given = env.CONSOLE_PASSWORD;
  if (given === undefined || given === '' || given.length >= MIN_PASSWORD_CHARS) return [];
  return [
    {
      field: 'CONSOLE_PASSWORD',
      reason: `must be at least ${MIN_PASSWORD_CHARS} characters (or unset: the host then makes one up)`,
    },
  ];
}

/**
 * @param {import('better-sqlite3').Database} db
 * @param {object} options
 * @param {() => number} [options.clock]
 * @param {Function} options.log
 * @param {string | Buffer} options.secret keys the HMACs that stand for addresses in storage
 */
function createConsoleAuth(db, { clock = Date.now, log, secret }) {
  db.exec(SCHEMA);
  const statements = {
    operator: db.prepare('SELECT password_hash FROM console_operator WHERE id = 1'),
    setOperator: db.prepare(`
      INSERT INTO console_operator (id, password_hash, updated_at) VALUES (1, @hash, @now)
      ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash,
        updated_at = excluded.updated_at`),
    insert: db.prepare(
      'INSERT INTO console_sessions (token_hash, created, expires_at) VALUES (?, ?, ?)',
    ),
    touch: db.prepare(`
      UPDATE console_sessions SET expires_at = MIN(@idle, created + @max)
      WHERE token_hash = @hash AND expires_at > @now
      RETURNING token_hash`),
    revoke: db.prepare('DELETE FROM console_sessions WHERE token_hash = ?'),
    revokeAll: db.prepare('DELETE FROM console_sessions'),
    sweep: db.prepare('DELETE FROM console_sessions WHERE expires_at <= ?'),
  };
  // The operator is one account: its password's failures count in all, whoever tries, with
  // delays of at most a minute but no lock; each address is locked on its own.
  const throttle = createFailureThrottle(db, {
    namespace: 'console',
    secret,
    clock,
    scopes: {
      operator: { freeFailures: 10, lockAfter: null, maxDelaySeconds: 60, clearOnSuccess: true },
      address: { freeFailures: 5, maxDelaySeconds: 60, lockAfter: 20, lockSeconds: 900 },
    },
    refuse: ({ retryAfterSeconds }) =>
      new BaasError(
        429,
        429,
        `Too many failed sign-ins. Try again in ${waitInWords(retryAfterSeconds)}.`,
        { retryAfterSeconds },
      ),
  });
  const link = { hash: null, expiresAt: 0 };
  const knownLogins = createKnownLogins(db, { scope: 'console', secret, clock });

  /**
   * Makes sure there is an operator password: CONSOLE_PASSWORD's, the stored one, or a new one.
   * @returns {Promise<{source: 'CONSOLE_PASSWORD' | 'saved' | 'created', password?: string}>}
   *   `password` only when it was made up now: the one time it is shown
   */
  async function ensureOperator(envPassword) {
    const stored = statements.operator.get()?.password_hash ?? null;
    if (envPassword) {
      if (!stored || !(await verifyPassword(envPassword, stored))) {
        statements.setOperator.run({ hash: await hashPassword(envPassword), now: clock() });
        // A changed password ends the sessions the old one opened.
        if (stored) statements.revokeAll.run();
        log('info', 'console operator password set from CONSOLE_PASSWORD');
      }
      return { source: 'CONSOLE_PASSWORD' };
    }
    if (stored) return { source: 'saved' };
    const password = newPassword();
    statements.setOperator.run({ hash: await hashPassword(password), now: clock() });
    return { source: 'created', password };
  }

  /** A new one-time sign-in token (the previous one stops working). */
  function newSignInToken() {
    const token = crypto.randomBytes(32).toString('base64url');
    Object.assign(link, { hash: hashToken(token), expiresAt: clock() + LINK_TTL_MS });
    return token;
  }

  function startSession() {
    const token = crypto.randomBytes(32).toString('base64url');
    const now = clock();
    statements.sweep.run(now);
    statements.insert.run(hashToken(token), now, now + SESSION_IDLE_MS);
    return token;
  }

  /** Checks the one-time link; answers a new session's cookie value. */
  function signInWithLink(token, address) {
    const ok =
      Boolean(link.hash) && clock() < link.expiresAt && safeEqual(hashToken(token), link.hash);
    if (!ok) {
      log('warn', 'console sign-in link refused', { address });
      throw new BaasError(
        401,
        401,
        'This sign-in link was used already or has expired: sign in with the password, or restart the host for a new link.',
      );
    }
    link.hash = null; // once
    log('info', 'console operator signed in with the link', { address });
    return startSession();
  }

  /**
   * Checks the password, throttled; answers a new session's cookie value. From an address the
   * operator signed in from before, only that address's failures count: guessing from elsewhere
   * cannot slow the operator down there. Its few hashes (refused attempts run none) go first
   * when a flood of logins keeps the server busy.
   */
  async function signInWithPassword(password, address) {
    const key = addressKey(address);
    const known = knownLogins.has(OPERATOR, key);
    const attempt = throttle.begin(known ? { address: key } : { operator: OPERATOR, address: key });
    let ok;
    try {
      const stored = statements.operator.get()?.password_hash;
      ok = Boolean(stored) && (await verifyPassword(password, stored, { priority: true }));
    } catch (err) {
      attempt.cancel();
      throw err;
    }
    if (!ok) {
      attempt.failed();
      log('warn', 'console sign-in refused', { address });
      throw new BaasError(401, 401, 'The console password is not correct.');
    }
    attempt.succeeded();
    knownLogins.remember(OPERATOR, key);
    log('info', 'console operator signed in', { address });
    return startSession();
  }

  /** `{password}` or `{link}`: a new session's cookie value, or a BaasError. */
  async function signIn({ password, link: token }, address) {
    if (typeof token === 'string' && token) return signInWithLink(token, address);
    if (typeof password === 'string' && password) return signInWithPassword(password, address);
    throw new BaasError(400, 400, 'Send {"password": "..."}: the console password.');
  }

  /** The session's cookie value when the request carries a live one (extending it), or null. */
  function session(req) {
    const now = clock();
    for (const token of cookieValues(req.headers.cookie)) {
      if (!token || token.length > 64) continue;
      const row = statements.touch.get({
        hash: hashToken(token),
        now,
        idle: now + SESSION_IDLE_MS,
        max: SESSION_MAX_MS,
      });
      if (row) return token;
    }
    return null;
  }

  /** What the signed-in page sends back in X-CSRF-Token. */
  const csrfToken = (token) =>
    crypto.createHmac('sha256', token).update('console csrf').digest('base64url');

  return {
    ensureOperator,
    newSignInToken,
    signIn,
    session,
    csrfToken,
    checkCsrf: (token, req) =>
      safeEqual(String(req.headers['x-csrf-token'] ?? ''), csrfToken(token)),
    signOut: (token) => statements.revoke.run(hashToken(token)),
    /** Set-Cookie for a session (`secure` when the console is reached over https). */
    cookie: (token, secure) =>
      `${COOKIE}=${token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_MS / 1000}${secure ? '; Secure' : ''}`,
    clearCookie: (secure) =>
      `${COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`,
  };
}

module.exports = { createConsoleAuth, consolePasswordProblems };
