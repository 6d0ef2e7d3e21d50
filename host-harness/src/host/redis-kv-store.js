// Plugin storage on Redis (REDIS_URL): the same four operations as kv-store.js, each one atomic
// on the server, so that every host sharing the Redis counts and takes as one.
//   get   GET
//   put   SET key value EX ttl
//   take  GETDEL: of two concurrent takes exactly one gets the value
//   incr  MULTI; SET key 0 EX ttl NX; INCR key; EXEC: the expiry is set only by the command
//         that creates the counter, and later increments never extend it
// Lifetimes are kept by Redis's clock, not the host's.

const { checkKey, checkTtl, checkValue } = require('./kv-store');

/** Redis's glob metacharacters, escaped so that a prefix matches only itself. */
function globEscape(text) {
  return text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

/**
 * @param {{call: (command: (client: import('ioredis').Redis) => Promise<any>) => Promise<any>}} redis
 *   the host's connection (redis-client.js)
 * @param {object} [options]
 * @param {string} [options.keyPrefix] before every key, so one Redis can serve several apps
 */
function createRedisKvStore(redis, { keyPrefix = 'baas:' } = {}) {
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
        const replies = await redis.call((client) =>
          client
            .multi()
            .set(base + key, '0', 'EX', ttlSeconds, 'NX')
            .incr(base + key)
            .exec(),
        );
        const failed = replies?.find(([err]) => err);
        if (!replies || failed) throw failed?.[0] ?? new Error('the increment was discarded');
        return replies[1][1];
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
