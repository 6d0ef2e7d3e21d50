// The host's one Redis connection (REDIS_URL), shared by the plugin's storage and the sessions.
// Tuned so that Redis being away costs a request milliseconds, not a hang: commands are never
// queued while disconnected (they fail at once, and the caller answers STORAGE_UNAVAILABLE),
// each command has a deadline, and the client keeps reconnecting in the background, so the
// first request after Redis returns succeeds.
//
// Every key starts with a prefix (REDIS_KEY_PREFIX, default `baas:`), and the prefix belongs to
// one app: its `owner` key holds the app's id (host-meta.js), set by the first host that
// connects. A host of another app finding it refuses to use the prefix, since sharing it would
// let one app's sessions sign in to the other and mix their limits.

const Redis = require('ioredis');

/** A command that has not been answered by then fails (a stalled server, a full socket). */
const COMMAND_TIMEOUT_MS = 1000;
const CONNECT_TIMEOUT_MS = 2000;
/** Reconnect attempts back off to this, and never stop. */
const MAX_RECONNECT_DELAY_MS = 1000;
/** How long start() waits for the first connection before going on without it. */
const FIRST_CONNECT_WAIT_MS = 5000;
/** Redis's default `databases 16`: /0 to /15. */
const MAX_DB = 15;
const DEFAULT_KEY_PREFIX = 'baas:';
const KEY_PREFIX = /^[A-Za-z0-9_.:-]{1,64}$/;

class RedisUrlError extends Error {}

/** Thrown by start(): the host must not run with this Redis as it is. */
class RedisStartError extends Error {}

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
  if (url.search || url.hash) {
    throw new RedisUrlError(
      'must not have a query or fragment: put the database number in the path (/0)',
    );
  }
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !(/^\d{1,2}$/.test(db) && Number(db) <= MAX_DB)) {
    throw new RedisUrlError(`may end in a database number (/0 to /${MAX_DB}) and nothing else`);
  }
  return url;
}

/** REDIS_KEY_PREFIX, checked; the default when unset. */
function parseKeyPrefix(raw) {
  if (raw === undefined || raw === '') return DEFAULT_KEY_PREFIX;
  if (!KEY_PREFIX.test(raw)) {
    throw new RedisUrlError(
      'must be 1 to 64 letters, digits and . _ : - (such as "shop:"): the start of every key of this app',
    );
  }
  return raw;
}

/** host:port of a Redis URL, for logs and the banner (no user name, no password). */
function redisEndpoint(raw) {
  const url = new URL(raw);
  return `${url.hostname}:${url.port || 6379}${url.pathname.length > 1 ? url.pathname : ''}`;
}

/** Redis's words for a refusal, without anything of the URL's credentials. */
function scrubbed(message, url) {
  let text = String(message ?? '').slice(0, 200);
  for (const secret of [url.password, url.username]) {
    if (!secret) continue;
    let plain = secret;
    try {
      plain = decodeURIComponent(secret);
    } catch {
      // Kept as written in the URL.
    }
    text = text.split(plain).join('***').split(secret).join('***');
  }
  return text;
}

const isAuthError = (message) => /WRONGPASS|NOAUTH|invalid password|AUTH/i.test(message);

/**
 * Connects to REDIS_URL. Resolves once connected, or after FIRST_CONNECT_WAIT_MS without (the
 * host starts anyway; storage answers unavailable until Redis is reachable). Rejects with a
 * RedisStartError when Redis refuses the credentials or the prefix is another app's.
 * @param {string} redisUrl
 * @param {object} deps
 * @param {Function} deps.log
 * @param {string} [deps.keyPrefix]
 * @param {string} [deps.appId] the app's id, which claims the prefix (none: no claim)
 */
