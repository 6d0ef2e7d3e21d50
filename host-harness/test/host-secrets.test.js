// Secrets at rest: the Auth Token saved in the console is sealed under the master key, which is
// not in the database; a copy of the database (and even the token) gives no way to test a code
// offline; the key file is owner-only; a restart with the key opens everything, one without it
// says what is wrong and fails closed; a rotation seals again; plain secrets of an older
// database are sealed at start.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const Database = require('better-sqlite3');

const { FULL_ACCOUNT, SMS_NUMBER } = require('../src/twilio-sim');
const { banner } = require('../src/host/banner');
const {
  consoleApi,
  freePort,
  getJson,
  postJson,
  readCode,
  startApp,
  tempDir,
} = require('./host-helpers');

const PHONE = '+14155550161';
const KEY_A = crypto.randomBytes(32).toString('base64');
const KEY_B = crypto.randomBytes(32).toString('hex');

/** Saves the simulator's Full account through the console, as the operator would. */
async function saveConfig(app) {
  const operator = await consoleApi(app);
  const saved = await operator.post('save', {
    config: {
      accountSid: FULL_ACCOUNT.sid,
      authToken: FULL_ACCOUNT.authToken,
      senderPhoneNumber: SMS_NUMBER,
      twilioApiBaseUrl: app.simulatorUrl,
    },
  });
  assert.equal(saved.status, 200, saved.text);
  return operator;
}

/** Registration step 1; answers the transaction and the code from the simulator's outbox. */
async function startRegistration(app, phoneNumber = PHONE) {
  const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber });
  assert.equal(step1.status, 200, step1.text);
  const code = await readCode(app.simulatorUrl, phoneNumber);
  return { transactionId: step1.body.transactionId, code, phoneNumber };
}

function finishRegistration(app, { transactionId, code, phoneNumber }, email = 'ann@example.com') {
  return postJson(`${app.url}/api/users/register`, {
    email,
    password: 'correct horse battery staple',
    phoneNumber,
    transactionId,
    transactionCode: code,
  });
}

/** The plugin's code hash (src/verification/code.rs): HMAC-SHA-256 under a key derived from `root`. */
function codeHash(root, { transactionId, phone, purpose, userId }, code) {
  const key = crypto
    .createHmac('sha256', root)
    .update('twilio-baas-plugin/verification-code/v1')
    .digest();
  const mac = crypto.createHmac('sha256', key);
  for (const part of [transactionId, phone, purpose, userId, code]) {
    const bytes = Buffer.from(part, 'utf8');
    const length = Buffer.alloc(8);
    length.writeBigUInt64BE(BigInt(bytes.length));
    mac.update(length).update(bytes);
  }
  return mac.digest('hex');
}

/**
 * A host under KEY_A that saved the configuration and sent a code, then stopped: its data
 * folder, its simulator port (the saved configuration points there) and the code in flight.
 */
async function savedUnderKeyA(t) {
  const dataDir = tempDir(t);
  const simPort = await freePort();
  const { app } = await startApp(t, { dataDir, simPort, env: { BAAS_MASTER_KEY: KEY_A } });
  await saveConfig(app);
  const inFlight = await startRegistration(app);
  await app.stop();
  return { dataDir, simPort, inFlight };
}

/** The database files alone, copied as a thief (or a backup) would: no key file. */
function copyDatabase(t, dataDir) {
  const copy = tempDir(t);
  for (const name of fs.readdirSync(dataDir).filter((n) => n.startsWith('baas.sqlite'))) {
    fs.copyFileSync(path.join(dataDir, name), path.join(copy, name));
  }
  return copy;
}

function everyByte(dir) {
  return Buffer.concat(fs.readdirSync(dir).map((name) => fs.readFileSync(path.join(dir, name))));
}

