// Plugin storage: the four operations the plugin may assume (get, put with TTL, atomic take,
// atomic increment), on a SQLite table. Each operation is a single SQL statement, so it stays
// atomic even when several host processes share the file, exactly as the same operations are on
// Redis (redis-kv-store.js: GET, SET EX, GETDEL, and INCR with its EXPIRE in one script).

const DEFAULT_SWEEP_INTERVAL_MS = 60_000;
const MAX_KEY_CHARS = 512;
const MAX_VALUE_CHARS = 65_536;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS plugin_kv (
  namespace  TEXT    NOT NULL,
  key        TEXT    NOT NULL,
  value      TEXT    NOT NULL,
  expires_at INTEGER,            -- ms since the epoch; NULL never expires
  PRIMARY KEY (namespace, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS plugin_kv_expires ON plugin_kv (expires_at)
  WHERE expires_at IS NOT NULL;
`;

/** A row counts as gone from the moment it expires, whether or not the sweeper has run. */
const LIVE = '(expires_at IS NULL OR expires_at > @now)';

function checkKey(key) {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_CHARS) {
    throw new TypeError(`storage key must be a string of 1 to ${MAX_KEY_CHARS} characters`);
  }
}

function checkValue(value) {
  if (typeof value !== 'string' || value.length > MAX_VALUE_CHARS) {
    throw new TypeError(`storage value must be a string of at most ${MAX_VALUE_CHARS} characters`);
  }
}

function checkTtl(ttlSeconds) {
  // Every key the plugin writes has a lifetime: nothing it stores is meant to outlive a code.
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
    throw new TypeError('ttlSeconds must be a positive whole number');
  }
}

/**
 * @param {import('better-sqlite3').Database} db
 * @param {object} [options]
 * @param {() => number} [options.clock] ms since the epoch
 * @param {number} [options.sweepIntervalMs] how often expired rows are deleted (0: never)
 */
function createKvStore(db, { clock = Date.now, sweepIntervalMs = DEFAULT_SWEEP_INTERVAL_MS } = {}) {
  db.exec(SCHEMA);
  const statements = {
    get: db.prepare(`SELECT value FROM plugin_kv WHERE namespace = @ns AND key = @key AND ${LIVE}`),
    put: db.prepare(`
      INSERT INTO plugin_kv (namespace, key, value, expires_at) VALUES (@ns, @key, @value, @expiresAt)
      ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at`),
    // Deletes whatever is there (an expired row is garbage anyway) and reports what it was, so
    // of two concurrent takes exactly one sees the row.
    take: db.prepare(
      'DELETE FROM plugin_kv WHERE namespace = @ns AND key = @key RETURNING value, expires_at',
    ),
    // A live counter is incremented and keeps its expiry; a missing or expired one restarts at 1
    // with a fresh expiry. The expressions all read the row as it was before the update.
    incr: db.prepare(`
      INSERT INTO plugin_kv (namespace, key, value, expires_at) VALUES (@ns, @key, '1', @expiresAt)
      ON CONFLICT (namespace, key) DO UPDATE SET
        value = CASE WHEN ${LIVE} THEN CAST(CAST(value AS INTEGER) + 1 AS TEXT) ELSE '1' END,
        expires_at = CASE WHEN ${LIVE} THEN expires_at ELSE excluded.expires_at END
      RETURNING CAST(value AS INTEGER) AS count`),
    sweep: db.prepare('DELETE FROM plugin_kv WHERE expires_at IS NOT NULL AND expires_at <= @now'),
    // The primary key orders keys, so a prefix is a range scan.
    entries: db.prepare(`SELECT key, value FROM plugin_kv
      WHERE namespace = @ns AND key >= @from AND key < @to AND ${LIVE} ORDER BY key`),
  };

  function sweep() {
    return statements.sweep.run({ now: clock() }).changes;
  }

  sweep();
  let timer = null;
  if (sweepIntervalMs > 0) {
    timer = setInterval(() => {
      try {
        sweep();
      } catch {
        // The database may be closing; reads ignore expired rows anyway.
      }
    }, sweepIntervalMs);
    // The sweeper alone must never keep the process alive.
    timer.unref();
  }

  /** The operations for one plugin; its keys cannot reach another plugin's. */
  function namespace(ns) {
    if (typeof ns !== 'string' || ns.length === 0) throw new TypeError('namespace is required');
    return {
      get(key) {
        checkKey(key);
        return statements.get.get({ ns, key, now: clock() })?.value ?? null;
      },
      put(key, value, ttlSeconds) {
        checkKey(key);
        checkTtl(ttlSeconds);
        checkValue(value);
        statements.put.run({ ns, key, value, expiresAt: clock() + ttlSeconds * 1000 });
      },
      take(key) {
        checkKey(key);
        const row = statements.take.get({ ns, key });
        if (!row) return null;
        return row.expires_at === null || row.expires_at > clock() ? row.value : null;
      },
      /** The live entries whose key starts with `prefix`, for the host's own reading (the
       * console's Activity); not one of the plugin's operations. */
      entries(prefix) {
        return statements.entries.all({ ns, from: prefix, to: `${prefix}\uffff`, now: clock() });
      },
      incr(key, ttlSeconds) {
        checkKey(key);
        checkTtl(ttlSeconds);
        const now = clock();
        return statements.incr.get({ ns, key, now, expiresAt: now + ttlSeconds * 1000 }).count;
      },
    };
  }

  return {
    namespace,
    sweep,
    close() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}

module.exports = { createKvStore, checkKey, checkValue, checkTtl };
