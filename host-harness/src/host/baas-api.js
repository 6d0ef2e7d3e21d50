// The BaaS's HTTP API on fastify: the routes (the user routes, the plugin's services, the
// console's), their body limits and schemas, the request context for the hooks, one JSON answer
// per request in the host's error shape `{code, message}` (framework errors included), and an
// access log line. Bodies are read by http-json.js (one reader: JSON, or a webhook's form as
// text), which insists on the JSON type and closes gently after refusing a large body.

const crypto = require('node:crypto');
const http = require('node:http');

const fastify = require('fastify');

const {
  BaasError,
  baasErrorResponse,
  errors,
  isPluginError,
  pluginErrorResponse,
} = require('./errors');
const { clientAddress } = require('./client-address');
const {
  DEFAULT_BODY_LIMIT,
  dropBody,
  isLingering,
  lingerUnread,
  readJsonBody,
  readTextBody,
  sendBytes,
  sendJson,
  hasBody,
} = require('./http-json');
const { installRefusals, onClientError, readTarget } = require('./http-refusals');
const { createKnownLogins } = require('./known-logins');
const { createLoginRoute, createLoginThrottle } = require('./routes-login');
const { createServiceRoutes } = require('./routes-services');
const { createUserRoutes } = require('./routes-users');

/** A user's path: its objectId is a UUID (anything else is no user: 404). */
const USER_URL =
  '/api/users/:objectId(^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$)';
const MAX_USER_AGENT_CHARS = 256;
/** How much of a request's path an error message or the access log repeats. */
const MAX_PATH_CHARS = 200;

