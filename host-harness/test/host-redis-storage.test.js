// The host on Redis (REDIS_URL) when Redis misbehaves: an acknowledged verification survives
// Redis being killed (SIGKILL, append-only file with appendfsync always); while Redis is away
// or stalled every request answers 503 at once instead of hanging, a signed-in user is not
// signed out by the outage, and everything works again when Redis returns.

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const { createApp, ConfigError } = require('../src/host/app');
const { banner } = require('../src/host/banner');
const { consoleApi, getJson, postJson, readCode, startApp, uk } = require('./host-helpers');
const { startRedis } = require('./support/redis-server');

/** Generous: a request that has not answered by then is hanging. */
const HANG_MS = 10_000;

/** `fetch` that fails the test instead of waiting forever on a hanging request. */
function within(promise, what) {
  let timer;
  const hang = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${HANG_MS} ms`)), HANG_MS);
  });
  return Promise.race([promise, hang]).finally(() => clearTimeout(timer));
}

/** Polls /api/health until it says ok (the client reconnects in the background). */
async function healthy(app) {
  const deadline = Date.now() + HANG_MS;
  for (;;) {
    const health = await getJson(`${app.url}/api/health`);
    if (health.status === 200) return health;
    if (Date.now() > deadline) throw new Error(`still unhealthy: ${health.text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('the host on Redis', () => {
  let redis;
  before(async () => {
    redis = await startRedis();
  });
  after(() => redis?.stop());

  // Each test's host is another app (its own data folder), so each gets its own key prefix.
  let apps = 0;
  const startOnRedis = (t, options = {}) => {
    apps += 1;
    return startApp(t, {
      ...options,
      env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: `app${apps}:`, ...options.env },
    });
  };

  test('a verification survives Redis being killed between step 1 and step 2', async (t) => {
    const { app } = await startOnRedis(t);
    assert.deepEqual(app.storage, {
      kind: 'redis',
      endpoint: `127.0.0.1:${redis.port}`,
      keyPrefix: `app${apps}:`,
    });
    const phone = uk(1);
    const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber: phone });
    assert.equal(step1.status, 200, step1.text);
    const code = await readCode(app.simulatorUrl, phone);
    const step2 = {
      email: 'ann@example.com',
      password: 'ann-password-1',
      phoneNumber: phone,
      transactionId: step1.body.transactionId,
      transactionCode: code,
    };

    await redis.kill();
    const during = await within(
      postJson(`${app.url}/api/users/register`, step2),
      'step 2 while Redis is down',
    );
    assert.equal(during.status, 503, during.text);
    assert.equal(during.body.code, 'STORAGE_UNAVAILABLE');
    const health = await getJson(`${app.url}/api/health`);
    assert.equal(health.status, 503);
    assert.equal(health.body.ok, false);

    await redis.restart();
    await healthy(app);
    const done = await postJson(`${app.url}/api/users/register`, step2);
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.phoneNumberConfirmed, true);
  });

  test('a stalled Redis answers 503 quickly, and the host recovers when it moves again', async (t) => {
    const { app } = await startOnRedis(t);
    redis.pause();
    try {
      const started = Date.now();
      const stalled = await within(
        postJson(`${app.url}/api/users/register`, { phoneNumber: uk(2) }),
        'step 1 while Redis is stalled',
      );
      assert.equal(stalled.status, 503, stalled.text);
      assert.equal(stalled.body.code, 'STORAGE_UNAVAILABLE');
      // Not a timing assertion: the next request does not wait out a timeout of its own.
      const again = await within(
        postJson(`${app.url}/api/users/register`, { phoneNumber: uk(3) }),
        'the next step 1',
      );
      assert.equal(again.status, 503, again.text);
      t.diagnostic(`two requests to a stalled Redis answered in ${Date.now() - started} ms`);
    } finally {
      redis.resume();
    }
    await healthy(app);
    const after = await postJson(`${app.url}/api/users/register`, { phoneNumber: uk(4) });
    assert.equal(after.status, 200, after.text);
  });

  test('an outage does not sign anyone out: the session answers 503, then works again', async (t) => {
    const { app } = await startOnRedis(t);
    const phone = uk(5);
    const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber: phone });
    const code = await readCode(app.simulatorUrl, phone);
    const user = await postJson(`${app.url}/api/users/register`, {
      email: 'bob@example.com',
      password: 'bob-password-1',
      phoneNumber: phone,
      transactionId: step1.body.transactionId,
      transactionCode: code,
    });
    assert.equal(user.status, 200, user.text);
    const login = await postJson(`${app.url}/api/users/login`, {
      login: 'bob@example.com',
      password: 'bob-password-1',
    });
    assert.equal(login.status, 200, login.text);
    const token = login.body['user-token'];
    const me = () => getJson(`${app.url}/api/users/${user.body.objectId}`, { 'user-token': token });

    await redis.kill();
    const during = await within(me(), 'reading the user while Redis is down');
    assert.equal(during.status, 503, during.text);
    assert.equal(during.body.code, 'STORAGE_UNAVAILABLE');
    assert.match(during.body.message, /try again/);
    assert.ok(Number(during.headers.get('retry-after')) >= 1);
    const loginDuring = await within(
      postJson(`${app.url}/api/users/login`, {
        login: 'bob@example.com',
        password: 'bob-password-1',
      }),
      'logging in while Redis is down',
    );
    assert.equal(loginDuring.status, 503, loginDuring.text);
    assert.equal(loginDuring.body.code, 'STORAGE_UNAVAILABLE');

    const operator = await consoleApi(app);
    const activity = await within(
      operator.get('activity?hours=1'),
      'the console while Redis is down',
    );
    assert.equal(activity.status, 503, activity.text);
    assert.equal(activity.body.code, 'STORAGE_UNAVAILABLE');

    await redis.restart();
    await healthy(app);
    assert.equal((await operator.get('activity?hours=1')).status, 200);
    const afterwards = await me();
    assert.equal(afterwards.status, 200, afterwards.text);
  });

  test("an app refuses to start on another app's keys, and with its own prefix shares nothing", async (t) => {
    const env = { REDIS_URL: redis.url, REDIS_KEY_PREFIX: 'shared:' };
    const { app: first } = await startApp(t, { env });
    const phone = uk(6);
    const step1 = await postJson(`${first.url}/api/users/register`, { phoneNumber: phone });
    const code = await readCode(first.simulatorUrl, phone);
    await postJson(`${first.url}/api/users/register`, {
      email: 'cy@example.com',
      password: 'cy-password-1',
      phoneNumber: phone,
      transactionId: step1.body.transactionId,
      transactionCode: code,
    });
    const login = await postJson(`${first.url}/api/users/login`, {
      login: 'cy@example.com',
      password: 'cy-password-1',
    });
    assert.equal(login.status, 200, login.text);

    // Another app (its own data folder) on the same keys: refused before it serves anything.
    await assert.rejects(startApp(t, { env }), (err) => {
      assert.equal(err.name, 'StartError');
      assert.match(err.message, /belong to another app.*REDIS_KEY_PREFIX/);
      return true;
    });
    // With its own prefix it runs, and the first app's session means nothing to it.
    const { app: other } = await startApp(t, { env: { ...env, REDIS_KEY_PREFIX: 'other:' } });
    const services = await postJson(
      `${other.url}/api/services/twilio/sendSms`,
      { to: uk(7), body: 'hello' },
      { 'user-token': login.body['user-token'] },
    );
    assert.equal(services.status, 401, services.text);
  });

  test('the banner names the Redis it uses, without its password', async (t) => {
    const { app } = await startOnRedis(t, {
      env: { REDIS_URL: `redis://default:not-the-password@127.0.0.1:${redis.port}/0` },
    });
    const text = banner(app, { terminal: false });
    assert.match(
      text,
      new RegExp(`Storage: +plugin state and sessions on Redis at 127\\.0\\.0\\.1:${redis.port}`),
    );
    assert.doesNotMatch(text, /not-the-password/);
  });
});

