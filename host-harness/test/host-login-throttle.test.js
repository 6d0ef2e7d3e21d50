// Password login throttling: per account and per client address, a growing delay after failures
// and then a lock, answered as Backendless's 3036 with Retry-After; a bounded number of password
// hashes at once, beyond which the answer is 503 rather than an ever longer wait. The first part
// tests failure-throttle.js alone, the rest real hosts over HTTP, with a clock the test moves.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const path = require('node:path');
const { test } = require('node:test');

const Database = require('better-sqlite3');

const { BaasError } = require('../src/host/errors');
const { createFailureThrottle } = require('../src/host/failure-throttle');
const { DEFAULT_HASH_LIMITS, hashLimiter, hashPassword } = require('../src/host/password-hash');
const { addressKey } = require('../src/host/client-address');
const { createLimiter } = require('../src/host/hash-limiter');
const { postJson, startApp, tempDir } = require('./host-helpers');

/** A clock that moves only when told to. */
function manualClock(start = Date.UTC(2030, 0, 1)) {
  const clock = { now: start, advance: (seconds) => (clock.now += seconds * 1000) };
  clock.read = () => clock.now;
  return clock;
}

/** The error `fn` throws (it must throw). */
function thrown(fn) {
  try {
    fn();
  } catch (err) {
    return err;
  }
  assert.fail('expected a refusal');
}

// --- failure-throttle.js on its own --------------------------------------------------------------

/** How the throttles of these tests store `key`. */
const keyOf = (key) => crypto.createHmac('sha256', 'test').update(key).digest('hex');

function throttleOn(db, scopes, clock = manualClock()) {
  return {
    clock,
    throttle: createFailureThrottle(db, { scopes, clock: clock.read, secret: 'test' }),
  };
}

const rows = (db) => db.prepare('SELECT count(*) AS n FROM failure_throttle').get().n;

test('after the free failures each attempt waits a delay that doubles', () => {
  const db = new Database(':memory:');
  const { clock, throttle } = throttleOn(db, {
    user: { freeFailures: 2, baseDelaySeconds: 1, lockAfter: null, forgetAfterSeconds: 3600 },
  });
  const fail = () => throttle.begin({ user: 'u' }).failed();
  fail();
  fail();
  for (const delay of [1, 2, 4, 8, 16]) {
    const refusal = thrown(() => throttle.begin({ user: 'u' }));
    assert.ok(refusal instanceof BaasError);
    assert.equal(refusal.status, 429);
    assert.equal(refusal.retryAfterSeconds, delay);
    clock.advance(delay - 0.5);
    assert.equal(thrown(() => throttle.begin({ user: 'u' })).retryAfterSeconds, 1);
    clock.advance(0.5);
    fail();
  }
});

test('delays stop growing at maxDelaySeconds', () => {
  const db = new Database(':memory:');
  const { clock, throttle } = throttleOn(db, {
    ip: { freeFailures: 0, baseDelaySeconds: 1, maxDelaySeconds: 5, lockAfter: null },
  });
  for (let i = 0; i < 8; i += 1) {
    throttle.begin({ ip: 'a' }).failed();
    clock.advance(thrown(() => throttle.begin({ ip: 'a' })).retryAfterSeconds);
  }
  throttle.begin({ ip: 'a' }).failed();
  assert.equal(thrown(() => throttle.begin({ ip: 'a' })).retryAfterSeconds, 5);
});

test('at lockAfter failures the key is locked, then starts over when the lock ends', () => {
  const db = new Database(':memory:');
  const { clock, throttle } = throttleOn(db, {
    user: { freeFailures: 1, baseDelaySeconds: 1, lockAfter: 4, lockSeconds: 600 },
  });
  for (let i = 0; i < 4; i += 1) {
    throttle.begin({ user: 'u' }).failed();
    clock.advance(100);
  }
  // Locked at the 4th failure, 100 s ago: 500 s of the lock remain, whatever the answer.
  const locked = thrown(() => throttle.begin({ user: 'u' }));
  assert.equal(locked.retryAfterSeconds, 500);
  assert.match(locked.message, /Try again in 9 minutes/);
  clock.advance(499);
  assert.equal(thrown(() => throttle.begin({ user: 'u' })).retryAfterSeconds, 1);
  clock.advance(1);
  // A new start: the free failure is free again.
  throttle.begin({ user: 'u' }).failed();
  assert.equal(thrown(() => throttle.begin({ user: 'u' })).retryAfterSeconds, 1);
});

