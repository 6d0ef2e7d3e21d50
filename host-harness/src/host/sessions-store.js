// Login sessions. The client holds a random 128-bit `user-token`; the table holds only its
// SHA-256, so a copy of the database file cannot be used to act as anyone. A plain hash (not a
// slow one) is enough because the token is random, not something a person chose.

const crypto = require('node:crypto');

/** Backendless keeps a session for two hours of inactivity by default. */
const DEFAULT_SESSION_TTL_MS = 2 * 60 * 60 * 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT    PRIMARY KEY,   -- hex SHA-256 of the user-token
  object_id  TEXT    NOT NULL REFERENCES users (object_id) ON DELETE CASCADE,
  created    INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires_at);
`;

function hashToken(token) {
  return crypto.createHash('sha256').update(token, 'utf8').digest('hex');
}

/** 128 random bits written like Backendless's tokens: an uppercase UUID-shaped string. */
function newToken() {
  const hex = crypto.randomBytes(16).toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * @param {import('better-sqlite3').Database} db
 * @param {object} [options]
 * @param {() => number} [options.clock]
 * @param {number} [options.ttlMs] idle time after which a session ends
 */
function createSessionsStore(db, { clock = Date.now, ttlMs = DEFAULT_SESSION_TTL_MS } = {}) {
  db.exec(SCHEMA);
  const statements = {
    insert: db.prepare(
      'INSERT INTO sessions (token_hash, object_id, created, expires_at) VALUES (?, ?, ?, ?)',
    ),
    // Sliding expiry: each use extends the session, as Backendless's inactivity timeout does.
    touch: db.prepare(`
      UPDATE sessions SET expires_at = @expiresAt
      WHERE token_hash = @hash AND expires_at > @now
      RETURNING object_id`),
    sweep: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    revoke: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
  };

  return {
    /** Starts a session and returns the token, which is shown to the client once. */
    create(objectId) {
      const token = newToken();
      const now = clock();
      statements.sweep.run(now);
      statements.insert.run(hashToken(token), objectId, now, now + ttlMs);
      return token;
    },
    /** The objectId of the token's live session (extending it), or null. */
    resolve(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 128) return null;
      const now = clock();
      const row = statements.touch.get({ hash: hashToken(token), now, expiresAt: now + ttlMs });
      return row?.object_id ?? null;
    },
    /** Ends a session, e.g. one an after-login hook withheld for a second factor. */
    revoke(token) {
      statements.revoke.run(hashToken(token));
    },
  };
}

module.exports = { createSessionsStore, hashToken, newToken, DEFAULT_SESSION_TTL_MS };