test('a copy of the database holds no Auth Token and nothing to test a code against', async (t) => {
  const dataDir = tempDir(t);
  const simPort = await freePort();
  const { app } = await startApp(t, { dataDir, simPort });
  await saveConfig(app);
  const inFlight = await startRegistration(app);
  const { transactionId, code } = inFlight;
  await app.stop();

  const key = fs.statSync(path.join(dataDir, 'master.key'));
  assert.equal(key.mode & 0o777, 0o600, 'the key file is readable by its owner only');

  const copy = copyDatabase(t, dataDir);
  const bytes = everyByte(copy);
  for (const form of ['utf8', 'base64', 'hex']) {
    const token = Buffer.from(FULL_ACCOUNT.authToken).toString(form);
    assert.equal(bytes.indexOf(token), -1, `no Auth Token (${form}) in the database files`);
  }

  // The thief reads the stored verification and tries the code with everything they hold:
  // the database, and even the Auth Token (it is in the Twilio Console of whoever leaked it).
  const db = new Database(path.join(copy, 'baas.sqlite'), { readonly: true });
  const row = db
    .prepare('SELECT value FROM plugin_kv WHERE key = ?')
    .get(`verification/${transactionId}`);
  db.close();
  const record = JSON.parse(row.value);
  const binding = { transactionId, ...record };
  const stored = record.codeHash;
  assert.notEqual(codeHash(FULL_ACCOUNT.authToken, binding, code), stored);
  const sealed = fs.readFileSync(path.join(dataDir, 'master.key'), 'utf8').trim();
  const master = Buffer.from(sealed, 'base64');
  const hostKey = crypto
    .createHmac('sha256', master)
    .update(`plugin/${app.manifest.id}/codeHashingKey`)
    .digest('base64url');
  assert.equal(codeHash(hostKey, binding, code), stored, 'only the master key reproduces it');

  // The key beside the copy, the code in flight still works after the restart.
  fs.copyFileSync(path.join(dataDir, 'master.key'), path.join(copy, 'master.key'));
  fs.chmodSync(path.join(copy, 'master.key'), 0o600);
  const { app: restored } = await startApp(t, { dataDir: copy, simPort });
  const step2 = await finishRegistration(restored, inFlight);
  assert.equal(step2.status, 200, step2.text);
});

test('started with another master key, the host says so and fails closed', async (t) => {
  const { dataDir, simPort, inFlight } = await savedUnderKeyA(t);

  const { app: other, logs } = await startApp(t, {
    dataDir,
    simPort,
    env: { BAAS_MASTER_KEY: KEY_B },
  });
  const operator = await consoleApi(other);
  const { installation } = (await operator.get('product')).body;
  assert.equal(installation.installed, true);
  assert.equal(installation.active, false);
  assert.equal(installation.problems[0].field, 'authToken');
  assert.match(installation.problems[0].reason, /saved under another master key/);
  const popup = (await operator.get('configuration')).body;
  assert.equal(popup.values.accountSid, FULL_ACCOUNT.sid, 'the plain settings are kept');
  assert.deepEqual(popup.secrets.authToken, { set: false });

  const refused = await postJson(`${other.url}/api/users/register`, {
    email: 'mallory@example.com',
    password: 'correct horse battery staple',
  });
  assert.equal(refused.status, 503, 'no registration without the phone check');
  assert.equal(refused.body.code, 'PLUGIN_INACTIVE');
  assert.ok(logs.some((entry) => /cannot be used/.test(entry.message)));
  assert.doesNotMatch(JSON.stringify(logs), new RegExp(FULL_ACCOUNT.authToken));
  // Health says so (still serving: the console is where it is fixed), and so does the banner.
  const health = await getJson(`${other.url}/api/health`);
  assert.equal(health.status, 200);
  assert.deepEqual([health.body.ok, health.body.pluginState], [true, 'inactive']);
  const text = banner(other, { terminal: false });
  assert.match(text, /Plugin: {4}INACTIVE: .*\n.*503 PLUGIN_INACTIVE/);
  assert.match(text, /- authToken .*saved under another master key/);
  await other.stop();

  // Back with the right key, the code sent before still registers.
  const { app: back } = await startApp(t, { dataDir, simPort, env: { BAAS_MASTER_KEY: KEY_A } });
  assert.equal((await finishRegistration(back, inFlight)).status, 200);
});

test('a rotation seals the secrets again under the new key; codes in flight need a new one', async (t) => {
  const { dataDir, simPort, inFlight } = await savedUnderKeyA(t);

  const rotating = await startApp(t, {
    dataDir,
    simPort,
    env: { BAAS_MASTER_KEY: KEY_B, BAAS_MASTER_KEY_PREVIOUS: KEY_A },
  });
  assert.ok(
    rotating.logs.some((entry) => /sealed under the current master key/.test(entry.message)),
  );
  assert.equal((await consoleApi(rotating.app)).headers.Cookie.length > 0, true);
  // The code-hashing key came from the old master key: the code sent before is not valid.
  const stale = await finishRegistration(rotating.app, inFlight);
  assert.equal(stale.status, 400, stale.text);
  assert.equal(stale.body.code, 'CODE_MISMATCH');
  await rotating.app.stop();

  const { app: after } = await startApp(t, { dataDir, simPort, env: { BAAS_MASTER_KEY: KEY_B } });
  const { installation } = (await (await consoleApi(after)).get('product')).body;
  assert.equal(installation.active, true, 'the new key alone opens the secrets');
  const fresh = await startRegistration(after, '+14155550162');
  assert.equal((await finishRegistration(after, fresh)).status, 200);
});