test('failures are forgotten forgetAfterSeconds after the last one, and their rows swept', () => {
  const db = new Database(':memory:');
  const { clock, throttle } = throttleOn(db, {
    // The delay, capped just under forgetAfterSeconds, ends a second before they are forgotten.
    user: {
      freeFailures: 2,
      baseDelaySeconds: 100,
      maxDelaySeconds: 59,
      lockAfter: 5,
      forgetAfterSeconds: 60,
    },
  });
  throttle.begin({ user: 'u' }).failed();
  clock.advance(59);
  throttle.begin({ user: 'u' }).failed();
  clock.advance(58); // 117 s after the first: still counted, since the second is recent
  assert.equal(thrown(() => throttle.begin({ user: 'u' })).retryAfterSeconds, 1);
  clock.advance(2);
  throttle.begin({ user: 'u' }).failed(); // forgotten: a first failure again
  throttle.begin({ user: 'u' }).failed();
  assert.equal(rows(db), 1);
  clock.advance(61);
  throttle.begin({ other: undefined, user: 'v' }).failed(); // sweeps the row of `u`
  assert.equal(
    db.prepare('SELECT count(*) AS n FROM failure_throttle WHERE key = ?').get(keyOf('u')).n,
    0,
  );
});

test('a wait as long as the memory is refused: a patient guesser would never reach the lock', () => {
  const db = new Database(':memory:');
  assert.throws(
    () => throttleOn(db, { user: { maxDelaySeconds: 900, forgetAfterSeconds: 900 } }),
    /maxDelaySeconds must be shorter than forgetAfterSeconds/,
  );
  // By default the waits stop at half the memory, so waiting each one out still reaches the lock.
  const { clock, throttle } = throttleOn(db, { user: { freeFailures: 0, lockAfter: 15 } });
  let failures = 0;
  for (;;) {
    let attempt;
    try {
      attempt = throttle.begin({ user: 'u' });
    } catch (err) {
      if (err.retryAfterSeconds > 450) break; // locked
      clock.advance(err.retryAfterSeconds);
      continue;
    }
    attempt.failed();
    failures += 1;
  }
  assert.equal(failures, 15);
});

test('concurrent attempts are counted before they are checked', () => {
  const db = new Database(':memory:');
  const { throttle } = throttleOn(db, { user: { freeFailures: 3 } });
  // Three attempts in flight, none settled yet: the fourth already waits.
  const inFlight = [1, 2, 3].map(() => throttle.begin({ user: 'u' }));
  assert.equal(thrown(() => throttle.begin({ user: 'u' })).status, 429);
  for (const attempt of inFlight) attempt.cancel();
  // Cancelled attempts counted neither way: the three free failures are there again.
  for (let i = 0; i < 3; i += 1) throttle.begin({ user: 'u' }).failed();
  assert.equal(thrown(() => throttle.begin({ user: 'u' })).status, 429);
});

test('a success clears the clearOnSuccess scopes and takes its reservation back elsewhere', () => {
  const db = new Database(':memory:');
  const { clock, throttle } = throttleOn(db, {
    account: { freeFailures: 2, clearOnSuccess: true },
    address: { freeFailures: 2, baseDelaySeconds: 10 },
  });
  throttle.begin({ account: 'a', address: 'ip' }).failed();
  clock.advance(5);
  throttle.begin({ account: 'b', address: 'ip' }).failed();
  clock.advance(5);
  // Another account from the address must wait 10 s after the last failure (5 s ago)...
  assert.equal(thrown(() => throttle.begin({ account: 'c', address: 'ip' })).retryAfterSeconds, 5);
  clock.advance(5);
  throttle.begin({ account: 'b', address: 'ip' }).succeeded();
  // ...and a success in between leaves the address's failures and their timing as they were.
  const address = db.prepare('SELECT * FROM failure_throttle WHERE key = ?').get(keyOf('ip'));
  assert.equal(address.failures, 2);
  assert.equal(address.last_failure, clock.now - 10_000);
  // The account's failures are gone.
  assert.equal(
    db.prepare('SELECT count(*) AS n FROM failure_throttle WHERE key = ?').get(keyOf('b')).n,
    0,
  );
});

