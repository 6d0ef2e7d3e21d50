// The PluginHost object handed to `TwilioPlugin.create(config, host)`: every import the plugin
// declares (pkg/twilio_baas_plugin.d.ts), implemented by the host. This is where the host's
// guarantees to the app developer are enforced, whatever the plugin asks for:
// - HTTP only to the origins the manifest declares (plus the local simulator, when the host
//   itself put it there), never following a redirect elsewhere, always within a deadline, an
//   answer of at most 1 MB, over kept-alive connections (plugin-http.js);
// - storage confined to the plugin's own namespace;
// - log lines redacted before they are written.

const { createHttpTransport, TransportError } = require('./plugin-http');

/** The longest any plugin HTTP request may take, whatever timeout the plugin asks for. */
const DEFAULT_DEADLINE_MS = 30_000;
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);

function originOf(value) {
  return new URL(value).origin;
}

/** The plugin's timeout, within (0, deadline]; a missing or silly value gets the deadline. */
function effectiveTimeout(timeoutMs, deadlineMs) {
  return Number.isFinite(timeoutMs) && timeoutMs > 0 ? Math.min(timeoutMs, deadlineMs) : deadlineMs;
}

/** An Error with the kind the plugin reads (HttpFailureKind in its d.ts). */
function httpError(message, kind) {
  const err = new Error(message);
  err.kind = kind;
  return err;
}

function stringHeaders(headers) {
  const out = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * @param {object} deps
 * @param {{get: Function, put: Function, take: Function, incr: Function}} deps.storage the
 *   plugin's namespace of the KV store (SQLite's or Redis's; either may answer in a Promise)
 * @param {{findBy: (field: string, value: string) => object | null}} deps.users
 * @param {string[]} deps.allowedOrigins every origin the plugin may call
 * @param {(level: string, message: string, fields?: object) => void} deps.log host log
 * @param {(level: string, message: string, fields?: object) => void} [deps.pluginLog] where the
 *   plugin's own lines go (default: `deps.log`)
 * @param {() => number} [deps.clock]
 * @param {ReturnType<typeof createHttpTransport>['send']} [deps.send] what sends the plugin's
 *   checked requests (default: plugin-http.js over keep-alive agents; tests record or fake it)
 * @param {number} [deps.deadlineMs] cap on every HTTP request's timeout
 */
function createPluginHost({
  storage,
  users,
  allowedOrigins,
  log,
  pluginLog = log,
  clock = Date.now,
  send = null,
  deadlineMs = DEFAULT_DEADLINE_MS,
}) {
  const allowed = new Set(allowedOrigins.map(originOf));
  const transport = send ? null : createHttpTransport();
  const sendRequest = send ?? transport.send;

  async function http(request) {
    const { method = 'GET', url, headers, body = null, timeoutMs } = request ?? {};
    let target;
    try {
      target = new URL(url);
    } catch {
      throw httpError('http: url must be an absolute URL', 'refused');
    }
    const upperMethod = String(method).toUpperCase();
    if (!METHODS.has(upperMethod)) {
      throw httpError(`http: method ${method} is not allowed`, 'refused');
    }
    if (!allowed.has(target.origin) || target.username || target.password) {
      log('warn', 'plugin HTTP request refused: origin not in the allowlist', {
        origin: target.origin,
        method: upperMethod,
        allowed: [...allowed],
      });
      throw httpError(
        `http: ${target.origin} is not among the origins this plugin may call`,
        'refused',
      );
    }
    const timeout = effectiveTimeout(timeoutMs, deadlineMs);
    const started = performance.now();
    try {
      // Never a redirect followed: the plugin sees the 3xx and the allowlist holds.
      const response = await sendRequest({
        method: upperMethod,
        url: target,
        headers: stringHeaders(headers),
        body: typeof body === 'string' ? body : undefined,
        timeoutMs: timeout,
      });
      log('debug', 'plugin HTTP request', {
        origin: target.origin,
        method: upperMethod,
        status: response.status,
        ms: Math.round(performance.now() - started),
      });
      return response;
    } catch (err) {
      // Why, in words an operator can act on; never the request itself.
      const known = err instanceof TransportError;
      const reason = known ? err.reason : String(err?.message ?? 'network error').slice(0, 200);
      const kind = known ? err.kind : 'reset';
      log('warn', 'plugin HTTP request failed', {
        origin: target.origin,
        method: upperMethod,
        reason,
        kind,
        ms: Math.round(performance.now() - started),
      });
      throw httpError(`http: ${target.origin} failed: ${reason}`, kind);
    }
  }

  /** Runs a storage call as a Promise, logging failures the plugin will only see as a code.
   * Awaited here, so that a store whose operations are asynchronous (Redis) is covered too. */
  async function stored(operation, run) {
    try {
      return await run();
    } catch (err) {
      log('error', 'plugin storage failed', {
        operation,
        error: err.message,
        ...(err.cause?.message ? { cause: err.cause.message } : {}),
      });
      // The plugin names the operation itself ("storageGet failed: ...").
      const failure = new Error(err.message);
      failure.kind = 'storage';
      throw failure;
    }
  }

  return {
    http,
    /** Closes the kept-alive connections (a stopping host). */
    close: () => transport?.close(),
    storageGet: (key) => stored('storageGet', () => storage.get(key)),
    storagePut: (key, value, ttlSeconds) =>
      stored('storagePut', async () => {
        await storage.put(key, value, ttlSeconds);
      }),
    storageTake: (key) => stored('storageTake', () => storage.take(key)),
    storageIncr: (key, ttlSeconds) => stored('storageIncr', () => storage.incr(key, ttlSeconds)),
    findUser: (field, value) => stored('findUser', () => users.findBy(field, value)),
    now: () => clock(),
    log(level, message, fields) {
      // Never returns or throws anything: the plugin calls this synchronously and moves on.
      // Whatever sink the host was given (one that stringifies a circular object, a closed
      // stream), a log line that cannot be written is dropped rather than thrown at the plugin.
      try {
        pluginLog(level, message, fields);
      } catch {
        // Dropped: there is nowhere left to report it.
      }
    },
  };
}

module.exports = { createPluginHost, DEFAULT_DEADLINE_MS };
