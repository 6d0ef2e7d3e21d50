// The console's API (/console/api/...) over real HTTP: the listing, the popup's data with
// secrets masked, the plugin's field checks, TEST CONFIGURATION against the simulator's
// accounts, SAVE (installs, activates at once, persists) and uninstall (the hooks go at once).

const assert = require('node:assert/strict');
const { describe, test } = require('node:test');

const {
  FULL_ACCOUNT,
  MESSAGING_SERVICE,
  SMS_NUMBER,
  TEST_CREDENTIALS_ACCOUNT,
  TRIAL_ACCOUNT,
  VOICE_ONLY_NUMBER,
} = require('../src/twilio-sim');
const {
  consoleSession,
  freePort,
  getJson,
  postJson,
  readCode,
  registerWithCode,
  startApp,
  tempDir,
} = require('./host-helpers');

const NEW_TOKEN = 'console_token_abcdefghijklmnop9876';

const api = (app, path) => `${app.url}/console/api/${path}`;

/** One operator session per host, signed in on first use. */
const sessions = new WeakMap();
async function signedIn(app) {
  if (!sessions.has(app)) sessions.set(app, await consoleSession(app));
  return sessions.get(app);
}
const apiGet = async (app, path) => getJson(api(app, path), await signedIn(app));
const apiPost = async (app, path, body) => postJson(api(app, path), body, await signedIn(app));

/** What the popup sends for the simulator's Full account; `overrides` replace members. */
function formConfig(app, overrides = {}) {
  return {
    accountSid: FULL_ACCOUNT.sid,
    authToken: FULL_ACCOUNT.authToken,
    senderPhoneNumber: SMS_NUMBER,
    messagingServiceSid: '',
    apiKeySid: '',
    apiKeySecret: '',
    twilioApiBaseUrl: app.simulatorUrl,
    ...overrides,
  };
}

async function testConfig(app, overrides) {
  const { status, body } = await apiPost(app, 'test', { config: formConfig(app, overrides) });
  assert.equal(status, 200, JSON.stringify(body));
  return Object.fromEntries(body.checks.map((check) => [check.name, check]));
}

describe('pages', () => {
  test('the console page and its files are served with a strict content policy', async (t) => {
    const { app } = await startApp(t);
    for (const [path, type] of [
      ['/console', 'text/html'],
      ['/console/', 'text/html'],
      ['/console/console.css', 'text/css'],
      ['/console/console.js', 'text/javascript'],
      ['/console/console-kit.js', 'text/javascript'],
      ['/console/console-fields.js', 'text/javascript'],
      ['/console/console-popup.js', 'text/javascript'],
      ['/console/sign-in', 'text/html'],
      ['/console/sign-in.js', 'text/javascript'],
    ]) {
      const response = await fetch(`${app.url}${path}`, { headers: await signedIn(app) });
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type'), new RegExp(`^${type}`));
      assert.match(response.headers.get('content-security-policy'), /script-src 'self'/);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    }
    const html = await (await fetch(`${app.url}/console`, { headers: await signedIn(app) })).text();
    assert.doesNotMatch(html, /<script>|style=/, 'no inline script or style');
    const missing = await fetch(`${app.url}/console/package.json`);
    assert.equal(missing.status, 404, 'only the page files are served');
  });

  test('an unknown console path answers the host error shape', async (t) => {
    const { app } = await startApp(t);
    const { status, body } = await apiGet(app, 'nothing');
    assert.equal(status, 404);
    assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
  });
});

describe('listing and popup data', () => {
  test('the product is listed with its name, version and description, installed by default', async (t) => {
    const { app } = await startApp(t);
    const { status, body } = await apiGet(app, 'product');
    assert.equal(status, 200);
    assert.equal(body.name, 'Twilio Integration');
    assert.equal(body.version, app.version);
    assert.equal(body.configurationTitle, 'Twilio Service Configuration');
    assert.match(body.description, /Phone-number confirmation/);
    assert.equal(body.installation.installed, true);
    assert.equal(body.installation.active, true);
    assert.equal(body.installation.source, 'default');
  });

  test('the popup gets every config item and the values, with each secret only masked', async (t) => {
    const { app } = await startApp(t);
    const { body, text } = await apiGet(app, 'configuration');
    assert.deepEqual(
      body.items.map((item) => item.name),
      app.manifest.config.map((item) => item.name),
    );
    assert.equal(body.values.accountSid, FULL_ACCOUNT.sid);
    assert.equal(body.values.codeLength, 6, 'defaults are filled in');
    assert.equal('authToken' in body.values, false);
    assert.deepEqual(body.secrets, {
      authToken: { set: true, last4: FULL_ACCOUNT.authToken.slice(-4) },
      apiKeySecret: { set: false },
    });
    assert.ok(!text.includes(FULL_ACCOUNT.authToken), 'the token never reaches the browser');
  });
});