test('a right answer takes back the lock its own reservation set', () => {
  const db = new Database(':memory:');
  const { throttle } = throttleOn(db, { ip: { freeFailures: 5, lockAfter: 3 } });
  throttle.begin({ ip: 'x' }).failed();
  throttle.begin({ ip: 'x' }).failed();
  // The third attempt reaches lockAfter when it is counted, but it is right: the lock it set is
  // taken back with it.
  throttle.begin({ ip: 'x' }).succeeded();
  throttle.begin({ ip: 'x' }).failed();
  const locked = thrown(() => throttle.begin({ ip: 'x' }));
  assert.equal(locked.retryAfterSeconds, 900);
});

test('scopes of two throttles on one file are shared by connections and kept apart by namespace', (t) => {
  const file = path.join(tempDir(t), 'throttle.sqlite');
  const [one, two] = [new Database(file), new Database(file)];
  t.after(() => {
    one.close();
    two.close();
  });
  const clock = manualClock();
  const rule = { user: { freeFailures: 1 } };
  const first = createFailureThrottle(one, {
    scopes: rule,
    clock: clock.read,
    namespace: 'a',
    secret: 's',
  });
  const second = createFailureThrottle(two, {
    scopes: rule,
    clock: clock.read,
    namespace: 'a',
    secret: 's',
  });
  const elsewhere = createFailureThrottle(two, {
    scopes: rule,
    clock: clock.read,
    namespace: 'b',
    secret: 's',
  });
  first.begin({ user: 'u' }).failed();
  assert.equal(thrown(() => second.begin({ user: 'u' })).status, 429);
  elsewhere.begin({ user: 'u' }).failed();
});

test('keys are stored only as their HMAC, and rules are checked', () => {
  const db = new Database(':memory:');
  const { throttle } = throttleOn(db, { user: {} });
  throttle.begin({ user: 'my secret password typed as a login' }).failed();
  throttle.begin({ user: 'x'.repeat(10_000) }).failed();
  const keys = db.prepare('SELECT key FROM failure_throttle').all();
  for (const { key } of keys) assert.match(key, /^[0-9a-f]{64}$/);
  assert.doesNotMatch(JSON.stringify(keys), /password/);
  assert.throws(() => throttle.begin({ nobody: 'x' }), /no throttle rule/);
  assert.throws(
    () => createFailureThrottle(db, { scopes: { user: { lockAfter: 0 } }, secret: 's' }),
    /lockAfter must be a whole number/,
  );
});

// --- the hash limiter on its own --------------------------------------------------------------

test('the limiter runs a few at once, queues in order, and refuses beyond its queue and wait', async () => {
  const busy = () => new BaasError(503, 503, 'busy', { retryAfterSeconds: 1 });
  const limiter = createLimiter({ concurrency: 2, maxQueue: 2, maxWaitMs: 10_000, busy });
  const gates = [];
  const order = [];
  const job = (name) =>
    limiter.run(async () => {
      order.push(name);
      await new Promise((resolve) => gates.push(resolve));
      return name;
    });
  const running = [job('a'), job('b'), job('c'), job('d')];
  await assert.rejects(job('e'), (err) => err.status === 503);
  assert.equal(limiter.stats().running, 2);
  assert.equal(limiter.stats().waiting, 2);
  while (order.length < 4) {
    gates.shift()?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const gate of gates) gate();
  assert.deepEqual(await Promise.all(running), ['a', 'b', 'c', 'd']);
  assert.deepEqual(order, ['a', 'b', 'c', 'd']);

  limiter.configure({ concurrency: 1, maxWaitMs: 20 });
  let release;
  const held = limiter.run(() => new Promise((resolve) => (release = resolve)));
  await assert.rejects(job('late'), (err) => err.status === 503);
  release();
  await held;
  assert.equal(limiter.stats().refused, 2);
  assert.equal(limiter.stats().running, 0);
});

