// The WIT world, the TypeScript declarations that the build generates, and the marketplace
// manifest describe the same plugin: none of the three may drift from the others. The WIT side
// is `wasm-tools component wit wit/ --json` (pkg/wit.json, which `make build` writes), with
// every type resolved; the .d.ts is parsed (support/dts-parser.js), and the two are compared
// by the binding rules wit/types.wit states (support/wit-contract.js).
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { TwilioPlugin, version, REPO_ROOT, baseConfig } = require('./support/memory-host');
const { SUPPORTED_API } = require('../src/host/plugin-loader');
const { parseDts } = require('./support/dts-parser');
const contract = require('./support/wit-contract');

const read = (...p) => fs.readFileSync(path.join(REPO_ROOT, ...p), 'utf8');
const sorted = (xs) => [...new Set(xs)].sort();

// pkg/wit.json is only as new as the last build: one older than a .wit file would compare the
// declarations with a world that is no longer there.
const WIT_JSON = path.join(REPO_ROOT, 'pkg', 'wit.json');
const witFiles = fs.readdirSync(path.join(REPO_ROOT, 'wit')).filter((f) => f.endsWith('.wit'));
for (const file of witFiles) {
  const source = fs.statSync(path.join(REPO_ROOT, 'wit', file)).mtimeMs;
  if (!fs.existsSync(WIT_JSON) || fs.statSync(WIT_JSON).mtimeMs < source) {
    throw new Error(`pkg/wit.json is missing or older than wit/${file}: run make pkg/wit.json`);
  }
}

const manifest = JSON.parse(read('plugin-manifest.json'));
const dts = parseDts(read('pkg', 'twilio_baas_plugin.d.ts'));
const wit = new contract.WitWorld(JSON.parse(read('pkg', 'wit.json')));

/** Fails listing every problem, one a line, so that a run shows all that differs at once. */
function agree(problems) {
  assert.ok(problems.length === 0, `\n${problems.join('\n')}\n`);
}

test('records, enums and variants: WIT types = TypeScript declarations', () => {
  agree([
    ...contract.checkTypes(wit, dts, { configAccept: contract.choiceAccept(wit, manifest) }),
    ...contract.checkWiderDocs(wit),
  ]);
});

test('operations: WIT exports = TypeScript class and functions = manifest operations', () => {
  agree(contract.checkExports(wit, dts, manifest));
});

test('imports: WIT host interface = TypeScript PluginHost = manifest imports', () => {
  agree(contract.checkImports(wit, dts, manifest));
});

test('config: WIT record = manifest config items and host secrets', () => {
  agree(contract.checkConfigManifest(wit, manifest));
});

test('the plugin accepts every manifest config item with its default', () => {
  const config = baseConfig();
  for (const item of manifest.config) {
    if (item.default !== null && item.default !== undefined) config[item.name] = item.default;
  }
  assert.deepEqual(TwilioPlugin.validateConfig(config), { ok: true, problems: [] });
});

test('manifest hooks name exported operations, and its module files exist', () => {
  for (const hook of manifest.hooks) {
    for (const fn of [hook.before, hook.after].filter(Boolean)) {
      assert.ok(manifest.operations.includes(fn), `${fn} is not an operation`);
    }
  }
  for (const file of [manifest.module.entry, manifest.module.wasm, manifest.module.types]) {
    assert.ok(fs.existsSync(path.join(REPO_ROOT, file)), `${file} missing`);
  }
});

test('versions agree: Cargo.toml, the module and the manifest; the plugin API is one number', () => {
  const cargo = read('Cargo.toml').match(/^version = "([^"]+)"/m)[1];
  assert.equal(version(), cargo);
  assert.equal(manifest.version, cargo);
  // The WIT package version, the manifest's pluginApiVersion and the host's supported API.
  const api = wit.packageVersion();
  assert.equal(manifest.pluginApiVersion, api);
  assert.equal(SUPPORTED_API.version, api);
});

test("error codes: WIT enum = the plugin's codes = README", () => {
  const errorCode = wit.definitions().find((t) => t.name === 'error-code');
  const codes = errorCode.kind.enum.cases.map((c) => contract.enumValue('error-code', c.name));
  const rust = read('src', 'error.rs');
  assert.deepEqual(sorted([...rust.matchAll(/=> "([A-Z_]+)",/g)].map((m) => m[1])), sorted(codes));
  const readme = read('README.md');
  const documented = [...readme.matchAll(/`([A-Z][A-Z_]+)`/g)].map((m) => m[1]);
  assert.deepEqual(
    codes.filter((code) => !documented.includes(code)),
    [],
    'every error code is in the README',
  );
});

test('config fields: every setting of the manifest is in the README', () => {
  const readme = read('README.md');
  const missing = manifest.config
    .map((item) => item.name)
    .filter((name) => {
      const stem = name.replace(/Per(Hour|Day)$/, 'Per');
      return !readme.includes(`\`${name}\``) && !readme.includes(`\`${stem}`);
    });
  assert.deepEqual(missing, []);
});
