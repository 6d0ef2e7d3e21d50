// The host's secrets at start: the master key (master-key.js), the box that seals secret
// settings under it (secret-box.js), the installations store that uses the box, and the
// manifest's host secrets (the plugin's code-hashing key) derived from the key.

const { holdsSealedSecrets, createInstallationsStore } = require('./installations-store');
const { loadMasterKey } = require('./master-key');
const { createSecretBox } = require('./secret-box');
const { StartError } = require('./server-lifecycle');

/** One value per item of the manifest's `hostSecrets`, derived from the master key. */
function deriveHostSecrets(manifest, box) {
  const secrets = {};
  for (const item of manifest.hostSecrets ?? []) {
    const value = box.derive(`plugin/${manifest.id}/${item.name}`);
    if (value.length < (item.minLength ?? 0)) {
      throw new StartError(
        `The plugin asks for a host secret "${item.name}" of ${item.minLength} characters; this host derives ${value.length}.`,
      );
    }
    secrets[item.name] = value;
  }
  return secrets;
}

/**
 * @param {object} deps
 * @param {NodeJS.ProcessEnv} deps.env
 * @param {string} deps.dataDir
 * @param {import('better-sqlite3').Database} deps.db
 * @param {object} deps.manifest
 * @param {() => number} deps.clock
 * @param {Function} deps.log
 * @returns {{problems: object[]} | {installations: object, hostSecrets: Record<string, string>,
 *   storageSecret: string, masterKey: {source: string, created: boolean}}}
 */
function openHostSecrets({ env, dataDir, db, manifest, clock, log }) {
  const master = loadMasterKey(env, dataDir, { sealedSecrets: holdsSealedSecrets(db) });
  if (master.problems) return { problems: master.problems };
  const box = createSecretBox(master.key, master.previous);
  const installations = createInstallationsStore(db, {
    box,
    secretNames: manifest.config.filter((item) => item.secret).map((item) => item.name),
    clock,
  });
  if (installations.resealed) {
    log('info', 'secret settings sealed under the current master key', {
      configurations: installations.resealed,
    });
  }
  return {
    installations,
    hostSecrets: deriveHostSecrets(manifest, box),
    // Keys the HMACs that stand for logins and addresses in the throttle's tables.
    storageSecret: box.derive('host/keys-in-storage'),
    masterKey: { source: master.source, created: master.created },
  };
}

module.exports = { openHostSecrets };