test('priority work waits in a queue of its own and is served first', async () => {
  const busy = () => new BaasError(503, 503, 'busy', { retryAfterSeconds: 1 });
  const limiter = createLimiter({ concurrency: 1, maxQueue: 2, maxWaitMs: 10_000, busy });
  const order = [];
  let release;
  const held = limiter.run(() => new Promise((resolve) => (release = resolve)));
  const job = (name, priority) => limiter.run(async () => order.push(name), { priority });
  const ordinary = [job('a', false), job('b', false)];
  await assert.rejects(job('c', false), (err) => err.status === 503, 'the ordinary queue is full');
  const first = [job('x', true), job('y', true)];
  await assert.rejects(job('z', true), (err) => err.status === 503, 'so is the priority one');
  assert.equal(limiter.stats().waitingFirst, 2);
  release();
  await Promise.all([held, ...ordinary, ...first]);
  assert.deepEqual(order, ['x', 'y', 'a', 'b']);
});

test('priority work never holds the last slot while ordinary work waits', async () => {
  const busy = () => new BaasError(503, 503, 'busy', { retryAfterSeconds: 1 });
  const limiter = createLimiter({ concurrency: 2, maxQueue: 10, maxWaitMs: 10_000, busy });
  const gates = [];
  const order = [];
  const job = (name, priority) =>
    limiter.run(
      async () => {
        order.push(name);
        await new Promise((resolve) => gates.push(resolve));
      },
      { priority },
    );
  const all = [job('o1', false), job('o2', false)]; // both slots taken
  all.push(job('p1', true), job('p2', true), job('p3', true), job('o3', false));
  await new Promise((resolve) => setImmediate(resolve));
  const step = async () => {
    gates.shift()();
    await new Promise((resolve) => setImmediate(resolve));
  };
  await step(); // o1 ends: a priority job gets its slot
  await step(); // o2 ends: the last slot goes to the waiting ordinary job, not p2
  assert.deepEqual(order, ['o1', 'o2', 'p1', 'o3']);
  while (gates.length) await step();
  await Promise.all(all);
  assert.deepEqual(order, ['o1', 'o2', 'p1', 'o3', 'p2', 'p3']);
});

// --- through the API ------------------------------------------------------------------------------

const PASSWORD = 'throttle-test-password';
let passwordHash = null;

/** A host with a manual clock and users `emails`, inserted straight into its store. */
async function throttledApp(t, { emails = ['ann@example.com'], env = {}, dataDir } = {}) {
  const clock = manualClock(Date.now());
  const { app } = await startApp(t, { clock: clock.read, env, dataDir });
  passwordHash ??= await hashPassword(PASSWORD);
  for (const [i, email] of emails.entries()) {
    app.users.insert({
      identity: email,
      phoneNumber: `+1415555${String(1000 + i).padStart(4, '0')}`,
      passwordHash,
      phoneNumberConfirmed: true,
      properties: {},
    });
  }
  const login = (loginName, password, headers) =>
    postJson(`${app.url}/api/users/login`, { login: loginName, password }, headers);
  return { app, clock, login };
}

const hashesRun = () => hashLimiter.stats().started;

function assertThrottled(answer, what = /for this account/) {
  assert.equal(answer.status, 429, answer.text);
  assert.equal(answer.body.code, 3036);
  assert.match(answer.body.message, what);
  assert.match(answer.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/);
  assert.deepEqual(Object.keys(answer.body).sort(), ['code', 'message']);
}

test('300 wrong passwords in a row: three 401s, then 429 3036 with Retry-After and no hashing', async (t) => {
  const { login } = await throttledApp(t);
  const before = hashesRun();
  const answers = [];
  for (let i = 0; i < 300; i += 1) answers.push(await login('ann@example.com', `wrong-${i}`));
  for (const answer of answers.slice(0, 3)) {
    assert.equal(answer.status, 401, answer.text);
    assert.equal(answer.body.code, 3003);
  }
  for (const answer of answers.slice(3)) assertThrottled(answer);
  assert.equal(answers[3].headers.get('retry-after'), '1');
  assert.equal(
    answers[3].body.message,
    'Too many failed logins for this account. Try again in 1 second.',
  );
  assert.equal(hashesRun() - before, 3, 'refused attempts ran no scrypt');
});

