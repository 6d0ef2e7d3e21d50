// Failed attempts (of a password, say) counted per key in named scopes, e.g. per account and per
// client address, each scope with its own rule: a few failures are free, then each attempt must
// wait a delay that doubles from one failure to the next, and at `lockAfter` failures the key is
// locked for a while, the right answer included.
//
// The counts live in SQLite, so a restart forgets nothing and every host process on the same
// file sees the same counts. An attempt is counted as a failure *before* it is checked, in the
// same transaction as the check (BEGIN IMMEDIATE, which holds the write lock across processes):
// otherwise 300 concurrent wrong passwords would all pass the check before the first of them
// had failed. A success or a cancelled attempt then takes its reservation back.

const crypto = require('node:crypto');

const { writeTransaction } = require('./database');
const { BaasError, waitInWords } = require('./errors');

const SCHEMA = `
CREATE TABLE IF NOT EXISTS failure_throttle (
  scope        TEXT    NOT NULL,   -- namespace.scope, e.g. login.account
  key          TEXT    NOT NULL,   -- hex HMAC of the account's identity key, or of an address
  failures     INTEGER NOT NULL,   -- in a row, the reserved ones included
  last_failure INTEGER NOT NULL,   -- ms since the epoch
  locked_until INTEGER,            -- ms since the epoch; NULL: not locked
  expires_at   INTEGER NOT NULL,   -- when the row is forgotten (the lock's end, else the
                                   -- last failure + forgetAfterSeconds)
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS failure_throttle_expires ON failure_throttle (expires_at);
`;

const DEFAULT_SWEEP_INTERVAL_MS = 60_000;

const RULE_DEFAULTS = Object.freeze({
  freeFailures: 3,
  baseDelaySeconds: 1,
  maxDelaySeconds: null, // default: half of forgetAfterSeconds (see checkRule)
  lockAfter: 10, // null: never locked, only delayed
  lockSeconds: 900,
  forgetAfterSeconds: 900,
  clearOnSuccess: false,
});

function checkRule(scope, given) {
  const rule = { ...RULE_DEFAULTS, ...given };
  // A wait as long as the memory would let a patient guesser wait out every failure: the count
  // would start over before it ever reached the lock.
  rule.maxDelaySeconds ??= Math.floor(rule.forgetAfterSeconds / 2);
  const whole = (name, min) => {
    if (!Number.isInteger(rule[name]) || rule[name] < min) {
      throw new TypeError(`throttle scope "${scope}": ${name} must be a whole number >= ${min}`);
    }
  };
  whole('freeFailures', 0);
  whole('lockSeconds', 1);
  whole('forgetAfterSeconds', 1);
  if (rule.lockAfter !== null) whole('lockAfter', 1);
  for (const name of ['baseDelaySeconds', 'maxDelaySeconds']) {
    if (!(typeof rule[name] === 'number' && rule[name] >= 0)) {
      throw new TypeError(`throttle scope "${scope}": ${name} must be a number of seconds`);
    }
  }
  if (rule.maxDelaySeconds >= rule.forgetAfterSeconds) {
    throw new TypeError(
      `throttle scope "${scope}": maxDelaySeconds must be shorter than forgetAfterSeconds`,
    );
  }
  return Object.freeze(rule);
}

/** "Too many failed attempts", for scopes that bring no refusal of their own. */
function defaultRefusal({ retryAfterSeconds }) {
  return new BaasError(
    429,
    429,
    `Too many failed attempts. Try again in ${waitInWords(retryAfterSeconds)}.`,
    { retryAfterSeconds },
  );
}

/**
 * @param {import('better-sqlite3').Database} db
 * @param {object} options
 * @param {Record<string, object>} options.scopes each scope's rule (see RULE_DEFAULTS), plus
 *   optionally `refuse({scope, key, retryAfterSeconds, locked})` returning the error to throw
 * @param {string} [options.namespace] kept apart from other throttles' scopes of the same name
 * @param {() => number} [options.clock] ms since the epoch
 * @param {(refusal: object) => Error} [options.refuse] the error for scopes without their own
 * @param {number} [options.sweepIntervalMs] how often forgotten rows are deleted (clock time)
 * @param {string | Buffer} options.secret keys are stored as their HMAC under it: a login is
 *   whatever the client typed (a password in the wrong field, say), and an address is personal
 */
