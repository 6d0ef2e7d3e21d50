// The BaaS's HTTP server: routing, request context for the hooks, one JSON answer per request,
// and an access log line. Every answer is JSON, errors included.

const crypto = require('node:crypto');
const http = require('node:http');

const {
  BaasError,
  baasErrorResponse,
  errors,
  isPluginError,
  pluginErrorResponse,
} = require('./errors');
const { clientAddress } = require('./client-address');
const { DEFAULT_BODY_LIMIT, readJsonBody, sendJson } = require('./http-json');
const { installRefusals, readTarget } = require('./http-refusals');
const { createKnownLogins } = require('./known-logins');
const { createLoginRoute, createLoginThrottle } = require('./routes-login');
const { createServiceRoutes } = require('./routes-services');
const { createUserRoutes } = require('./routes-users');

const OBJECT_ID = '([0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})';
const MAX_USER_AGENT_CHARS = 256;

/**
 * @param {object} deps
 * @param {object} deps.plugin the created TwilioPlugin
 * @param {object} deps.users users store
 * @param {object} deps.sessions sessions store
 * @param {Function} deps.log host logger
 * @param {string} deps.appName the BaaS application's name, given to hooks as `ctx.appName`
 * @param {object | (() => object | Promise<object>)} [deps.health] extra members for GET
 *   /api/health; an `ok`
 *   of false among them answers 503 (the storage is unreachable)
 * @param {number} [deps.bodyLimit] largest JSON body accepted, in bytes
 * @param {object[]} [deps.services] the manifest's services, served under their routes
 * @param {() => object} [deps.settings] the plugin's current settings (services' access)
 * @param {string} [deps.publicUrl] this BaaS's public base URL (signed webhooks)
 * @param {import('node:http').Server} [deps.server] a server to answer on (default: a new one)
 * @param {import('node:net').BlockList | null} [deps.trustedProxies] proxies whose
 *   X-Forwarded-For names the client (`ctx.clientIp`)
 * @param {object[]} [deps.extraRoutes] more routes of the same shape (the console's); a handler
 *   may answer `raw` (a string or Buffer, with its Content-Type in `headers`) instead of `body`
 * @param {import('better-sqlite3').Database} [deps.db] where failed password logins are counted
 *   (the login throttle); without it, password logins are not throttled
 * @param {() => number} [deps.clock] ms since the epoch, for the login throttle
 * @param {object} [deps.loginThrottleRules] changes to routes-login's LOGIN_THROTTLE_RULES
 * @param {string | Buffer} [deps.secret] keys the HMACs of logins and addresses in storage
 */
