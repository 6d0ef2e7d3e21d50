// The whole local BaaS as one object: configuration, SQLite, the Twilio simulator (in simulator
// mode), the plugin with its host imports, and the REST API. `bin/baas.js` starts it for people;
// tests start it on port 0 in a temporary data folder.

const http = require('node:http');

const { createSimulator } = require('../twilio-sim');
const { createBaasApi } = require('./baas-api');
const { consolePasswordProblems, createConsoleAuth } = require('./console-auth');
const { ConfigError, checkPluginSettings, pluginSettings, resolveHostConfig } = require('./config');
const { openDatabase } = require('./database');
const { openHostSecrets } = require('./host-secrets');
const { createKvStore } = require('./kv-store');
const { appIdOf } = require('./host-meta');
const { connectRedis, RedisStartError } = require('./redis-client');
const { createRedisKvStore } = require('./redis-kv-store');
const { createRedisSessionsStore } = require('./redis-sessions-store');
const { createLogger } = require('./logger');
const { createPluginHost } = require('./plugin-host');
const { createPluginInstallation, startConfig } = require('./plugin-installation');
const { readActivity } = require('./plugin-activity');
const { loadPlugin } = require('./plugin-loader');
const { createConsoleRoutes } = require('./routes-console');
const { statusCallbackPath } = require('./routes-services');
const { createSessionsStore } = require('./sessions-store');
const { createUsersStore } = require('./users-store');
const { closeServer, listen, LOOPBACK, StartError } = require('./server-lifecycle');

const STOP_GRACE_MS = 5000;

/** What each channel's entry is called in the terminal. */
const CHANNEL_LABELS = { sms: 'SMS', mms: 'MMS', whatsapp: 'WhatsApp', call: 'Call' };

/** An http(s) URL on this machine: 127.0.0.0/8, localhost or [::1]. */
function isLoopbackUrl(text) {
  try {
    const { hostname } = new URL(text);
    return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
  } catch {
    return false;
  }
}

function printSms(message) {
  const media = message.mediaUrls?.length ? ` [media: ${message.mediaUrls.join(' ')}]` : '';
  const label = CHANNEL_LABELS[message.channel] ?? 'SMS';
  const via = message.via === 'verify' ? ' (Verify)' : '';
  process.stdout.write(`${label}${via} to ${message.to}: ${message.body}${media}\n`);
}

/**
 * @param {object} [options]
 * @param {number} [options.port] BaaS port (default env PORT or 8787; 0 picks a free one)
 * @param {number} [options.simPort] simulator port (default env TWILIO_SIM_PORT or 8788)
 * @param {string} [options.dataDir] folder of baas.sqlite (default env DATA_DIR or host-harness/data)
 * @param {NodeJS.ProcessEnv} [options.env] where the configuration is read from
 * @param {() => number} [options.clock] ms since the epoch, for storage TTLs and the plugin
 * @param {(entry: object) => void} [options.log] receives each redacted log entry (default:
 *   JSON lines on stderr)
 * @param {boolean} [options.startSimulator] in simulator mode, false expects one already
 *   running on simPort (e.g. bin/twilio-sim.js), as TWILIO_SIM=external does
 * @param {object} [options.pluginConfig] plugin settings applied last, whatever the mode
 * @param {(message: object) => void} [options.onSms] each message the simulator accepts
 *   (default: printed on stdout)
 * @param {object} [options.simulatorOptions] passed to createSimulator
 * @param {number} [options.httpDeadlineMs] cap on the plugin's HTTP timeouts
 * @param {Function} [options.httpSend] what sends the plugin's checked HTTP requests (see
 *   plugin-host.js `send`; default: node:http / node:https with keep-alive)
 * @param {number} [options.sweepIntervalMs] how often expired storage rows are deleted
 * @param {number} [options.stopGraceMs] how long stop() lets requests in flight finish
 * @param {string} [options.manifestPath]
 * @param {string} [options.repoRoot]
 */
