// plugin-manifest.json as a typed format: plugin-manifest.schema.json describes it and every
// manifest is checked against it; the bounds it gives the popup are the plugin's own rules; and
// the packaged manifest (pkg/plugin-manifest.json) is what the host checks before it loads the
// module: the schema, the plugin API version and the SHA-256 of every module file.

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { describe, test } = require('node:test');

const { createApp } = require('../src/host/app');
const { compileSchema } = require('../src/host/json-schema');
const {
  DEFAULT_MANIFEST,
  loadPlugin,
  MANIFEST_SCHEMA,
  PluginLoadError,
  REPO_ROOT,
  SUPPORTED_API,
} = require('../src/host/plugin-loader');
const { tempDir } = require('./host-helpers');
const { TwilioPlugin, baseConfig } = require('./support/memory-host');

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const schema = readJson(MANIFEST_SCHEMA);
const validate = compileSchema(schema);
const source = readJson(path.join(REPO_ROOT, 'plugin-manifest.json'));
const packaged = readJson(DEFAULT_MANIFEST);
const sha256 = (file) =>
  require('node:crypto').createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A copy of pkg/ in a temporary folder, with its manifest changed by `edit`. */
function packageCopy(t, edit = (manifest) => manifest) {
  const dir = tempDir(t, 'plugin-pkg-');
  fs.cpSync(path.join(REPO_ROOT, 'pkg'), dir, { recursive: true });
  const manifestPath = path.join(dir, 'plugin-manifest.json');
  fs.writeFileSync(manifestPath, JSON.stringify(edit(readJson(manifestPath)), null, 2));
  return { dir, manifestPath };
}

/** The files in a package's snippets/ folder, as paths relative to the package. */
function snippetsOf(pkg) {
  const walk = (relative) =>
    fs.readdirSync(path.join(pkg, relative), { withFileTypes: true }).flatMap((item) => {
      const name = `${relative}/${item.name}`;
      return item.isDirectory() ? walk(name) : [name];
    });
  return walk('snippets');
}