test('300 concurrent wrong passwords: only the free ones are checked', async (t) => {
  const { login } = await throttledApp(t);
  const before = hashesRun();
  const answers = await Promise.all(
    Array.from({ length: 300 }, (_, i) => login('ann@example.com', `wrong-${i}`)),
  );
  const statuses = answers.map((answer) => answer.status);
  assert.equal(statuses.filter((status) => status === 401).length, 3);
  for (const answer of answers.filter((a) => a.status !== 401)) assertThrottled(answer);
  assert.equal(hashesRun() - before, 3);
});

test('the delay doubles, the 10th failure locks even the right password out, the lock ends', async (t) => {
  const { clock, login: loginAny } = await throttledApp(t, {
    env: { TRUSTED_PROXIES: '127.0.0.1' },
  });
  const login = (name, password) => loginAny(name, password, { 'X-Forwarded-For': '198.51.100.7' });
  const elsewhere = (name, password) =>
    loginAny(name, password, { 'X-Forwarded-For': '203.0.113.9' });
  for (let i = 0; i < 3; i += 1)
    assert.equal((await login('ann@example.com', 'wrong')).status, 401);
  for (const delay of [1, 2, 4, 8, 16, 32, 64]) {
    const refused = await login('ann@example.com', 'wrong');
    assertThrottled(refused);
    assert.equal(refused.headers.get('retry-after'), String(delay));
    clock.advance(delay);
    assert.equal((await login('ann@example.com', 'wrong')).status, 401);
  }
  // Ten failures: locked for 15 minutes, the right password included.
  const locked = await login('ann@example.com', PASSWORD);
  assertThrottled(locked);
  assert.equal(locked.headers.get('retry-after'), '900');
  assert.equal(
    locked.body.message,
    'Too many failed logins for this account. Try again in 15 minutes.',
  );
  clock.advance(660);
  const later = await login('ann@example.com', PASSWORD);
  assertThrottled(later, /Try again in 4 minutes/);
  assert.equal(later.headers.get('retry-after'), '240');

  clock.advance(240);
  const done = await login('ann@example.com', PASSWORD);
  assert.equal(done.status, 200, done.text);
  assert.ok(done.body['user-token']);
  // The success cleared the account: three free failures again (counted from an address the
  // account has not signed in from: from this one, now known, only the address's count holds).
  for (let i = 0; i < 3; i += 1)
    assert.equal((await elsewhere('ann@example.com', 'wrong')).status, 401);
  assertThrottled(await elsewhere('ann@example.com', 'wrong'));
});

test('guesses from elsewhere do not lock a user out of the address they always sign in from', async (t) => {
  const { login: loginAny } = await throttledApp(t, { env: { TRUSTED_PROXIES: '127.0.0.1' } });
  const home = (password) =>
    loginAny('ann@example.com', password, { 'X-Forwarded-For': '203.0.113.5' });
  assert.equal((await home(PASSWORD)).status, 200);
  for (let i = 0; i < 30; i += 1) {
    await loginAny('ann@example.com', `guess ${i}`, { 'X-Forwarded-For': `198.51.100.${i + 1}` });
  }
  const stranger = await loginAny('ann@example.com', PASSWORD, { 'X-Forwarded-For': '192.0.2.1' });
  assertThrottled(stranger);
  const answer = await home(PASSWORD);
  assert.equal(answer.status, 200, answer.text);
});

test('a successful login resets the account counter', async (t) => {
  const { login: loginAny } = await throttledApp(t, { env: { TRUSTED_PROXIES: '127.0.0.1' } });
  const login = (name, password) => loginAny(name, password, { 'X-Forwarded-For': '198.51.100.7' });
  const elsewhere = (name, password) =>
    loginAny(name, password, { 'X-Forwarded-For': '203.0.113.9' });
  for (let i = 0; i < 2; i += 1)
    assert.equal((await login('ann@example.com', 'wrong')).status, 401);
  assert.equal((await login('ann@example.com', PASSWORD)).status, 200);
  for (let i = 0; i < 3; i += 1)
    assert.equal((await elsewhere('ann@example.com', 'wrong')).status, 401);
  assertThrottled(await elsewhere('ann@example.com', 'wrong'));
});

