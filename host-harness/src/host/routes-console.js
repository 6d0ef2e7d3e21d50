// The console: the marketplace page (console/: index.html, console.css, console*.js) and its API
// under /console/api, in the BaaS's route shape and error shape ({code, message, details?}).
//
//   GET  /console/sign-in            the sign-in page (the only page without a session)
//   GET  /console/api/session        {signedIn, csrfToken?}: what the page needs to call the API
//   POST /console/api/sign-in        {password} or {link} -> a session cookie (throttled)
//   POST /console/api/sign-out       ends the session
//   GET  /console/api/product        the listing: name, version, description, installation
//   GET  /console/api/configuration  the popup: config items, saved values, secrets masked
//   POST /console/api/validate       {config} -> {ok, problems}: the plugin's validateConfig
//   POST /console/api/test           {config} -> TEST CONFIGURATION's report, nothing saved
//   POST /console/api/save           {config} -> installs or reconfigures; hooks active at once
//   POST /console/api/uninstall      hooks and services off at once; the configuration forgotten
//   GET  /console/api/activity?hours=24  the send policy's counters per country and hour, and
//                                    the countries the conversion breaker paused
//
// Everything but the sign-in page, the session probe and sign-in itself needs the operator's
// session (console-auth.js): pages without one redirect to the sign-in page, API calls answer
// 401; calls that change something also need the session's CSRF token. On top of that, so that
// no other web page can drive it through a visitor's browser, the console answers only to its
// own host names (no DNS rebinding) and takes POSTs only as application/json from its own
// origin (a cross-site form cannot send that without a CORS preflight, never granted).

const fs = require('node:fs');
const path = require('node:path');

const { popupData, submittedConfig } = require('./console-form');
const { BaasError, errors } = require('./errors');
const { JSON_TYPE } = require('./http-json');
const { MAX_HOURS } = require('./plugin-activity');
const { refusals, withFields } = require('./check-fields');
const { configInvalid } = require('./plugin-installation');

const CONSOLE_DIR = path.resolve(__dirname, '..', '..', 'console');
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

const STATIC_FILES = {
  'index.html': 'text/html; charset=utf-8',
  'sign-in.html': 'text/html; charset=utf-8',
  'sign-in.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console-kit.js': 'text/javascript; charset=utf-8',
  'console-fields.js': 'text/javascript; charset=utf-8',
  'console-popup.js': 'text/javascript; charset=utf-8',
  'activity.html': 'text/html; charset=utf-8',
  'console-activity.js': 'text/javascript; charset=utf-8',
  'activity-charts.js': 'text/javascript; charset=utf-8',
};

/** The page loads only its own files; nothing inline, nothing from elsewhere, never framed. */
const PAGE_HEADERS = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
};

const ok = (body) => ({ status: 200, body, headers: {} });
/** Every method but the reading ones may change something: CSRF and origin checks apply. */
const changes = (req) => req.method !== 'GET' && req.method !== 'HEAD';

/**
 * @param {object} deps
 * @param {object} deps.manifest
 * @param {string} deps.version what the module reports
 * @param {ReturnType<import('./plugin-installation').createPluginInstallation>} deps.installation
 * @param {() => object} deps.hostDefaults values pre-filled for a new installation
 * @param {(config: object) => object} [deps.effectiveConfig] a saved configuration as the host
 *   runs it (in simulator mode: with the simulator's address), which the popup shows
 * @param {() => object} deps.placeholders what the host uses for fields left empty
 * @param {Function} deps.log
 * @param {string | null} [deps.publicUrl] PUBLIC_URL: its host may serve the console too
 * @param {(hours: number) => Promise<object>} [deps.activity] the send policy's counters
 * @param {ReturnType<import('./console-auth').createConsoleAuth>} deps.auth the operator
 * @returns route entries for baas-api.js
 */
