'use strict';
// The formats every Twilio response shares: SIDs, RFC 2822 dates and the error body. Error
// texts follow Twilio's catalogue (twilio.com/docs/errors/<code>) closely enough for a person to
// recognise them; clients must branch on `code`, never on `message`.

const crypto = require('node:crypto');

/** The REST API version every path, resource and callback names. */
const API_VERSION = '2010-04-01';

/** A fresh SID: two-letter type prefix and 32 lowercase hex digits, as Twilio issues them. */
function randomSid(prefix) {
  return `${prefix}${crypto.randomBytes(16).toString('hex')}`;
}

/**
 * Twilio's 2010-04-01 API writes dates in RFC 2822 with a numeric zone,
 * e.g. `Thu, 24 Aug 2023 05:01:45 +0000`; toUTCString differs only in saying GMT.
 */
function rfc2822(ms) {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/**
 * Twilio's newer APIs (Messaging v1, Verify v2) write ISO 8601 dates without milliseconds,
 * e.g. `2015-07-30T20:12:31Z`.
 */
function iso8601(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** HTTP status Twilio pairs with each platform-level code. Validation codes are all 400. */
const STATUS_BY_CODE = {
  20003: 401,
  20004: 405,
  20008: 403,
  20404: 404,
  20429: 429,
  20500: 500,
  20503: 503,
  // Verify's own limits and blocks.
  60202: 429,
  60203: 429,
  60410: 403,
  60605: 403,
};

const DEFAULT_MESSAGES = {
  20003: 'Authenticate',
  20004: 'Method not allowed',
  20008: 'Resource not accessible with Test Account Credentials',
  20429: 'Too Many Requests',
  20500: 'Internal Server Error',
  20503: 'Service Unavailable',
  12102: 'The root element must be Response',
  21201: "No 'To' number is specified",
  21213: "No 'From' number is specified",
  21218: 'Invalid ApplicationSid',
  21602: 'Message body is required.',
  21603: "A 'From' phone number is required.",
  21604: "A 'To' phone number is required.",
  21610: 'Attempt to send to unsubscribed recipient',
  21611: "This 'From' number has exceeded the maximum number of queued messages",
  21614: "'To' number is not a valid mobile number",
  21617: 'The concatenated message body exceeds the 1600 character limit.',
  21620: 'Invalid media URL(s)',
  21623: 'Number of media files exceeds allowed limit',
  21624: 'Invalid validity period value',
  21655: 'The ContentSid is Invalid.',
  21656: 'The ContentVariables Parameter is invalid',
  60202: 'Max check attempts reached',
  60203: 'Max send attempts reached',
  60204: 'Service does not support this feature',
  60205: 'SMS is not supported by landline phone number',
  60223: 'Delivery channel disabled',
  60410: 'Verification delivery attempt blocked',
  60602: 'App hash can only be used with SMS channel',
  60605: 'Verification delivery attempt blocked',
  68008: 'Verify WhatsApp channel not configured',
};

/** A Twilio error body. `status` defaults to the code's usual HTTP status, else 400. */
function twilioError(code, message, status) {
  return {
    code,
    message: message ?? DEFAULT_MESSAGES[code] ?? 'Error',
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status: status ?? STATUS_BY_CODE[code] ?? 400,
  };
}

/** The platform code Twilio uses for a bare HTTP status, for faults given only a status. */
function codeForStatus(status) {
  const match = Object.entries(STATUS_BY_CODE).find(([, value]) => value === status);
  return match ? Number(match[0]) : 20500;
}

module.exports = {
  API_VERSION,
  randomSid,
  rfc2822,
  iso8601,
  twilioError,
  codeForStatus,
  STATUS_BY_CODE,
};
