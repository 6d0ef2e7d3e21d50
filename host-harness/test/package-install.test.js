// pkg/ as the npm package an operator installs: packed, installed from its tarball into a
// project of its own, and the documented example host (examples/minimal-host.js) run from there
// against the simulator: a registration with phone confirmation, a wrong code's answer, a
// password login and a phone login.
const assert = require('node:assert/strict');
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('node:test');

const { createSimulator, FULL_ACCOUNT, SMS_NUMBER } = require('../src/twilio-sim');
const { outbox, postJson } = require('./host-helpers');

const ROOT = path.resolve(__dirname, '..', '..');
const EXAMPLE = path.join(ROOT, 'examples', 'minimal-host.js');
const manifest = require('../../plugin-manifest.json');
const PHONE = '+14155552671';

/** Installs the packed pkg/ into a new project folder; answers the folder. */
function installPackage(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-package-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const npm = (args) => execFileSync('npm', args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  const packed = npm(['pack', path.join(ROOT, 'pkg'), '--pack-destination', dir, '--silent']);
  const tarball = path.join(dir, packed.trim().split('\n').at(-1));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name": "example-baas", "private": true}');
  npm(['install', '--offline', '--no-audit', '--no-fund', tarball]);
  fs.copyFileSync(EXAMPLE, path.join(dir, 'host.js'));
  return dir;
}

/** Starts the example host in `dir`; answers its URL once it listens. */
async function startExample(t, dir, config) {
  const child = spawn(process.execPath, ['host.js'], {
    cwd: dir,
    env: { PATH: process.env.PATH, PORT: '0', PLUGIN_CONFIG: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => child.kill());
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const port = await new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on port (\d+)/.exec(stdout);
      if (match) resolve(Number(match[1]));
    });
    child.on('exit', (code) => reject(new Error(`the example host exited (${code}): ${stderr}`)));
  });
  return `http://127.0.0.1:${port}`;
}

test('the packed pkg/ installs, and the example host registers and logs in with it', async (t) => {
  assert.ok(fs.readFileSync(EXAMPLE, 'utf8').split('\n').length <= 80, 'the example stays short');
  const dir = installPackage(t);
  const installed = path.join(dir, 'node_modules', manifest.id);
  const meta = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8'));
  assert.equal(meta.version, manifest.version);
  for (const file of [meta.main, meta.types, 'plugin-manifest.json']) {
    assert.ok(fs.existsSync(path.join(installed, file)), file);
  }
  assert.ok(!fs.existsSync(path.join(installed, 'component', 'js')), 'no host-specific bindings');

  const sim = createSimulator({ log: () => {} });
  const { url: simulatorUrl } = await sim.start();
  t.after(() => sim.stop());
  const url = await startExample(t, dir, {
    accountSid: FULL_ACCOUNT.sid,
    authToken: FULL_ACCOUNT.authToken,
    senderPhoneNumber: SMS_NUMBER,
    twilioApiBaseUrl: simulatorUrl,
    resendCooldownSeconds: 0,
  });
  const codeSent = async () =>
    /(?<!\d)(\d{6})(?!\d)/.exec((await outbox(simulatorUrl, PHONE)).at(-1).body)[1];

  const step1 = await postJson(`${url}/register`, { phoneNumber: PHONE });
  assert.equal(step1.status, 200, step1.text);
  const code = await codeSent();
  const second = (transactionCode) =>
    postJson(`${url}/register`, {
      email: 'ada@example.com',
      password: 's3cret-pass',
      phoneNumber: PHONE,
      transactionId: step1.body.transactionId,
      transactionCode,
      objectId: 'chosen-by-the-client',
    });
  const wrong = await second(code === '000000' ? '111111' : '000000');
  assert.equal(wrong.status, 400, wrong.text);
  assert.equal(wrong.body.code, 'CODE_MISMATCH');
  assert.equal(wrong.body.details.attemptsLeft, 4);
  const user = await second(code);
  assert.equal(user.status, 200, user.text);
  assert.equal(user.body.phoneNumberConfirmed, true);
  assert.equal(user.body.password, undefined);
  assert.notEqual(user.body.objectId, 'chosen-by-the-client', "the id is the BaaS's own");

  const byPassword = await postJson(`${url}/login`, {
    login: 'ada@example.com',
    password: 's3cret-pass',
  });
  assert.equal(byPassword.status, 200, byPassword.text);
  assert.equal(byPassword.body.objectId, user.body.objectId);
  const phoneLogin = await postJson(`${url}/login`, { phoneNumber: PHONE });
  assert.equal(phoneLogin.status, 200, phoneLogin.text);
  // Phone login texts its code after answering.
  for (let i = 0; i < 100 && (await outbox(simulatorUrl, PHONE)).length < 2; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const loggedIn = await postJson(`${url}/login`, {
    phoneNumber: PHONE,
    transactionId: phoneLogin.body.transactionId,
    transactionCode: await codeSent(),
  });
  assert.equal(loggedIn.status, 200, loggedIn.text);
  assert.equal(loggedIn.body.objectId, user.body.objectId);
  assert.equal((await postJson(`${url}/nowhere`, {})).status, 404);
});