/** The path as the client wrote it (not as URL normalisation reads it), bounded. */
const pathOf = (req) =>
  String(req.url ?? '')
    .split('?')[0]
    .slice(0, MAX_PATH_CHARS);

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
 *   may answer `raw` (a string or Buffer, with its Content-Type in `headers`) instead of `body`.
 *   A route is `{method, url, handler}` (url a fastify path, or a list of them) and may say
 *   `readsBody` (JSON; `bodyAs: 'text'` for a form), `bodyLimit`, `event` (ctx.event) and
 *   `objectBody` (the body must be a JSON object: the BaasError to answer when it is not) and
 *   `prepare(req)` (checks made before the body is read; what it returns reaches the handler
 *   as `prepared`)
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
      url: '/api/users/register',
      readsBody: true,
      objectBody: errors.missingProperties,
      event: 'register',
      handler: userRoutes.register,
    },
    {
      method: 'POST',
      url: '/api/users/login',
      readsBody: true,
      objectBody: errors.loginMissing,
      event: 'login',
      handler: loginRoute.login,
    },
    { method: 'GET', url: USER_URL, handler: userRoutes.getUser },
    {
      method: 'PUT',
      url: USER_URL,
      readsBody: true,
      objectBody: errors.missingProperties,
      handler: userRoutes.updateUser,
    },
    ...serviceRoutes,
    ...extraRoutes,
    {
      method: 'GET',
      url: '/api/health',
      handler: async () => {
        const body = { ok: true, ...(typeof health === 'function' ? await health() : health) };
        return { status: body.ok ? 200 : 503, body, headers: {} };
      },
    },
  ];

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

  /** The answer for anything thrown: the host's shape, whoever threw it. */
  function errorAnswer(err, request) {
    if (err instanceof BaasError) return baasErrorResponse(err);
    if (err?.validation) {
      const refusal = request.routeOptions.config.objectBody;
      return baasErrorResponse(refusal ? refusal() : errors.malformedJson(err.message));
    }
    // QUERY without a type is refused by fastify after routing: answered as its route would.
    if (err?.code === 'FST_ERR_ROUTE_MISSING_CONTENT_TYPE') {
      return request.is404 ? notFound(request) : methodNotAllowed(request);
    }
    const status = err?.statusCode;
    if (typeof err?.code === 'string' && err.code.startsWith('FST_') && status < 500) {
      if (status === 415) return baasErrorResponse(errors.notJson());
      if (err.code === 'FST_ERR_BAD_URL') return baasErrorResponse(errors.badTarget());
      return baasErrorResponse(new BaasError(status, status, err.message));
    }
    if (isPluginError(err)) return pluginErrorResponse(err);
    log('error', 'request failed', { requestId: request.id, error: err?.message });
    return baasErrorResponse(errors.internal());
  }

  const notFound = (request) =>
    baasErrorResponse(errors.notFound(request.method, pathOf(request.raw)));
  function methodNotAllowed(request) {
    const answer = baasErrorResponse(errors.methodNotAllowed(request.method, pathOf(request.raw)));
    answer.headers.Allow = request.routeOptions.config.allow;
    return answer;
  }

  /** Writes a handler's answer: `raw` bytes as typed, or `body` as JSON. */
  function send(request, reply, answer) {
    const headers = { ...answer.headers, 'X-Request-Id': request.id };
    // Answered before its body was read (refused on the headers): the rest is not read to its
    // end, however large, but dropped within the lingering bounds.
    lingerUnread(request.raw);
    // After a request asking to switch protocols, Node reads nothing more on the connection:
    // it is closed, and says so, rather than left to hang the next request.
    if (request.headers.upgrade !== undefined) headers.Connection = 'close';
    if (isLingering(request.raw)) {
      // A refused body is still arriving: answered at once, closed once it is discarded.
      reply.hijack();
      if (answer.raw !== undefined) {
        sendBytes(request.raw, reply.raw, answer.status, answer.raw, headers);
      } else {
        sendJson(request.raw, reply.raw, answer.status, answer.body, headers);
      }
      return reply;
    }
    if (answer.raw !== undefined) {
      return reply.code(answer.status).headers(headers).send(answer.raw);
    }
    // Fastify closes the connection after any body it could not parse; http-json.js has
    // already dealt with the rest of a refused body, so the connection stays as Node would
    // keep it (open for HTTP/1.1, closed for HTTP/1.0) and serves the next request.
    if (reply.hasHeader('connection')) {
      reply.header('connection', reply.raw.shouldKeepAlive ? 'keep-alive' : 'close');
    }
    return reply
      .code(answer.status)
      .headers({ 'Cache-Control': 'no-store', ...headers })
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(answer.body));
  }

  // Requests wait for the routes to be in place; the server may already be listening.
  let ready = null;
  const api = fastify({
    serverFactory: (handler) => {
      server.on('request', (req, res) => {
        ready.then(
          () => handler(req, res),
          () => sendJson(req, res, 500, baasErrorResponse(errors.internal()).body),
        );
      });
      return server;
    },
    bodyLimit,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    logger: false,
    clientErrorHandler: onClientError(server, log),
    // A path parameter (a user's id) too long for its pattern is no route (404), not a 414.
    routerOptions: { maxParamLength: 16 * 1024 },
    // Node's own errors (a URL that does not decode, ...) in the host's shape too.
    frameworkErrors: (err, request, reply) => send(request, reply, errorAnswer(err, request)),
    // Bodies are JSON as JSON is: no type coercion, nothing removed, nothing defaulted.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false } },
  });
  // Every method Node parses is routed (CONNECT never reaches a route: http-refusals.js), so a
  // known path with another method answers 405 naming the ones it has.
  for (const method of http.METHODS) {
    if (method !== 'CONNECT' && !api.supportedMethods.includes(method)) {
      api.addHttpMethod(method, { hasBody: true });
    }
  }

  api.decorateRequest('target', null);
  api.decorateRequest('prepared', null);
  // Every answer goes out through send(), which names the request id.
  api.addHook('onRequest', async (request) => {
    const { url, refusal } = readTarget(request.raw);
    if (refusal) throw refusal;
    request.target = url;
    // The router decodes %-escapes, so `/%63onsole` would reach /console past a proxy's rule
    // on the prefix; no route here has a reason to be written with one.
    if (!request.is404 && pathOf(request.raw).includes('%'))
      throw errors.notFound(request.method, pathOf(request.raw));
    // A body nobody reads (an unknown route, a method or route that takes none) is dropped
    // here, at most the body limit of it.
    if (hasBody(request.raw) && (request.is404 || !request.routeOptions.config.readsBody)) {
      await dropBody(request.raw, bodyLimit);
    }
  });
  api.addHook('onResponse', async (request, reply) => {
    log('info', 'request', {
      requestId: request.id,
      method: request.method,
      path: pathOf(request.raw),
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime),
    });
  });

  // One reader for every body (http-json.js); fastify calls it for bodies that came with a type
  // or a length. Routes that take none, and unknown ones, had theirs dropped in onRequest.
  api.removeAllContentTypeParsers();
  api.addContentTypeParser('*', (request) => {
    const { config, bodyLimit: limit } = request.routeOptions;
    if (request.is404 || !config.readsBody) return Promise.resolve(undefined);
    return config.bodyAs === 'text'
      ? readTextBody(request.raw, limit)
      : readJsonBody(request.raw, limit);
  });

  api.setErrorHandler((err, request, reply) => send(request, reply, errorAnswer(err, request)));
  api.setNotFoundHandler((request, reply) => send(request, reply, notFound(request)));

  const methodsOf = new Map();
  for (const route of routes) {
    for (const url of [route.url].flat()) {
      methodsOf.set(url, [...(methodsOf.get(url) ?? []), route.method]);
      api.route({
        method: route.method,
        url,
        bodyLimit: route.bodyLimit ?? bodyLimit,
        config: {
          readsBody: Boolean(route.readsBody),
          bodyAs: route.bodyAs ?? 'json',
          objectBody: route.objectBody ?? null,
        },
        ...(route.objectBody ? { schema: { body: { type: 'object' } } } : {}),
        ...(route.prepare
          ? {
              onRequest: async (request) => {
                request.prepared = await route.prepare(request.raw);
              },
            }
          : {}),
        handler: async (request, reply) => {
          const answer = await route.handler({
            prepared: request.prepared,
            req: request.raw,
            url: request.target,
            params: request.params,
            body: request.body,
            ctx: hookContext(request.raw, request.id, route.event),
          });
          return send(request, reply, answer);
        },
      });
    }
  }
  for (const [url, methods] of methodsOf) {
    const served = methods.includes('GET') ? [...methods, 'HEAD'] : methods;
    const refused = api.supportedMethods.filter((method) => !served.includes(method));
    api.route({
      method: refused,
      url,
      config: { readsBody: false, allow: served.join(', ') },
      handler: async (request, reply) => send(request, reply, methodNotAllowed(request)),
    });
  }
  ready = api.ready();

  // A request waits at most for Twilio (30 s at the very most) plus hashing; past a minute
  // something is stuck and the socket is better freed.
  server.requestTimeout = 60_000;
  // A client that sends its request and then closes its side (`printf ... | nc`, some HTTP/1.0
  // clients) still gets the answer, which may take a password hash or a Twilio call to make.
  server.httpAllowHalfOpen = true;
  // Node's own refusals (Expect, CONNECT, no Host) answered in JSON too.
  installRefusals(server, log, { bodyLimit });
  return { server, api, ready };
}

module.exports = { createBaasApi };