test('a Redis that refuses the password stops the start, saying so without the password', async (t) => {
  const redis = await startRedis({ args: ['--requirepass', 'the-right-one'] });
  t.after(() => redis.stop());
  const url = `redis://:not-the-right-one@127.0.0.1:${redis.port}`;
  await assert.rejects(startApp(t, { env: { REDIS_URL: url } }), (err) => {
    assert.equal(err.name, 'StartError');
    assert.match(
      err.message,
      /refused the credentials .*WRONGPASS.*check the user name and password/,
    );
    assert.doesNotMatch(err.message, /not-the-right-one/);
    return true;
  });
  const { app } = await startApp(t, {
    env: { REDIS_URL: `redis://:the-right-one@127.0.0.1:${redis.port}` },
  });
  assert.equal((await getJson(`${app.url}/api/health`)).status, 200);
});

test('a Redis that may evict keys, or keeps no append-only file, is warned of', async (t) => {
  const redis = await startRedis({ args: ['--maxmemory-policy', 'allkeys-lru'] });
  t.after(() => redis.stop());
  const { logs } = await startApp(t, { env: { REDIS_URL: redis.url } });
  const deadline = Date.now() + 5000;
  while (!logs.some((e) => /may evict keys/.test(e.message)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const warning = logs.find((e) => /may evict keys/.test(e.message));
  assert.equal(warning?.level, 'warn');
  assert.equal(warning.maxmemoryPolicy, 'allkeys-lru');
});

test('a REDIS_URL that is not a Redis URL is refused before anything starts, without echoing it', () => {
  for (const [value, reason] of [
    ['http://127.0.0.1:6379', /must start with redis:\/\//],
    ['redis://:hunter2-secret@127.0.0.1:6379/cache', /database number/],
    ['redis://:hunter2-secret@127.0.0.1:6379/16', /\/0 to \/15/],
    ['redis://127.0.0.1:6379?db=3', /must not have a query/],
    ['not a url', /must be a URL/],
  ]) {
    assert.throws(
      () => createApp({ env: { REDIS_URL: value }, port: 0, simPort: 0 }),
      (err) => {
        assert.ok(err instanceof ConfigError);
        const problem = err.problems.find((p) => p.field === 'REDIS_URL');
        assert.match(problem?.reason ?? '', reason);
        assert.doesNotMatch(err.message, /hunter2/);
        return true;
      },
    );
  }
});

test('a REDIS_KEY_PREFIX that is not a plain key start is refused', () => {
  assert.throws(
    () =>
      createApp({
        env: { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: 'my app *' },
        port: 0,
        simPort: 0,
      }),
    (err) => err instanceof ConfigError && err.problems.some((p) => p.field === 'REDIS_KEY_PREFIX'),
  );
});