describe('field checks', () => {
  test("each problem comes from the plugin's own rules, with its field", async (t) => {
    const { app } = await startApp(t);
    const { body } = await apiPost(app, 'validate', {
      config: formConfig(app, { accountSid: 'AC123', codeLength: 11, authToken: '' }),
    });
    assert.equal(body.ok, false);
    assert.deepEqual(body.problems.map((p) => p.field).sort(), ['accountSid', 'codeLength']);
    assert.match(body.problems.find((p) => p.field === 'codeLength').reason, /4 to 10/);
  });

  test('a secret left empty means the saved one; clearing a required one is a problem', async (t) => {
    const { app } = await startApp(t);
    const keep = await apiPost(app, 'validate', {
      config: formConfig(app, { authToken: '' }),
    });
    assert.deepEqual(keep.body, { ok: true, problems: [] });
    const cleared = await apiPost(app, 'validate', {
      config: formConfig(app, { authToken: '' }),
      clearSecrets: ['authToken'],
    });
    assert.deepEqual(
      cleared.body.problems.map((p) => p.field),
      ['authToken'],
    );
  });

  test("the host's allowlist is checked too: Twilio's URL must be an allowed origin", async (t) => {
    const { app } = await startApp(t);
    const { body } = await apiPost(app, 'validate', {
      config: formConfig(app, { twilioApiBaseUrl: 'https://twilio.example.com' }),
    });
    assert.deepEqual(
      body.problems.map((p) => p.field),
      ['twilioApiBaseUrl'],
    );
    assert.match(body.problems[0].reason, /not among the origins/);
  });

  test('a malformed submission answers 400 CONFIG_INVALID with details', async (t) => {
    const { app } = await startApp(t);
    const { status, body } = await apiPost(app, 'validate', { settings: {} });
    assert.equal(status, 400);
    assert.equal(body.code, 'CONFIG_INVALID');
    assert.equal(body.details.problems[0].field, 'config');
  });
});

