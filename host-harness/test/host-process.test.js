// bin/baas.js as `make run` starts it: a child process on fixed free ports and a temporary data
// folder. Verifications survive a kill -9; SIGTERM exits 0; a bad configuration exits 1 with
// every problem listed.

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const Database = require('better-sqlite3');

const { freePort, getJson, postJson, readCode, startApp, tempDir } = require('./host-helpers');

const BAAS = path.resolve(__dirname, '../bin/baas.js');
const READY = /BaaS listening on (http:\/\/127\.0\.0\.1:\d+)/;
const START_TIMEOUT_MS = 10_000;

/** Only what the host needs: a developer's TWILIO_* variables must not leak in. */
function childEnv(extra) {
  return { PATH: process.env.PATH, LOG_LEVEL: 'warn', ...extra };
}

/** Spawns bin/baas.js; `ready` resolves with the BaaS URL once the banner says it listens. */
function spawnBaas(t, env) {
  const child = spawn(process.execPath, [BAAS], { env: childEnv(env), stdio: 'pipe' });
  const output = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (chunk) => {
    output.stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    output.stderr += chunk;
  });
  const exited = new Promise((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no banner in time:\n${output.stderr}`)),
      START_TIMEOUT_MS,
    );
    child.stdout.on('data', () => {
      const match = READY.exec(output.stdout);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${output.stderr}`));
    });
  });
  ready.catch(() => {});
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  return { child, output, ready, exited };
}

async function portsAndData(t) {
  return {
    PORT: String(await freePort()),
    TWILIO_SIM_PORT: String(await freePort()),
    DATA_DIR: tempDir(t),
  };
}

