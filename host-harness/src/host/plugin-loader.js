// Loads the plugin the way a marketplace would: by reading its manifest and following
// `module.entry`, never by a path hard-coded in the host. The wasm-bindgen `nodejs` target
// compiles and instantiates the wasm synchronously inside require(), so loading is synchronous.

const fs = require('node:fs');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const DEFAULT_MANIFEST = path.join(REPO_ROOT, 'plugin-manifest.json');
const SUPPORTED_RUNTIME = 'wasm-bindgen-nodejs';

class PluginLoadError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PluginLoadError';
  }
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

/** The manifest members the host relies on; anything missing is named, all at once. */
function checkManifest(manifest, manifestPath) {
  const problems = [];
  if (typeof manifest.id !== 'string' || !manifest.id) problems.push('id');
  if (manifest.module?.runtime !== SUPPORTED_RUNTIME) {
    problems.push(`module.runtime (this host runs "${SUPPORTED_RUNTIME}")`);
  }
  if (typeof manifest.module?.entry !== 'string') problems.push('module.entry');
  if (typeof manifest.module?.class !== 'string') problems.push('module.class');
  if (!Array.isArray(manifest.permissions?.httpOrigins)) problems.push('permissions.httpOrigins');
  if (problems.length) {
    throw new PluginLoadError(`the plugin manifest ${manifestPath} lacks: ${problems.join(', ')}`);
  }
}

/**
 * @param {object} [options]
 * @param {string} [options.manifestPath] default: plugin-manifest.json at the repository root
 * @param {string} [options.repoRoot] what `module.entry` is relative to
 * @returns {{manifest: object, module: object, TwilioPlugin: Function, version: string}}
 */
function loadPlugin({ manifestPath = DEFAULT_MANIFEST, repoRoot = REPO_ROOT } = {}) {
  const manifest = readManifest(manifestPath);
  checkManifest(manifest, manifestPath);
  const entry = path.resolve(repoRoot, manifest.module.entry);
  // The entry may not escape the plugin's folder: a manifest is third-party input.
  if (path.relative(repoRoot, entry).startsWith('..')) {
    throw new PluginLoadError(`module.entry ${manifest.module.entry} points outside ${repoRoot}`);
  }
  if (!fs.existsSync(entry)) {
    throw new PluginLoadError(
      `the plugin is not built: ${entry} is missing. Run "make build" in ${repoRoot} first.`,
    );
  }
  let module;
  try {
    module = require(entry);
  } catch (err) {
    throw new PluginLoadError(
      `the plugin at ${entry} failed to load (${err.message}). Run "make build" to rebuild it.`,
    );
  }
  const TwilioPlugin = module[manifest.module.class];
  if (typeof TwilioPlugin?.create !== 'function') {
    throw new PluginLoadError(`${entry} does not export the class ${manifest.module.class}`);
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

module.exports = { loadPlugin, PluginLoadError, REPO_ROOT, DEFAULT_MANIFEST };