describe('TEST CONFIGURATION', () => {
  test('the Full account with its SMS number passes every check', async (t) => {
    const { app } = await startApp(t);
    const checks = await testConfig(app);
    assert.deepEqual(
      Object.values(checks).map((c) => `${c.name}:${c.status}`),
      ['fields:passed', 'credentials:passed', 'sender:passed', 'sending:passed'],
    );
  });

  test("a wrong token fails the credentials with Twilio's 20003 in plain words", async (t) => {
    const { app } = await startApp(t);
    const checks = await testConfig(app, { authToken: 'wrong_token_00000000000000000000' });
    assert.equal(checks.credentials.status, 'failed');
    assert.match(checks.credentials.message, /20003/);
    assert.match(checks.credentials.message, /Account SID and Auth Token/);
    assert.equal(checks.sender.status, 'skipped');
  });

  test('a Trial account is a warning that only verified numbers can receive SMS', async (t) => {
    const { app } = await startApp(t);
    const checks = await testConfig(app, {
      accountSid: TRIAL_ACCOUNT.sid,
      authToken: TRIAL_ACCOUNT.authToken,
    });
    assert.equal(checks.credentials.status, 'warning');
    assert.match(checks.credentials.message, /Trial account: it can only text numbers verified/);
    assert.equal(checks.sender.status, 'passed');
  });

  test('test credentials are recognised and explained', async (t) => {
    const { app } = await startApp(t);
    const checks = await testConfig(app, {
      accountSid: TEST_CREDENTIALS_ACCOUNT.sid,
      authToken: TEST_CREDENTIALS_ACCOUNT.authToken,
    });
    assert.equal(checks.credentials.status, 'warning');
    assert.match(checks.credentials.message, /test credentials/);
    assert.equal(checks.sender.status, 'skipped');
    assert.match(checks.sender.message, /\+15005550006/);
  });

  test('a number the account does not own, or one that cannot send SMS, fails the sender', async (t) => {
    const { app } = await startApp(t);
    const foreign = await testConfig(app, { senderPhoneNumber: '+14155550199' });
    assert.equal(foreign.sender.status, 'failed');
    assert.match(foreign.sender.message, /does not belong to this Twilio account/);
    const voice = await testConfig(app, { senderPhoneNumber: VOICE_ONLY_NUMBER });
    assert.equal(voice.sender.status, 'failed');
    assert.match(voice.sender.message, /cannot send SMS/);
  });

  test('a Messaging Service passes when it exists and fails when it does not', async (t) => {
    const { app } = await startApp(t);
    const found = await testConfig(app, {
      senderPhoneNumber: '',
      messagingServiceSid: MESSAGING_SERVICE.sid,
    });
    assert.equal(found.sender.status, 'passed');
    assert.match(found.sender.message, new RegExp(MESSAGING_SERVICE.friendlyName));
    const missing = await testConfig(app, {
      senderPhoneNumber: '',
      messagingServiceSid: `MG${'e'.repeat(32)}`,
    });
    assert.equal(missing.sender.status, 'failed');
    assert.match(missing.sender.message, /was not found in this account/);
  });

  test('an invalid configuration is refused before any call to Twilio', async (t) => {
    const { app } = await startApp(t);
    app.simulator.injectFault({ status: 500, count: 1 });
    const { status, body } = await apiPost(app, 'test', {
      config: formConfig(app, { senderPhoneNumber: '12' }),
    });
    assert.equal(status, 400);
    assert.equal(body.code, 'CONFIG_INVALID');
    assert.deepEqual(
      body.details.problems.map((p) => p.field),
      ['senderPhoneNumber'],
    );
    assert.equal(app.simulator.faults.list().length, 1, 'the simulator saw no request');
  });

  test('testing saves nothing', async (t) => {
    const { app } = await startApp(t);
    await testConfig(app, { authToken: NEW_TOKEN, codeLength: 8 });
    const { body } = await apiGet(app, 'configuration');
    assert.equal(body.values.codeLength, 6);
    assert.equal(body.secrets.authToken.last4, FULL_ACCOUNT.authToken.slice(-4));
  });
});

