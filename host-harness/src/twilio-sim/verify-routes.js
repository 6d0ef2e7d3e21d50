'use strict';
// Twilio's Verify API (v2), which real Twilio serves from https://verify.twilio.com; pointed at
// the simulator, the plugin uses the simulator's URL for it too. Verify writes and sends the
// code itself: each send lands in the outbox (via `verify`) with the text the phone would show,
// so a test reads the code there. Auth as on the Messaging API (product-auth.js).

const { addressOn } = require('./addresses');
const { sendJson, sendTwilioError } = require('./http-io');
const { authorizeProductRequest } = require('./product-auth');
const {
  validateCheckRequest,
  validateVerificationRequest,
  VERIFY_MAGIC_TO,
} = require('./verify-request');
const {
  verificationCheckResource,
  verificationResource,
  verifyServiceResource,
} = require('./verify-resources');
const { resolveLocale, verificationText } = require('./verify-texts');
const { twilioError } = require('./wire-format');

function isVerifyPath(pathname) {
  return pathname.startsWith('/v2/');
}

function notFound(resourcePath) {
  return twilioError(20404, `The requested resource ${resourcePath} was not found`);
}

const originOf = (req) => `http://${req.headers.host}`;
const isLandline = (to) => VERIFY_MAGIC_TO[to]?.landline === true;

function fetchService(_ctx, { req, res, service }) {
  sendJson(res, 200, verifyServiceResource(service, originOf(req)));
}

/** The outbox entry for one send: what reached the phone, and which attempt it was. */
function sendEntry(service, verification, attempt, request, locale) {
  const channel = attempt.channel;
  return {
    sid: verification.sid,
    via: 'verify',
    channel,
    accountSid: service.accountSid,
    serviceSid: service.sid,
    attemptSid: attempt.attemptSid,
    to: verification.to,
    address: addressOn(channel, verification.to),
    from: channel === 'whatsapp' ? addressOn('whatsapp', service.whatsappFrom) : null,
    body: verificationText({
      channel,
      locale,
      name: request.customFriendlyName ?? service.friendlyName,
      code: verification.code,
      appHash: request.appHash,
    }),
    locale,
    mediaUrls: [],
    status: 'sent',
    dateCreated: new Date(attempt.at).toISOString(),
    dateUpdated: new Date(attempt.at).toISOString(),
  };
}

function createVerification(ctx, { req, res, rawBody, service }) {
  const { error, request } = validateVerificationRequest(new URLSearchParams(rawBody), service);
  if (error) {
    sendTwilioError(res, error);
    return;
  }
  const started = ctx.verifications.start(service, request, ctx.now());
  if (started.error) {
    sendTwilioError(res, started.error);
    return;
  }
  const { verification, attempt } = started;
  const locale = resolveLocale(request.locale, request.to);
  ctx.outbox.add(sendEntry(service, verification, attempt, request, locale));
  const landline = isLandline(verification.to);
  sendJson(res, 201, verificationResource(verification, service, originOf(req), { landline }));
}

function fetchVerification(ctx, { req, res, service, match }) {
  const verification = ctx.verifications.find(service, match[2], ctx.now());
  if (!verification) {
    sendTwilioError(res, notFound(`/Services/${service.sid}/Verifications/${match[2]}`));
    return;
  }
  const landline = isLandline(verification.to);
  sendJson(res, 200, verificationResource(verification, service, originOf(req), { landline }));
}

function checkVerification(ctx, { res, rawBody, service }) {
  const { error, request } = validateCheckRequest(new URLSearchParams(rawBody));
  if (error) {
    sendTwilioError(res, error);
    return;
  }
  const checked = ctx.verifications.check(service, request, ctx.now());
  if (!checked) {
    sendTwilioError(res, notFound(`/Services/${service.sid}/VerificationCheck`));
    return;
  }
  if (checked.error) {
    sendTwilioError(res, checked.error);
    return;
  }
  sendJson(res, 200, verificationCheckResource(checked.verification));
}

/** Each route's first capture is the service SID. */
const ROUTES = [
  { path: /^\/v2\/Services\/([^/]+)$/, methods: { GET: fetchService } },
  { path: /^\/v2\/Services\/([^/]+)\/Verifications$/, methods: { POST: createVerification } },
  {
    path: /^\/v2\/Services\/([^/]+)\/Verifications\/([^/]+)$/,
    methods: { GET: fetchVerification },
  },
  { path: /^\/v2\/Services\/([^/]+)\/VerificationCheck$/, methods: { POST: checkVerification } },
];

/** Handles a request under /v2/. */
function handleVerifyRequest(ctx, { req, res, url, rawBody }) {
  // A path the simulator does not serve is unknown whoever asks, as on the other APIs.
  const route = ROUTES.find((candidate) => candidate.path.test(url.pathname));
  if (!route) {
    sendTwilioError(res, notFound(url.pathname));
    return;
  }
  const account = authorizeProductRequest(ctx, { req, res, methods: Object.keys(route.methods) });
  if (!account) return;
  const match = route.path.exec(url.pathname);
  const service = ctx.registry.findVerifyService(account, match[1]);
  if (!service) {
    sendTwilioError(res, notFound(url.pathname));
    return;
  }
  route.methods[req.method](ctx, { req, res, url, rawBody, service, match });
}

module.exports = { handleVerifyRequest, isVerifyPath };
