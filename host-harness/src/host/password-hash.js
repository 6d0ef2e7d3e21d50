// Password hashing with scrypt (memory-hard, in Node's standard library). The stored form names
// its own parameters, `scrypt$N$r$p$salt$hash`, so they can be raised later without breaking the
// hashes already stored: each is verified with the parameters it was made with.

const crypto = require('node:crypto');
const os = require('node:os');
const { promisify } = require('node:util');

const { errors } = require('./errors');
const { createLimiter } = require('./hash-limiter');

const scrypt = promisify(crypto.scrypt);

// Hashes run a few at a time (hash-limiter.js), registration and login alike: one per CPU, at
// least 2, and at most one less than libuv's threadpool (UV_THREADPOOL_SIZE, 4 by default), so a
// thread stays free for DNS lookups and file work. A few more wait their turn, briefly; past
// that the answer is 503 with Retry-After: 1 instead of a wait nobody can see the end of.
const THREADPOOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE) || 4;
const DEFAULT_HASH_LIMITS = Object.freeze({
  concurrency: Math.max(2, Math.min(os.availableParallelism(), THREADPOOL_SIZE - 1)),
  maxQueue: 64,
  maxWaitMs: 5000,
});

/** The process's one limiter: the threadpool and CPUs it protects are the process's too. */
const hashLimiter = createLimiter({ ...DEFAULT_HASH_LIMITS, busy: errors.busy });

// OWASP's cheat sheet asks for N=2^17 (128 MiB per hash). This development host uses 2^14
// (16 MiB) so registration and the tests stay fast on any laptop; a production host raises N,
// and since each stored hash names its parameters, the hashes already stored keep working.
const DEFAULT_PARAMS = Object.freeze({ N: 16384, r: 8, p: 1 });
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const MAX_PASSWORD_CHARS = 1024;

function maxmem({ N, r }) {
  return 256 * N * r; // twice what scrypt needs, so Node's 32 MiB default never gets in the way
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
async function hashPassword(password, params = DEFAULT_PARAMS) {
  if (typeof password !== 'string' || password.length > MAX_PASSWORD_CHARS) {
    throw new TypeError('password must be a string');
  }
  const salt = crypto.randomBytes(SALT_BYTES);
  const key = await hashLimiter.run(() =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...params, maxmem: maxmem(params) }),
  );
  return [
    'scrypt',
    params.N,
    params.r,
    params.p,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

function parseStored(stored) {
  const parts = typeof stored === 'string' ? stored.split('$') : [];
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every(Number.isInteger) || N < 2 || N > 2 ** 20 || r > 32 || p > 16) return null;
  const salt = Buffer.from(parts[4], 'base64');
  const key = Buffer.from(parts[5], 'base64');
  if (salt.length === 0 || key.length < 16 || key.length > 64) return null;
  return { params: { N, r, p }, salt, key };
}

/**
 * True when `password` matches the stored hash; compared in constant time. Like hashPassword,
 * rejects with a 503 BaasError when the server is too busy hashing to take it.
 * @param {{priority?: boolean}} [options] served first when the server is busy (hash-limiter.js)
 */
async function verifyPassword(password, stored, { priority = false } = {}) {
  const parsed = parseStored(stored);
  if (!parsed || typeof password !== 'string' || password.length > MAX_PASSWORD_CHARS) return false;
  const key = await hashLimiter.run(
    () =>
      scrypt(password.normalize('NFC'), parsed.salt, parsed.key.length, {
        ...parsed.params,
        maxmem: maxmem(parsed.params),
      }),
    { priority },
  );
  return key.length === parsed.key.length && crypto.timingSafeEqual(key, parsed.key);
}

/**
 * A hash of nothing anybody knows, to verify against when the login names no user: the answer
 * then takes as long as for a real user, so response time does not reveal who has an account.
 */
let decoy = null;
async function decoyHash() {
  // A refusal (busy) is not kept: the next login makes the decoy again.
  decoy ??= hashPassword(crypto.randomBytes(16).toString('hex')).catch((err) => {
    decoy = null;
    throw err;
  });
  return decoy;
}

module.exports = {
  hashPassword,
  verifyPassword,
  decoyHash,
  hashLimiter,
  DEFAULT_HASH_LIMITS,
  DEFAULT_PARAMS,
  MAX_PASSWORD_CHARS,
};