describe('SAVE and uninstall', () => {
  test('a saved configuration is active at once, and an empty secret keeps the saved one', async (t) => {
    const { app } = await startApp(t);
    const saved = await apiPost(app, 'save', {
      config: formConfig(app, { authToken: '', codeLength: 8 }),
    });
    assert.equal(saved.status, 200, saved.text);
    assert.equal(saved.body.installation.installed, true);
    assert.equal(saved.body.installation.source, 'saved');
    const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber: '+14155550100' });
    assert.equal(step1.body.codeLength, 8);
    assert.match(await readCode(app.simulatorUrl, '+14155550100'), /^\d{8}$/);
    const { body } = await apiGet(app, 'configuration');
    assert.equal(body.values.codeLength, 8);
    assert.deepEqual(body.secrets.authToken, {
      set: true,
      last4: FULL_ACCOUNT.authToken.slice(-4),
    });
  });

  test('in simulator mode a save without twilioApiBaseUrl keeps to the simulator', async (t) => {
    const { app } = await startApp(t);
    const { twilioApiBaseUrl: _left, ...config } = formConfig(app);
    const saved = await apiPost(app, 'save', { config });
    assert.equal(saved.status, 200, saved.text);
    assert.equal(saved.body.installation.active, true);
    const row = app.db.prepare('SELECT config_json FROM plugin_installations').get();
    assert.equal(JSON.parse(row.config_json).twilioApiBaseUrl, app.simulatorUrl);
    const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber: '+14155550102' });
    assert.equal(step1.status, 200, step1.text);
    assert.match(await readCode(app.simulatorUrl, '+14155550102'), /^\d{6}$/);
  });

  test('SAVE refuses what Twilio refuses, on the field to fix, and changes nothing', async (t) => {
    const { app } = await startApp(t);
    const before = (await apiGet(app, 'product')).body.installation;
    const wrongToken = await apiPost(app, 'save', {
      config: formConfig(app, { authToken: NEW_TOKEN }),
    });
    assert.equal(wrongToken.status, 400, wrongToken.text);
    assert.equal(wrongToken.body.code, 'CONFIG_INVALID');
    const [problem] = wrongToken.body.details.problems;
    assert.equal(problem.field, 'authToken');
    assert.match(problem.reason, /^was not saved: Twilio refused the Account SID and Auth Token/);
    const foreign = await apiPost(app, 'save', {
      config: formConfig(app, { senderPhoneNumber: '+14155550199' }),
    });
    assert.equal(foreign.body.details.problems[0].field, 'senderPhoneNumber');
    assert.match(foreign.body.details.problems[0].reason, /does not belong to this Twilio account/);
    assert.deepEqual((await apiGet(app, 'product')).body.installation, before);
    assert.equal(app.db.prepare('SELECT COUNT(*) AS n FROM plugin_installations').get().n, 0);
    // A Trial account is a warning, not a refusal.
    const trial = await apiPost(app, 'save', {
      config: formConfig(app, {
        accountSid: TRIAL_ACCOUNT.sid,
        authToken: TRIAL_ACCOUNT.authToken,
      }),
    });
    assert.equal(trial.status, 200, trial.text);
  });

  test('SAVE is not stopped by Twilio being out of reach, and marks the part that failed', async (t) => {
    const { app } = await startApp(t);
    // Every call of the live check fails as an outage: the configuration is still saved.
    app.simulator.injectFault({ count: 10, status: 503, code: 20503 });
    const saved = await apiPost(app, 'save', { config: formConfig(app, { codeLength: 7 }) });
    assert.equal(saved.status, 200, saved.text);
    app.simulator.faults.clear();
    // An unknown Messaging Service beside a good number: the service is the field to fix.
    const config = formConfig(app, { messagingServiceSid: `MG${'9'.repeat(32)}` });
    const refused = await apiPost(app, 'save', { config });
    assert.deepEqual(
      refused.body.details.problems.map((p) => p.field),
      ['messagingServiceSid'],
    );
    const tested = await apiPost(app, 'test', { config });
    const sender = tested.body.checks.find((check) => check.name === 'sender');
    assert.deepEqual(sender.fields, ['messagingServiceSid']);
  });

  test('an invalid save answers 400 and leaves the running configuration alone', async (t) => {
    const { app } = await startApp(t);
    const { status, body } = await apiPost(app, 'save', {
      config: formConfig(app, { messageTemplate: 'no code here' }),
    });
    assert.equal(status, 400);
    assert.equal(body.code, 'CONFIG_INVALID');
    assert.equal(body.details.problems[0].field, 'messageTemplate');
    const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber: '+14155550101' });
    assert.equal(step1.status, 200);
  });

  test('uninstall turns the hooks and services off at once and forgets the credentials', async (t) => {
    const { app } = await startApp(t);
    const plainUser = { email: 'plain@example.com', password: 'correct horse battery staple' };
    const before = await postJson(`${app.url}/api/users/register`, plainUser);
    assert.equal(before.status, 400, 'the plugin asks for a phone number');

    const { status, body } = await apiPost(app, 'uninstall', {});
    assert.equal(status, 200);
    assert.equal(body.installation.installed, false);
    assert.equal(body.installation.active, false);

    const plain = await postJson(`${app.url}/api/users/register`, plainUser);
    assert.equal(plain.status, 200, plain.text);
    const phoneOnly = await postJson(`${app.url}/api/users/register`, {
      phoneNumber: '+14155550102',
    });
    assert.equal(phoneOnly.body.transactionId, undefined);
    assert.equal(phoneOnly.status, 400);
    const login = await postJson(`${app.url}/api/users/login`, {
      login: plainUser.email,
      password: plainUser.password,
    });
    assert.equal(login.status, 200, 'login is the BaaS own password check');
    const service = await postJson(
      `${app.url}/api/services/twilio/startVerification`,
      { phoneNumber: '+14155550102' },
      { 'user-token': login.body['user-token'] },
    );
    assert.equal(service.status, 404);
    assert.equal(service.body.code, 'PLUGIN_NOT_INSTALLED');

    const popup = await apiGet(app, 'configuration');
    assert.equal(popup.body.installed, false);
    assert.equal(popup.body.values.accountSid, null);
    assert.equal(popup.body.values.twilioApiBaseUrl, app.simulatorUrl);
    assert.deepEqual(popup.body.secrets.authToken, { set: false });
  });

  test('after an uninstall, a save installs it again', async (t) => {
    const { app } = await startApp(t);
    await apiPost(app, 'uninstall', {});
    const noToken = await apiPost(app, 'save', {
      config: formConfig(app, { authToken: '' }),
    });
    assert.equal(noToken.status, 400, 'the old token was forgotten');
    const saved = await apiPost(app, 'save', { config: formConfig(app) });
    assert.equal(saved.body.installation.installed, true);
    const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber: '+14155550103' });
    assert.equal(typeof step1.body.transactionId, 'string');
  });

  test('with users registered, the users-table columns cannot change under them', async (t) => {
    const dataDir = tempDir(t);
    const { app } = await startApp(t, { dataDir });
    const { step2 } = await registerWithCode(app, '+14155550106', {
      email: 'ann@example.com',
      password: 'correct horse battery staple',
    });
    assert.equal(step2.status, 200, step2.text);
    const refused = await apiPost(app, 'save', {
      config: formConfig(app, { identityField: 'phoneNumber' }),
    });
    assert.equal(refused.status, 400, refused.text);
    const [problem] = refused.body.details.problems;
    assert.equal(problem.field, 'identityField');
    assert.match(problem.reason, /cannot change from email while the users table has 1 user/);
    assert.equal((await apiGet(app, 'product')).body.installation.active, true);
    await app.stop();

    // Given at start instead, it leaves the plugin inactive, saying why, and Ann's account as
    // it was: her email still is her login.
    const { app: again } = await startApp(t, {
      dataDir,
      pluginConfig: { identityField: 'phoneNumber' },
    });
    const { installation } = (await apiGet(again, 'product')).body;
    assert.equal(installation.active, false);
    assert.match(installation.problems[0].reason, /cannot change from email/);
    assert.equal(again.db.prepare('SELECT identity FROM users').get().identity, 'ann@example.com');
  });

  test('users-table columns saved on an empty table take effect at once, and stay', async (t) => {
    const dataDir = tempDir(t);
    const { app } = await startApp(t, { dataDir });
    const { body } = await apiPost(app, 'save', {
      config: formConfig(app, { identityField: 'phoneNumber' }),
    });
    assert.deepEqual(body.installation.pendingRestart, []);
    assert.equal(body.installation.active, true);
    // Registered at once with the phone number as the identity, no email asked for.
    const { step2 } = await registerWithCode(app, '+14155550107', {
      password: 'correct horse battery staple',
    });
    assert.equal(step2.status, 200, step2.text);
    assert.equal(step2.body.phoneNumber, '+14155550107');
    await app.stop();

    // The next start keeps the saved columns, and the user can log in with her number.
    const { app: again } = await startApp(t, { dataDir });
    const { installation } = (await apiGet(again, 'product')).body;
    assert.equal(installation.active, true, JSON.stringify(installation.problems));
    const login = await postJson(`${again.url}/api/users/login`, {
      login: '+14155550107',
      password: 'correct horse battery staple',
    });
    assert.equal(login.status, 200, login.text);
    assert.equal(login.body.phoneNumber, '+14155550107');
  });
});