function createBaasApi({
  plugin,
  users,
  sessions,
  log,
  appName,
  health = {},
  bodyLimit = DEFAULT_BODY_LIMIT,
  services = [],
  settings = () => ({}),
  publicUrl = '',
  server = http.createServer(),
  extraRoutes = [],
  trustedProxies = null,
  db = null,
  clock = Date.now,
  loginThrottleRules = {},
  secret = null,
}) {
  const userRoutes = createUserRoutes({ plugin, users, sessions, log, settings });
  const throttle = db
    ? createLoginThrottle(db, { clock, rules: loginThrottleRules, secret })
    : null;
  const knownLogins = db ? createKnownLogins(db, { scope: 'login', secret, clock }) : null;
  const loginRoute = createLoginRoute({ plugin, users, sessions, log, throttle, knownLogins });
  const serviceRoutes = createServiceRoutes({
    plugin,
    sessions,
    services,
    settings,
    publicUrl,
    bodyLimit,
  });
  const routes = [
    {
      method: 'POST',
      path: /^\/api\/users\/register$/,
      readsBody: true,
      event: 'register',
      handler: userRoutes.register,
    },
    {
      method: 'POST',
      path: /^\/api\/users\/login$/,
      readsBody: true,
      event: 'login',
      handler: loginRoute.login,
    },
    {
      method: 'GET',
      path: new RegExp(`^/api/users/${OBJECT_ID}$`),
      params: ['objectId'],
      handler: userRoutes.getUser,
    },
    {
      method: 'PUT',
      path: new RegExp(`^/api/users/${OBJECT_ID}$`),
      params: ['objectId'],
      readsBody: true,
      handler: userRoutes.updateUser,
    },
    ...serviceRoutes,
    ...extraRoutes,
    {
      method: 'GET',
      path: /^\/api\/health$/,
      handler: async () => {
        const body = { ok: true, ...(typeof health === 'function' ? await health() : health) };
        return { status: body.ok ? 200 : 503, body, headers: {} };
      },
    },
  ];

  /** The route for this request, or the BaasError (404 / 405) explaining why there is none. */
  function findRoute(method, pathname) {
    const onPath = routes.filter((route) => route.path.test(pathname));
    if (onPath.length === 0) return { error: errors.notFound(method, pathname) };
    const route = onPath.find((candidate) => candidate.method === method);
    if (!route) {
      return {
        error: errors.methodNotAllowed(method, pathname),
        allow: onPath.map((candidate) => candidate.method).join(', '),
      };
    }
    const match = route.path.exec(pathname);
    const params = Object.fromEntries((route.params ?? []).map((name, i) => [name, match[i + 1]]));
    return { route, params };
  }

  let warnedUntrusted = false;
  /** Said once: X-Forwarded-For from a peer TRUSTED_PROXIES does not name is ignored. */
  function warnUntrustedHeader(peer) {
    if (warnedUntrusted) return;
    warnedUntrusted = true;
    log(
      'warn',
      'X-Forwarded-For from a peer that TRUSTED_PROXIES does not name is ignored: behind a proxy, set TRUSTED_PROXIES to it, or every client counts as the proxy (one guesser then locks out everyone); otherwise a client tried to choose its own address',
      { peer },
    );
  }

  /** What the hooks know about the call (HookContext in the plugin's d.ts). */
  function hookContext(req, requestId, event) {
    return {
      event,
      requestId,
      clientIp: clientAddress(req, trustedProxies, warnUntrustedHeader),
      userAgent: String(req.headers['user-agent'] ?? '').slice(0, MAX_USER_AGENT_CHARS),
      appName,
      // The user's languages as the client sent them: the plugin picks the code SMS's text.
      ...(req.headers['accept-language']
        ? { locale: String(req.headers['accept-language']).slice(0, MAX_USER_AGENT_CHARS) }
        : {}),
    };
  }

  function errorAnswer(err, requestId) {
    if (err instanceof BaasError) return baasErrorResponse(err);
    if (isPluginError(err)) return pluginErrorResponse(err);
    log('error', 'request failed', { requestId, error: err?.message });
    return baasErrorResponse(errors.internal());
  }

  async function handle(req, res) {
    const requestId = crypto.randomUUID();
    const started = performance.now();
    const { url, refusal } = readTarget(req);
    let answer;
    try {
      const found = refusal ? { error: refusal } : findRoute(req.method, url.pathname);
      if (found.error) {
        answer = baasErrorResponse(found.error);
        if (found.allow) answer.headers.Allow = found.allow;
      } else {
        const body = found.route.readsBody ? await readJsonBody(req, bodyLimit) : undefined;
        answer = await found.route.handler({
          req,
          url,
          params: found.params,
          body,
          ctx: hookContext(req, requestId, found.route.event),
        });
      }
    } catch (err) {
      answer = errorAnswer(err, requestId);
    }
    if (answer.raw !== undefined) {
      res.writeHead(answer.status, { ...answer.headers, 'X-Request-Id': requestId });
      res.end(answer.raw);
    } else {
      sendJson(req, res, answer.status, answer.body, {
        ...answer.headers,
        'X-Request-Id': requestId,
      });
    }
    log('info', 'request', {
      requestId,
      method: req.method,
      path: url?.pathname,
      status: answer.status,
      ms: Math.round(performance.now() - started),
    });
  }

  server.on('request', (req, res) => {
    handle(req, res).catch((err) => {
      // Only reachable if writing the answer itself failed (the client is gone).
      log('warn', 'could not answer a request', { error: err.message });
      res.destroy();
    });
  });
  // A request waits at most for Twilio (30 s at the very most) plus hashing; past a minute
  // something is stuck and the socket is better freed.
  server.requestTimeout = 60_000;
  // A client that sends its request and then closes its side (`printf ... | nc`, some HTTP/1.0
  // clients) still gets the answer, which may take a password hash or a Twilio call to make.
  server.httpAllowHalfOpen = true;
  // Node's own refusals (oversized headers, not HTTP, ...) answered in JSON too.
  installRefusals(server, log);
  return { server };
}

module.exports = { createBaasApi };