test('case variants of an email are one account, and an unknown login is throttled alike', async (t) => {
  const { login } = await throttledApp(t);
  for (const variant of ['Ann@Example.com', 'ANN@EXAMPLE.COM', ' ann@example.com ']) {
    assert.equal((await login(variant, 'wrong')).status, 401);
  }
  assertThrottled(await login('ann@example.com', PASSWORD));

  const unknown = [];
  for (let i = 0; i < 4; i += 1) unknown.push(await login('Nobody@Example.com', 'wrong'));
  assert.deepEqual(
    unknown.map((answer) => [answer.status, answer.body.code]),
    [
      [401, 3003],
      [401, 3003],
      [401, 3003],
      [429, 3036],
    ],
  );
});

test('another account from the same address is unaffected until the address rule trips', async (t) => {
  const { clock, login } = await throttledApp(t, {
    emails: ['ann@example.com', 'bob@example.com'],
  });
  // Ann's account locked: Bob, from the same address, logs in.
  for (let i = 0; i < 10; i += 1) {
    assert.notEqual((await login('ann@example.com', 'wrong')).status, 200);
    clock.advance(64);
  }
  assertThrottled(await login('ann@example.com', PASSWORD));
  assert.equal((await login('bob@example.com', PASSWORD)).status, 200);

  // Once the address has forgotten Ann's failures, wrong passwords for 20 accounts, one each:
  // the address's free failures ...
  clock.advance(900);
  for (let i = 0; i < 20; i += 1) {
    const answer = await login(`user${i}@example.com`, 'wrong');
    assert.equal(answer.status, 401, `attempt ${i}: ${answer.text}`);
  }
  // ... and then every account from this address waits, Bob's right password included.
  const refused = await login('carol@example.com', 'wrong');
  assertThrottled(refused, /from this network/);
  assert.equal(refused.headers.get('retry-after'), '1');
  assertThrottled(await login('bob@example.com', PASSWORD), /from this network/);

  // Once the delay has passed Bob logs in, which does not clear the address's failures (a
  // shared address is many people): the next failure doubles the delay, as if he had not.
  clock.advance(1);
  assert.equal((await login('bob@example.com', PASSWORD)).status, 200);
  assert.equal((await login('dave@example.com', 'wrong')).status, 401);
  const next = await login('erin@example.com', 'wrong');
  assertThrottled(next, /from this network/);
  assert.equal(next.headers.get('retry-after'), '2');
});

