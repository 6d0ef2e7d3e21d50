// Shared by host-services.test.js and host-callbacks.test.js: signed-in users, calls to the
// plugin's services over HTTP, and a sender that records what the plugin sent to Twilio.

const assert = require('node:assert/strict');

const { createHttpTransport } = require('../../src/host/plugin-http');
const { postJson } = require('../host-helpers');

const PASSWORD = 'service-password';

/**
 * A sender for createApp's `httpSend` option that records every request the plugin's http
 * import makes (URL, method, headers, raw body) before sending it the host's own way.
 */
function recordingSend() {
  const calls = [];
  const transport = createHttpTransport();
  const send = (request) => {
    calls.push({
      url: String(request.url),
      method: request.method,
      headers: { ...request.headers },
      body: request.body ?? null,
    });
    return transport.send(request);
  };
  return {
    send,
    calls,
    close: () => transport.close(),
    /** The requests that created a message. */
    messageCreates: () =>
      calls.filter((call) => call.method === 'POST' && call.url.endsWith('/Messages.json')),
  };
}

/**
 * Registers a user (the app must allow registration without a phone number unless `extra`
 * carries a confirmed one) and logs in: `{user, token}`.
 */
async function signIn(app, email, extra = {}) {
  const registered = await postJson(`${app.url}/api/users/register`, {
    email,
    password: PASSWORD,
    ...extra,
  });
  assert.equal(registered.status, 200, registered.text);
  const login = await postJson(`${app.url}/api/users/login`, { login: email, password: PASSWORD });
  assert.equal(login.status, 200, login.text);
  assert.ok(login.body['user-token'], login.text);
  return { user: registered.body, token: login.body['user-token'] };
}

/** POST /api/services/twilio/<operation>, with the caller's user-token when given. */
function callService(app, operation, body, token) {
  return postJson(
    `${app.url}/api/services/twilio/${operation}`,
    body,
    token === undefined ? {} : { 'user-token': token },
  );
}

module.exports = { PASSWORD, recordingSend, signIn, callService };
