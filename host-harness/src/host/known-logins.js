// Which accounts have signed in from which client addresses lately: a login to an account
// from an address it has used before is served first when the server is busy hashing
// (hash-limiter.js). A flood for made-up accounts from fresh addresses cannot earn that, and
// an attacker who signs in to an account of their own earns it for that account only.
//
// Only an HMAC of the pair is stored, under a key derived from the master key, so the table
// lists no one's addresses, and a copy of it cannot be checked against guesses either.

const crypto = require('node:crypto');

const REMEMBER_MS = 30 * 24 * 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS known_logins (
  pair_hash    TEXT    PRIMARY KEY,  -- hex HMAC of the scope, the account and the address
  last_success INTEGER NOT NULL      -- ms since the epoch
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS known_logins_last ON known_logins (last_success);
`;

/**
 * @param {import('better-sqlite3').Database} db
 * @param {object} options
 * @param {string} options.scope keeps apart the pairs of different sign-ins (login, console)
 * @param {string | Buffer} options.secret the HMAC key
 * @param {() => number} [options.clock]
 */
function createKnownLogins(db, { scope, secret, clock = Date.now }) {
  db.exec(SCHEMA);
  const pairHash = (account, address) =>
    crypto
      .createHmac('sha256', secret)
      .update(JSON.stringify([scope, account, address]), 'utf8')
      .digest('hex');
  const statements = {
    get: db.prepare('SELECT 1 FROM known_logins WHERE pair_hash = ? AND last_success > ?'),
    remember: db.prepare(`
      INSERT INTO known_logins (pair_hash, last_success) VALUES (?, ?)
      ON CONFLICT (pair_hash) DO UPDATE SET last_success = excluded.last_success`),
    sweep: db.prepare('DELETE FROM known_logins WHERE last_success <= ?'),
  };
  let lastSweep = -Infinity;

  return {
    /** Whether `account` signed in from `address` within the last 30 days. */
    has: (account, address) =>
      Boolean(statements.get.get(pairHash(account, address), clock() - REMEMBER_MS)),
    /** After a successful password login. */
    remember(account, address) {
      const now = clock();
      statements.remember.run(pairHash(account, address), now);
      if (now - lastSweep >= SWEEP_INTERVAL_MS) {
        lastSweep = now;
        statements.sweep.run(now - REMEMBER_MS);
      }
    },
  };
}

module.exports = { createKnownLogins };
