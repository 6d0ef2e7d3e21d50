'use strict';
// The Twilio REST routes the plugin calls, behind Twilio's checks in Twilio's order:
// Basic auth, the path's account matching the credentials, account state, route and method,
// then the test-credentials restriction.

const { accountResource, incomingPhoneNumbersPage } = require('./account-resources');
const { validateCallRequest } = require('./call-validate');
const { callResource, createCallEntry } = require('./calls');
const { createMessageRecord, messageResource } = require('./messages');
const { twilioError } = require('./wire-format');
const { sendJson, sendTwilioError } = require('./http-io');
const { validateMessageRequest } = require('./validate');

const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+?)(\.json|\/.*)$/;
const AUTH_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="Twilio API"' };

function getAccount(_ctx, { account, res }) {
  sendJson(res, 200, accountResource(account));
}

function listIncomingPhoneNumbers(_ctx, { account, res, url }) {
  sendJson(res, 200, incomingPhoneNumbersPage(account, url.searchParams.get('PhoneNumber')));
}

function fetchMessage(ctx, { account, res, url, match }) {
  const record = ctx.outbox.findRecord(match[1]);
  if (!record || record.accountSid !== account.sid) {
    sendTwilioError(res, notFound(url.pathname));
    return;
  }
  sendJson(res, 200, messageResource(record));
}

function createMessage(ctx, { account, res, rawBody }) {
  const { error, request } = validateMessageRequest(
    new URLSearchParams(rawBody),
    account,
    ctx.registry,
  );
  if (error) {
    sendTwilioError(res, error);
    return;
  }
  const service = request.messagingServiceSid
    ? ctx.registry.findMessagingService(account, request.messagingServiceSid)
    : null;
  const record = createMessageRecord(request, account, service, ctx.now());
  ctx.outbox.add(record);
  const created = messageResource(record);
  ctx.delivery.schedule(record, account);
  sendJson(res, 201, created);
}

function createCall(ctx, { account, res, rawBody }) {
  const { error, request } = validateCallRequest(
    new URLSearchParams(rawBody),
    account,
    ctx.registry,
  );
  if (error) {
    sendTwilioError(res, error);
    return;
  }
  const entry = createCallEntry(request, account, ctx.now());
  ctx.outbox.add(entry);
  sendJson(res, 201, callResource(entry));
}

/** Relative to `/2010-04-01/Accounts/{Sid}`. */
const ROUTES = [
  { path: /^\.json$/, methods: { GET: getAccount }, allowsInactiveAccount: true },
  { path: /^\/Messages\.json$/, methods: { POST: createMessage }, allowsTestCredentials: true },
  { path: /^\/Messages\/((?:SM|MM)[0-9a-fA-F]{32})\.json$/, methods: { GET: fetchMessage } },
  // Twilio's test credentials may place calls (twilio-api.md).
  { path: /^\/Calls\.json$/, methods: { POST: createCall }, allowsTestCredentials: true },
  { path: /^\/IncomingPhoneNumbers\.json$/, methods: { GET: listIncomingPhoneNumbers } },
];

function notFound(pathname) {
  return twilioError(20404, `The requested resource ${pathname} was not found`);
}

/** `{username, password}` from a Basic Authorization header, or null. */
function parseBasicAuth(header) {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Handles any request that is not an admin (`/_sim`) request. */
function handleApiRequest(ctx, { req, res, url, rawBody }) {
  const accountPath = ACCOUNT_PATH.exec(url.pathname);
  if (!accountPath) {
    sendTwilioError(res, notFound(url.pathname));
    return;
  }
  const credentials = parseBasicAuth(req.headers.authorization);
  const account =
    credentials && ctx.registry.authenticate(credentials.username, credentials.password);
  // Credentials for one account never reach another, even a valid one: same 20003 as a bad token.
  if (!account || account.sid !== accountPath[1]) {
    sendTwilioError(res, twilioError(20003), AUTH_CHALLENGE);
    return;
  }
  const route = ROUTES.find((candidate) => candidate.path.test(accountPath[2]));
  if (account.status !== 'active' && !route?.allowsInactiveAccount) {
    sendTwilioError(res, twilioError(20003), AUTH_CHALLENGE);
    return;
  }
  if (!route) {
    sendTwilioError(res, notFound(url.pathname));
    return;
  }
  const handler = route.methods[req.method];
  if (!handler) {
    sendTwilioError(res, twilioError(20004), { Allow: Object.keys(route.methods).join(', ') });
    return;
  }
  if (account.testCredentials && !route.allowsTestCredentials) {
    sendTwilioError(res, twilioError(20008));
    return;
  }
  handler(ctx, { account, req, res, url, rawBody, match: route.path.exec(accountPath[2]) });
}

module.exports = { handleApiRequest, parseBasicAuth };
