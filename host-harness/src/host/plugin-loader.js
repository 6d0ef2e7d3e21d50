// Loads the plugin the way a marketplace would: from its package (pkg/, written by `make build`)
// through the package's manifest, never by a path hard-coded in the host. Before anything of the
// plugin runs, the manifest is checked against plugin-manifest.schema.json, its plugin API
// version against the range this host supports, and each module file against the SHA-256 the
// manifest records. The wasm-bindgen `nodejs` target compiles and instantiates the wasm
// synchronously inside require(), so loading is synchronous.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { compileSchema } = require('./json-schema');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
/** The packaged manifest: module paths relative to pkg/, with the files' SHA-256. */
const DEFAULT_MANIFEST = path.join(REPO_ROOT, 'pkg', 'plugin-manifest.json');
const MANIFEST_SCHEMA = path.join(REPO_ROOT, 'plugin-manifest.schema.json');

/**
 * The plugin API (the WIT package version in wit/, and the manifest's pluginApiVersion) this
 * host supports: >=1.0.0 <2.0.0. A plugin built for any 1.x runs here; 2.0.0 would be a breaking
 * change of the contract, and 0.x predates it.
 */
const SUPPORTED_API = Object.freeze({
  version: '1.2.0',
  major: 1,
  minMinor: 0,
  text: '>=1.0.0 <2.0.0',
});

class PluginLoadError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PluginLoadError';
  }
}

let validateManifestSchema = null;

/** Every way `manifest` breaks plugin-manifest.schema.json, as `path: message` lines. */
function schemaProblems(manifest) {
  validateManifestSchema ??= compileSchema(JSON.parse(fs.readFileSync(MANIFEST_SCHEMA, 'utf8')));
  return validateManifestSchema(manifest).map((p) => `${p.path}: ${p.message}`);
}

function readManifest(manifestPath) {
  let text;
  try {
    text = fs.readFileSync(manifestPath, 'utf8');
  } catch (err) {
    throw new PluginLoadError(`cannot read the plugin manifest ${manifestPath}: ${err.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new PluginLoadError(`the plugin manifest ${manifestPath} is not JSON: ${err.message}`);
  }
}

/** What the schema cannot say: names that must refer to each other. */
function referenceProblems(manifest) {
  const problems = [];
  const operations = new Set(manifest.operations);
  const items = new Map(manifest.config.map((item) => [item.name, item]));
  if (items.size !== manifest.config.length) problems.push('/config: item names repeat');
  manifest.config.forEach((item, i) => {
    // A choice's labels are for its options, every one of them, and for nothing else.
    if (item.optionLabels === undefined) return;
    const labelled = Object.keys(item.optionLabels);
    const same =
      item.type === 'choice' &&
      labelled.length === item.options.length &&
      item.options.every((option) => labelled.includes(option));
    if (!same) {
      problems.push(
        `/config/${i}/optionLabels: must label each of the choice's options, and only them`,
      );
    }
  });
  manifest.hooks.forEach((hook, i) => {
    for (const member of ['before', 'after']) {
      if (hook[member] && !operations.has(hook[member])) {
        problems.push(`/hooks/${i}/${member}: "${hook[member]}" is not among the operations`);
      }
    }
  });
  manifest.services.forEach((service, i) => {
    if (!operations.has(service.name)) {
      problems.push(`/services/${i}/name: "${service.name}" is not among the operations`);
    }
    const setting = /^config:(.+)$/.exec(service.access)?.[1];
    if (setting && items.get(setting)?.type !== 'choice') {
      problems.push(`/services/${i}/access: "${setting}" is not a choice item of the config`);
    }
  });
  return problems;
}