test('the address is the one a trusted proxy names; an IPv6 client counts as its /64', async (t) => {
  const { login } = await throttledApp(t, { env: { TRUSTED_PROXIES: 'loopback' } });
  const from = (address) => ({ 'X-Forwarded-For': address });
  for (let i = 0; i < 20; i += 1) {
    const address = `2001:db8:7:9:${i.toString(16)}::1`;
    assert.equal((await login(`u${i}@example.com`, 'wrong', from(address))).status, 401);
  }
  assertThrottled(
    await login('ann@example.com', PASSWORD, from('2001:db8:7:9:ffff::2')),
    /from this network/,
  );
  const elsewhere = await login('ann@example.com', PASSWORD, from('2001:db8:7:a::1'));
  assert.equal(elsewhere.status, 200, elsewhere.text);

  assert.equal(addressKey('2001:DB8:0:0:1::1'), '2001:db8:0:0::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(addressKey('203.0.113.7'), '203.0.113.7');
});

test('the counts survive a restart of the host', async (t) => {
  const dataDir = tempDir(t);
  const first = await throttledApp(t, { dataDir });
  for (let i = 0; i < 3; i += 1) await first.login('ann@example.com', 'wrong');
  await first.app.stop();
  const clock = manualClock(first.clock.now);
  const { app } = await startApp(t, { clock: clock.read, dataDir });
  const again = await postJson(`${app.url}/api/users/login`, {
    login: 'ann@example.com',
    password: PASSWORD,
  });
  assertThrottled(again);
});

// --- bounded hashing --------------------------------------------------------------------------

/** Holds the only hashing slot until `release()`. */
function holdHashing(t, limits) {
  hashLimiter.configure({ concurrency: 1, ...limits });
  t.after(() => hashLimiter.configure(DEFAULT_HASH_LIMITS));
  let release;
  const held = hashLimiter.run(() => new Promise((resolve) => (release = resolve)));
  return async () => {
    release();
    await held;
  };
}

function assertBusy(answer) {
  assert.equal(answer.status, 503, answer.text);
  assert.deepEqual(answer.body, {
    code: 503,
    message: 'The server is busy: try again in a moment.',
  });
  assert.equal(answer.headers.get('retry-after'), '1');
}

test('logins beyond the hashing queue are answered 503 at once, and count as no failure', async (t) => {
  const { app, login } = await throttledApp(t);
  await login('nobody@example.com', 'wrong'); // makes the decoy hash, before the slot is held
  const release = holdHashing(t, { maxQueue: 2, maxWaitMs: 10_000 });
  const answers = [];
  const flood = Array.from({ length: 8 }, (_, i) =>
    login(`flood${i}@example.com`, 'wrong').then((answer) => answers.push(answer)),
  );
  // Six answered while the slot is still held; two wait their turn.
  const deadline = Date.now() + 10_000;
  while (answers.length < 6 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  for (const answer of answers) assertBusy(answer);
  assert.equal(hashLimiter.stats().waiting, 2);
  await release();
  await Promise.all(flood);
  assert.deepEqual(
    answers.slice(6).map((answer) => answer.status),
    [401, 401],
  );
  // The six refused logins left no failure behind: only the two checked ones (and the first).
  const counted = app.db
    .prepare("SELECT count(*) AS n FROM failure_throttle WHERE scope = 'login.account'")
    .get().n;
  assert.equal(counted, 3);
});

test('a login that waits too long for a hash is answered 503 rather than left hanging', async (t) => {
  const { login } = await throttledApp(t);
  const release = holdHashing(t, { maxQueue: 10, maxWaitMs: 30 });
  const answers = await Promise.all([
    login('ann@example.com', PASSWORD),
    login('ann@example.com', 'wrong'),
  ]);
  for (const answer of answers) assertBusy(answer);
  await release();
  assert.equal((await login('ann@example.com', PASSWORD)).status, 200);
});

test('while a flood fills the hashing queue, an account signs in from an address it used before', async (t) => {
  const { login } = await throttledApp(t, { env: { TRUSTED_PROXIES: '127.0.0.1' } });
  const loginFrom = (address, name, password) =>
    login(name, password, { 'X-Forwarded-For': address });
  assert.equal((await loginFrom('203.0.113.66', 'ann@example.com', PASSWORD)).status, 200);
  await login('nobody@example.com', 'wrong'); // makes the decoy hash, before the slot is held
  const release = holdHashing(t, { maxQueue: 2, maxWaitMs: 10_000 });
  const flood = Array.from({ length: 6 }, (_, i) =>
    loginFrom(`198.51.100.${i + 1}`, `flood${i}@example.com`, 'wrong'),
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  const known = loginFrom('203.0.113.66', 'ann@example.com', PASSWORD);
  const stranger = await loginFrom('203.0.113.67', 'ann@example.com', PASSWORD);
  assertBusy(stranger);
  await release();
  assert.equal((await known).status, 200, 'served before the flood');
  const statuses = (await Promise.all(flood)).map((answer) => answer.status).sort();
  assert.deepEqual(statuses, [401, 401, 503, 503, 503, 503]);
});

test("someone sharing a user's usual address gets no more guesses than the account's rule", async (t) => {
  const { login: loginAny } = await throttledApp(t, { env: { TRUSTED_PROXIES: '127.0.0.1' } });
  const home = (password) =>
    loginAny('ann@example.com', password, { 'X-Forwarded-For': '203.0.113.5' });
  assert.equal((await home(PASSWORD)).status, 200);
  for (let i = 0; i < 3; i += 1) assert.equal((await home(`guess ${i}`)).status, 401);
  assertThrottled(await home('guess 3'));
});

test("one account's logins take one priority place at a time", async (t) => {
  const { login: loginAny } = await throttledApp(t, { env: { TRUSTED_PROXIES: '127.0.0.1' } });
  const home = () => loginAny('ann@example.com', PASSWORD, { 'X-Forwarded-For': '203.0.113.5' });
  assert.equal((await home()).status, 200);
  const release = holdHashing(t, { maxQueue: 10, maxWaitMs: 10_000 });
  const logins = [home(), home(), home()];
  const deadline = Date.now() + 5000;
  while (hashLimiter.stats().waiting < 3 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  assert.equal(hashLimiter.stats().waitingFirst, 1, 'the others wait in the ordinary queue');
  await release();
  for (const answer of await Promise.all(logins)) assert.equal(answer.status, 200);
});
