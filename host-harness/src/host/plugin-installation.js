// The installed plugin, as the routes see it: one object whose operations always reach the
// instance made from the current configuration. Saving a configuration in the console makes a
// new instance and switches to it at once; uninstalling switches to none, and then the hooks
// answer `continue` (the BaaS's plain registration and login) and every service answers 404.
// An instance that is replaced is freed once the calls it is serving have finished, so a
// request in flight never sees its plugin disappear. Hosts that share the database (several
// hosts serving one app) follow each other: a save or an uninstall through one reaches the
// others within a second.

/** How often a call looks whether another host changed the stored installation. */
const FOLLOW_INTERVAL_MS = 1000;

/** The users-table columns: the BaaS's schema; they change only on an empty table (see useColumns). */
const USER_COLUMNS = ['identityField', 'phoneNumberField', 'phoneConfirmedField'];

/** Shaped like the plugin's errors (string code, HTTP status, details), so routes answer it alike. */
class InstallationError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.name = 'InstallationError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

function configInvalid(problems) {
  const fields = [...new Set(problems.map((p) => p.field))].join(', ');
  return new InstallationError(
    400,
    'CONFIG_INVALID',
    `The configuration is not valid: check ${fields}.`,
    { problems },
  );
}

/** Why a saved configuration lacks its secrets: they were sealed under another master key. */
function unreadableProblems(manifest, unreadable) {
  const reason = unreadable.altered
    ? 'cannot be read: the sealed secrets were altered or belong to another row. Enter it again and save'
    : `was saved under another master key (key id ${unreadable.keyId}): start the host with that key (BAAS_MASTER_KEY or its key file), or enter it again and save`;
  return manifest.config
    .filter((item) => item.secret && item.required)
    .map((item) => ({ field: item.name, reason }));
}

/**
 * What the host starts with: the settings given by the environment, a settings file or the
 * caller (`explicit`: they win at every start), else what the console saved (or its uninstall:
 * config null), else `initial`, the simulator's fixture settings. Only the console writes the
 * table, so until it is used the defaults follow the host's own settings (the simulator's port).
 * @param {ReturnType<import('./installations-store').createInstallationsStore>} store
 * @returns {{config: object | null, source: 'environment' | 'saved' | 'default',
 *   problems?: {field: string, reason: string}[]}}
 */
function startConfig(store, manifest, { explicit, initial }) {
  if (explicit) return { config: initial, source: 'environment' };
  const saved = store.get(manifest.id);
  if (saved?.unreadable) {
    return {
      config: saved.config,
      source: 'saved',
      problems: unreadableProblems(manifest, saved.unreadable),
    };
  }
  if (saved) return { config: saved.config, source: 'saved' };
  return { config: initial, source: 'default' };
}

/**
 * @param {object} deps
 * @param {object} deps.manifest
 * @param {Function} deps.TwilioPlugin the module's class
 * @param {object} deps.pluginHost the imports every instance gets
 * @param {ReturnType<import('./installations-store').createInstallationsStore>} deps.store
 * @param {Function} deps.log
 * @param {Record<string, string>} deps.userColumns the users store's column settings
 * @param {(config: object) => object} deps.complete the settings an instance gets for a saved
 *   configuration (the host fills in what it knows, such as its status-callback URL)
 * @param {(settings: object) => {field: string, reason: string}[]} deps.check every problem of
 *   a configuration: the plugin's own rules and the host's (the HTTP allowlist)
 * @param {() => number} [deps.clock]
 * @param {() => number} [deps.usersCount] how many users the users table holds: their column
 *   settings cannot change under them
 * @param {(columns: Record<string, string>) => boolean} [deps.useColumns] switches the users
 *   store (and so `userColumns`) to these columns at once, or answers false when it cannot
 */
