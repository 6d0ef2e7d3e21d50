// The WIT world, the TypeScript declarations that the build generates, and the marketplace
// manifest describe the same plugin: none of the three may drift from the others.
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { TwilioPlugin, version, REPO_ROOT, baseConfig } = require('./support/memory-host');
const { SUPPORTED_API } = require('../src/host/plugin-loader');

const read = (...p) => fs.readFileSync(path.join(REPO_ROOT, ...p), 'utf8');
const camel = (kebab) => kebab.replace(/^%/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
const sorted = (xs) => [...new Set(xs)].sort();

// Comments may hold braces (`{code}` in a doc line); the shapes we compare never do.
const uncommented = (source) =>
  source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');

// The body of a `keyword name { ... }` block (no nested braces in the blocks we read).
function block(commented, keyword, name) {
  const source = uncommented(commented);
  const match = source.match(new RegExp(`${keyword}\\s+${name}\\s*\\{([^}]*)\\}`));
  assert.ok(match, `${keyword} ${name} not found`);
  return match[1];
}

function witFuncs(body) {
  return [...body.matchAll(/^\s*(%?[a-z][a-z0-9-]*)\s*:\s*(?:static\s+)?func\b/gm)].map((m) =>
    camel(m[1]),
  );
}

const manifest = JSON.parse(read('plugin-manifest.json'));
const dts = read('pkg', 'twilio_baas_plugin.d.ts');
const witPlugin = read('wit', 'plugin.wit');
const witTypes = read('wit', 'types.wit');
const witHost = read('wit', 'host.wit');

test('operations: WIT exports = TypeScript class and functions = manifest operations', () => {
  const wit = [
    ...witFuncs(block(witPlugin, 'resource', 'twilio-plugin')),
    ...witFuncs(uncommented(witPlugin)),
  ];
  const classBody = block(dts, 'export class', 'TwilioPlugin');
  const ts = [...classBody.matchAll(/^\s*(?:static\s+)?([a-zA-Z]+)\(/gm)]
    .map((m) => m[1])
    .filter((name) => name !== 'free' && name !== 'constructor');
  ts.push(...[...dts.matchAll(/^export function ([a-zA-Z]+)\(/gm)].map((m) => m[1]));
  // `run-deferred` is the component's own: in JS the instance runs that work by itself.
  assert.deepEqual(sorted(wit.filter((name) => name !== 'runDeferred')), sorted(ts));
  assert.deepEqual(sorted(manifest.operations), sorted(ts));
});

test('config fields: WIT record = TypeScript PluginConfig = manifest config items and host secrets', () => {
  const wit = [...block(witTypes, 'record', 'config').matchAll(/^\s*([a-z][a-z0-9-]*)\s*:/gm)].map(
    (m) => camel(m[1]),
  );
  const ts = [...block(dts, 'export interface', 'PluginConfig').matchAll(/^\s*(\w+)\??:/gm)].map(
    (m) => m[1],
  );
  const items = [...manifest.config, ...manifest.hostSecrets].map((item) => item.name);
  assert.deepEqual(sorted(wit), sorted(ts));
  assert.deepEqual(sorted(items), sorted(ts));
});

test('imports: WIT host interface = TypeScript PluginHost = manifest imports', () => {
  const wit = witFuncs(uncommented(witHost));
  const ts = [...block(dts, 'export interface', 'PluginHost').matchAll(/^\s*(\w+)\(/gm)].map(
    (m) => m[1],
  );
  assert.deepEqual(sorted(wit), sorted(ts));
  assert.deepEqual(sorted(manifest.imports), sorted(ts));
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
  const api = witPlugin.match(/^package [a-z-]+:[a-z-]+@([0-9.]+);/m)[1];
  assert.equal(manifest.pluginApiVersion, api);
  assert.equal(SUPPORTED_API.version, api);
});

test("error codes: WIT enum = the plugin's codes = TypeScript PluginErrorCode = README", () => {
  const wit = [...block(witTypes, 'enum', 'error-code').matchAll(/^\s*([a-z][a-z-]*),/gm)].map(
    (m) => m[1].toUpperCase().replace(/-/g, '_'),
  );
  const rust = read('src', 'error.rs');
  const codes = [...rust.matchAll(/=> "([A-Z_]+)",/g)].map((m) => m[1]);
  assert.deepEqual(sorted(wit), sorted(codes));
  const union = dts.match(/export type PluginErrorCode =([^;]*);/)[1];
  assert.deepEqual(sorted([...union.matchAll(/"([A-Z_]+)"/g)].map((m) => m[1])), sorted(codes));
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
