// Which marketplace plugins are installed, and their configuration as the console saved it.
// One row per plugin that was ever installed. Uninstalling keeps the row but drops the
// configuration, secrets included: a plugin that is gone keeps no credentials, and a restart
// remembers that it was uninstalled.
//
// Secret settings (the manifest's secret items: Auth Token, API key secret) are never stored as
// given: they are sealed together with AES-256-GCM under the master key (secret-box.js), which
// is not in this file. A configuration saved before that was the rule is sealed when the store
// opens. Sealed under a previous master key (a rotation), they are sealed again under the
// current one; under a key this host does not have, the configuration is returned without them
// and says so (`unreadable`), so the console can ask for them again.

const { writeTransaction } = require('./database');

const SCHEMA = `
CREATE TABLE IF NOT EXISTS plugin_installations (
  plugin_id      TEXT    PRIMARY KEY,
  config_json    TEXT,             -- the settings but the secret ones, as a JSON object; NULL once uninstalled
  secrets_sealed TEXT,             -- the secret settings as a JSON object, sealed (secret-box.js)
  installed_at   INTEGER,          -- ms since the epoch; NULL once uninstalled
  updated_at     INTEGER NOT NULL, -- last save or uninstall
  version        INTEGER NOT NULL DEFAULT 0  -- +1 at each save or uninstall
);
`;

/**
 * @typedef {object} Installation
 * @property {string} pluginId
 * @property {boolean} installed
 * @property {Record<string, unknown> | null} config null when not installed
 * @property {{keyId: string | null, altered: boolean} | null} unreadable set when the sealed
 *   secrets did not open: sealed under another master key (`keyId`), or `altered` (changed, or
 *   moved from another row); `config` then lacks them
 * @property {number | null} installedAt
 * @property {number} updatedAt
 * @property {number} version counts the saves and uninstalls: hosts sharing the database
 *   compare it to learn that another changed the installation (two saves can share a date)
 */

/** Whether the table has its sealed-secrets column (false too when there is no table yet). */
const hasSealedColumn = (db) =>
  db
    .prepare('PRAGMA table_info(plugin_installations)')
    .all()
    .some((column) => column.name === 'secrets_sealed');

const hasVersionColumn = (db) =>
  db
    .prepare('PRAGMA table_info(plugin_installations)')
    .all()
    .some((column) => column.name === 'version');

/** Adds the columns to a table made before secrets were sealed, or before versions. */
function migrate(db) {
  // Under one write lock: two hosts starting together on an old file add each column once.
  writeTransaction(db, () => {
    if (!hasSealedColumn(db)) {
      db.exec('ALTER TABLE plugin_installations ADD COLUMN secrets_sealed TEXT');
    }
    if (!hasVersionColumn(db)) {
      db.exec('ALTER TABLE plugin_installations ADD COLUMN version INTEGER NOT NULL DEFAULT 0');
    }
  })();
}

/**
 * @param {import('better-sqlite3').Database} db
 * @param {object} options
 * @param {ReturnType<import('./secret-box').createSecretBox>} options.box
 * @param {string[]} options.secretNames the manifest's secret items
 * @param {() => number} [options.clock] ms since the epoch
 */