async function connectRedis(redisUrl, { log, keyPrefix = DEFAULT_KEY_PREFIX, appId = null }) {
  const url = parseRedisUrl(redisUrl);
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
  // Set when the prefix turned out to be another app's: every command is refused.
  let conflict = null;
  let lastError = null;

  /** Claims the prefix for this app, or finds the app that has it. */
  async function claim() {
    if (!appId) return;
    const ownerKey = `${keyPrefix}owner`;
    await client.set(ownerKey, appId, 'NX');
    const owner = await client.get(ownerKey);
    conflict =
      owner === appId
        ? null
        : `the keys under "${keyPrefix}" on ${endpoint} belong to another app (its DATA_DIR holds another app id): give this app its own REDIS_KEY_PREFIX or Redis database`;
    if (conflict) log('error', 'Redis prefix of another app: storage refused', { redis: endpoint });
  }

  /** Warns of settings under which Redis can lose what the plugin relies on. */
  async function checkSettings() {
    try {
      const [, policy] = await client.config('GET', 'maxmemory-policy');
      if (policy && policy !== 'noeviction') {
        log(
          'warn',
          'Redis may evict keys under memory pressure (maxmemory-policy is not noeviction): attempt counts, cooldowns and limits could be forgotten early',
          { redis: endpoint, maxmemoryPolicy: policy },
        );
      }
      const [, appendonly] = await client.config('GET', 'appendonly');
      if (appendonly === 'no') {
        log('warn', 'Redis keeps no append-only file: a restart of Redis forgets every code', {
          redis: endpoint,
        });
      }
    } catch {
      // CONFIG is often disabled on managed Redis; nothing to check then.
    }
  }

  client.on('ready', () => {
    log('info', 'Redis connected', { redis: endpoint });
    connected = true;
    lastError = null;
    generation += 1;
    Promise.all([claim(), checkSettings()]).catch((err) => {
      log('warn', 'Redis: could not check the prefix owner', { error: scrubbed(err.message, url) });
    });
  });
  client.on('close', () => {
    if (connected) {
      log('error', 'Redis connection lost: storage answers unavailable until it is back', {
        redis: endpoint,
      });
    }
    connected = false;
  });
  // Each failed reconnect is reported; once per distinct reason is enough for the log.
  client.on('error', (err) => {
    const reason = scrubbed(err.message, url);
    if (reason !== lastError) {
      log('warn', 'Redis refused or failed the connection', { redis: endpoint, reason });
    }
    lastError = reason;
  });

  const ready = new Promise((resolve) => client.once('ready', () => resolve(true)));
  client.connect().catch(() => {});
  const first = await Promise.race([
    ready,
    new Promise((resolve) => setTimeout(resolve, FIRST_CONNECT_WAIT_MS, false).unref()),
  ]);
  if (first) {
    await claim().catch(() => {});
    if (conflict) {
      client.disconnect(false);
      throw new RedisStartError(`REDIS_URL: ${conflict}.`);
    }
  } else if (lastError && isAuthError(lastError)) {
    client.disconnect(false);
    throw new RedisStartError(
      `REDIS_URL: Redis at ${endpoint} refused the credentials (${lastError}): check the user name and password in REDIS_URL.`,
    );
  } else {
    log('warn', 'Redis is not reachable yet: storage answers unavailable until it is', {
      redis: endpoint,
      reason: lastError,
    });
  }
  return {
    client,
    endpoint,
    keyPrefix,
    get connected() {
      return connected;
    },
    /**
     * Runs `command(client)`. A command that timed out means a server that accepts but does not
     * answer (stalled, paused, swapping): the connection is dropped and reopened, so that the
     * commands after it fail at once instead of each waiting out its own timeout.
     */
    async call(command) {
      if (conflict) throw new Error('Redis prefix belongs to another app');
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

module.exports = {
  connectRedis,
  parseRedisUrl,
  parseKeyPrefix,
  redisEndpoint,
  RedisUrlError,
  RedisStartError,
  COMMAND_TIMEOUT_MS,
  DEFAULT_KEY_PREFIX,
};