describe('what a restart keeps', () => {
  /** A host restarted on the same data (its simulator started with `simulatorOptions`). */
  async function restartable(t, simulatorOptions = {}) {
    const dataDir = tempDir(t);
    const simPort = await freePort();
    return (options = {}) => startApp(t, { dataDir, simPort, simulatorOptions, ...options });
  }

  test('the saved configuration, and the uninstalled state, survive a restart', async (t) => {
    // The simulator's Full account with another token: SAVE checks it live.
    const start = await restartable(t, { accounts: [{ ...FULL_ACCOUNT, authToken: NEW_TOKEN }] });
    const first = await start();
    await apiPost(first.app, 'save', {
      config: formConfig(first.app, { authToken: NEW_TOKEN, codeLength: 7 }),
    });
    await first.app.stop();

    const second = await start();
    const popup = await apiGet(second.app, 'configuration');
    assert.equal(popup.body.values.codeLength, 7);
    assert.deepEqual(popup.body.secrets.authToken, { set: true, last4: NEW_TOKEN.slice(-4) });
    assert.equal((await apiGet(second.app, 'product')).body.installation.source, 'saved');
    await apiPost(second.app, 'uninstall', {});
    await second.app.stop();

    const third = await start();
    const product = await apiGet(third.app, 'product');
    assert.equal(product.body.installation.installed, false);
    const plain = await postJson(`${third.app.url}/api/users/register`, {
      email: 'after@example.com',
      password: 'correct horse battery staple',
    });
    assert.equal(plain.status, 200);
  });

  test('until the console is used nothing is stored: the defaults follow the simulator', async (t) => {
    const dataDir = tempDir(t);
    const first = await startApp(t, { dataDir });
    assert.equal(first.app.db.prepare('SELECT * FROM plugin_installations').all().length, 0);
    await first.app.stop();
    const second = await startApp(t, { dataDir });
    const { body } = await apiGet(second.app, 'product');
    assert.equal(body.installation.source, 'default');
    assert.equal(body.installation.active, true);
    const step1 = await postJson(`${second.app.url}/api/users/register`, {
      phoneNumber: '+14155550105',
    });
    assert.equal(step1.status, 200, 'the simulator on its new port is used');
  });

  test('restarted with another simulator port, the saved configuration follows the simulator', async (t) => {
    const dataDir = tempDir(t);
    const first = await startApp(t, { dataDir, simPort: await freePort() });
    const saved = await apiPost(first.app, 'save', { config: formConfig(first.app) });
    assert.equal(saved.status, 200, saved.text);
    const oldSimulator = first.app.simulatorUrl;
    await first.app.stop();

    const { app, logs } = await startApp(t, { dataDir, simPort: await freePort() });
    assert.notEqual(app.simulatorUrl, oldSimulator);
    const { body } = await apiGet(app, 'product');
    assert.deepEqual([body.installation.active, body.installation.problems], [true, []]);
    const popup = await apiGet(app, 'configuration');
    assert.equal(
      popup.body.values.twilioApiBaseUrl,
      app.simulatorUrl,
      'the popup shows the one in use',
    );
    const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber: '+14155550105' });
    assert.equal(step1.status, 200, step1.text);
    assert.match(await readCode(app.simulatorUrl, '+14155550105'), /^\d{6}$/);
    assert.ok(logs.some((entry) => /old simulator address/.test(entry.message)));
    assert.equal((await getJson(`${app.url}/api/health`)).body.pluginState, 'active');
  });

  test('settings given by the environment or the caller are installed at every start', async (t) => {
    const start = await restartable(t);
    const first = await start();
    await apiPost(first.app, 'uninstall', {});
    await first.app.stop();
    const second = await start({ pluginConfig: { codeLength: 9 } });
    const { body } = await apiGet(second.app, 'product');
    assert.equal(body.installation.installed, true);
    assert.equal(body.installation.source, 'environment');
    const step1 = await postJson(`${second.app.url}/api/users/register`, {
      phoneNumber: '+14155550104',
    });
    assert.equal(step1.body.codeLength, 9);
  });
});

