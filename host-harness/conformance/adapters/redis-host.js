// The reference host over Redis (REDIS_URL), as the conformance kit's module contract wants it:
// the same createPluginHost and Redis store a cluster of hosts runs, in a namespace of its own.
//
//   REDIS_URL=redis://127.0.0.1:6379 npm run conformance -- ./conformance/adapters/redis-host.js
//
// Every key the kit writes has a TTL of at most 60 s, so a shared Redis is left as it was.

const crypto = require('node:crypto');

const { createLogger } = require('../../src/host/logger');
const { connectRedis, parseRedisUrl, redisEndpoint } = require('../../src/host/redis-client');
const { createRedisKvStore } = require('../../src/host/redis-kv-store');
const { createPluginHost } = require('../../src/host/plugin-host');

const silentLog = () => createLogger({ sink: () => {}, minLevel: 'debug' });

/** One namespace for every instance of this process's run: they share it, as hosts do. */
const namespace = `conformance-${crypto.randomBytes(6).toString('hex')}`;

async function createHost({ allowedOrigins, deadlineMs }) {
  const url = process.env.REDIS_URL;
  if (!url) {
    throw new Error(
      'REDIS_URL is not set: e.g. REDIS_URL=redis://127.0.0.1:6379 npm run conformance -- ./conformance/adapters/redis-host.js',
    );
  }
  // Its messages name what is wrong with the URL, never the password in it.
  parseRedisUrl(url);
  const connection = await connectRedis(url, { log: () => {} });
  if (!connection.connected) {
    await connection.close();
    // The endpoint is host:port only: REDIS_URL may hold a password.
    throw new Error(`Redis at ${redisEndpoint(url)} is not reachable`);
  }
  // Each instance its own connection, as each host process has.
  const storage = createRedisKvStore(connection).namespace(namespace);
  const host = createPluginHost({
    storage,
    users: { findBy: () => null },
    allowedOrigins,
    log: silentLog(),
    deadlineMs,
  });
  return { host, close: () => connection.close() };
}

module.exports = { createHost };