function createPluginInstallation({
  manifest,
  TwilioPlugin,
  pluginHost,
  store,
  log,
  userColumns,
  complete,
  check,
  clock = Date.now,
  usersCount = () => 0,
  useColumns = () => false,
}) {
  const hooks = new Set(manifest.hooks.flatMap((hook) => [hook.before, hook.after]));
  const defaults = Object.fromEntries(manifest.config.map((item) => [item.name, item.default]));
  // `config` is the installed configuration (secrets included), null when not installed; it
  // may be installed but inactive when it does not pass the checks any more (`problems`).
  const state = { active: null, config: null, source: null, problems: [], pendingRestart: [] };
  // The stored row's version this host has applied, and when it last looked.
  const seen = { version: null, checkedAt: 0 };

  function notInstalled() {
    return new InstallationError(
      404,
      'PLUGIN_NOT_INSTALLED',
      `The ${manifest.name} plugin is not installed. Install it in the console (/console) to use this service.`,
    );
  }

  /** The settings an instance gets, and the saved column settings that wait for a restart. */
  function settingsFor(config) {
    const settings = complete(config);
    const pendingRestart = USER_COLUMNS.filter(
      (name) => (settings[name] || defaults[name]) !== userColumns[name],
    );
    for (const name of USER_COLUMNS) settings[name] = userColumns[name];
    return { settings, pendingRestart };
  }

  /**
   * Makes the configuration's column settings the users table's at once when the table allows
   * it (no user yet, or they are the ones its users were registered under): users who register
   * from now on are stored under them, and the next start keeps them.
   */
  function adoptColumns(config) {
    const settings = complete(config);
    const wanted = Object.fromEntries(
      USER_COLUMNS.map((name) => [name, settings[name] || defaults[name]]),
    );
    if (!useColumns(wanted)) return false;
    log('info', 'users-table settings changed', wanted);
    return true;
  }

  /** The settings of a configuration that passes every check; `adopt` applies its columns. */
  function validated(config, { adopt = false } = {}) {
    const problems = check(complete(config));
    if (problems.length) throw configInvalid(problems);
    let result = settingsFor(config);
    if (adopt && result.pendingRestart.length && adoptColumns(config)) result = settingsFor(config);
    const users = usersCount();
    if (users > 0 && result.pendingRestart.length) {
      // Refused rather than migrated: a user's stored identity (an email) cannot become a
      // phone number, and a changed column would leave every existing user without it.
      throw configInvalid(
        result.pendingRestart.map((name) => ({
          field: name,
          reason: `cannot change from ${userColumns[name]} while the users table has ${users} user${users === 1 ? '' : 's'}, registered under it: they could no longer log in (or get a code on their number). Keep ${userColumns[name]}, or start the BaaS with a new users table (another DATA_DIR)`,
        })),
      );
    }
    return result;
  }

  function release(entry) {
    if (entry.retired && entry.calls === 0) entry.instance.free();
  }

  function switchTo(entry) {
    const previous = state.active;
    state.active = entry;
    if (previous) {
      previous.retired = true;
      release(previous);
    }
  }

  /** Makes an instance of `config` the active one; throws CONFIG_INVALID without switching. */
  function activate(config) {
    const { settings, pendingRestart } = validated(config, { adopt: true });
    const instance = TwilioPlugin.create(settings, pluginHost);
    switchTo({ instance, settings, calls: 0, retired: false });
    state.problems = [];
    state.pendingRestart = pendingRestart;
    if (pendingRestart.length) {
      log('warn', 'saved users-table settings take effect when the host restarts', {
        settings: pendingRestart,
      });
    }
  }

  /**
   * Installed but not active (its saved configuration cannot be used): refused, hooks included.
   * Letting registration and login continue without the plugin would quietly drop the phone
   * confirmation and the second factor the app was installed for.
   */
  function inactive() {
    return new InstallationError(
      503,
      'PLUGIN_INACTIVE',
      `The ${manifest.name} plugin is installed but its configuration cannot be used, so this app cannot register or sign in users for now. The operator must fix it in the console (/console).`,
    );
  }

  function retireActive() {
    const previous = state.active;
    state.active = null;
    if (previous) {
      previous.retired = true;
      release(previous);
    }
  }

  /** Takes on `startConfig`'s answer (at start, or what another host stored since). */
  function apply({ config, source, problems }) {
    retireActive();
    Object.assign(state, { source, config, problems: [], pendingRestart: [] });
    if (!config) return;
    if (problems?.length) {
      state.problems = problems;
      log('error', 'the saved plugin configuration cannot be used; the plugin is not active', {
        plugin: manifest.id,
        problems: problems.map((p) => `${p.field}: ${p.reason}`),
      });
      return;
    }
    try {
      activate(config);
    } catch (err) {
      if (err.code !== 'CONFIG_INVALID') throw err;
      // Installed, but not usable as saved (say the allowlist changed): the console shows
      // why, and saving a corrected configuration activates it.
      state.problems = err.details.problems;
      log('error', 'the saved plugin configuration is not valid; the plugin is not active', {
        plugin: manifest.id,
        problems: state.problems.map((p) => `${p.field}: ${p.reason}`),
      });
    }
  }

  /** Notes `row` (the stored row as this host's own save or uninstall left it) as applied. */
  function remember(row) {
    seen.version = row?.version ?? null;
  }

  /**
   * A save or uninstall through another host sharing the database: applied here too, so that
   * every host runs the configuration the console shows. One indexed read at most once a second.
   */
  function follow() {
    const now = clock();
    if (now - seen.checkedAt < FOLLOW_INTERVAL_MS) return;
    seen.checkedAt = now;
    const version = store.dates(manifest.id)?.version ?? null;
    if (version === seen.version) return;
    seen.version = version;
    const saved = store.get(manifest.id);
    log('info', 'the plugin configuration was changed through another host: applying it', {
      plugin: manifest.id,
    });
    apply({
      config: saved?.config ?? null,
      source: 'saved',
      problems: saved?.unreadable ? unreadableProblems(manifest, saved.unreadable) : undefined,
    });
  }

  async function call(name, args) {
    follow();
    const entry = state.active;
    if (!entry) {
      if (state.config !== null) throw inactive();
      if (hooks.has(name)) return { action: 'continue' };
      throw notInstalled();
    }
    entry.calls += 1;
    try {
      return await entry.instance[name](...args);
    } finally {
      entry.calls -= 1;
      release(entry);
    }
  }

  /** What the routes hold: the instance operations of the class, always on the active instance. */
  const plugin = {};
  for (const name of manifest.operations) {
    if (typeof TwilioPlugin.prototype[name] === 'function') {
      plugin[name] = (...args) => call(name, args);
    }
  }

  return {
    plugin,

    /** Called once at start with the result of startConfig(). */
    start(chosen) {
      remember(store.dates(manifest.id));
      seen.checkedAt = clock();
      apply(chosen);
    },

    /** Every problem of a configuration, as saving it would find them. */
    problemsOf: (config) => check(complete(config)),

    /** The settings of the active instance, or null when none is active. */
    settings() {
      follow();
      return state.active?.settings ?? null;
    },

    /** The saved configuration, secrets included: for the host only, never for a browser. */
    savedConfig: () => state.config,

    status() {
      follow();
      // Dates only for what the console saved: defaults and the environment are not saved.
      const saved = state.source === 'saved' ? store.dates(manifest.id) : null;
      return {
        installed: state.config !== null,
        active: state.active !== null,
        installedAt: saved?.installedAt ?? null,
        updatedAt: saved?.updatedAt ?? null,
        source: state.source,
        problems: state.problems,
        pendingRestart: state.pendingRestart,
      };
    },

    /** Installs, or reconfigures the installed plugin: checked, activated, then stored. */
    save(config) {
      activate(config);
      remember(store.save(manifest.id, config));
      Object.assign(state, { config, source: 'saved' });
      log('info', 'plugin configuration saved', { plugin: manifest.id });
      return this.status();
    },

    uninstall() {
      retireActive();
      remember(store.uninstall(manifest.id));
      Object.assign(state, { config: null, source: 'saved', problems: [], pendingRestart: [] });
      log('info', 'plugin uninstalled', { plugin: manifest.id });
      return this.status();
    },

    /** TEST CONFIGURATION on a configuration that is not saved: a throwaway instance. */
    async testConfiguration(config) {
      const { settings } = validated(config);
      const instance = TwilioPlugin.create(settings, pluginHost);
      try {
        return await instance.testConfiguration();
      } finally {
        instance.free();
      }
    },

    close() {
      const entry = state.active;
      state.active = null;
      entry?.instance.free();
    },
  };
}

module.exports = {
  createPluginInstallation,
  startConfig,
  configInvalid,
  InstallationError,
  USER_COLUMNS,
};
