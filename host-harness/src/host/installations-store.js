// Which marketplace plugins are installed, and their configuration as the console saved it.
// One row per plugin that was ever installed. Uninstalling keeps the row but drops the
// configuration, secrets included: a plugin that is gone keeps no credentials, and a restart
// remembers that it was uninstalled.
//
// Secret settings are stored as given: this SQLite file is the host's configuration store, and
// encrypting it at rest is the deployment's business (disk encryption, a KMS in a real BaaS).
// What this module guarantees is that they never leave it except into the plugin.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS plugin_installations (
  plugin_id    TEXT    PRIMARY KEY,
  config_json  TEXT,             -- the settings as a JSON object; NULL once uninstalled
  installed_at INTEGER,          -- ms since the epoch; NULL once uninstalled
  updated_at   INTEGER NOT NULL  -- last save or uninstall
);
`;

/**
 * @typedef {object} Installation
 * @property {string} pluginId
 * @property {boolean} installed
 * @property {Record<string, unknown> | null} config null when not installed
 * @property {number | null} installedAt
 * @property {number} updatedAt
 */

function fromRow(row) {
  if (!row) return null;
  return {
    pluginId: row.plugin_id,
    installed: row.config_json !== null,
    config: row.config_json === null ? null : JSON.parse(row.config_json),
    installedAt: row.installed_at,
    updatedAt: row.updated_at,
  };
}

/**
 * @param {import('better-sqlite3').Database} db
 * @param {object} [options]
 * @param {() => number} [options.clock] ms since the epoch
 */
function createInstallationsStore(db, { clock = Date.now } = {}) {
  db.exec(SCHEMA);
  const statements = {
    get: db.prepare('SELECT * FROM plugin_installations WHERE plugin_id = ?'),
    // A first install, or an install after an uninstall, sets installed_at; a later save of the
    // same installation keeps it.
    save: db.prepare(`
      INSERT INTO plugin_installations (plugin_id, config_json, installed_at, updated_at)
      VALUES (@pluginId, @config, @now, @now)
      ON CONFLICT (plugin_id) DO UPDATE SET
        config_json = excluded.config_json,
        installed_at = COALESCE(plugin_installations.installed_at, excluded.installed_at),
        updated_at = excluded.updated_at
      RETURNING *`),
    uninstall: db.prepare(`
      INSERT INTO plugin_installations (plugin_id, config_json, installed_at, updated_at)
      VALUES (@pluginId, NULL, NULL, @now)
      ON CONFLICT (plugin_id) DO UPDATE SET config_json = NULL, installed_at = NULL,
        updated_at = excluded.updated_at
      RETURNING *`),
  };

  return {
    /** @returns {Installation | null} null when the plugin was never installed */
    get: (pluginId) => fromRow(statements.get.get(pluginId)),
    /** Installs, or replaces the configuration of an installed plugin. @returns {Installation} */
    save: (pluginId, config) =>
      fromRow(statements.save.get({ pluginId, config: JSON.stringify(config), now: clock() })),
    /** @returns {Installation} */
    uninstall: (pluginId) => fromRow(statements.uninstall.get({ pluginId, now: clock() })),
  };
}

module.exports = { createInstallationsStore };
