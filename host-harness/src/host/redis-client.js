// The host's one Redis connection (REDIS_URL), shared by the plugin's storage and the sessions.
// Tuned so that Redis being away costs a request milliseconds, not a hang: commands are never
// queued while disconnected (they fail at once, and the caller answers STORAGE_UNAVAILABLE),
// each command has a deadline, and the client keeps reconnecting in the background, so the
// first request after Redis returns succeeds.

const Redis = require('ioredis');

/** A command that has not been answered by then fails (a stalled server, a full socket). */
const COMMAND_TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 2000;
/** Reconnect attempts back off to this, and never stop. */
const MAX_RECONNECT_DELAY_MS = 1000;
/** How long start() waits for the first connection before going on without it. */
const FIRST_CONNECT_WAIT_MS = 5000;

class RedisUrlError extends Error {}

/** Checks REDIS_URL; the answer names what is wrong, never the password. */
function parseRedisUrl(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new RedisUrlError('must be a URL such as redis://127.0.0.1:6379/0');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RedisUrlError(
      `must start with redis:// (or rediss:// for TLS), not ${url.protocol}//`,
    );
  }
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) {
    throw new RedisUrlError('may end in a database number (/0 to /15) and nothing else');
  }
  return url;
}

/** host:port of a Redis URL, for logs and the banner (no user name, no password). */
function redisEndpoint(raw) {
  const url = new URL(raw);
  return `${url.hostname}:${url.port || 6379}${url.pathname.length > 1 ? url.pathname : ''}`;
}

/**
 * Connects to REDIS_URL. Resolves once connected, or after FIRST_CONNECT_WAIT_MS without (the
 * host starts anyway; storage answers unavailable until Redis is reachable).
 * @param {string} redisUrl
 * @param {{log: Function}} deps
 */
async function connectRedis(redisUrl, { log }) {
  parseRedisUrl(redisUrl);
  const endpoint = redisEndpoint(redisUrl);
  const client = new Redis(redisUrl, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(50 * attempt, MAX_RECONNECT_DELAY_MS),
    lazyConnect: true,
  });
  let connected = false;
  // Which connection is the current one: a command that times out on an earlier one (sent
  // before a reconnect) must not drop the connection that replaced it.
  let generation = 0;
  client.on('ready', () => {
    log('info', 'Redis connected', { redis: endpoint });
    connected = true;
    generation += 1;
  });
  client.on('close', () => {
    if (connected) {
      log('error', 'Redis connection lost: storage answers unavailable until it is back', {
        redis: endpoint,
      });
    }
    connected = false;
  });
  // Each failed reconnect is reported as an error; 'close' above has said it once already.
  client.on('error', () => {});
  const ready = new Promise((resolve) => client.once('ready', () => resolve(true)));
  client.connect().catch(() => {});
  const first = await Promise.race([
    ready,
    new Promise((resolve) => setTimeout(resolve, FIRST_CONNECT_WAIT_MS, false).unref()),
  ]);
  if (!first) {
    log('warn', 'Redis is not reachable yet: storage answers unavailable until it is', {
      redis: endpoint,
    });
  }
  return {
    client,
    endpoint,
    get connected() {
      return connected;
    },
    /**
     * Runs `command(client)`. A command that timed out means a server that accepts but does not
     * answer (stalled, paused, swapping): the connection is dropped and reopened, so that the
     * commands after it fail at once instead of each waiting out its own timeout.
     */
    async call(command) {
      const sentOn = generation;
      try {
        return await command(client);
      } catch (err) {
        const timedOut = /timed out/i.test(err.message);
        if (timedOut && sentOn === generation && client.status === 'ready') {
          client.disconnect(true);
        }
        // The store's own words, short and the same whatever the client library says; the
        // library's message stays in `cause` for the host's log.
        throw new Error(timedOut ? 'Redis did not answer in time' : 'Redis is not reachable', {
          cause: err,
        });
      }
    },
    /** Whether Redis answers now (PING), for the health check. */
    async ping() {
      try {
        await this.call((c) => c.ping());
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      client.disconnect(false);
    },
  };
}

module.exports = { connectRedis, parseRedisUrl, redisEndpoint, RedisUrlError, COMMAND_TIMEOUT_MS };
