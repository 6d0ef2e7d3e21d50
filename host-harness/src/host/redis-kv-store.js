// Plugin storage on Redis (REDIS_URL): the same four operations as kv-store.js, each one atomic
// on the server, so that every host sharing the Redis counts and takes as one.
//   get   GET
//   put   SET key value EX ttl
//   take  GETDEL: of two concurrent takes exactly one gets the value
//   incr  one script (INCR, then EXPIRE only when INCR created the key): the expiry is set by
//         the increment that creates the counter and never extended; a script runs whole, so
//         no other command sees the counter without its expiry. One command where MULTI with
//         SET NX EX and INCR takes four.
// Lifetimes are kept by Redis's clock, not the host's.

const { checkKey, checkTtl, checkValue } = require('./kv-store');

const INCR_WITH_TTL = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count`;

/** Redis's glob metacharacters, escaped so that a prefix matches only itself. */
function globEscape(text) {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * @param {{client: import('ioredis').Redis, call: (command: (client: import('ioredis').Redis) => Promise<any>) => Promise<any>}} redis
 *   the host's connection (redis-client.js)
 * @param {object} [options]
 * @param {string} [options.keyPrefix] before every key, so one Redis can serve several apps
 */
function createRedisKvStore(redis, { keyPrefix = 'baas:' } = {}) {
  // ioredis sends it by its SHA (EVALSHA), loading it once per server.
  redis.client.defineCommand('incrWithTtl', { numberOfKeys: 1, lua: INCR_WITH_TTL });
  function namespace(ns) {
    if (typeof ns !== 'string' || ns.length === 0) throw new TypeError('namespace is required');
    const base = `${keyPrefix}kv:${ns}:`;
    return {
      async get(key) {
        checkKey(key);
        return redis.call((client) => client.get(base + key));
      },
      async put(key, value, ttlSeconds) {
        checkKey(key);
        checkTtl(ttlSeconds);
        checkValue(value);
        await redis.call((client) => client.set(base + key, value, 'EX', ttlSeconds));
      },
      async take(key) {
        checkKey(key);
        return redis.call((client) => client.getdel(base + key));
      },
      async incr(key, ttlSeconds) {
        checkKey(key);
        checkTtl(ttlSeconds);
        return redis.call((client) => client.incrWithTtl(base + key, ttlSeconds));
      },
      /** The live entries whose key starts with `prefix`, sorted, for the host's own reading
       * (the console's Activity); not one of the plugin's operations. */
      async entries(prefix) {
        const keys = [];
        let cursor = '0';
        do {
          const [next, found] = await redis.call((client) =>
            client.scan(cursor, 'MATCH', `${globEscape(base + prefix)}*`, 'COUNT', 1000),
          );
          cursor = next;
          keys.push(...found);
        } while (cursor !== '0');
        if (keys.length === 0) return [];
        keys.sort();
        const values = await redis.call((client) => client.mget(keys));
        return keys
          .map((key, i) => ({ key: key.slice(base.length), value: values[i] }))
          .filter((entry) => entry.value !== null);
      },
    };
  }

  return { namespace, close() {} };
}

module.exports = { createRedisKvStore };
