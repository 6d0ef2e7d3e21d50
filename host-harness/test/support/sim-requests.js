// Requests to the Twilio simulator as its own tests make them: Basic auth, a form body, and
// every answer (and, unless a test says otherwise, every request as the simulator logged it)
// checked against Twilio's OpenAPI description.
const assert = require('node:assert/strict');

const { checkRequest, checkResponse } = require('./openapi-check');

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const authOf = (account) => basic(account.sid, account.authToken);

/** A form body from `[name, value]` pairs or an object; a list value repeats its name. */
function toForm(params) {
  const form = new URLSearchParams();
  for (const [name, value] of Array.isArray(params) ? params : Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined) form.append(name, item);
    }
  }
  return form.toString();
}

/**
 * One request: `auth` is the Authorization header (null: none). The answer must match Twilio's
 * OpenAPI; so must the logged request, unless `requestProblems` lists what the spec finds wrong.
 */
async function checkedCall(sim, method, path, { form, auth = null, requestProblems = [] } = {}) {
  const headers = auth ? { Authorization: auth } : {};
  if (form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(`${sim.url}${path}`, {
    method,
    headers,
    body: form ? toForm(form) : undefined,
  });
  const body = await response.json();
  assert.deepEqual(checkResponse(method, path, response.status, body), [], `${method} ${path}`);
  assert.deepEqual(checkRequest(sim.requests.list().at(-1)), requestProblems);
  return { status: response.status, headers: response.headers, body };
}

module.exports = { authOf, basic, checkedCall, toForm };
