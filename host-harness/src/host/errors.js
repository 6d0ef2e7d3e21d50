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
   */
  constructor(status, code, message) {
    super(message);
    this.name = 'BaasError';
    this.status = status;
    this.code = code;
  }
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
  loginMissing: () =>
    new BaasError(400, 3006, 'Either login or password is an empty string value.'),
  invalidLogin: () => new BaasError(401, 3003, 'Invalid login or password.'),
  notExistingToken: () =>
    new BaasError(401, 3064, 'Not existing user token: log in again to get a new user-token.'),
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
  notFound: (method, path) => new BaasError(404, 404, `No API route for ${method} ${path}.`),
  methodNotAllowed: (method, path) =>
    new BaasError(405, 405, `${method} is not allowed on ${path}.`),
  internal: () =>
    new BaasError(500, 500, 'The server failed to handle the request. Try again in a moment.'),
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
  return { status: err.status, body: { code: err.code, message: err.message }, headers: {} };
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
};
