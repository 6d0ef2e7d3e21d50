// The host's configuration and the installed plugin's settings, from environment variables and
// an optional JSON file (PLUGIN_CONFIG_FILE; environment variables win over the file).
//
// Two modes, chosen by whether any Twilio credential is configured:
// - simulator (none): the plugin talks to the local Twilio simulator with its fixture account,
//   so `make run` works on a fresh machine and every "SMS" lands in the simulator's outbox;
// - twilio (credentials given): the plugin talks to TWILIO_API_BASE_URL (default Twilio's API)
//   and the simulator is not started.
// With REDIS_URL the plugin's storage and the sessions live on Redis, so that several hosts can
// serve one app; without it, in the SQLite file.

const fs = require('node:fs');
const path = require('node:path');

const { FULL_ACCOUNT, SMS_NUMBER } = require('../twilio-sim');
const { parseTrustedProxies } = require('./client-address');
const { parseKeyPrefix, parseRedisUrl, RedisUrlError } = require('./redis-client');

const DEFAULT_PORT = 8787;
const DEFAULT_SIM_PORT = 8788;
const DEFAULT_DATA_DIR = path.resolve(__dirname, '..', '..', 'data');
const DEFAULT_APP_NAME = 'Demo App';

/** Environment variable -> plugin setting. */
const ENV_SETTINGS = {
  TWILIO_ACCOUNT_SID: 'accountSid',
  TWILIO_AUTH_TOKEN: 'authToken',
  TWILIO_API_KEY_SID: 'apiKeySid',
  TWILIO_API_KEY_SECRET: 'apiKeySecret',
  TWILIO_SENDER_PHONE_NUMBER: 'senderPhoneNumber',
  TWILIO_MESSAGING_SERVICE_SID: 'messagingServiceSid',
  TWILIO_API_BASE_URL: 'twilioApiBaseUrl',
};
const CREDENTIAL_SETTINGS = ['accountSid', 'authToken', 'apiKeySid', 'apiKeySecret'];