describe('only the console page can use the console API', () => {
  test('a POST that is not JSON is refused with 415', async (t) => {
    const { app } = await startApp(t);
    const response = await fetch(api(app, 'uninstall'), {
      method: 'POST',
      headers: { ...(await signedIn(app)), 'Content-Type': 'text/plain' },
      body: '{}',
    });
    assert.equal(response.status, 415);
    assert.equal((await response.json()).code, 415);
    assert.equal((await apiGet(app, 'product')).body.installation.installed, true);
  });

  test('a POST from another origin is refused with 403', async (t) => {
    const { app } = await startApp(t);
    const { status } = await postJson(
      api(app, 'uninstall'),
      {},
      { ...(await signedIn(app)), Origin: 'https://evil.example' },
    );
    assert.equal(status, 403);
    assert.equal((await apiGet(app, 'product')).body.installation.installed, true);
  });

  test('a request for another host name (DNS rebinding) is refused with 403', async (t) => {
    const { app } = await startApp(t);
    const { port } = new URL(app.url);
    const answer = await new Promise((resolve, reject) => {
      require('node:http')
        .get(
          {
            host: '127.0.0.1',
            port,
            path: '/console/api/configuration',
            headers: { Host: `rebind.example:${port}` },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode);
          },
        )
        .on('error', reject);
    });
    assert.equal(answer, 403);
  });
});
