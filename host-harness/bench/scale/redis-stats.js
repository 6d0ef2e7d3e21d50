// Redis's own view of a window: INFO commandstats, reset at the start with CONFIG RESETSTAT.
// Counts what every host sent; this connection's own INFO and CONFIG are left out.

const Redis = require('ioredis');

const OWN_COMMANDS = new Set(['info', 'config|resetstat', 'client|setinfo', 'client|setname']);

/** `{command: {calls, usec}}` from INFO commandstats' `cmdstat_get:calls=1,usec=2,...` lines. */
function parseCommandStats(text) {
  const stats = {};
  for (const line of text.split('\r\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/.exec(line);
    if (match && !OWN_COMMANDS.has(match[1])) {
      stats[match[1]] = { calls: Number(match[2]), usec: Number(match[3]) };
    }
  }
  return stats;
}

async function openRedisStats(url) {
  // No retries and no offline queue: if Redis is gone the bench should say so, not wait.
  const client = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  await client.connect();
  return {
    reset: () => client.config('RESETSTAT'),
    read: async () => parseCommandStats(await client.info('commandstats')),
    close: () => client.quit().catch(() => client.disconnect()),
  };
}

module.exports = { openRedisStats, parseCommandStats };