describe('the schema', () => {
  test('the source manifest and the packaged manifest follow it', () => {
    assert.deepEqual(validate(source), []);
    assert.deepEqual(validate(packaged), []);
  });

  test('is draft 2020-12, closed and documented: every property has a description', () => {
    assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    const undocumented = [];
    const open = [];
    const described = (sub) =>
      Boolean(sub.description ?? schema.$defs[sub.$ref?.replace('#/$defs/', '')]?.description);
    // Conditional branches (allOf, if/then/else, not) only restate documented properties.
    const walk = (node, where) => {
      if (node.type === 'object' && node.properties && node.additionalProperties !== false) {
        open.push(where);
      }
      for (const [name, sub] of Object.entries(node.properties ?? {})) {
        if (!described(sub)) undocumented.push(`${where}/${name}`);
        walk(sub, `${where}/${name}`);
      }
      if (node.items) walk(node.items, `${where}/items`);
    };
    walk(schema, '');
    for (const [name, def] of Object.entries(schema.$defs)) walk(def, `/$defs/${name}`);
    assert.deepEqual(undocumented, []);
    assert.deepEqual(open, []);
  });

  const item = (overrides) => ({
    name: 'someSetting',
    type: 'string',
    displayName: 'Some setting',
    group: 'General',
    required: false,
    secret: false,
    default: null,
    hint: 'What to enter.',
    ...overrides,
  });
  const withItem = (overrides) => ({ ...source, config: [item(overrides)] });
  const cases = [
    [
      'an unknown top-level member',
      { ...source, homepage: 'x' },
      '/',
      /unknown property "homepage"/,
    ],
    ['a config type it does not know', withItem({ type: 'date' }), '/config/0/type', /one of/],
    ['a secret item not marked secret', withItem({ type: 'secret' }), '/config/0/secret', /true/],
    ['a non-secret item marked secret', withItem({ secret: true }), '/config/0/secret', /false/],
    [
      'a choice without options',
      withItem({ type: 'choice', default: 'a' }),
      '/config/0',
      /options/,
    ],
    ['options on a string item', withItem({ options: ['a', 'b'] }), '/config/0', /options/],
    ['min on a string item', withItem({ min: 1 }), '/config/0', /"min"/],
    [
      'a number with a text default',
      withItem({ type: 'number', default: '5' }),
      '/config/0/default',
      /number/,
    ],
    ['a bool without a default', withItem({ type: 'bool' }), '/config/0/default', /boolean/],
    [
      'an item without a hint',
      { ...source, config: [{ ...item(), hint: undefined }] },
      '/config/0',
      /"hint"/,
    ],
    [
      'a hook with neither before nor after',
      { ...source, hooks: [{ event: 'register' }] },
      '/hooks/0',
      /before.*after/,
    ],
    [
      'a hook on an unknown event',
      { ...source, hooks: [{ event: 'delete', before: 'x' }] },
      '/hooks/0/event',
      /one of/,
    ],
    [
      'a plain-http origin',
      { ...source, permissions: { httpOrigins: ['http://api.twilio.com'] } },
      '/permissions/httpOrigins/0',
      /does not match/,
    ],
    [
      'an origin with a path',
      { ...source, permissions: { httpOrigins: ['https://api.twilio.com/x'] } },
      '/permissions/httpOrigins/0',
      /does not match/,
    ],
    [
      'an API version without a minor',
      { ...source, pluginApiVersion: '1' },
      '/pluginApiVersion',
      /does not match/,
    ],
    [
      'a module path leaving the package',
      { ...source, module: { ...source.module, entry: '../evil.js' } },
      '/module/entry',
      /does not match/,
    ],
    [
      'a hash that is not SHA-256 hex',
      { ...source, module: { ...source.module, sha256: { 'a.js': 'ABC' } } },
      '/module/sha256/a.js',
      /does not match/,
    ],
    [
      'a service route outside /api',
      { ...source, services: [{ name: 'sendSms', route: 'POST /x', access: 'anyone' }] },
      '/services/0/route',
      /does not match/,
    ],
    [
      'a service with an unknown access rule',
      { ...source, services: [{ name: 'sendSms', route: 'POST /api/x', access: 'admins' }] },
      '/services/0/access',
      /does not match/,
    ],
  ];
  for (const [what, manifest, where, message] of cases) {
    test(`refuses ${what}`, () => {
      const problems = validate(JSON.parse(JSON.stringify(manifest)));
      const found = problems.find((p) => p.path === where && message.test(p.message));
      assert.ok(found, `expected ${where} ${message}, got ${JSON.stringify(problems)}`);
    });
  }

  test('the validator refuses a schema keyword it does not implement', () => {
    assert.throws(
      () => compileSchema({ type: 'string', format: 'uri' })('x'),
      /unknown format "uri"/,
    );
  });
});

test('every choice labels each of its options, and only those', () => {
  for (const item of source.config.filter((i) => i.type === 'choice')) {
    assert.deepEqual(Object.keys(item.optionLabels ?? {}), item.options, item.name);
  }
});

describe("the manifest's bounds are the plugin's own rules", () => {
  const EXAMPLES = {
    accountSid: `AC${'0'.repeat(32)}`,
    apiKeySid: `SK${'0'.repeat(32)}`,
    messagingServiceSid: `MG${'0'.repeat(32)}`,
    verifyServiceSid: `VA${'0'.repeat(32)}`,
    whatsappContentSid: `HX${'0'.repeat(32)}`,
    statusCallbackUrl: 'https://baas.example.com/api/services/twilio/status-callback',
  };
  const problemsFor = (name, value) =>
    TwilioPlugin.validateConfig(baseConfig({ [name]: value })).problems.filter(
      (p) => p.field === name,
    );
  const accepted = (name, value) =>
    assert.deepEqual(problemsFor(name, value), [], `${name}=${value}`);
  const refused = (name, value) =>
    assert.equal(problemsFor(name, value).length, 1, `${name}=${JSON.stringify(value)} passed`);

  for (const item of source.config) {
    if (item.min !== undefined) {
      test(`${item.name}: ${item.min} to ${item.max}`, () => {
        refused(item.name, item.min - 1);
        accepted(item.name, item.min);
        accepted(item.name, item.max);
        refused(item.name, item.max + 1);
      });
    }
    if (item.options) {
      test(`${item.name}: one of ${item.options.join(', ')}`, () => {
        for (const option of item.options) accepted(item.name, option);
        refused(item.name, `${item.options[0]}x`);
      });
    }
    if (item.pattern) {
      test(`${item.name}: matches ${item.pattern}`, () => {
        const pattern = new RegExp(item.pattern);
        const example = EXAMPLES[item.name] ?? item.default;
        assert.match(example, pattern);
        accepted(item.name, example);
        const wrong = [`${example}!`, `1${example}`, `-${example}`].find((v) => !pattern.test(v));
        refused(item.name, wrong);
      });
    }
    if (item.minLength !== undefined) {
      test(`${item.name}: at least ${item.minLength} characters`, () => {
        refused(item.name, 'x'.repeat(item.minLength - 1));
      });
    }
    if (item.maxLength !== undefined && item.maxLength < 2048) {
      test(`${item.name}: at most ${item.maxLength} characters`, () => {
        const base = item.default ?? '';
        refused(item.name, base.padEnd(item.maxLength + 1, 'x'));
      });
    }
  }
});

