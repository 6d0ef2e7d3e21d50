#!/usr/bin/env node
// `make build`'s last step: writes pkg/plugin-manifest.json, the manifest a host loads. It is the
// repository's plugin-manifest.json, checked against plugin-manifest.schema.json, with the module
// paths made relative to pkg/ (so pkg/ is a self-contained package) and the SHA-256 of the entry
// JS, the JS snippets it requires and the wasm in `module.sha256`, which the host checks before it
// loads anything. The source
// manifest carries no hashes: the wasm changes with every build.
//
// Usage: node scripts/package-manifest.js [source-manifest] [package-folder]

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { compileSchema } = require('../host-harness/src/host/json-schema');

const ROOT = path.resolve(__dirname, '..');

function fail(message) {
  process.stderr.write(`package-manifest: ${message}\n`);
  process.exit(1);
}

const sha256 = (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * pkg/package.json: pkg/ as an npm package (`npm install path/to/pkg` or its `npm pack`
 * tarball), named by the manifest's id, with its version, the module as `main` and its
 * declarations as `types`. The component's JS bindings (pkg/component/js) stay out: they need
 * the WASI shims of the host that transpiled them; the component itself is in.
 */
function writePackageJson(pkgDir, manifest) {
  const { module, component } = manifest;
  const files = [module.entry, module.wasm, module.types, 'plugin-manifest.json'];
  const wasmTypes = module.wasm.replace(/\.wasm$/, '.wasm.d.ts');
  if (fs.existsSync(path.join(pkgDir, wasmTypes))) files.push(wasmTypes);
  if (fs.existsSync(path.join(pkgDir, 'wit.json'))) files.push('wit.json');
  if (component) files.push(component.wasm);
  const snippets = path.posix.join(path.posix.dirname(module.entry), 'snippets');
  if (Object.keys(module.sha256).some((file) => file.startsWith(`${snippets}/`))) {
    files.push(snippets);
  }
  const pkg = {
    name: manifest.id,
    version: manifest.version,
    description: manifest.description,
    license: 'MIT',
    main: module.entry,
    types: module.types,
    files,
    engines: { node: '>=20' },
  };
  fs.writeFileSync(path.join(pkgDir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
}

/** Every file under the `snippets` folder beside `entry`, in a stable order (none if absent). */
function snippetFiles(entry) {
  const walk = (dir) =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((item) => {
        const file = path.join(dir, item.name);
        if (item.isDirectory()) return walk(file);
        // A link would be recorded by its target's hash and then refused by the host's loader.
        if (!item.isFile()) throw new Error(`${file} is not a file (a link?): package files only`);
        return [file];
      });
  const dir = path.join(path.dirname(entry), 'snippets');
  const folder = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (folder && !folder.isDirectory()) throw new Error(`${dir} is not a folder (a link?)`);
  return folder ? walk(dir) : [];
}

function main() {
  const sourcePath = path.resolve(process.argv[2] ?? path.join(ROOT, 'plugin-manifest.json'));
  const pkgDir = path.resolve(process.argv[3] ?? path.join(ROOT, 'pkg'));
  const schema = JSON.parse(
    fs.readFileSync(path.join(ROOT, 'plugin-manifest.schema.json'), 'utf8'),
  );
  const { $schema: _editorOnly, ...manifest } = JSON.parse(fs.readFileSync(sourcePath, 'utf8'));

  const problems = compileSchema(schema)(manifest);
  if (problems.length) {
    fail(
      `${sourcePath} does not follow plugin-manifest.schema.json:\n${problems
        .map((p) => `  - ${p.path}: ${p.message}`)
        .join('\n')}`,
    );
  }

  const sourceDir = path.dirname(sourcePath);
  const module = { ...manifest.module, sha256: {} };
  for (const member of ['entry', 'wasm', 'types']) {
    if (module[member] === undefined) continue;
    const file = path.resolve(sourceDir, module[member]);
    const relative = path.relative(pkgDir, file).split(path.sep).join('/');
    if (relative.startsWith('..')) {
      fail(`module.${member} ${module[member]} is not inside ${pkgDir}`);
    }
    if (!fs.existsSync(file)) fail(`module.${member} ${file} is missing: build the module first`);
    module[member] = relative;
    if (member !== 'types') module.sha256[relative] = sha256(file);
  }
  // The JS files the entry require()s (wasm-bindgen's snippets/ beside it) are checked as well.
  for (const file of snippetFiles(path.resolve(pkgDir, module.entry))) {
    module.sha256[path.relative(pkgDir, file).split(path.sep).join('/')] = sha256(file);
  }

  // The component, when the manifest lists one: its path relative to pkg/ and its SHA-256.
  let component = manifest.component;
  if (component) {
    const file = path.resolve(sourceDir, component.wasm);
    const relative = path.relative(pkgDir, file).split(path.sep).join('/');
    if (relative.startsWith('..')) fail(`component.wasm ${component.wasm} is not inside ${pkgDir}`);
    if (!fs.existsSync(file)) fail(`component.wasm ${file} is missing: build the component first`);
    component = { ...component, wasm: relative, sha256: { [relative]: sha256(file) } };
  }

  const out = path.join(pkgDir, 'plugin-manifest.json');
  const packaged = { ...manifest, module, ...(component ? { component } : {}) };
  fs.writeFileSync(out, `${JSON.stringify(packaged, null, 2)}\n`);
  writePackageJson(pkgDir, packaged);
  process.stdout.write(
    `wrote ${path.relative(process.cwd(), out)}: ${Object.entries(module.sha256)
      .map(([file, hash]) => `${file} sha256 ${hash.slice(0, 12)}…`)
      .join(', ')}\n`,
  );
}

main();
