'use strict';
// Twilio's Messaging API (v1), which real Twilio serves from its own host,
// https://messaging.twilio.com. The plugin fetches a Messaging Service from it to check a
// configuration; pointed at the simulator, it uses the simulator's URL for both APIs.
// Same Basic auth as the 2010-04-01 API; a service is visible only to its own account.

const { sendJson, sendTwilioError } = require('./http-io');
const { authorizeProductRequest } = require('./product-auth');
const { iso8601, twilioError } = require('./wire-format');

const SERVICE_PATH = /^\/v1\/Services\/([^/]+)$/;
/** Sub-resources Twilio links from a Service, in the order of its OpenAPI example. */
const LINKS = {
  phone_numbers: 'PhoneNumbers',
  short_codes: 'ShortCodes',
  alpha_senders: 'AlphaSenders',
  messages: 'Messages',
  us_app_to_person: 'Compliance/Usa2p',
  us_app_to_person_usecases: 'Compliance/Usa2p/Usecases',
  channel_senders: 'ChannelSenders',
  destination_alpha_senders: 'DestinationAlphaSenders',
};

function isMessagingPath(pathname) {
  return pathname.startsWith('/v1/');
}

/**
 * The Service as Twilio's JSON: the fields of the OpenAPI schema messaging.v1.service, with
 * the values a service created in the Console with no changes would have.
 */
function serviceResource(service, origin) {
  const url = `${origin}/v1/Services/${service.sid}`;
  const created = iso8601(service.createdAt);
  return {
    account_sid: service.accountSid,
    sid: service.sid,
    date_created: created,
    date_updated: created,
    friendly_name: service.friendlyName,
    inbound_request_url: null,
    inbound_method: 'POST',
    fallback_url: null,
    fallback_method: 'POST',
    status_callback: null,
    sticky_sender: true,
    mms_converter: true,
    smart_encoding: true,
    scan_message_content: 'inherit',
    fallback_to_long_code: true,
    area_code_geomatch: true,
    synchronous_validation: true,
    validity_period: 14400,
    url,
    links: Object.fromEntries(Object.entries(LINKS).map(([name, sub]) => [name, `${url}/${sub}`])),
    usecase: 'undeclared',
    us_app_to_person_registered: false,
    use_inbound_webhook_on_number: false,
  };
}

function notFound(pathname) {
  return twilioError(20404, `The requested resource ${pathname} was not found`);
}

/** Handles a request under /v1/. */
function handleMessagingRequest(ctx, { req, res, url }) {
  // A path the simulator does not serve is unknown whoever asks, as on the 2010-04-01 API.
  const match = SERVICE_PATH.exec(url.pathname);
  if (!match) {
    sendTwilioError(res, notFound(url.pathname));
    return;
  }
  const account = authorizeProductRequest(ctx, { req, res, methods: ['GET'] });
  if (!account) return;
  // Another account's service is as unknown as one that does not exist.
  const service = ctx.registry.findMessagingService(account, match[1]);
  if (!service) {
    sendTwilioError(res, notFound(url.pathname));
    return;
  }
  sendJson(res, 200, serviceResource(service, `http://${req.headers.host}`));
}

module.exports = { handleMessagingRequest, isMessagingPath, serviceResource };
