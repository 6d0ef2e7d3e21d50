// The host conformance kit (conformance/): the reference host passes every check on SQLite and
// on a real Redis, a host with a racy take and a redirect-following http fails exactly those two
// checks, and the npm script an operator runs exits 0 on the reference host.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const path = require('node:path');
const { describe, test } = require('node:test');

const redisHost = require('../conformance/adapters/redis-host');
const sqliteHost = require('../conformance/adapters/sqlite-host');
const { CHECKS, runConformance } = require('../conformance/run');
const { startRedis } = require('./support/redis-server');

const HARNESS = path.resolve(__dirname, '..');

/** Fails with every failing check's reason, so a red test says what broke. */
function assertAllPassed(results) {
  const failed = results.filter((result) => !result.ok);
  assert.deepEqual(
    failed.map((result) => `${result.name}: ${result.reason}`),
    [],
    'every check passes',
  );
  assert.deepEqual(
    results.map((result) => result.name),
    CHECKS.map((check) => check.name),
    'every check ran',
  );
}

/**
 * The SQLite reference host with two classic mistakes: take as a get and a later delete (two
 * concurrent takes both see the value), and http following redirects itself.
 */
async function createBrokenHost(options) {
  const inner = await sqliteHost.createHost(options);
  const real = inner.host;
  const host = {
    ...real,
    async storageTake(key) {
      const value = await real.storageGet(key);
      await new Promise((resolve) => setImmediate(resolve));
      if (value !== null) await real.storageTake(key);
      return value;
    },
    async http(request) {
      const response = await real.http(request);
      const location = response.headers.location;
      if (response.status >= 300 && response.status < 400 && location) {
        return real.http({ ...request, url: new URL(location, request.url).href });
      }
      return response;
    },
  };
  return { host, close: inner.close };
}

/**
 * A take that is atomic within one process only (a lock around GET then DEL), as a runtime
 * might write it: each instance has its own lock, so instances serving one app still race.
 */
async function createLockedTakeHost(options) {
  const inner = await sqliteHost.createHost(options);
  const real = inner.host;
  let queue = Promise.resolve();
  const locked = (run) => {
    const result = queue.then(run);
    queue = result.catch(() => {});
    return result;
  };
  const host = {
    ...real,
    storageTake: (key) =>
      locked(async () => {
        const value = await real.storageGet(key);
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (value !== null) await real.storageTake(key);
        return value;
      }),
  };
  return { host, close: inner.close };
}

// The runs mostly wait (on TTLs and timeouts), so they share the wall clock.
describe('host conformance kit', { concurrency: true }, () => {
  test('the SQLite reference host passes every check', async () => {
    assertAllPassed(await runConformance(sqliteHost.createHost));
  });

  test('the Redis reference host passes every check', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const previous = process.env.REDIS_URL;
    process.env.REDIS_URL = redis.url;
    t.after(() => {
      if (previous === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = previous;
    });
    assertAllPassed(await runConformance(redisHost.createHost));
  });

  test('a racy take and a redirect-following http fail exactly their checks', async () => {
    const lines = [];
    const results = await runConformance(createBrokenHost, { log: (line) => lines.push(line) });
    const failed = results.filter((result) => !result.ok);
    assert.deepEqual(
      failed.map((result) => result.name),
      ['storage.take-is-atomic', 'http.no-redirects'],
    );
    assert.match(failed[0].reason, /\d+ of 100 concurrent takes over two instances got a value/);
    assert.match(failed[1].reason, /redirect was followed/);
    assert.equal(lines.filter((line) => line.startsWith('not ok ')).length, 2);
    assert.equal(lines.length, CHECKS.length, 'one line per check');
  });

  test('a take atomic within one instance only fails across two', async () => {
    const results = await runConformance(createLockedTakeHost);
    const failed = results.filter((result) => !result.ok).map((result) => result.name);
    assert.deepEqual(failed, ['storage.take-is-atomic']);
  });

  test('npm run conformance on the SQLite adapter exits 0 and prints ok lines', async () => {
    const env = { ...process.env };
    delete env.REDIS_URL;
    const child = spawn(
      'npm',
      ['run', 'conformance', '--', './conformance/adapters/sqlite-host.js'],
      {
        cwd: HARNESS,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, `exit code 0\n${stdout}\n${stderr}`);
    const okLines = stdout.split('\n').filter((line) => line.startsWith('ok '));
    assert.equal(okLines.length, CHECKS.length, stdout);
    assert.doesNotMatch(stdout, /^not ok/m);
    assert.match(stdout, new RegExp(`${CHECKS.length} of ${CHECKS.length} checks passed`));
    assert.doesNotMatch(stdout + stderr, /not-a-secret/, 'the kit prints no credentials');
  });
});