function createFailureThrottle(
  db,
  {
    scopes,
    namespace = '',
    clock = Date.now,
    refuse = defaultRefusal,
    sweepIntervalMs = DEFAULT_SWEEP_INTERVAL_MS,
    secret,
  },
) {
  if (!secret) throw new TypeError('a throttle needs a secret to store its keys under');
  const storedKey = (key) => crypto.createHmac('sha256', secret).update(String(key)).digest('hex');
  db.exec(SCHEMA);
  const rules = new Map(
    Object.entries(scopes ?? {}).map(([scope, { refuse: own, ...rule }]) => [
      scope,
      {
        rule: checkRule(scope, rule),
        stored: namespace ? `${namespace}.${scope}` : scope,
        refuse: own ?? refuse,
      },
    ]),
  );
  if (rules.size === 0) throw new TypeError('a throttle needs at least one scope');

  const statements = {
    get: db.prepare(
      'SELECT * FROM failure_throttle WHERE scope = ? AND key = ? AND expires_at > ?',
    ),
    put: db.prepare(`
      INSERT INTO failure_throttle (scope, key, failures, last_failure, locked_until, expires_at)
      VALUES (@scope, @key, @failures, @lastFailure, @lockedUntil, @expiresAt)
      ON CONFLICT (scope, key) DO UPDATE SET
        failures = excluded.failures, last_failure = excluded.last_failure,
        locked_until = excluded.locked_until, expires_at = excluded.expires_at`),
    remove: db.prepare('DELETE FROM failure_throttle WHERE scope = ? AND key = ?'),
    sweep: db.prepare('DELETE FROM failure_throttle WHERE expires_at <= ?'),
  };

  // Rows are bounded without a timer: only an attempt that runs (a refused one writes nothing)
  // adds a row, and every row is deleted within forgetAfterSeconds or lockSeconds.
  let lastSweep = -Infinity;
  function maybeSweep(now) {
    if (now - lastSweep < sweepIntervalMs) return;
    lastSweep = now;
    statements.sweep.run(now);
  }

  /** The key's row while it counts: a lock that has ended, or old failures, are forgotten. */
  function live({ stored, key }, now) {
    return statements.get.get(stored, key, now) ?? null;
  }

  /** How long the key must still wait, in ms (0: it may try now). */
  function waitMs(row, rule, now) {
    if (!row) return 0;
    if (row.locked_until !== null) return row.locked_until - now;
    if (row.failures < rule.freeFailures) return 0;
    const delaySeconds = Math.min(
      rule.baseDelaySeconds * 2 ** (row.failures - rule.freeFailures),
      rule.maxDelaySeconds,
    );
    return Math.max(0, row.last_failure + delaySeconds * 1000 - now);
  }

  function write(entry, { failures, lastFailure, lockedUntil }) {
    const expiresAt = lockedUntil ?? lastFailure + entry.rule.forgetAfterSeconds * 1000;
    statements.put.run({
      scope: entry.stored,
      key: entry.key,
      failures,
      lastFailure,
      lockedUntil,
      expiresAt,
    });
  }

  /** Checks every key and, when none must wait, counts the attempt as a failure for each. */
  const reserve = writeTransaction(db, (entries) => {
    const now = clock();
    maybeSweep(now);
    const rows = entries.map((entry) => live(entry, now));
    let refusal = null;
    entries.forEach((entry, i) => {
      const wait = waitMs(rows[i], entry.rule, now);
      if (wait > 0 && (!refusal || wait > refusal.wait)) {
        refusal = { entry, wait, locked: rows[i].locked_until !== null };
      }
    });
    if (refusal) return { refusal };
    const reservations = entries.map((entry, i) => {
      const failures = (rows[i]?.failures ?? 0) + 1;
      const { lockAfter, lockSeconds } = entry.rule;
      const lockedUntil =
        lockAfter !== null && failures >= lockAfter ? now + lockSeconds * 1000 : null;
      write(entry, { failures, lastFailure: now, lockedUntil });
      return { entry, at: now, previousLastFailure: rows[i]?.last_failure ?? null };
    });
    return { reservations };
  });

  /** Takes one reservation back, leaving other attempts' failures as they are. */
  function takeBack({ entry, at, previousLastFailure }, now) {
    const row = live(entry, now);
    if (!row) return;
    const failures = row.failures - 1;
    if (failures <= 0) {
      statements.remove.run(entry.stored, entry.key);
      return;
    }
    // The delay runs from the last failure: ours was no failure, so the one before it counts.
    const lastFailure =
      row.last_failure === at && previousLastFailure !== null
        ? previousLastFailure
        : row.last_failure;
    // A lock stands only on lockAfter real failures: once locked no attempt is reserved, so if
    // taking this one back leaves fewer, the lock (whichever reservation set it) counted it.
    const { lockAfter } = entry.rule;
    const unlock = lockAfter !== null && failures < lockAfter;
    write(entry, { failures, lastFailure, lockedUntil: unlock ? null : row.locked_until });
  }

  const settle = writeTransaction(db, (reservations, outcome) => {
    const now = clock();
    for (const reservation of reservations) {
      if (outcome === 'succeeded' && reservation.entry.rule.clearOnSuccess) {
        statements.remove.run(reservation.entry.stored, reservation.entry.key);
      } else {
        takeBack(reservation, now);
      }
    }
  });

  /**
   * Starts an attempt for `keys` ({scope: key}; empty keys are left out). Throws the scope's
   * refusal (a 429 BaasError with retryAfterSeconds by default) when any key must wait or is
   * locked; otherwise the attempt is already counted as failed until it says otherwise.
   */
  function begin(keys) {
    const entries = [];
    for (const [scope, key] of Object.entries(keys)) {
      if (key === undefined || key === null || key === '') continue;
      const known = rules.get(scope);
      if (!known) throw new TypeError(`no throttle rule for the scope "${scope}"`);
      entries.push({ scope, key: storedKey(key), ...known });
    }
    const { refusal, reservations } = reserve(entries);
    if (refusal) {
      const { entry, wait, locked } = refusal;
      throw entry.refuse({
        scope: entry.scope,
        key: entry.key,
        retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)),
        locked,
      });
    }
    let settled = false;
    const finish = (outcome) => {
      if (settled) return;
      settled = true;
      if (outcome !== 'failed') settle(reservations, outcome);
    };
    return {
      /** Right answer: clears the `clearOnSuccess` scopes, takes the reservation back elsewhere. */
      succeeded: () => finish('succeeded'),
      /** Wrong answer: the reservation stays, as the failure it was counted as. */
      failed: () => finish('failed'),
      /** Nothing was checked (the server was busy, say): the reservation is taken back. */
      cancel: () => finish('cancelled'),
    };
  }

  return { begin };
}

module.exports = { createFailureThrottle };
