// The SQLite stores: plugin KV semantics (TTL, atomic take and increment, durability) and the
// users table (hashed passwords, login). Atomicity is tested across two threads with their own
// connections to one file, the way two host processes would share it.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');
const { Worker } = require('node:worker_threads');

const { openDatabase } = require('../src/host/database');
const { createKvStore } = require('../src/host/kv-store');
const { postJson, startApp, tempDir } = require('./host-helpers');

function fakeClock(start = Date.parse('2030-01-01T00:00:00Z')) {
  let now = start;
  const clock = () => now;
  clock.advance = (ms) => {
    now += ms;
  };
  return clock;
}

function openKv(t, dir, clock) {
  const { db, file } = openDatabase({ dataDir: dir });
  t.after(() => db.open && db.close());
  return { db, file, kv: createKvStore(db, { clock, sweepIntervalMs: 0 }).namespace('plugin-a') };
}

// Each worker opens its own connection, spins until the other is ready too (a timed wait would
// give one a head start long enough to finish alone), then runs `op` on every key.
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.betterSqlite);
const { createKvStore } = require(workerData.kvStore);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 10000');
const kv = createKvStore(db, { sweepIntervalMs: 0 }).namespace('plugin-a');
const gate = new Int32Array(workerData.gate);
Atomics.add(gate, 0, 1);
while (Atomics.load(gate, 0) < 2);
const results = workerData.keys.map((key) =>
  workerData.op === 'take' ? kv.take(key) : kv.incr(key, 60));
db.close();
parentPort.postMessage(results);
`;

function runRacers(file, op, keys) {
  const gate = new SharedArrayBuffer(4);
  const workerData = {
    file,
    op,
    keys,
    gate,
    betterSqlite: require.resolve('better-sqlite3'),
    kvStore: path.resolve(__dirname, '../src/host/kv-store.js'),
  };
  const race = () =>
    new Promise((resolve, reject) => {
      const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  return Promise.all([race(), race()]);
}

test('the file is in WAL mode with synchronous=NORMAL: a commit survives a killed process', (t) => {
  // (The kill itself is host-process.test.js's; here, that each connection is set so.)
  const { db } = openKv(t, tempDir(t));
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('synchronous', { simple: true }), 1, 'NORMAL');
});

test('a value is readable until its TTL and gone from that moment', (t) => {
  const clock = fakeClock();
  const { kv } = openKv(t, tempDir(t), clock);
  kv.put('verification/a', 'record', 10);
  clock.advance(9_999);
  assert.equal(kv.get('verification/a'), 'record');
  clock.advance(1);
  assert.equal(kv.get('verification/a'), null);
  assert.equal(kv.take('verification/a'), null, 'an expired value cannot be taken either');
});

test('expired rows are swept when the store opens', (t) => {
  const clock = fakeClock();
  const dir = tempDir(t);
  const first = openKv(t, dir, clock);
  first.kv.put('short', 'v', 1);
  first.kv.put('long', 'v', 100);
  first.db.close();
  clock.advance(2_000);
  const { db } = openKv(t, dir, clock);
  assert.deepEqual(
    db
      .prepare('SELECT key FROM plugin_kv')
      .all()
      .map((row) => row.key),
    ['long'],
  );
});

test('of two concurrent takes of the same key exactly one gets the value', async (t) => {
  const dir = tempDir(t);
  const { kv, file } = openKv(t, dir, Date.now);
  const keys = Array.from({ length: 1000 }, (_, i) => `verification/${i}`);
  for (const key of keys) kv.put(key, `value-${key}`, 60);

  const [a, b] = await runRacers(file, 'take', keys);
  keys.forEach((key, i) => {
    const winners = [a[i], b[i]].filter((value) => value !== null);
    assert.deepEqual(winners, [`value-${key}`], `${key} must be taken exactly once`);
  });
});

test('concurrent increments never lose or repeat a count', async (t) => {
  const dir = tempDir(t);
  const { kv, file } = openKv(t, dir, Date.now);
  const keys = Array.from({ length: 500 }, () => 'sms-rate/+14155550100/1');
  const [a, b] = await runRacers(file, 'incr', keys);
  const counts = [...a, ...b].sort((x, y) => x - y);
  assert.deepEqual(
    counts,
    Array.from({ length: 1000 }, (_, i) => i + 1),
  );
  assert.equal(kv.get('sms-rate/+14155550100/1'), '1000');
});

test('incr sets the TTL when the key is created and not on later increments', (t) => {
  const clock = fakeClock();
  const { kv } = openKv(t, tempDir(t), clock);
  assert.equal(kv.incr('attempts/x/0', 10), 1);
  clock.advance(6_000);
  assert.equal(kv.incr('attempts/x/0', 10), 2, 'a later increment asks for 10 s again...');
  clock.advance(4_000);
  assert.equal(kv.get('attempts/x/0'), null, '...but the counter still ends 10 s after creation');
  assert.equal(kv.incr('attempts/x/0', 10), 1, 'an expired counter starts again at 1');
  clock.advance(9_999);
  assert.equal(kv.get('attempts/x/0'), '1', 'with a fresh TTL');
});

test('stored values survive closing and reopening the file', (t) => {
  const clock = fakeClock();
  const dir = tempDir(t);
  const first = openKv(t, dir, clock);
  first.kv.put('verification/keep', 'still here', 300);
  first.kv.incr('counter', 300);
  first.db.close();

  const second = openKv(t, dir, clock);
  assert.equal(second.kv.get('verification/keep'), 'still here');
  assert.equal(second.kv.incr('counter', 300), 2);
});

test('passwords are stored only as scrypt hashes, never in plain text', async (t) => {
  const dataDir = tempDir(t);
  const password = 'plain-text-password-that-must-not-be-stored';
  const { app } = await startApp(t, { dataDir, pluginConfig: { phoneRequired: false } });
  const answer = await postJson(`${app.url}/api/users/register`, {
    email: 'p@example.com',
    password,
  });
  assert.equal(answer.status, 200, answer.text);
  await app.stop();

  const files = fs.readdirSync(dataDir).filter((name) => name.startsWith('baas.sqlite'));
  assert.ok(files.length > 0);
  for (const name of files) {
    const bytes = fs.readFileSync(path.join(dataDir, name));
    assert.equal(bytes.includes(password), false, `${name} contains the password`);
  }
  const { db } = openDatabase({ dataDir });
  t.after(() => db.close());
  const { password_hash: hash } = db.prepare('SELECT password_hash FROM users').get();
  assert.match(hash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
});

test('login with a wrong password answers 401 with Backendless code 3003', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { phoneRequired: false } });
  await postJson(`${app.url}/api/users/register`, { email: 'l@example.com', password: 'right' });

  const wrong = await postJson(`${app.url}/api/users/login`, {
    login: 'l@example.com',
    password: 'wrong',
  });
  assert.equal(wrong.status, 401, wrong.text);
  assert.deepEqual(wrong.body, { code: 3003, message: 'Invalid login or password.' });
  const unknown = await postJson(`${app.url}/api/users/login`, {
    login: 'x@example.com',
    password: 'right',
  });
  assert.deepEqual(unknown.body, wrong.body, 'an unknown login answers the same');

  const right = await postJson(`${app.url}/api/users/login`, {
    login: 'L@Example.com',
    password: 'right',
  });
  assert.equal(right.status, 200, right.text);
  assert.match(
    right.body['user-token'],
    /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/,
  );
  const stored = app.db.prepare('SELECT token_hash FROM sessions').get().token_hash;
  assert.notEqual(stored, right.body['user-token'], 'only a hash of the token is stored');
});