test('a verification started before kill -9 can be completed after a restart', async (t) => {
  const env = await portsAndData(t);
  const simulatorUrl = `http://127.0.0.1:${env.TWILIO_SIM_PORT}`;
  const phone = '+14155550130';

  const first = spawnBaas(t, env);
  const url = await first.ready;
  assert.match(first.output.stdout, /Mode: +SIMULATOR/);
  assert.ok(
    first.output.stdout.includes(path.join(env.DATA_DIR, 'baas.sqlite')),
    'banner names the data file',
  );
  const step1 = await postJson(`${url}/api/users/register`, { phoneNumber: phone });
  assert.equal(step1.status, 200, step1.text);
  // The simulator's outbox lives in memory: read the code before the kill.
  const code = await readCode(simulatorUrl, phone);
  assert.match(first.output.stdout, new RegExp(`SMS to \\${phone}: Your .* code is ${code}`));

  first.child.kill('SIGKILL');
  assert.equal((await first.exited).signal, 'SIGKILL');

  // The banner names the master key's file. Its output is a pipe here, likely a log: no
  // sign-in link and no made-up password in it (test/host-banner.test.js: on a terminal).
  assert.match(first.output.stdout, /Secrets: +sealed under the master key in .*master\.key \(new/);
  const linkFile = path.join(env.DATA_DIR, 'console-sign-in-link.txt');
  assert.ok(first.output.stdout.includes(`sign in once with the link in ${linkFile}`));
  assert.equal(fs.statSync(linkFile).mode & 0o777, 0o600, "the link file is the host user's only");
  assert.match(fs.readFileSync(linkFile, 'utf8'), /\/console\/sign-in#link=[\w-]{43}\n$/);
  assert.match(first.output.stdout, /a console password was made up and not shown/);
  assert.doesNotMatch(first.output.stdout, /#link=|console password: /);

  const second = spawnBaas(t, env);
  assert.equal(await second.ready, url);
  assert.doesNotMatch(second.output.stdout, /made up and not shown/, 'only on the first start');
  const step2 = await postJson(`${url}/api/users/register`, {
    email: 'survivor@example.com',
    password: 'restarted-password',
    phoneNumber: phone,
    transactionId: step1.body.transactionId,
    transactionCode: code,
  });
  assert.equal(step2.status, 200, step2.text);
  assert.equal(step2.body.phoneNumberConfirmed, true);
});

test('SIGTERM stops the BaaS and the simulator and exits 0', async (t) => {
  const env = await portsAndData(t);
  const run = spawnBaas(t, env);
  const url = await run.ready;
  assert.equal((await getJson(`${url}/api/health`)).status, 200);

  run.child.kill('SIGTERM');
  assert.deepEqual(await run.exited, { code: 0, signal: null });
  await assert.rejects(fetch(`${url}/api/health`));
  await assert.rejects(fetch(`http://127.0.0.1:${env.TWILIO_SIM_PORT}/_sim/health`));
  // Closed cleanly: SQLite folded the write-ahead log back into the file.
  assert.equal(fs.existsSync(path.join(env.DATA_DIR, 'baas.sqlite-wal')), false);
});

test('an invalid configuration exits 1 listing every problem', async (t) => {
  const env = await portsAndData(t);
  const run = spawnBaas(t, {
    ...env,
    TWILIO_ACCOUNT_SID: 'not-a-sid',
    TWILIO_API_BASE_URL: 'https://twilio.example.com',
  });
  await assert.rejects(run.ready);
  assert.equal((await run.exited).code, 1);
  for (const field of ['accountSid', 'authToken', 'senderPhoneNumber', 'twilioApiBaseUrl']) {
    assert.match(run.output.stderr, new RegExp(`- ${field}: `), `${field} is listed`);
  }
  assert.equal(fs.existsSync(path.join(env.DATA_DIR, 'baas.sqlite')), false, 'nothing was started');
});

/**
 * Waits until registration step 2 has checked the code and claimed the verification, then holds
 * SQLite's write lock so the host cannot insert the user: the moment to kill it.
 */
async function holdWriteLockOnceClaimed(dataDir, transactionId) {
  const db = new Database(path.join(dataDir, 'baas.sqlite'), { timeout: 5000 });
  const claimed = db.prepare('SELECT 1 FROM plugin_kv WHERE key = ?');
  const deadline = Date.now() + 5000;
  while (!claimed.get(`register-claim/${transactionId}`)) {
    if (Date.now() > deadline) throw new Error('step 2 never claimed the verification');
    await new Promise(setImmediate);
  }
  db.exec('BEGIN IMMEDIATE');
  return db;
}

test('a host killed between the code check and the user insert does not eat the code', async (t) => {
  const env = await portsAndData(t);
  const simulatorUrl = `http://127.0.0.1:${env.TWILIO_SIM_PORT}`;
  const phone = '+14155550131';
  const first = spawnBaas(t, env);
  const url = await first.ready;
  const step1 = await postJson(`${url}/api/users/register`, { phoneNumber: phone });
  const code = await readCode(simulatorUrl, phone);
  const step2 = {
    email: 'crash@example.com',
    password: 'correct horse battery staple',
    phoneNumber: phone,
    transactionId: step1.body.transactionId,
    transactionCode: code,
  };

  const cut = postJson(`${url}/api/users/register`, step2).catch((err) => err);
  const lock = await holdWriteLockOnceClaimed(env.DATA_DIR, step1.body.transactionId);
  first.child.kill('SIGKILL');
  await first.exited;
  const users = lock.prepare('SELECT COUNT(*) AS n FROM users').get().n;
  lock.exec('ROLLBACK');
  lock.close();
  assert.equal(users, 0, 'killed before the insert');
  assert.ok((await cut) instanceof Error, 'the client saw the connection drop');

  // At once (say, on another host): the code is being used, so wait, and the answer says how long.
  const second = spawnBaas(t, env);
  await second.ready;
  const soon = await postJson(`${url}/api/users/register`, step2);
  assert.equal(soon.status, 409, soon.text);
  assert.equal(soon.body.code, 'REGISTRATION_IN_PROGRESS');
  const wait = Number(soon.headers.get('retry-after'));
  assert.ok(wait >= 1 && wait <= 15, `Retry-After ${wait}`);
  assert.match(soon.body.message, /try again in \d+ seconds/);
  second.child.kill('SIGTERM');
  await second.exited;

  // Once the wait is over (a host whose clock is 16 s on), the same code registers the user.
  const { app } = await startApp(t, {
    dataDir: env.DATA_DIR,
    port: Number(env.PORT),
    clock: () => Date.now() + 16_000,
  });
  const retried = await postJson(`${app.url}/api/users/register`, step2);
  assert.equal(retried.status, 200, retried.text);
  assert.equal(retried.body.phoneNumberConfirmed, true);
  assert.equal(retried.body.phoneNumber, phone);
  const reused = await postJson(`${app.url}/api/users/register`, {
    ...step2,
    email: 'second@example.com',
  });
  assert.equal(reused.status, 400, 'one code, one user');
  assert.equal(reused.body.code, 'CODE_MISMATCH');
});
