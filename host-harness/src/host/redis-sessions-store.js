// Login sessions on Redis (REDIS_URL), so that a user signed in through one host is signed in on
// every host sharing the Redis. The same contract as sessions-store.js: the client holds the
// random token, Redis holds only its SHA-256 under `session:`, and each use slides the expiry
// (GETEX ... PX, one atomic command). Unlike the SQLite table's rows, a session does not go with
// its user: the API deletes no users, and an operator who deletes one by hand should also delete
// the `session:` keys whose value is its objectId.

const { errors } = require('./errors');
const { DEFAULT_SESSION_TTL_MS, hashToken, newToken } = require('./sessions-store');

/**
 * @param {{call: Function}} redis the host's connection (redis-client.js)
 * @param {object} [options]
 * @param {number} [options.ttlMs] idle time after which a session ends
 * @param {string} [options.keyPrefix]
 * @param {Function} [options.log]
 */
function createRedisSessionsStore(
  redis,
  { ttlMs = DEFAULT_SESSION_TTL_MS, keyPrefix = 'baas:', log = () => {} } = {},
) {
  const keyOf = (token) => `${keyPrefix}session:${hashToken(token)}`;

  /** A Redis failure is the client's 503 "try again", logged once here. */
  async function guarded(operation, run) {
    try {
      return await redis.call(run);
    } catch (err) {
      log('error', 'session storage failed', {
        operation,
        error: err.message,
        ...(err.cause?.message ? { cause: err.cause.message } : {}),
      });
      throw errors.storageUnavailable();
    }
  }

  return {
    /** Starts a session and returns the token, which is shown to the client once. */
    create(objectId) {
      const token = newToken();
      return guarded('create', async (client) => {
        await client.set(keyOf(token), objectId, 'PX', ttlMs);
        return token;
      });
    },
    /** The objectId of the token's live session (extending it), or null. */
    resolve(token) {
      if (typeof token !== 'string' || token.length === 0 || token.length > 128) {
        return Promise.resolve(null);
      }
      return guarded('resolve', (client) => client.getex(keyOf(token), 'PX', ttlMs));
    },
    /** Ends a session, e.g. one an after-login hook withheld for a second factor. */
    revoke(token) {
      return guarded('revoke', async (client) => {
        await client.del(keyOf(token));
      });
    },
  };
}

module.exports = { createRedisSessionsStore };
