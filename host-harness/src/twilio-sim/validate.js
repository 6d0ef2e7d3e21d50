'use strict';
// Validation of a Message create request, in the order Twilio reports problems: presence of
// required fields, limits and formats, the magic test numbers, then what the account may do.
// Each failure is a Twilio error body (400 unless noted). To and From may be WhatsApp
// addresses (`whatsapp:+E164`); every number rule applies to the number inside.

const { addressChannel, bareNumber, E164 } = require('./addresses');
const { parseContentVariables, renderTemplate } = require('./content-templates');
const { twilioError } = require('./wire-format');
const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;
const CONTENT_SID = /^HX[0-9a-fA-F]{32}$/;
const MAX_BODY_CHARS = 1600;
const MAX_MEDIA = 10;
const MAX_CALLBACK_URL_CHARS = 4000;
const MAX_VALIDITY_SECONDS = 36000;
/** From Twilio's "passes all validation" row: usable by every account, owned or not. */
const MAGIC_VALID_FROM = '+15005550006';

/** Twilio's magic From numbers (twilio-api.md), honoured for every account, not only test ones. */
const MAGIC_FROM = {
  '+15005550001': (from) => twilioError(21212, fromInvalidMessage(from)),
  '+15005550007': (from) => twilioError(21606, fromNotCapableMessage(from)),
  '+15005550008': () => twilioError(21611),
};

/** Twilio's magic To numbers. */
const MAGIC_TO = {
  '+15005550001': (to) => twilioError(21211, toInvalidMessage(to)),
  '+15005550002': (to, from) =>
    twilioError(
      21612,
      `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number: ${from} via SMS.`,
    ),
  '+15005550003': (to) =>
    twilioError(
      21408,
      `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`,
    ),
  '+15005550004': () => twilioError(21610),
  '+15005550009': () => twilioError(21614),
};

function toInvalidMessage(to) {
  return `The 'To' number ${to} is not a valid phone number.`;
}

function fromInvalidMessage(from) {
  return `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`;
}

function fromNotCapableMessage(from) {
  return `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`;
}

/** An absolute http(s) URL whose host Twilio would accept: no underscores, nothing odd. */
function isAcceptableUrl(value, { forbidUnderscoreHost }) {
  let url;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (!url.hostname) return false;
  if (forbidUnderscoreHost && url.hostname.includes('_')) return false;
  return /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)$/i.test(url.hostname);
}

function checkRequiredFields(req) {
  if (!req.to) return twilioError(21604);
  if (!req.from && !req.messagingServiceSid) return twilioError(21603);
  if (!req.body && req.mediaUrls.length === 0 && !req.contentSid) return twilioError(21602);
  return null;
}

function checkLimitsAndFormats(req) {
  if ([...req.body].length > MAX_BODY_CHARS) return twilioError(21617);
  // Twilio documents 21623 for more than 10 MediaUrl and 21620 for a malformed one.
  if (req.mediaUrls.length > MAX_MEDIA) return twilioError(21623);
  if (req.mediaUrls.some((url) => !isAcceptableUrl(url, { forbidUnderscoreHost: false }))) {
    return twilioError(21620);
  }
  if (req.contentSid && !CONTENT_SID.test(req.contentSid)) return twilioError(21655);
  if (req.contentSid && parseContentVariables(req.contentVariables) === null) {
    return twilioError(21656);
  }
  if (
    req.statusCallback &&
    (req.statusCallback.length > MAX_CALLBACK_URL_CHARS ||
      !isAcceptableUrl(req.statusCallback, { forbidUnderscoreHost: true }))
  ) {
    return twilioError(21609, `The StatusCallback URL ${req.statusCallback} is not a valid URL.`);
  }
  if (req.validityPeriod !== null) {
    const seconds = Number(req.validityPeriod);
    if (!/^\d+$/.test(req.validityPeriod) || seconds < 1 || seconds > MAX_VALIDITY_SECONDS) {
      return twilioError(21624);
    }
  }
  if (!E164.test(bareNumber(req.to))) return twilioError(21211, toInvalidMessage(req.to));
  // Short codes and alphanumeric sender IDs are not modelled: a From must be E.164.
  if (req.from && !E164.test(bareNumber(req.from))) {
    return twilioError(21212, fromInvalidMessage(req.from));
  }
  if (req.messagingServiceSid && !MESSAGING_SERVICE_SID.test(req.messagingServiceSid)) {
    return twilioError(21705, `The Messaging Service Sid ${req.messagingServiceSid} is invalid.`);
  }
  // A WhatsApp message needs a WhatsApp sender; Twilio never converts between channels.
  if (req.from && addressChannel(req.from) !== addressChannel(req.to)) {
    return twilioError(
      21910,
      'Invalid From and To pair. From and To should be of the same channel',
    );
  }
  return null;
}

