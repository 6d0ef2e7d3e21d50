// The installation's plugin object, with a stand-in plugin class: calls reach the instance that
// is active when they start, a replaced instance is freed only once its calls have finished, and
// with nothing installed the hooks continue while every other operation is refused.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const Database = require('better-sqlite3');

const { createInstallationsStore } = require('../src/host/installations-store');
const { createPluginInstallation } = require('../src/host/plugin-installation');
const { createSecretBox } = require('../src/host/secret-box');

const manifest = {
  id: 'stand-in',
  name: 'Stand-in',
  operations: ['create', 'beforeRegister', 'sendSms'],
  hooks: [{ event: 'register', before: 'beforeRegister' }],
  config: [
    { name: 'label', default: null },
    { name: 'identityField', default: 'email' },
    { name: 'phoneNumberField', default: 'phoneNumber' },
    { name: 'phoneConfirmedField', default: 'phoneNumberConfirmed' },
  ],
};

function standIn() {
  const instances = [];
  class Plugin {
    static create(settings) {
      const instance = new Plugin();
      Object.assign(instance, { settings, freed: false, pending: [] });
      instances.push(instance);
      return instance;
    }
    /** Resolves when the test says so, with the label of the instance that served it. */
    sendSms() {
      return new Promise((resolve) => this.pending.push(() => resolve(this.settings.label)));
    }
    async beforeRegister() {
      return { action: 'respond', status: 200, body: this.settings.label };
    }
    free() {
      this.freed = true;
    }
  }
  return { Plugin, instances };
}

function installation(t, Plugin) {
  const db = new Database(':memory:');
  t.after(() => db.close());
  return createPluginInstallation({
    manifest,
    TwilioPlugin: Plugin,
    pluginHost: {},
    store: createInstallationsStore(db, {
      box: createSecretBox(Buffer.alloc(32, 7)),
      secretNames: [],
    }),
    log: () => {},
    userColumns: {
      identityField: 'email',
      phoneNumberField: 'phoneNumber',
      phoneConfirmedField: 'phoneNumberConfirmed',
    },
    complete: (config) => ({ ...config }),
    check: (config) => (config.label ? [] : [{ field: 'label', reason: 'is required' }]),
  });
}

test('a call in flight finishes on the instance it started on, which is freed afterwards', async (t) => {
  const { Plugin, instances } = standIn();
  const subject = installation(t, Plugin);
  subject.start({ config: { label: 'first' }, source: 'default' });
  const inFlight = subject.plugin.sendSms({}, {});
  await new Promise(setImmediate);
  subject.save({ label: 'second' });
  assert.equal(instances[0].freed, false, 'still serving a call');
  assert.equal((await subject.plugin.beforeRegister({}, {})).body, 'second');
  instances[0].pending[0]();
  assert.equal(await inFlight, 'first');
  assert.equal(instances[0].freed, true);
  assert.equal(instances[1].freed, false);
});

test('with nothing installed, hooks continue and other operations answer PLUGIN_NOT_INSTALLED', async (t) => {
  const { Plugin, instances } = standIn();
  const subject = installation(t, Plugin);
  subject.start({ config: { label: 'first' }, source: 'default' });
  subject.uninstall();
  assert.equal(instances[0].freed, true);
  assert.deepEqual(await subject.plugin.beforeRegister({}, {}), { action: 'continue' });
  await assert.rejects(subject.plugin.sendSms({}, {}), {
    code: 'PLUGIN_NOT_INSTALLED',
    status: 404,
  });
  assert.equal(subject.settings(), null);
  assert.equal(subject.savedConfig(), null);
});

test('an invalid configuration is refused and the active instance stays', async (t) => {
  const { Plugin } = standIn();
  const subject = installation(t, Plugin);
  subject.start({ config: { label: 'first' }, source: 'default' });
  assert.throws(() => subject.save({ label: '' }), { code: 'CONFIG_INVALID', status: 400 });
  assert.equal((await subject.plugin.beforeRegister({}, {})).body, 'first');
  assert.deepEqual(subject.savedConfig(), { label: 'first' });
});

test('a saved configuration that is no longer valid starts inactive, with its problems', async (t) => {
  const { Plugin, instances } = standIn();
  const subject = installation(t, Plugin);
  subject.start({ config: { label: '' }, source: 'saved' });
  assert.equal(instances.length, 0);
  const status = subject.status();
  assert.equal(status.active, false);
  assert.deepEqual(status.problems, [{ field: 'label', reason: 'is required' }]);
  // Fails closed: the hooks do not let registration and login go on without the plugin.
  await assert.rejects(subject.plugin.beforeRegister({}, {}), {
    status: 503,
    code: 'PLUGIN_INACTIVE',
  });
  await assert.rejects(subject.plugin.sendSms({}, {}), { code: 'PLUGIN_INACTIVE' });
});

test('a throwaway instance runs TEST CONFIGURATION and is freed', async (t) => {
  const { Plugin, instances } = standIn();
  Plugin.prototype.testConfiguration = async function () {
    return { ok: true, checks: [], label: this.settings.label };
  };
  const subject = installation(t, Plugin);
  subject.start({ config: { label: 'active' }, source: 'default' });
  const report = await subject.testConfiguration({ label: 'typed' });
  assert.equal(report.label, 'typed');
  assert.equal(instances[1].freed, true);
  assert.equal(instances[0].freed, false);
  assert.deepEqual(subject.savedConfig(), { label: 'active' });
});