describe('packaging and loading', () => {
  test('make build packages the manifest with module paths in pkg/ and their SHA-256', () => {
    assert.equal(packaged.module.entry, 'twilio_baas_plugin.js');
    assert.equal(packaged.module.wasm, 'twilio_baas_plugin_bg.wasm');
    const pkg = path.join(REPO_ROOT, 'pkg');
    const snippets = snippetsOf(pkg);
    assert.ok(snippets.length > 0, 'the fast paths are a snippet the entry requires');
    assert.deepEqual(packaged.module.sha256, {
      [packaged.module.entry]: sha256(path.join(pkg, packaged.module.entry)),
      [packaged.module.wasm]: sha256(path.join(pkg, packaged.module.wasm)),
      ...Object.fromEntries(snippets.map((name) => [name, sha256(path.join(pkg, name))])),
    });
    const { $schema: _editor, module: sourceModule, component: _c, ...sourceRest } = source;
    const { module: _packagedModule, component: _pc, ...packagedRest } = packaged;
    assert.deepEqual(packagedRest, sourceRest);
    assert.equal(packaged.module.class, sourceModule.class);
  });

  test('the component is packaged with its WIT world, at the plugin API version, and its SHA-256', () => {
    const wasm = 'component/twilio_baas_plugin.wasm';
    assert.deepEqual(packaged.component, {
      world: `twilio-baas:plugin/twilio-plugin-world@${packaged.pluginApiVersion}`,
      wasm,
      sha256: { [wasm]: sha256(path.join(REPO_ROOT, 'pkg', wasm)) },
    });
    const witPackage = fs.readFileSync(path.join(REPO_ROOT, 'wit', 'plugin.wit'), 'utf8');
    assert.match(
      witPackage,
      new RegExp(`package twilio-baas:plugin@${packaged.pluginApiVersion};`),
    );
  });

  test('the packaging script hashes the files it packages, whatever they are', (t) => {
    const root = tempDir(t, 'plugin-repo-');
    fs.mkdirSync(path.join(root, 'pkg'));
    for (const file of [packaged.module.entry, packaged.module.wasm]) {
      fs.copyFileSync(path.join(REPO_ROOT, 'pkg', file), path.join(root, 'pkg', file));
    }
    fs.appendFileSync(path.join(root, 'pkg', packaged.module.wasm), Buffer.from([1, 2, 3]));
    const { types: _types, ...module } = source.module;
    const { component: _component, ...rest } = source;
    fs.writeFileSync(path.join(root, 'm.json'), JSON.stringify({ ...rest, module }));
    execFileSync(process.execPath, [
      path.join(REPO_ROOT, 'scripts', 'package-manifest.js'),
      path.join(root, 'm.json'),
      path.join(root, 'pkg'),
    ]);
    const written = readJson(path.join(root, 'pkg', 'plugin-manifest.json'));
    assert.equal(written.$schema, undefined);
    assert.deepEqual(written.module.sha256, {
      [packaged.module.entry]: packaged.module.sha256[packaged.module.entry],
      [packaged.module.wasm]: sha256(path.join(root, 'pkg', packaged.module.wasm)),
    });
    assert.notEqual(
      written.module.sha256[packaged.module.wasm],
      packaged.module.sha256[packaged.module.wasm],
    );
  });

  test('an intact package loads', (t) => {
    const { manifestPath } = packageCopy(t);
    assert.equal(loadPlugin({ manifestPath }).manifest.id, source.id);
  });

  test('a changed wasm is refused before it runs, naming the file and both hashes', (t) => {
    const { dir, manifestPath } = packageCopy(t);
    const wasm = path.join(dir, packaged.module.wasm);
    fs.appendFileSync(wasm, Buffer.from([0]));
    assert.throws(
      () => loadPlugin({ manifestPath }),
      (err) =>
        err instanceof PluginLoadError &&
        err.message.includes(wasm) &&
        err.message.includes(packaged.module.sha256[packaged.module.wasm]) &&
        err.message.includes(sha256(wasm)) &&
        /make build/.test(err.message),
    );
  });

  test('a changed entry JS is refused', (t) => {
    const { dir, manifestPath } = packageCopy(t);
    fs.appendFileSync(path.join(dir, packaged.module.entry), '\nglobalThis.pwned = true;\n');
    assert.throws(() => loadPlugin({ manifestPath }), /does not match the SHA-256/);
    assert.equal(globalThis.pwned, undefined);
  });

  test('a changed snippet the entry requires is refused before it runs', (t) => {
    const { dir, manifestPath } = packageCopy(t);
    const [snippet] = snippetsOf(dir);
    fs.appendFileSync(path.join(dir, snippet), '\nglobalThis.pwnedSnippet = true;\n');
    assert.throws(
      () => loadPlugin({ manifestPath }),
      (err) =>
        err instanceof PluginLoadError &&
        err.message.includes(path.join(dir, snippet)) &&
        err.message.includes(packaged.module.sha256[snippet]) &&
        /does not match the SHA-256/.test(err.message),
    );
    assert.equal(globalThis.pwnedSnippet, undefined);
  });

  test('a snippet the manifest records no hash for is refused', (t) => {
    const { dir, manifestPath } = packageCopy(t, (m) => ({
      ...m,
      module: {
        ...m.module,
        sha256: Object.fromEntries(
          Object.entries(m.module.sha256).filter(([name]) => !name.startsWith('snippets/')),
        ),
      },
    }));
    const [snippet] = snippetsOf(dir);
    assert.throws(
      () => loadPlugin({ manifestPath }),
      (err) =>
        err instanceof PluginLoadError && err.message.includes(`records no SHA-256 for ${snippet}`),
    );
  });

  test('an entry linked to files outside the package is refused: they would run unchecked', (t) => {
    const { dir, manifestPath } = packageCopy(t);
    const elsewhere = packageCopy(t).dir;
    const [snippet] = snippetsOf(elsewhere);
    fs.appendFileSync(path.join(elsewhere, snippet), '\nglobalThis.pwnedLink = true;\n');
    const entry = path.join(dir, packaged.module.entry);
    fs.rmSync(entry);
    fs.symlinkSync(path.join(elsewhere, packaged.module.entry), entry);
    assert.throws(
      () => loadPlugin({ manifestPath }),
      (err) => err instanceof PluginLoadError && /outside the package/.test(err.message),
    );
    assert.equal(globalThis.pwnedLink, undefined);
  });

  test('a link among the snippets is refused, and a recorded snippet that is gone is named', (t) => {
    const linked = packageCopy(t);
    const [snippet] = snippetsOf(linked.dir);
    const file = path.join(linked.dir, snippet);
    const outside = path.join(tempDir(t, 'snippet-'), 'fast_path.js');
    fs.copyFileSync(file, outside);
    fs.rmSync(file);
    fs.symlinkSync(outside, file);
    assert.throws(
      () => loadPlugin({ manifestPath: linked.manifestPath }),
      /neither a file nor a folder/,
    );

    const gone = packageCopy(t);
    fs.rmSync(path.join(gone.dir, snippet));
    assert.throws(
      () => loadPlugin({ manifestPath: gone.manifestPath }),
      (err) =>
        err instanceof PluginLoadError &&
        err.message.includes(`${snippet}, recorded in`) &&
        /is missing/.test(err.message),
    );

    // The folder itself linked elsewhere, to files that match today and may not tomorrow.
    const folderLinked = packageCopy(t);
    const snippets = path.join(folderLinked.dir, 'snippets');
    const away = path.join(tempDir(t, 'snippets-'), 'snippets');
    fs.cpSync(snippets, away, { recursive: true });
    fs.rmSync(snippets, { recursive: true });
    fs.symlinkSync(away, snippets);
    assert.throws(
      () => loadPlugin({ manifestPath: folderLinked.manifestPath }),
      (err) =>
        err instanceof PluginLoadError &&
        /is not a folder \(a link\?\)/.test(err.message) &&
        /reinstall the package/i.test(err.message),
    );
  });

  test("option labels must be a choice's, for each of its options and no other", (t) => {
    const relabel = (name, optionLabels) => (m) => ({
      ...m,
      config: m.config.map((item) => (item.name === name ? { ...item, optionLabels } : item)),
    });
    for (const edit of [
      relabel('twoFactor', { off: 'Off', optional: 'Optional' }),
      relabel('twoFactor', { off: 'Off', optional: 'Optional', required: 'All', never: 'x' }),
      relabel('appName', { a: 'A' }),
    ]) {
      const { manifestPath } = packageCopy(t, edit);
      assert.throws(() => loadPlugin({ manifestPath }), /optionLabels: must label each/);
    }
  });

  test('a manifest without hashes (the source manifest) is refused', (t) => {
    const { manifestPath } = packageCopy(t, ({ module: { sha256: _, ...module }, ...m }) => ({
      ...m,
      module,
    }));
    assert.throws(() => loadPlugin({ manifestPath }), /records no SHA-256 for module\.entry/);
  });

  test(`plugin API versions outside ${SUPPORTED_API.text} are refused; later 1.x load`, (t) => {
    for (const version of ['2.0.0', '0.9.0', '3.1.0']) {
      const { manifestPath } = packageCopy(t, (m) => ({ ...m, pluginApiVersion: version }));
      assert.throws(
        () => loadPlugin({ manifestPath }),
        (err) =>
          err instanceof PluginLoadError &&
          err.message.includes(`built for plugin API ${version}`) &&
          err.message.includes('this host supports plugin API >=1.0.0 <2.0.0'),
        version,
      );
    }
    const { manifestPath } = packageCopy(t, (m) => ({ ...m, pluginApiVersion: '1.7.0' }));
    assert.equal(loadPlugin({ manifestPath }).manifest.pluginApiVersion, '1.7.0');
  });

  test('a manifest that breaks the schema is refused with every problem', (t) => {
    const { manifestPath } = packageCopy(t, (m) => ({
      ...m,
      pluginApiVersion: 'one',
      permissions: { httpOrigins: ['http://evil.example'] },
    }));
    assert.throws(
      () => loadPlugin({ manifestPath }),
      /not valid[\s\S]*\/pluginApiVersion[\s\S]*\/permissions\/httpOrigins\/0/,
    );
  });

  test('a hook naming an operation the module lacks is refused', (t) => {
    const { manifestPath } = packageCopy(t, (m) => ({
      ...m,
      hooks: [{ event: 'register', before: 'beforeSignup' }],
    }));
    assert.throws(() => loadPlugin({ manifestPath }), /\/hooks\/0\/before: "beforeSignup"/);
  });

  test('the host refuses to start with a tampered module or an unsupported API version', (t) => {
    const tampered = packageCopy(t);
    fs.appendFileSync(path.join(tampered.dir, packaged.module.wasm), 'x');
    const newer = packageCopy(t, (m) => ({ ...m, pluginApiVersion: '2.0.0' }));
    for (const [{ manifestPath }, message] of [
      [tampered, /does not match the SHA-256/],
      [newer, /supports plugin API >=1\.0\.0 <2\.0\.0/],
    ]) {
      assert.throws(
        () => createApp({ env: {}, dataDir: tempDir(t), manifestPath, log: () => {} }),
        (err) => err instanceof PluginLoadError && message.test(err.message),
      );
    }
  });
});
