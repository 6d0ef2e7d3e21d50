// The two builds of the plugin, behind one API, so that every plugin-*.test.js file runs its
// tests against both and they can never disagree: the wasm-bindgen module (pkg/) and the
// WebAssembly component built from wit/ (pkg/component/), run by the component host. `create`
// and `validateConfig` answer Promises for both (the component's run in a worker thread).
const path = require('node:path');
const { after } = require('node:test');

const { loadComponentPlugin } = require('../../src/component-host');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const bindgen = require(path.join(REPO_ROOT, 'pkg', 'twilio_baas_plugin.js'));
const manifest = require(path.join(REPO_ROOT, 'pkg', 'plugin-manifest.json'));

const component = loadComponentPlugin({
  configItems: [...manifest.config, ...manifest.hostSecrets],
});
const live = new Set();

const BUILDS = [
  {
    name: 'wasm-bindgen module',
    TwilioPlugin: {
      create: async (config, host) => bindgen.TwilioPlugin.create(config, host),
      validateConfig: async (config) => bindgen.TwilioPlugin.validateConfig(config),
    },
    version: async () => bindgen.version(),
  },
  {
    name: 'component',
    TwilioPlugin: {
      async create(config, host) {
        const plugin = await component.TwilioPlugin.create(config, host);
        live.add(plugin);
        return plugin;
      },
      validateConfig: (config) => component.TwilioPlugin.validateConfig(config),
    },
    version: () => component.version(),
  },
];

// The component's instances are dropped with the file that made them.
after(async () => {
  await Promise.all([...live].map((plugin) => plugin.free()));
  live.clear();
});

module.exports = { BUILDS };