function createInstallationsStore(db, { box, secretNames, clock = Date.now }) {
  db.exec(SCHEMA);
  migrate(db);
  const secret = new Set(secretNames);
  const aad = (pluginId) => `plugin_installations/${pluginId}/secrets`;
  const statements = {
    get: db.prepare('SELECT * FROM plugin_installations WHERE plugin_id = ?'),
    dates: db.prepare(
      'SELECT installed_at, updated_at, version FROM plugin_installations WHERE plugin_id = ?',
    ),
    all: db.prepare('SELECT * FROM plugin_installations WHERE config_json IS NOT NULL'),
    // A first install, or an install after an uninstall, sets installed_at; a later save of the
    // same installation keeps it.
    save: db.prepare(`
      INSERT INTO plugin_installations (plugin_id, config_json, secrets_sealed, installed_at,
                                        updated_at)
      VALUES (@pluginId, @config, @sealed, @now, @now)
      ON CONFLICT (plugin_id) DO UPDATE SET
        config_json = excluded.config_json,
        secrets_sealed = excluded.secrets_sealed,
        installed_at = COALESCE(plugin_installations.installed_at, excluded.installed_at),
        updated_at = excluded.updated_at,
        version = plugin_installations.version + 1
      RETURNING *`),
    // Sealing again (migration, rotation) changes no date: the configuration is the same.
    reseal: db.prepare(`
      UPDATE plugin_installations SET config_json = @config, secrets_sealed = @sealed
      WHERE plugin_id = @pluginId`),
    uninstall: db.prepare(`
      INSERT INTO plugin_installations (plugin_id, config_json, secrets_sealed, installed_at,
                                        updated_at)
      VALUES (@pluginId, NULL, NULL, NULL, @now)
      ON CONFLICT (plugin_id) DO UPDATE SET config_json = NULL, secrets_sealed = NULL,
        installed_at = NULL, updated_at = excluded.updated_at,
        version = plugin_installations.version + 1
      RETURNING *`),
  };

  /** The columns for a configuration: its plain settings, and its secrets sealed. */
  function columns(pluginId, config) {
    const plain = {};
    const secrets = {};
    for (const [name, value] of Object.entries(config)) {
      (secret.has(name) ? secrets : plain)[name] = value;
    }
    const sealed = Object.keys(secrets).length
      ? box.seal(JSON.stringify(secrets), aad(pluginId))
      : null;
    return { pluginId, config: JSON.stringify(plain), sealed };
  }

  /** The whole configuration of a row, and the sealed secrets' trouble if they do not open. */
  function configOf(row) {
    const config = JSON.parse(row.config_json);
    if (row.secrets_sealed === null) return { config, unreadable: null, stale: false };
    try {
      const { plaintext, stale } = box.open(row.secrets_sealed, aad(row.plugin_id));
      return { config: { ...config, ...JSON.parse(plaintext) }, unreadable: null, stale };
    } catch (err) {
      const keyId = err.keyId ?? null;
      return {
        config,
        unreadable: { keyId, altered: keyId === box.keyId || !keyId },
        stale: false,
      };
    }
  }

  // Secrets stored in plain text (before sealing was the rule) or under the previous master key
  // are sealed under the current key now, and the log's old pages are dropped with them.
  const resealed = writeTransaction(db, () => {
    let count = 0;
    for (const row of statements.all.all()) {
      const { config, unreadable, stale } = configOf(row);
      const plainSecrets = Object.keys(JSON.parse(row.config_json)).some((n) => secret.has(n));
      if (!unreadable && (stale || plainSecrets)) {
        statements.reseal.run(columns(row.plugin_id, config));
        count += 1;
      }
    }
    return count;
  })();
  if (resealed) db.pragma('wal_checkpoint(TRUNCATE)');

  function fromRow(row) {
    if (!row) return null;
    const installed = row.config_json !== null;
    const opened = installed ? configOf(row) : { config: null, unreadable: null };
    return {
      pluginId: row.plugin_id,
      installed,
      config: opened.config,
      unreadable: opened.unreadable,
      installedAt: row.installed_at,
      updatedAt: row.updated_at,
      version: row.version,
    };
  }

  return {
    /** How many configurations were sealed again when the store opened. */
    resealed,
    /** @returns {Installation | null} null when the plugin was never installed */
    get: (pluginId) => fromRow(statements.get.get(pluginId)),
    /** When it was installed and last changed, without opening any secret. */
    dates(pluginId) {
      const row = statements.dates.get(pluginId);
      return row
        ? { installedAt: row.installed_at, updatedAt: row.updated_at, version: row.version }
        : null;
    },
    /** Installs, or replaces the configuration of an installed plugin. @returns {Installation} */
    save: (pluginId, config) =>
      fromRow(statements.save.get({ ...columns(pluginId, config), now: clock() })),
    /** @returns {Installation} */
    uninstall: (pluginId) => fromRow(statements.uninstall.get({ pluginId, now: clock() })),
  };
}

/** Whether any configuration in `db` holds sealed secrets (false before the table exists). */
function holdsSealedSecrets(db) {
  if (!hasSealedColumn(db)) return false;
  return Boolean(
    db.prepare('SELECT 1 FROM plugin_installations WHERE secrets_sealed IS NOT NULL').get(),
  );
}

module.exports = { createInstallationsStore, holdsSealedSecrets };