function createConsoleRoutes({
  manifest,
  version,
  installation,
  hostDefaults,
  effectiveConfig = (config) => config,
  placeholders,
  log,
  publicUrl = null,
  activity = async () => ({ hours: [], paused: [] }),
  auth,
}) {
  const files = Object.fromEntries(
    Object.keys(STATIC_FILES).map((name) => [name, fs.readFileSync(path.join(CONSOLE_DIR, name))]),
  );
  const publicHost = publicUrl ? new URL(publicUrl).host : null;
  /** Whether a request came to PUBLIC_URL's host over https (the proxy in front speaks TLS). */
  const overHttps = (host) => host === publicHost && publicUrl.startsWith('https:');

  /** Refuses requests that another site could have made through the visitor's browser. */
  function guard(req) {
    const host = String(req.headers.host ?? '');
    const name = host.replace(/:\d+$/, '');
    if (!LOOPBACK_NAMES.has(name) && host !== publicHost) {
      throw new BaasError(403, 403, `The console does not answer to the host name "${host}".`);
    }
    if (!changes(req)) return;
    if (!JSON_TYPE.test(String(req.headers['content-type'] ?? ''))) {
      throw new BaasError(415, 415, 'The console API takes JSON: Content-Type: application/json.');
    }
    // Its own origin only; at PUBLIC_URL's host over https, only https (no downgraded page).
    const origin = req.headers.origin;
    const schemes = overHttps(host) ? ['https'] : ['http', 'https'];
    if (origin !== undefined && !schemes.some((scheme) => origin === `${scheme}://${host}`)) {
      throw new BaasError(403, 403, 'The console API answers only to the console page itself.');
    }
  }

  /** The session's cookie value; refuses a request without one (and a POST without its CSRF token). */
  function operator(req) {
    const token = auth.session(req);
    if (!token) throw new BaasError(401, 401, 'Sign in to the console first: /console/sign-in.');
    if (changes(req) && !auth.checkCsrf(token, req)) {
      throw new BaasError(
        403,
        403,
        'The console API takes changes only from the console page: X-CSRF-Token is missing or wrong. Reload the page.',
      );
    }
    return token;
  }

  /** Over https (PUBLIC_URL's host), the cookie is Secure: never sent in clear. */
  const secure = (req) => overHttps(String(req.headers.host ?? ''));

  /** `open` routes work without a session: the sign-in page and what it calls. */
  const route = (method, url, handler, { open = false } = {}) => ({
    method,
    url,
    readsBody: method === 'POST',
    // Before the body is read: the host name, the type, the origin, the session.
    prepare: (req) => {
      guard(req);
      return open ? null : operator(req);
    },
    handler: (request) => handler({ ...request, session: request.prepared }),
  });

  function staticFile(name) {
    return () => ({
      status: 200,
      raw: files[name],
      headers: { ...PAGE_HEADERS, 'Content-Type': STATIC_FILES[name] },
    });
  }

  /** A console page: for the operator; anyone else is sent to the sign-in page. */
  const operatorPage =
    (name) =>
    ({ req }) => {
      if (!auth.session(req)) {
        return { status: 303, raw: '', headers: { ...PAGE_HEADERS, Location: '/console/sign-in' } };
      }
      return staticFile(name)();
    };

  /** The configuration a submission means, or CONFIG_INVALID for a malformed submission. */
  function submitted(body) {
    const result = submittedConfig(manifest, body, installation.savedConfig());
    if (result.problems) throw configInvalid(result.problems);
    // What the host pre-fills stands for a field left out (in simulator mode the simulator's
    // URL: a configuration sent without twilioApiBaseUrl must not reach real Twilio).
    return { ...hostDefaults(), ...result.config };
  }

  function product() {
    return {
      id: manifest.id,
      name: manifest.name,
      version,
      description: manifest.description,
      publisher: manifest.publisher,
      configurationTitle: manifest.configurationTitle ?? `${manifest.name} configuration`,
      pluginApiVersion: manifest.pluginApiVersion,
      installation: installation.status(),
    };
  }

  return [
    route('GET', ['/console', '/console/'], operatorPage('index.html'), { open: true }),
    route('GET', '/console/activity', operatorPage('activity.html'), { open: true }),
    route('GET', '/console/sign-in', staticFile('sign-in.html'), { open: true }),
    // The pages' code and style hold nothing secret; the sign-in page needs them.
    ...Object.keys(STATIC_FILES)
      .filter((name) => !name.endsWith('.html'))
      .map((name) =>
        route('GET', `/console/${name}`, staticFile(name), {
          open: true,
        }),
      ),
    route(
      'GET',
      '/console/api/session',
      ({ req }) => {
        const token = auth.session(req);
        return ok(
          token ? { signedIn: true, csrfToken: auth.csrfToken(token) } : { signedIn: false },
        );
      },
      { open: true },
    ),
    route(
      'POST',
      '/console/api/sign-in',
      async ({ req, body, ctx }) => {
        const credentials = body && typeof body === 'object' ? body : {};
        const token = await auth.signIn(
          { password: credentials.password, link: credentials.link },
          ctx.clientIp,
        );
        return {
          status: 200,
          body: { signedIn: true, csrfToken: auth.csrfToken(token) },
          headers: { 'Set-Cookie': auth.cookie(token, secure(req)) },
        };
      },
      { open: true },
    ),
    route('POST', '/console/api/sign-out', ({ req, session }) => {
      auth.signOut(session);
      return {
        status: 200,
        body: { signedIn: false },
        headers: { 'Set-Cookie': auth.clearCookie(secure(req)) },
      };
    }),
    route('GET', '/console/api/product', () => ok(product())),
    route('GET', '/console/api/configuration', () => {
      const status = installation.status();
      return ok({
        installed: status.installed,
        ...popupData(
          manifest,
          status.installed ? effectiveConfig(installation.savedConfig()) : null,
          hostDefaults(),
          placeholders(),
        ),
      });
    }),
    route('POST', '/console/api/validate', ({ body }) => {
      const problems = installation.problemsOf(submitted(body));
      return ok({ ok: problems.length === 0, problems });
    }),
    route('POST', '/console/api/test', async ({ body }) => {
      const config = submitted(body);
      const report = withFields(await installation.testConfiguration(config), config);
      log('info', 'configuration tested', {
        plugin: manifest.id,
        checks: report.checks.map((check) => `${check.name}: ${check.status}`),
      });
      return ok(report);
    }),
    route('POST', '/console/api/save', async ({ body }) => {
      const config = submitted(body);
      // Well formed first (nothing is sent to Twilio for a form with mistakes), then live: a
      // configuration Twilio refuses is not installed, whatever TEST CONFIGURATION was asked.
      if (installation.problemsOf(config).length === 0) {
        const refused = refusals(await installation.testConfiguration(config), config);
        if (refused.length) throw configInvalid(refused);
      }
      installation.save(config);
      return ok(product());
    }),
    route('GET', '/console/api/activity', async ({ url }) => {
      const text = url.searchParams.get('hours') ?? '24';
      const hours = Number(text);
      if (!/^\d+$/.test(text) || hours < 1 || hours > MAX_HOURS) {
        throw new BaasError(400, 400, `hours must be a whole number from 1 to ${MAX_HOURS}.`);
      }
      try {
        return ok(await activity(hours));
      } catch (err) {
        // The counters live in the plugin's storage: Redis away is "try again", not a bug.
        log('error', 'reading the activity failed', { error: err.message });
        throw errors.storageUnavailable();
      }
    }),
    route('POST', '/console/api/uninstall', () => {
      installation.uninstall();
      return ok(product());
    }),
  ];
}

module.exports = { createConsoleRoutes, CONSOLE_DIR };
