// Configuration and start-up: which mode the host picks, the allowlist it builds for the
// plugin, the problems it reports, and loading the plugin through its manifest.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { createApp, ConfigError } = require('../src/host/app');
const { loadPlugin, DEFAULT_MANIFEST } = require('../src/host/plugin-loader');
const { startApp, tempDir } = require('./host-helpers');

const REAL_ENV = {
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'a-real-looking-token',
  TWILIO_SENDER_PHONE_NUMBER: '+14155550160',
  TWILIO_API_BASE_URL: 'https://api.twilio.com',
};

function configProblems(options) {
  try {
    createApp({ env: {}, ...options });
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${err}`);
    return err.problems.map((problem) => problem.field);
  }
  assert.fail('createApp accepted the configuration');
}

test('without credentials the host runs the simulator and allows its origin explicitly', async (t) => {
  const { app, logs } = await startApp(t);
  assert.equal(app.mode, 'simulator');
  assert.ok(app.simulator, 'the simulator is running');
  const simOrigin = new URL(app.simulatorUrl).origin;
  assert.deepEqual(app.allowedOrigins, [...app.manifest.permissions.httpOrigins, simOrigin]);
  const added = logs.find((entry) => /simulator origin added/.test(entry.message));
  assert.equal(added?.origin, simOrigin);
});

test('with real credentials no simulator starts and only the manifest origins are allowed', async (t) => {
  let sent = 0;
  const { app } = await startApp(t, {
    env: REAL_ENV,
    httpSend: async () => {
      sent += 1;
      throw new Error('no network in tests');
    },
  });
  assert.equal(app.mode, 'twilio');
  assert.equal(app.simulator, null);
  assert.equal(app.simulatorUrl, null);
  assert.deepEqual(app.allowedOrigins, app.manifest.permissions.httpOrigins);
  assert.ok(app.allowedOrigins.includes('https://api.twilio.com'));
  await assert.rejects(
    app.pluginHost.http({
      method: 'GET',
      url: 'http://127.0.0.1:8788/_sim/health',
      headers: {},
      timeoutMs: 500,
    }),
    /not among the origins/,
  );
  assert.equal(sent, 0);
});

test('every invalid plugin setting is reported before anything starts', () => {
  const fields = configProblems({
    pluginConfig: { codeLength: 99, messageTemplate: 'no placeholder', colour: 'red' },
  });
  assert.deepEqual(fields.sort(), ['codeLength', 'colour', 'messageTemplate']);
});

test('a settings file that is not JSON is reported by name', (t) => {
  const file = path.join(tempDir(t), 'broken.json');
  fs.writeFileSync(file, '{ not json');
  assert.deepEqual(configProblems({ env: { PLUGIN_CONFIG_FILE: file } }), ['PLUGIN_CONFIG_FILE']);
});

test('environment variables override the settings file', (t) => {
  const file = path.join(tempDir(t), 'settings.json');
  fs.writeFileSync(file, JSON.stringify({ accountSid: `AC${'b'.repeat(32)}`, codeLength: 8 }));
  const app = createApp({ env: { ...REAL_ENV, PLUGIN_CONFIG_FILE: file }, dataDir: tempDir(t) });
  assert.equal(app.hostConfig.settings.accountSid, REAL_ENV.TWILIO_ACCOUNT_SID);
  assert.equal(app.hostConfig.settings.codeLength, 8);
});

test('a missing build is reported with the command that makes it', (t) => {
  const root = tempDir(t);
  const manifest = JSON.parse(fs.readFileSync(DEFAULT_MANIFEST, 'utf8'));
  fs.writeFileSync(path.join(root, 'plugin-manifest.json'), JSON.stringify(manifest));
  assert.throws(
    () => loadPlugin({ manifestPath: path.join(root, 'plugin-manifest.json'), repoRoot: root }),
    /is missing\. Run "make build"/,
  );
});

test('the plugin loads through its manifest entry', () => {
  const { manifest, TwilioPlugin, version } = loadPlugin();
  assert.equal(manifest.id, 'twilio-phone-verification');
  assert.equal(typeof TwilioPlugin.create, 'function');
  assert.equal(version, manifest.version);
});
