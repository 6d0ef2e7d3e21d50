// The plugin's services, as the manifest's `services` list declares them:
// - `POST /api/services/twilio/<operation>` (sendSms, sendMms, startVerification,
//   checkVerification, getMessageStatus): a JSON request in, the plugin's answer out. Who may
//   call is the service's `access`: `config:messagingAccess` means signed-in callers (a valid
//   `user-token`) unless that setting is `anyone`, so an anonymous client cannot spend the app's
//   SMS budget. The caller's objectId goes to the plugin as `ctx.userId`.
// - `POST /api/services/twilio/status-callback` (access `twilio-signature`): Twilio's delivery
//   status webhook. No session; the raw form body, the headers and the public URL Twilio called
//   go to the plugin, which checks X-Twilio-Signature and answers 403 unless Twilio signed it.

const { BaasError, errors } = require('./errors');
const { DEFAULT_BODY_LIMIT } = require('./http-json');

const SIGNATURE_ACCESS = 'twilio-signature';

const missingToken = () =>
  new BaasError(
    401,
    3064,
    'Sign in first: this service needs the user-token header of a logged-in user.',
  );

/** `{method, path}` of a manifest route such as `POST /api/services/twilio/sendSms`. */
function parseRoute(route) {
  const match = /^([A-Z]+) (\/[A-Za-z0-9/_-]+)$/.exec(String(route ?? ''));
  if (!match) throw new Error(`the manifest's service route "${route}" is not "METHOD /path"`);
  return { method: match[1], path: match[2] };
}

/**
 * Who may call a service: `signed-in`, `anyone` or `twilio-signature`. `config:<setting>` reads
 * the plugin setting at each call; anything but `anyone` there, and any access this host does
 * not know, means signed-in (fail closed).
 */
function accessOf(service, settings) {
  const { access } = service;
  if (access === SIGNATURE_ACCESS || access === 'anyone') return access;
  if (typeof access === 'string' && access.startsWith('config:')) {
    return settings?.[access.slice('config:'.length)] === 'anyone' ? 'anyone' : 'signed-in';
  }
  return 'signed-in';
}

/** The route of the service with `twilio-signature` access (the status callback), or null. */
function statusCallbackPath(services = []) {
  const service = services.find((candidate) => candidate.access === SIGNATURE_ACCESS);
  return service ? parseRoute(service.route).path : null;
}

/** Request headers as the plugin takes them: name -> string (repeated ones joined). */
function plainHeaders(headers) {
  const out = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value)) out[name] = value.join(', ');
  }
  return out;
}

/**
 * @param {object} deps
 * @param {object} deps.plugin the created TwilioPlugin
 * @param {ReturnType<import('./sessions-store').createSessionsStore>} deps.sessions
 * @param {{name: string, route: string, access: string}[]} deps.services the manifest's list
 * @param {() => object} deps.settings the plugin's current settings (for `config:` access)
 * @param {string} deps.publicUrl this BaaS's public base URL: what Twilio called is this plus
 *   the request's path and query
 * @param {number} [deps.bodyLimit] largest webhook body accepted, in bytes
 * @returns route entries for baas-api.js
 */
function createServiceRoutes({
  plugin,
  sessions,
  services = [],
  settings,
  publicUrl,
  bodyLimit = DEFAULT_BODY_LIMIT,
}) {
  /** The caller's objectId; null for an anonymous call where anyone may call. */
  async function caller(req, access) {
    const token = req.headers['user-token'];
    if (token === undefined || token === '') {
      if (access === 'anyone') return null;
      throw missingToken();
    }
    // A token that was given must be valid, whoever may call: a client that thinks it is
    // signed in learns that it is not.
    const objectId = await sessions.resolve(token);
    if (!objectId) throw errors.notExistingToken();
    return objectId;
  }

  function operationRoute(service, method, path) {
    return {
      method,
      url: path,
      readsBody: true,
      event: service.name,
      handler: async ({ req, body, ctx }) => {
        const userId = await caller(req, accessOf(service, settings()));
        const context = userId ? { ...ctx, userId } : ctx;
        const result = await plugin[service.name](context, body === undefined ? {} : body);
        return { status: 200, body: result, headers: {} };
      },
    };
  }

  function callbackRoute(service, method, path) {
    return {
      method,
      url: path,
      // Twilio posts a form: read as text, signed as sent. Oversized: 413 (http-json.js).
      readsBody: true,
      bodyAs: 'text',
      bodyLimit,
      event: service.name,
      handler: async ({ req, body, ctx }) => {
        const receipt = await plugin[service.name](ctx, {
          url: `${publicUrl}${req.url}`,
          headers: plainHeaders(req.headers),
          body: body ?? '',
        });
        return { status: 200, body: receipt, headers: {} };
      },
    };
  }

  return services.map((service) => {
    if (typeof plugin[service.name] !== 'function') {
      throw new Error(`the manifest's service ${service.name} is not an operation of the plugin`);
    }
    const { method, path } = parseRoute(service.route);
    return service.access === SIGNATURE_ACCESS
      ? callbackRoute(service, method, path)
      : operationRoute(service, method, path);
  });
}

module.exports = { createServiceRoutes, statusCallbackPath };