function createApp(options = {}) {
  const env = options.env ?? process.env;
  const hostConfig = resolveHostConfig(env, options.pluginConfig);
  const port = options.port ?? hostConfig.port;
  const simPort = options.simPort ?? hostConfig.simPort;
  const dataDir = options.dataDir ?? hostConfig.dataDir;
  const clock = options.clock ?? Date.now;
  const log = createLogger({ sink: options.log, clock, minLevel: hostConfig.logLevel });
  const { manifest, TwilioPlugin, version } = loadPlugin(options);
  const simulatorMode = hostConfig.mode === 'simulator';
  const runSimulator =
    simulatorMode && options.startSimulator !== false && hostConfig.simulator !== 'external';

  const allowedOriginsFor = (simulatorUrl) =>
    simulatorMode
      ? [...manifest.permissions.httpOrigins, new URL(simulatorUrl).origin]
      : [...manifest.permissions.httpOrigins];
  const fail = (problems) => {
    const err = new ConfigError(problems);
    err.configFile = hostConfig.configFile;
    return err;
  };

  // Messages are sent with a StatusCallback to this host's own callback route (unless the
  // statusCallbackUrl setting says otherwise) under PUBLIC_URL, by default the loopback URL.
  // Real Twilio cannot call a loopback URL, so in Twilio mode there is no default.
  const callbackPath = statusCallbackPath(manifest.services);
  const publicUrlFor = (listeningPort) =>
    hostConfig.publicUrl ?? `http://${LOOPBACK}:${listeningPort}`;
  const callbackUrlFor = (listeningPort) =>
    callbackPath && (hostConfig.publicUrl || simulatorMode)
      ? `${publicUrlFor(listeningPort)}${callbackPath}`
      : null;

  // Checked before anything is opened or started, with the simulator URL it is about to get.
  const plannedSimUrl = `http://${LOOPBACK}:${simPort}`;
  const early = checkPluginSettings(
    TwilioPlugin,
    pluginSettings(hostConfig, plannedSimUrl, callbackUrlFor(port)),
    allowedOriginsFor(plannedSimUrl),
  );
  early.push(...consolePasswordProblems(env));
  if (early.length) throw fail(early);

  const state = { started: false, stopping: null };

  async function start() {
    if (state.started) throw new Error('the app is already started');
    state.started = true;
    try {
      const { db, file } = openDatabase({ dataDir });
      Object.assign(state, { db, dbPath: file });
      const secrets = openHostSecrets({ env, dataDir, db, manifest, clock, log });
      if (secrets.problems) throw fail(secrets.problems);
      const { installations, hostSecrets, storageSecret } = secrets;
      state.masterKey = secrets.masterKey;
      // Plugin storage and sessions: on Redis when several hosts share them, else in the file.
      if (hostConfig.redisUrl) {
        const keyPrefix = hostConfig.redisKeyPrefix;
        state.redis = await connectRedis(hostConfig.redisUrl, {
          log: log.child('redis'),
          keyPrefix,
          appId: appIdOf(db),
        }).catch((err) => {
          throw err instanceof RedisStartError ? new StartError(err.message) : err;
        });
        state.kv = createRedisKvStore(state.redis, { keyPrefix });
      } else {
        state.kv = createKvStore(db, { clock, sweepIntervalMs: options.sweepIntervalMs });
      }

      let simulatorUrl = simulatorMode ? plannedSimUrl : null;
      if (runSimulator) {
        state.simulator = createSimulator({
          onMessage: options.onSms ?? printSms,
          log: log.child('twilio-sim'),
          ...options.simulatorOptions,
        });
        const started = await state.simulator.start(simPort, LOOPBACK).catch((err) => {
          throw err.code === 'EADDRINUSE'
            ? new StartError(
                `The Twilio simulator cannot listen on port ${simPort}: it is in use. Set TWILIO_SIM_PORT to a free port.`,
              )
            : err;
        });
        simulatorUrl = started.url;
      }
      state.simulatorUrl = simulatorUrl;

      // Listening first: the plugin's status-callback URL needs the port (0 picks one). The
      // API attaches its handler below, in the same turn, so no request can arrive before it.
      state.server = http.createServer();
      const listening = await listen(state.server, port, 'The BaaS', 'PORT');
      state.url = `http://${LOOPBACK}:${listening}`;
      state.publicUrl = publicUrlFor(listening);
      const settings = pluginSettings(hostConfig, simulatorUrl, callbackUrlFor(listening));
      if (hostConfig.publicUrl && !hostConfig.trustedProxies) {
        log(
          'warn',
          'PUBLIC_URL is set but TRUSTED_PROXIES is not: behind a proxy every client counts as the proxy, so rate limits and login throttling treat all of them as one (set TRUSTED_PROXIES to the proxy, e.g. loopback)',
          { publicUrl: hostConfig.publicUrl },
        );
      }
      if (!settings.statusCallbackUrl) {
        log('warn', 'PUBLIC_URL is not set: messages go without a StatusCallback', {
          route: callbackPath,
        });
      }
      const allowedOrigins = allowedOriginsFor(simulatorUrl);
      const problems = checkPluginSettings(TwilioPlugin, settings, allowedOrigins);
      if (problems.length) throw fail(problems);
      if (simulatorMode) {
        log('info', 'simulator origin added to the plugin HTTP allowlist', {
          origin: new URL(simulatorUrl).origin,
        });
      }

      // Settings given by the environment, a file or the caller are installed at every start;
      // otherwise the console's saved installation (or, the first time, the simulator's).
      const chosen = startConfig(installations, manifest, {
        explicit:
          hostConfig.mode === 'twilio' ||
          Boolean(hostConfig.configFile) ||
          options.pluginConfig !== undefined,
        initial: pluginSettings(hostConfig, simulatorUrl),
      });
      const columns = chosen.config ?? {};
      state.users = createUsersStore(
        db,
        {
          identityField: columns.identityField || 'email',
          phoneNumberField: columns.phoneNumberField || 'phoneNumber',
          phoneConfirmedField: columns.phoneConfirmedField || 'phoneNumberConfirmed',
        },
        clock,
        { record: chosen.config !== null && chosen.config !== undefined },
      );
      state.sessions = state.redis
        ? createRedisSessionsStore(state.redis, {
            log: log.child('redis'),
            keyPrefix: hostConfig.redisKeyPrefix,
          })
        : createSessionsStore(db, { clock });
      const consoleAuth = createConsoleAuth(db, { clock, log, secret: storageSecret });
      const operator = await consoleAuth.ensureOperator(env.CONSOLE_PASSWORD);
      state.console = {
        passwordSource: operator.source,
        createdPassword: operator.password ?? null,
        signInLink: `${state.url}/console/sign-in#link=${consoleAuth.newSignInToken()}`,
      };
      state.allowedOrigins = allowedOrigins;
      state.pluginHost = createPluginHost({
        storage: state.kv.namespace(manifest.id),
        users: state.users,
        allowedOrigins,
        log,
        pluginLog: log.child('plugin'),
        clock,
        send: options.httpSend,
        deadlineMs: options.httpDeadlineMs,
      });
      // Every instance gets what the host fills in itself: its status-callback URL unless one is
      // configured, and the manifest's host secrets (the code-hashing key), derived from the
      // master key so that nothing in the database (not the Auth Token either) lets anyone test
      // a code.
      const complete = (config) => {
        const callbackUrl = callbackUrlFor(listening);
        const completed = { ...config, ...hostSecrets };
        if (simulatorMode) completed.twilioApiBaseUrl = simulatorBase(config.twilioApiBaseUrl);
        if (config.statusCallbackUrl === undefined && callbackUrl) {
          completed.statusCallbackUrl = callbackUrl;
        }
        return completed;
      };
      // In simulator mode the simulator is the only Twilio there is: a loopback base URL saved
      // with another port (TWILIO_SIM_PORT changed since) or none at all means this one.
      const warnedBases = new Set();
      const simulatorBase = (saved) => {
        if (saved && !isLoopbackUrl(saved)) return saved;
        if (saved && saved !== simulatorUrl && !warnedBases.has(saved)) {
          warnedBases.add(saved);
          log(
            'warn',
            'the saved twilioApiBaseUrl is an old simulator address: using the simulator',
            {
              saved,
              simulator: simulatorUrl,
            },
          );
        }
        return simulatorUrl;
      };
      state.installation = createPluginInstallation({
        manifest,
        TwilioPlugin,
        pluginHost: state.pluginHost,
        store: installations,
        log,
        userColumns: state.users.fields,
        usersCount: () => state.users.count(),
        useColumns: (columns) => state.users.useColumns(columns),
        complete,
        check: (candidate) => checkPluginSettings(TwilioPlugin, candidate, allowedOrigins),
      });
      state.installation.start(chosen);
      const consoleRoutes = createConsoleRoutes({
        manifest,
        version,
        installation: state.installation,
        hostDefaults: () => (simulatorMode ? { twilioApiBaseUrl: simulatorUrl } : {}),
        effectiveConfig: (config) =>
          simulatorMode
            ? { ...config, twilioApiBaseUrl: simulatorBase(config.twilioApiBaseUrl) }
            : config,
        placeholders: () => ({
          appName: hostConfig.appName,
          statusCallbackUrl: callbackUrlFor(listening) ?? '',
        }),
        log,
        publicUrl: hostConfig.publicUrl,
        activity: (hours) => readActivity(state.kv.namespace(manifest.id), hours, clock()),
        auth: consoleAuth,
      });

      createBaasApi({
        plugin: state.installation.plugin,
        extraRoutes: consoleRoutes,
        users: state.users,
        sessions: state.sessions,
        log,
        appName: hostConfig.appName,
        // On Redis, healthy means Redis answers now: a load balancer stops sending requests
        // to a host that could only answer 503.
        // An installed plugin that is not active fails registration and login: said here.
        health: async () => {
          const { installed, active } = state.installation.status();
          return {
            mode: hostConfig.mode,
            plugin: manifest.id,
            version,
            storage: state.redis ? 'redis' : 'sqlite',
            // Reported, not failed: every host shares the configuration, so failing health would
            // drain them all, the console where the operator fixes it included.
            pluginState: !installed ? 'not-installed' : active ? 'active' : 'inactive',
            ...(state.redis && !(await state.redis.ping())
              ? { ok: false, redis: 'unreachable' }
              : {}),
          };
        },
        services: manifest.services,
        settings: () => state.installation.settings() ?? {},
        publicUrl: state.publicUrl,
        server: state.server,
        trustedProxies: hostConfig.trustedProxies,
        db,
        clock,
        secret: storageSecret,
      });
      return { url: state.url, simulatorUrl };
    } catch (err) {
      await stop();
      throw err;
    }
  }

  async function stop() {
    state.stopping ??= (async () => {
      await closeServer(state.server, options.stopGraceMs ?? STOP_GRACE_MS);
      await state.simulator?.stop();
      state.pluginHost?.close();
      state.kv?.close();
      await state.redis?.close();
      state.installation?.close();
      if (state.db?.open) state.db.close();
    })();
    return state.stopping;
  }

  return {
    start,
    stop,
    log,
    mode: hostConfig.mode,
    manifest,
    version,
    hostConfig,
    get url() {
      return state.url ?? null;
    },
    get simulatorUrl() {
      return state.simulatorUrl ?? null;
    },
    /** Where clients and Twilio reach this host (PUBLIC_URL, else its loopback URL). */
    get publicUrl() {
      return state.publicUrl ?? null;
    },
    get simulator() {
      return state.simulator ?? null;
    },
    get db() {
      return state.db ?? null;
    },
    get dbPath() {
      return state.dbPath ?? null;
    },
    /**
     * The console's sign-in, for the banner: `signInLink` (one-time, an hour), `createdPassword`
     * (only on the start that made it up: shown once) and `passwordSource`.
     */
    get console() {
      return state.console ?? null;
    },
    /** Where the master key came from (`BAAS_MASTER_KEY` or its file) and whether it is new. */
    get masterKey() {
      return state.masterKey ?? null;
    },
    get users() {
      return state.users ?? null;
    },
    get pluginHost() {
      return state.pluginHost ?? null;
    },
    /** The plugin's installation: status(), save(config), uninstall() (the console's API). */
    get installation() {
      return state.installation ?? null;
    },
    /** `redis` (REDIS_URL) or `sqlite`: where plugin storage and sessions live. */
    get storage() {
      return state.redis
        ? { kind: 'redis', endpoint: state.redis.endpoint, keyPrefix: state.redis.keyPrefix }
        : { kind: 'sqlite' };
    },
    get allowedOrigins() {
      return state.allowedOrigins ?? null;
    },
  };
}

module.exports = { createApp, StartError, ConfigError };