function checkMagicNumbers(req) {
  const from = bareNumber(req.from);
  const to = bareNumber(req.to);
  if (from && MAGIC_FROM[from]) return MAGIC_FROM[from](req.from);
  if (MAGIC_TO[to]) return MAGIC_TO[to](req.to, req.from);
  return null;
}

/** A From on WhatsApp must be one of the account's WhatsApp senders, the magic number included. */
function checkSender(req, account, registry) {
  if (!req.from) return null;
  const from = bareNumber(req.from);
  if (addressChannel(req.from) === 'whatsapp') {
    return registry.isWhatsAppSender(account, from)
      ? null
      : twilioError(63007, 'Twilio could not find a Channel with the specified From address');
  }
  if (from === MAGIC_VALID_FROM) return null;
  const number = registry.findNumber(account, from);
  return number?.capabilities.sms ? null : twilioError(21606, fromNotCapableMessage(req.from));
}

function checkAccountPermissions(req, account, registry) {
  if (req.from === req.to) {
    return twilioError(21266, `'To' and 'From' number cannot be the same: ${req.to}`);
  }
  if (req.messagingServiceSid && !registry.findMessagingService(account, req.messagingServiceSid)) {
    return twilioError(
      21701,
      `The Messaging Service Sid ${req.messagingServiceSid} is invalid or does not belong to this account.`,
    );
  }
  const senderError = checkSender(req, account, registry);
  if (senderError) return senderError;
  if (req.contentSid && !registry.findContentTemplate(account, req.contentSid)) {
    return twilioError(21655);
  }
  if (account.type === 'Trial' && !registry.isVerified(account, bareNumber(req.to))) {
    return twilioError(
      21608,
      `The number ${req.to} is unverified. Trial accounts cannot send messages to unverified numbers; verify ${req.to} at twilio.com/user/account/phone-numbers/verified, or purchase a Twilio number to send messages to unverified numbers.`,
    );
  }
  return null;
}

/** The Message create parameters the simulator understands, read from a form body. */
function readMessageForm(form) {
  return {
    to: form.get('To') ?? '',
    from: form.get('From') || null,
    messagingServiceSid: form.get('MessagingServiceSid') || null,
    body: form.get('Body') ?? '',
    mediaUrls: form.getAll('MediaUrl').filter((url) => url !== ''),
    contentSid: form.get('ContentSid') || null,
    contentVariables: form.get('ContentVariables') ?? null,
    statusCallback: form.get('StatusCallback') || null,
    validityPeriod: form.get('ValidityPeriod') || null,
  };
}

/**
 * With a ContentSid the template is what is sent (Twilio ignores Body then): the body becomes
 * the template with its variables filled in, or 21656 when a variable is missing.
 */
function applyContentTemplate(request, account, registry) {
  if (!request.contentSid) return { request };
  const template = registry.findContentTemplate(account, request.contentSid);
  const rendered = renderTemplate(template.body, parseContentVariables(request.contentVariables));
  if (rendered.missing !== undefined) return { error: twilioError(21656) };
  return { request: { ...request, body: rendered.body } };
}

/** `{error}` with Twilio's error body, or `{request}` with the accepted parameters. */
function validateMessageRequest(form, account, registry) {
  const request = readMessageForm(form);
  const error =
    checkRequiredFields(request) ??
    checkLimitsAndFormats(request) ??
    checkMagicNumbers(request) ??
    checkAccountPermissions(request, account, registry);
  return error ? { error } : applyContentTemplate(request, account, registry);
}

module.exports = { validateMessageRequest, isAcceptableUrl, E164, MAGIC_VALID_FROM };