/** The manifest's plugin API version is one this host implements, or a PluginLoadError. */
function checkApiVersion(manifest, manifestPath) {
  const [major, minor] = manifest.pluginApiVersion.split('.').map(Number);
  if (major === SUPPORTED_API.major && minor >= SUPPORTED_API.minMinor) return;
  throw new PluginLoadError(
    `the plugin ${manifest.id} ${manifest.version} (${manifestPath}) is built for plugin API ` +
      `${manifest.pluginApiVersion}, but this host supports plugin API ${SUPPORTED_API.text}. ` +
      `Install a version of the plugin built for plugin API ${SUPPORTED_API.major}.x, or a host that supports ${manifest.pluginApiVersion}.`,
  );
}

/** A module file's absolute path; it may not leave the package: a manifest is third-party input. */
function moduleFile(pluginRoot, relative, member) {
  const file = path.resolve(pluginRoot, relative);
  if (path.relative(pluginRoot, file).startsWith('..')) {
    throw new PluginLoadError(`module.${member} ${relative} points outside ${pluginRoot}`);
  }
  return file;
}

/** Each module file matches the SHA-256 the manifest records for it, or a PluginLoadError. */
function verifyHashes(manifest, manifestPath, files) {
  const recorded = manifest.module.sha256 ?? {};
  for (const [member, file] of Object.entries(files)) {
    const name = manifest.module[member];
    const expected = recorded[name];
    if (!expected) {
      throw new PluginLoadError(
        `the plugin manifest ${manifestPath} records no SHA-256 for module.${member} ${name}, so the module cannot be checked. Load the packaged manifest that "make build" writes (pkg/plugin-manifest.json).`,
      );
    }
    const actual = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    if (actual !== expected) {
      throw new PluginLoadError(
        `refusing to load the plugin: ${file} does not match the SHA-256 in ${manifestPath} (expected ${expected}, found ${actual}). The module was changed after it was packaged. ${REINSTALL}`,
      );
    }
  }
}

/** What to do about a package whose files do not match its manifest. */
const REINSTALL_LOWER =
  'reinstall the package (copy its folder whole, files and not links), or rebuild it from source with "make build".';
const REINSTALL = `${REINSTALL_LOWER[0].toUpperCase()}${REINSTALL_LOWER.slice(1)}`;

/**
 * Every file under `dir`, walked by hand with lstat (recursive readdir lists nested folders
 * only in later Node 20 releases). Anything but folders and regular files (a link, a FIFO)
 * is refused: what it leads to could not be checked.
 */
function filesUnder(dir) {
  const found = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const file = path.join(dir, name);
    const stat = fs.lstatSync(file);
    if (stat.isDirectory()) found.push(...filesUnder(file));
    else if (stat.isFile()) found.push(file);
    else {
      throw new PluginLoadError(
        `refusing to load the plugin: ${file} is neither a file nor a folder (a link?), so it cannot be checked. ${REINSTALL}`,
      );
    }
  }
  return found;
}

/**
 * The JS files the entry require()s (wasm-bindgen's `snippets/` folder beside it): each one is
 * recorded and matches, and each one recorded is there, or a PluginLoadError, so no file the
 * module runs goes unchecked. `root` and `entry` are real paths (links resolved).
 */
function verifySnippets(manifest, manifestPath, root, entry) {
  const dir = path.join(path.dirname(entry), 'snippets');
  const recorded = manifest.module.sha256 ?? {};
  const nameOf = (file) => path.relative(root, file).split(path.sep).join('/');
  // The folder itself is looked at too: a link in its place would lead to files outside.
  const folder = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (folder && !folder.isDirectory()) {
    throw new PluginLoadError(
      `refusing to load the plugin: ${dir} is not a folder (a link?), so what it holds cannot be checked. ${REINSTALL}`,
    );
  }
  const present = folder ? filesUnder(dir) : [];
  for (const file of present) {
    const name = nameOf(file);
    if (!recorded[name]) {
      throw new PluginLoadError(
        `refusing to load the plugin: ${file} is beside its entry JS, which may require() it, but the manifest ${manifestPath} records no SHA-256 for ${name}. Remove the file, or ${REINSTALL_LOWER}`,
      );
    }
    const actual = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    if (actual !== recorded[name]) {
      throw new PluginLoadError(
        `refusing to load the plugin: ${file} does not match the SHA-256 in ${manifestPath} (expected ${recorded[name]}, found ${actual}). The module was changed after it was packaged. ${REINSTALL}`,
      );
    }
  }
  const prefix = `${nameOf(dir)}/`;
  const names = new Set(present.map(nameOf));
  const missing = Object.keys(recorded).filter((n) => n.startsWith(prefix) && !names.has(n));
  if (missing.length) {
    throw new PluginLoadError(
      `the plugin is not complete: ${missing.join(', ')}, recorded in ${manifestPath}, is missing. ${REINSTALL}`,
    );
  }
}

