// The host's master key: 32 random bytes that encrypt the secret settings at rest (secret-box.js)
// and from which the plugin's code-hashing key is derived. It is never written to the database,
// so a copy of the database alone reveals no secret and gives no way to test a code.
//
// Where it comes from, first match wins:
// - BAAS_MASTER_KEY: the key itself, 32 bytes in base64 (`openssl rand -base64 32`) or hex;
// - BAAS_MASTER_KEY_FILE, else `<DATA_DIR>/master.key`: a file holding it in base64, readable by
//   its owner only. The default file is created on first start, but never when the database
//   already holds secrets sealed under some key (a new key would only make them unreadable:
//   the file was lost or not restored), and a BAAS_MASTER_KEY_FILE that names no file is a
//   mistake to report, not a key to make up.
// BAAS_MASTER_KEY_PREVIOUS (same forms) is the key being rotated away from: secrets sealed under
// it are opened and sealed again under the current key at start.

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const KEY_BYTES = 32;
const KEY_FILE_NAME = 'master.key';

/** The key in `text` (base64, base64url or hex of 32 bytes), or null. */
function decodeKey(text) {
  const value = String(text).trim();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const key = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  return null;
}

const KEY_FORM = `32 random bytes in base64 or hex: create one with "openssl rand -base64 32"`;

function keyFromEnv(env, name, problems) {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  const key = decodeKey(raw);
  // The reason never repeats the value: it is a secret even when malformed.
  if (!key) problems.push({ field: name, reason: `must be ${KEY_FORM}` });
  return key;
}

/** Reads the key file, refusing one that other users could read or that someone else owns. */
function readKeyFile(file, problems) {
  const stat = fs.statSync(file);
  if (process.platform !== 'win32') {
    if ((stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8);
      problems.push({
        field: 'BAAS_MASTER_KEY_FILE',
        reason: `${file} can be read by other users (mode ${mode}): run "chmod 600 ${file}"`,
      });
      return null;
    }
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
      problems.push({
        field: 'BAAS_MASTER_KEY_FILE',
        reason: `${file} belongs to another user: the host's own user must own it`,
      });
      return null;
    }
  }
  const key = decodeKey(fs.readFileSync(file, 'utf8'));
  if (!key) {
    problems.push({ field: 'BAAS_MASTER_KEY_FILE', reason: `${file} must hold ${KEY_FORM}` });
  }
  return key;
}

/** Creates the key file with owner-only permissions; never overwrites one. */
function createKeyFile(file) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const key = crypto.randomBytes(KEY_BYTES);
  const fd = fs.openSync(file, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${key.toString('base64')}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return key;
}

/**
 * @param {NodeJS.ProcessEnv} env
 * @param {string} dataDir
 * @param {object} options
 * @param {boolean} options.sealedSecrets whether the database already holds sealed secrets
 * @returns {{key: Buffer, previous: Buffer | null, source: string, created: boolean} |
 *   {problems: {field: string, reason: string}[]}}
 */
function loadMasterKey(env, dataDir, { sealedSecrets }) {
  const problems = [];
  const previous = keyFromEnv(env, 'BAAS_MASTER_KEY_PREVIOUS', problems);
  const fromEnv = keyFromEnv(env, 'BAAS_MASTER_KEY', problems);
  if (problems.length) return { problems };
  if (fromEnv) return { key: fromEnv, previous, source: 'BAAS_MASTER_KEY', created: false };

  const named = Boolean(env.BAAS_MASTER_KEY_FILE);
  const file = path.resolve(env.BAAS_MASTER_KEY_FILE || path.join(dataDir, KEY_FILE_NAME));
  if (!fs.existsSync(file)) {
    if (named || sealedSecrets) {
      const why = named
        ? `${file} does not exist`
        : `${file} is missing, but the database holds secrets sealed under a master key`;
      problems.push({
        field: named ? 'BAAS_MASTER_KEY_FILE' : 'BAAS_MASTER_KEY',
        reason: `${why}: restore the key (host-harness/README.md, "Secrets at rest"). If it is lost, create a new one ("openssl rand -base64 32 > ${file}; chmod 600 ${file}") and enter the secrets again in the console.`,
      });
      return { problems };
    }
    return { key: createKeyFile(file), previous, source: file, created: true };
  }
  const key = readKeyFile(file, problems);
  return key ? { key, previous, source: file, created: false } : { problems };
}

module.exports = { loadMasterKey };
