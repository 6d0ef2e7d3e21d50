// Error answers. The BaaS's own errors look like Backendless's: `{code, message}` with
// Backendless's numeric codes (docs: backendless.com/docs/rest, "Error Handling" and the error
// tables of User Registration and Login), so a client written for Backendless handles them.
// The plugin's errors keep their own string `code` and add `details`; transport problems the
// REST API has no code for (unknown route, oversized body) use the HTTP status as the code.

class BaasError extends Error {
  /**
   * @param {number} status HTTP status
   * @param {number} code Backendless error code
   * @param {string} message for the app's developer and, often, its end user
   * @param {object} [more]
   * @param {number} [more.retryAfterSeconds] when to try again, sent as Retry-After
   */
  constructor(status, code, message, { retryAfterSeconds } = {}) {
    super(message);
    this.name = 'BaasError';
    this.status = status;
    this.code = code;
    if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A wait in words for a message, rounded up: "1 second", "40 seconds", "15 minutes". */
function waitInWords(seconds) {
  const plural = (n, unit) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds < 60) return plural(Math.max(1, Math.ceil(seconds)), 'second');
  if (seconds < 2 * 3600) return plural(Math.ceil(seconds / 60), 'minute');
  return plural(Math.ceil(seconds / 3600), 'hour');
}

const errors = {
  missingProperties: () =>
    new BaasError(400, 3038, 'The request must be a JSON object of the user properties.'),
  passwordMissing: () => new BaasError(400, 3011, 'Missing "password" property.'),
  identityMissing: (field) =>
    new BaasError(400, 3013, `Missing value for the identity property "${field}".`),
  emailMalformed: () => new BaasError(400, 3040, 'Email address is in the wrong format.'),
  userExists: (field) =>
    new BaasError(400, 3033, `User with the same identity ("${field}") already exists.`),
  duplicateValue: (field) =>
    new BaasError(400, 1155, `Duplicate value: another user already has this "${field}".`),
  invalidProperty: (field, expected) =>
    new BaasError(400, 3021, `Property "${field}" must be ${expected}.`),
  columnsChanged: () =>
    new BaasError(
      503,
      503,
      "The users table's settings changed while this registration ran: send it again.",
      { retryAfterSeconds: 1 },
    ),
  propertyTooDeep: (field, max) =>
    new BaasError(
      400,
      3021,
      `Property "${field}" nests too deeply: a property's value may nest at most ${max} levels of objects and lists.`,
    ),
  loginMissing: () =>
    new BaasError(400, 3006, 'Either login or password is an empty string value.'),
  invalidLogin: () => new BaasError(401, 3003, 'Invalid login or password.'),
  // 3036 is Backendless's "Account locked out due to too many failed logins" (Login errors).
  accountLocked: (seconds) =>
    new BaasError(
      429,
      3036,
      `Too many failed logins for this account. Try again in ${waitInWords(seconds)}.`,
      { retryAfterSeconds: seconds },
    ),
  addressLocked: (seconds) =>
    new BaasError(
      429,
      3036,
      `Too many failed logins from this network. Try again in ${waitInWords(seconds)}.`,
      { retryAfterSeconds: seconds },
    ),
  notExistingToken: () =>
    new BaasError(401, 3064, 'Not existing user token: log in again to get a new user-token.'),
  propertiesNotUpdatable: (names) =>
    new BaasError(
      400,
      3027,
      `These properties cannot be changed here: ${names.join(', ')}. A new phone number is confirmed with startVerification and checkVerification first.`,
    ),
  userTooLarge: (bytes) =>
    new BaasError(
      400,
      3027,
      `The user's properties would take more than ${bytes} bytes: remove some before adding more.`,
    ),
  passwordToTurnOffTwoFactor: (field) =>
    new BaasError(
      401,
      3003,
      `Turning two-factor authentication off needs your password: send it as currentPassword with ${field}.`,
    ),
  twoFactorNeedsPhone: (field) =>
    new BaasError(
      400,
      3027,
      `Two-factor authentication needs a confirmed phone number to send codes to: confirm one before setting ${field}.`,
    ),
  tokenOfAnotherUser: () =>
    new BaasError(401, 3064, 'The user-token belongs to another user: log in as this user.'),
  malformedJson: (detail) =>
    new BaasError(
      400,
      8002,
      `Could not parse the request: the body is not valid JSON (${detail}).`,
    ),
  bodyTooLarge: (limit) =>
    new BaasError(413, 413, `The request body is larger than ${limit} bytes.`),
  // Refusals of the request itself (http-json.js, http-refusals.js): the HTTP status as code.
  notJson: () => new BaasError(415, 415, 'Send JSON: Content-Type: application/json.'),
  headersTooLarge: (limit) =>
    new BaasError(
      431,
      431,
      `The request headers are larger than ${limit % 1024 ? `${limit} bytes` : `${limit / 1024} KB`}: send fewer or shorter headers (cookies, tokens).`,
    ),
  notHttp: (what) => new BaasError(400, 400, `The request is not valid HTTP/1.1: ${what}.`),
  hostMissing: () =>
    new BaasError(400, 400, 'An HTTP/1.1 request must name the server in a Host header.'),
  headerRepeated: (name) =>
    new BaasError(400, 400, `The request has more than one ${name} header: send it once.`),
  badTarget: () =>
    new BaasError(400, 400, 'The request target is neither a path nor an absolute URL.'),
  requestTimeout: () =>
    new BaasError(408, 408, 'The request took too long to arrive: send it again, faster.'),
  expectationFailed: () =>
    new BaasError(417, 417, 'The only Expect this server understands is "100-continue".'),
  notProxy: () => new BaasError(405, 405, 'CONNECT is not allowed: this server is not a proxy.'),
  notFound: (method, path) => new BaasError(404, 404, `No API route for ${method} ${path}.`),
  methodNotAllowed: (method, path) =>
    new BaasError(405, 405, `${method} is not allowed on ${path}.`),
  internal: () =>
    new BaasError(500, 500, 'The server failed to handle the request. Try again in a moment.'),
  // The shared store (Redis) of sessions and plugin state is unreachable or too slow: the same
  // code the plugin answers then, so a client handles one "storage down" whichever part saw it.
  storageUnavailable: () =>
    new BaasError(
      503,
      'STORAGE_UNAVAILABLE',
      'The server cannot reach its storage: try again in a moment.',
      { retryAfterSeconds: 1 },
    ),
  // Every password-hashing slot is taken and the queue is full (or the wait ran out).
  busy: () =>
    new BaasError(503, 503, 'The server is busy: try again in a moment.', {
      retryAfterSeconds: 1,
    }),
};

/** True for the JS Errors the plugin rejects with: string code, HTTP status, message. */
function isPluginError(err) {
  return (
    err instanceof Error &&
    typeof err.code === 'string' &&
    Number.isInteger(err.status) &&
    err.status >= 400 &&
    err.status <= 599
  );
}

/**
 * The HTTP answer for a plugin error: its own status and code, its message and details, and a
 * Retry-After header when it says when to retry (rate limits, Twilio unavailable).
 */
function pluginErrorResponse(err) {
  const details = err.details && typeof err.details === 'object' ? err.details : {};
  const headers = {};
  if (Number.isInteger(details.retryAfterSeconds) && details.retryAfterSeconds > 0) {
    headers['Retry-After'] = String(details.retryAfterSeconds);
  }
  return {
    status: err.status,
    body: { code: err.code, message: err.message, details },
    headers,
  };
}

function baasErrorResponse(err) {
  const headers = {};
  if (Number.isInteger(err.retryAfterSeconds) && err.retryAfterSeconds > 0) {
    headers['Retry-After'] = String(err.retryAfterSeconds);
  }
  return { status: err.status, body: { code: err.code, message: err.message }, headers };
}

/** `{code, message}` for an after-hook's `{error}` result. */
function hostResultError(err) {
  return { code: err.code, message: err.message };
}

module.exports = {
  BaasError,
  errors,
  isPluginError,
  pluginErrorResponse,
  baasErrorResponse,
  hostResultError,
  waitInWords,
};