class ConfigError extends Error {
  /** @param {{field: string, reason: string}[]} problems every problem found, not the first */
  constructor(problems) {
    super(problems.map((p) => `${p.field}: ${p.reason}`).join('; '));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function parsePort(env, name, fallback, problems) {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    problems.push({ field: name, reason: `must be a port number (0-65535), got "${raw}"` });
    return fallback;
  }
  return port;
}

/** REDIS_URL, or null when unset (storage and sessions then stay in the SQLite file). */
function parseRedis(env, problems) {
  const raw = env.REDIS_URL;
  if (raw === undefined || raw === '') return null;
  try {
    parseRedisUrl(raw);
  } catch (err) {
    if (!(err instanceof RedisUrlError)) throw err;
    problems.push({ field: 'REDIS_URL', reason: err.message });
    return null;
  }
  return raw;
}

/** REDIS_KEY_PREFIX: the start of every key of this app on Redis (default `baas:`). */
function parseRedisPrefix(env, problems) {
  try {
    return parseKeyPrefix(env.REDIS_KEY_PREFIX);
  } catch (err) {
    if (!(err instanceof RedisUrlError)) throw err;
    problems.push({ field: 'REDIS_KEY_PREFIX', reason: err.message });
    return parseKeyPrefix(undefined);
  }
}

/**
 * TWILIO_SIM: `external` when a simulator already runs on TWILIO_SIM_PORT (bin/twilio-sim.js),
 * as when several hosts share one; by default the host starts its own.
 */
function parseSimulator(env, problems) {
  const raw = env.TWILIO_SIM;
  if (raw === undefined || raw === '' || raw === 'embedded') return 'embedded';
  if (raw === 'external') return 'external';
  problems.push({
    field: 'TWILIO_SIM',
    reason: `must be "external" (a simulator already runs on TWILIO_SIM_PORT) or left unset, got "${raw}"`,
  });
  return 'embedded';
}

/**
 * PUBLIC_URL: where clients and Twilio reach this BaaS (scheme, host, optional path prefix), or
 * null when unset (the host then uses its own loopback URL). No trailing slash.
 */
function parsePublicUrl(env, problems) {
  const raw = env.PUBLIC_URL;
  if (raw === undefined || raw === '') return null;
  let url;
  try {
    url = new URL(raw);
  } catch {
    url = null;
  }
  if (
    !url ||
    (url.protocol !== 'https:' && url.protocol !== 'http:') ||
    url.search ||
    url.hash ||
    url.username ||
    url.password
  ) {
    problems.push({
      field: 'PUBLIC_URL',
      reason: `must be this BaaS's public base URL, such as https://baas.example.com (no query, no credentials), got "${raw}"`,
    });
    return null;
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** TRUSTED_PROXIES: the proxies whose X-Forwarded-For names the client (see client-address.js). */
function trustedProxiesFrom(env, problems) {
  const { list, problem } = parseTrustedProxies(env.TRUSTED_PROXIES);
  if (problem) problems.push({ field: 'TRUSTED_PROXIES', reason: problem });
  return list;
}

function readSettingsFile(file, problems) {
  if (!file) return {};
  let value;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    problems.push({
      field: 'PLUGIN_CONFIG_FILE',
      reason: `cannot read ${file} as JSON: ${err.message}`,
    });
    return {};
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({
      field: 'PLUGIN_CONFIG_FILE',
      reason: `${file} must hold a JSON object of settings`,
    });
    return {};
  }
  return value;
}

function settingsFromEnv(env) {
  const settings = {};
  for (const [name, setting] of Object.entries(ENV_SETTINGS)) {
    if (env[name] !== undefined && env[name] !== '') settings[setting] = env[name];
  }
  return settings;
}

/**
 * Everything the host needs before it starts anything. Throws ConfigError listing every problem.
 * @param {NodeJS.ProcessEnv} env
 * @param {object} [overrides] settings applied last, whatever the mode (tests use this)
 */
function resolveHostConfig(env, overrides = {}) {
  const problems = [];
  const configFile = env.PLUGIN_CONFIG_FILE ? path.resolve(env.PLUGIN_CONFIG_FILE) : null;
  const fromFile = readSettingsFile(configFile, problems);
  const fromEnv = settingsFromEnv(env);
  const given = { ...fromFile, ...fromEnv };
  const mode = CREDENTIAL_SETTINGS.some((name) => given[name] !== undefined)
    ? 'twilio'
    : 'simulator';

  let settings;
  if (mode === 'simulator') {
    if (given.twilioApiBaseUrl !== undefined) {
      problems.push({
        field: 'twilioApiBaseUrl',
        reason:
          'is set but no Twilio credentials are: set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN too, or leave it unset to use the local simulator',
      });
    }
    const { twilioApiBaseUrl: _ignored, ...rest } = given;
    settings = {
      accountSid: FULL_ACCOUNT.sid,
      authToken: FULL_ACCOUNT.authToken,
      senderPhoneNumber: SMS_NUMBER,
      ...rest,
      ...overrides,
    };
  } else {
    settings = { ...given, ...overrides };
  }

  const config = {
    mode,
    port: parsePort(env, 'PORT', DEFAULT_PORT, problems),
    simPort: parsePort(env, 'TWILIO_SIM_PORT', DEFAULT_SIM_PORT, problems),
    simulator: parseSimulator(env, problems),
    redisUrl: parseRedis(env, problems),
    redisKeyPrefix: parseRedisPrefix(env, problems),
    dataDir: path.resolve(env.DATA_DIR || DEFAULT_DATA_DIR),
    appName: env.APP_NAME || DEFAULT_APP_NAME,
    logLevel: env.LOG_LEVEL || 'info',
    publicUrl: parsePublicUrl(env, problems),
    trustedProxies: trustedProxiesFrom(env, problems),
    configFile,
    settings,
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}

/**
 * The plugin's settings once the simulator's URL is known (simulator mode only needs it) and,
 * when given, the host's own status-callback URL, used unless statusCallbackUrl is configured.
 */
function pluginSettings(hostConfig, simulatorUrl, statusCallbackUrl) {
  const settings =
    hostConfig.mode === 'simulator'
      ? { ...hostConfig.settings, twilioApiBaseUrl: simulatorUrl }
      : { ...hostConfig.settings };
  if (statusCallbackUrl && settings.statusCallbackUrl === undefined) {
    settings.statusCallbackUrl = statusCallbackUrl;
  }
  return settings;
}

/**
 * Every problem with the settings: the plugin's own checks (TwilioPlugin.validateConfig) plus
 * the host's: Twilio's URL must be an origin the plugin is allowed to call.
 */
function checkPluginSettings(TwilioPlugin, settings, allowedOrigins) {
  const { problems } = TwilioPlugin.validateConfig(settings);
  const baseUrl = settings.twilioApiBaseUrl ?? 'https://api.twilio.com';
  let origin = null;
  try {
    origin = new URL(baseUrl).origin;
  } catch {
    // The plugin has reported it already.
  }
  if (origin && !allowedOrigins.includes(origin)) {
    problems.push({
      field: 'twilioApiBaseUrl',
      reason: `${origin} is not among the origins the plugin may call (${allowedOrigins.join(', ')})`,
    });
  }
  return problems;
}

/** The text `bin/baas.js` prints before exiting 1. */
function describeConfigError(err, configFile) {
  const lines = ['The configuration is not valid:'];
  for (const { field, reason } of err.problems) lines.push(`  - ${field}: ${reason}`);
  lines.push(
    configFile
      ? `Fix the environment variables or ${configFile}, then start again.`
      : 'Fix the environment variables (see host-harness/README.md), then start again.',
  );
  return lines.join('\n');
}

module.exports = {
  ConfigError,
  resolveHostConfig,
  pluginSettings,
  checkPluginSettings,
  describeConfigError,
  DEFAULT_DATA_DIR,
  ENV_SETTINGS,
};