test('secrets an older version stored in plain text are sealed at start', async (t) => {
  const dataDir = tempDir(t);
  const db = new Database(path.join(dataDir, 'baas.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE plugin_installations (
    plugin_id TEXT PRIMARY KEY, config_json TEXT, installed_at INTEGER, updated_at INTEGER NOT NULL)`);
  const { app: probe } = await startApp(t, { dataDir: tempDir(t) });
  const config = {
    accountSid: FULL_ACCOUNT.sid,
    authToken: FULL_ACCOUNT.authToken,
    senderPhoneNumber: SMS_NUMBER,
    twilioApiBaseUrl: probe.simulatorUrl,
  };
  await probe.stop();
  db.prepare('INSERT INTO plugin_installations VALUES (?, ?, 1, 1)').run(
    probe.manifest.id,
    JSON.stringify(config),
  );
  db.close();

  const { app } = await startApp(t, { dataDir });
  await app.stop();
  const bytes = everyByte(copyDatabase(t, dataDir));
  assert.equal(bytes.indexOf(FULL_ACCOUNT.authToken), -1, 'no plain copy is left in the file');
  const check = new Database(path.join(dataDir, 'baas.sqlite'), { readonly: true });
  const row = check.prepare('SELECT config_json, secrets_sealed FROM plugin_installations').get();
  check.close();
  assert.equal(JSON.parse(row.config_json).authToken, undefined);
  assert.match(row.secrets_sealed, /^v1\./);
});

test('a key file others can read, or a malformed key, stops the start with what to do', async (t) => {
  const dataDir = tempDir(t);
  const { app } = await startApp(t, { dataDir });
  await app.stop();
  fs.chmodSync(path.join(dataDir, 'master.key'), 0o644);
  await assert.rejects(startApp(t, { dataDir }), (err) => {
    assert.equal(err.name, 'ConfigError');
    assert.match(err.message, /can be read by other users \(mode 644\): run "chmod 600/);
    return true;
  });
  await assert.rejects(startApp(t, { env: { BAAS_MASTER_KEY: 'not-a-key' } }), (err) => {
    assert.match(err.message, /BAAS_MASTER_KEY: must be 32 random bytes in base64 or hex/);
    assert.doesNotMatch(err.message, /not-a-key/);
    return true;
  });
});

test('a lost key file is not replaced by a new one while sealed secrets wait for it', async (t) => {
  const dataDir = tempDir(t);
  const simPort = await freePort();
  const { app } = await startApp(t, { dataDir, simPort });
  await saveConfig(app);
  await app.stop();
  fs.renameSync(path.join(dataDir, 'master.key'), path.join(dataDir, 'master.key.bak'));
  await assert.rejects(startApp(t, { dataDir, simPort }), (err) => {
    assert.match(err.message, /master\.key is missing, but the database holds secrets sealed/);
    assert.match(err.message, /restore the key/);
    return true;
  });
  assert.equal(fs.existsSync(path.join(dataDir, 'master.key')), false, 'no new key made up');

  const named = path.join(tempDir(t), 'typo.key');
  await assert.rejects(startApp(t, { env: { BAAS_MASTER_KEY_FILE: named } }), (err) => {
    assert.match(err.message, /BAAS_MASTER_KEY_FILE: .*typo\.key does not exist/);
    return true;
  });
  assert.equal(fs.existsSync(named), false);

  fs.renameSync(path.join(dataDir, 'master.key.bak'), path.join(dataDir, 'master.key'));
  const { app: restored } = await startApp(t, { dataDir, simPort });
  const { installation } = (await (await consoleApi(restored)).get('product')).body;
  assert.equal(installation.active, true, 'restored, everything opens again');
});

test('sealed secrets that were altered are reported as such, not as another key', async (t) => {
  const dataDir = tempDir(t);
  const simPort = await freePort();
  const { app } = await startApp(t, { dataDir, simPort });
  await saveConfig(app);
  await app.stop();
  const db = new Database(path.join(dataDir, 'baas.sqlite'));
  const { secrets_sealed: sealed } = db
    .prepare('SELECT secrets_sealed FROM plugin_installations')
    .get();
  const parts = sealed.split('.');
  const body = Buffer.from(parts[3], 'base64url');
  body[0] ^= 1;
  parts[3] = body.toString('base64url');
  db.prepare('UPDATE plugin_installations SET secrets_sealed = ?').run(parts.join('.'));
  db.close();

  const { app: again } = await startApp(t, { dataDir, simPort });
  const { installation } = (await (await consoleApi(again)).get('product')).body;
  assert.equal(installation.active, false);
  assert.match(installation.problems[0].reason, /were altered or belong to another row/);
  assert.doesNotMatch(installation.problems[0].reason, /another master key/);
});