/**
 * A module file's real path (links resolved), which must stay inside the package's real
 * folder: require() runs the real file, and the entry loads its wasm and snippets from beside
 * it, so a linked entry would run files the checks never saw.
 */
function realInside(realRoot, file, member) {
  const real = fs.realpathSync(file);
  const relative = path.relative(realRoot, real);
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new PluginLoadError(
      `refusing to load the plugin: module.${member} ${file} leads to ${real}, outside the package ${realRoot}. Install the package's files themselves, not links to them.`,
    );
  }
  return real;
}

/**
 * @param {object} [options]
 * @param {string} [options.manifestPath] default: pkg/plugin-manifest.json
 * @param {string} [options.repoRoot] what the module paths are relative to (default: the
 *   manifest's folder)
 * @returns {{manifest: object, module: object, TwilioPlugin: Function, version: string}}
 */
function loadPlugin({ manifestPath = DEFAULT_MANIFEST, repoRoot } = {}) {
  const manifest = readManifest(manifestPath);
  const pluginRoot = repoRoot ?? path.dirname(manifestPath);
  const problems = schemaProblems(manifest);
  if (problems.length === 0) problems.push(...referenceProblems(manifest));
  if (problems.length) {
    throw new PluginLoadError(
      `the plugin manifest ${manifestPath} is not valid (see plugin-manifest.schema.json):\n${problems
        .map((problem) => `  - ${problem}`)
        .join('\n')}`,
    );
  }
  checkApiVersion(manifest, manifestPath);

  const files = {
    entry: moduleFile(pluginRoot, manifest.module.entry, 'entry'),
    wasm: moduleFile(pluginRoot, manifest.module.wasm, 'wasm'),
  };
  for (const file of Object.values(files)) {
    if (!fs.existsSync(file)) {
      throw new PluginLoadError(
        `the plugin is not built: ${file} is missing. Run "make build" in ${REPO_ROOT} first.`,
      );
    }
  }
  const realRoot = fs.realpathSync(pluginRoot);
  for (const member of Object.keys(files)) {
    files[member] = realInside(realRoot, files[member], member);
  }
  verifyHashes(manifest, manifestPath, files);
  verifySnippets(manifest, manifestPath, realRoot, files.entry);

  let module;
  try {
    module = require(files.entry);
  } catch (err) {
    throw new PluginLoadError(
      `the plugin at ${files.entry} failed to load (${err.message}). Run "make build" to rebuild it.`,
    );
  }
  const TwilioPlugin = module[manifest.module.class];
  if (typeof TwilioPlugin?.create !== 'function') {
    throw new PluginLoadError(`${files.entry} does not export the class ${manifest.module.class}`);
  }
  const version = typeof module.version === 'function' ? module.version() : manifest.version;
  if (version !== manifest.version) {
    // Not fatal: a stale pkg/ after a version bump is a build problem worth seeing, not a crash.
    process.emitWarning(
      `the plugin module reports version ${version} but the manifest says ${manifest.version}; run "make build"`,
    );
  }
  return { manifest, module, TwilioPlugin, version };
}

module.exports = {
  loadPlugin,
  schemaProblems,
  PluginLoadError,
  REPO_ROOT,
  DEFAULT_MANIFEST,
  MANIFEST_SCHEMA,
  SUPPORTED_API,
};
