'use strict';
// Validation of a Call create request, in Twilio's order: required fields, the call's
// instructions, formats, the magic test numbers, then what the account may do. Each failure is
// a Twilio error body (400).
//
// Twilio takes the instructions from exactly one source, by precedence: ApplicationSid, else
// Url, else Twiml (a Url makes Twilio ignore Twiml). The simulator models no Applications, so an
// ApplicationSid always answers 21218, and it does not fetch a Url: such a call has no words.

const { E164 } = require('./addresses');
const { readTwiml } = require('./twiml');
const { isAcceptableUrl, MAGIC_VALID_FROM } = require('./validate');
const { twilioError } = require('./wire-format');

const HTTP_METHODS = ['GET', 'POST'];
const MAX_TIMEOUT_SECONDS = 600;
const SEND_DIGITS = /^[0-9A-Dw#*]{1,32}$/;

/** Twilio's magic numbers for calls (test-credentials table), honoured for every account. */
const MAGIC_CALL_FROM = {
  '+15005550001': (from) =>
    twilioError(21212, `The 'From' number ${from} is not a valid phone number.`),
};
const MAGIC_CALL_TO = {
  '+15005550001': () => twilioError(21217, 'Phone number does not appear to be valid'),
  '+15005550002': () => twilioError(21214, "'To' phone number cannot be reached"),
  '+15005550003': (to) =>
    twilioError(
      21215,
      `Account not authorized to call ${to}. Perhaps you need to enable some international permissions: https://www.twilio.com/console/voice/calls/geo-permissions/low-risk`,
    ),
  '+15005550004': () => twilioError(21216, 'Call blocked by Twilio'),
};

function readCallForm(form) {
  return {
    to: form.get('To') ?? '',
    from: form.get('From') ?? '',
    url: form.get('Url') || null,
    twiml: form.get('Twiml') || null,
    applicationSid: form.get('ApplicationSid') || null,
    method: form.get('Method') || null,
    timeout: form.get('Timeout') || null,
    sendDigits: form.get('SendDigits') || null,
    statusCallback: form.get('StatusCallback') || null,
  };
}

/** `{error}`, or `{source}`: which instructions Twilio would run, and the words they say. */
function checkInstructions(req) {
  if (req.applicationSid) {
    // Well-formed or not, no Application exists here.
    return { error: twilioError(21218, `The ApplicationSid ${req.applicationSid} is invalid.`) };
  }
  if (req.url) {
    if (!isAcceptableUrl(req.url, { forbidUnderscoreHost: false })) {
      return { error: twilioError(21205, `Url is not a valid URL: ${req.url}`) };
    }
    return { source: { kind: 'url', spoken: null } };
  }
  if (req.twiml) {
    const read = readTwiml(req.twiml);
    return read.error ? { error: read.error } : { source: { kind: 'twiml', spoken: read.spoken } };
  }
  return {
    error: twilioError(
      21205,
      'Url parameter is required. For more information, see http://www.twilio.com/docs/api/twiml',
    ),
  };
}

function checkOptions(req) {
  if (req.method && !HTTP_METHODS.includes(req.method)) {
    return twilioError(21209, `Method must be GET or POST, not ${req.method}`);
  }
  if (req.timeout !== null) {
    const seconds = Number(req.timeout);
    if (!/^\d+$/.test(req.timeout) || seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
      return twilioError(21208, `Timeout must be 1-${MAX_TIMEOUT_SECONDS} seconds`);
    }
  }
  if (req.sendDigits && !SEND_DIGITS.test(req.sendDigits)) {
    return twilioError(21206, `SendDigits ${req.sendDigits} is not valid`);
  }
  return null;
}

function checkNumbers(req, account, registry) {
  if (!E164.test(req.to)) {
    return twilioError(21211, `The 'To' number ${req.to} is not a valid phone number.`);
  }
  if (!E164.test(req.from)) {
    return twilioError(21212, `The 'From' number ${req.from} is not a valid phone number.`);
  }
  if (MAGIC_CALL_FROM[req.from]) return MAGIC_CALL_FROM[req.from](req.from);
  if (MAGIC_CALL_TO[req.to]) return MAGIC_CALL_TO[req.to](req.to);
  const number = registry.findNumber(account, req.from);
  if (req.from !== MAGIC_VALID_FROM && !number?.capabilities.voice) {
    return twilioError(
      21210,
      `The source phone number provided, ${req.from}, is not yet verified for your account. You may only make calls from phone numbers that you've verified or purchased from Twilio.`,
    );
  }
  if (account.type === 'Trial' && !registry.isVerified(account, req.to)) {
    return twilioError(
      21219,
      `The number ${req.to} is unverified. Trial accounts may only make calls to verified numbers.`,
    );
  }
  return null;
}

/** `{error}` with Twilio's error body, or `{request}` with what the call will do. */
function validateCallRequest(form, account, registry) {
  const req = readCallForm(form);
  if (!req.to) return { error: twilioError(21201) };
  if (!req.from) return { error: twilioError(21213) };
  const instructions = checkInstructions(req);
  if (instructions.error) return { error: instructions.error };
  const error = checkOptions(req) ?? checkNumbers(req, account, registry);
  if (error) return { error };
  const number = registry.findNumber(account, req.from);
  return {
    request: {
      ...req,
      source: instructions.source.kind,
      spoken: instructions.source.spoken,
      phoneNumberSid: number?.sid ?? null,
    },
  };
}

module.exports = { validateCallRequest, MAGIC_CALL_FROM, MAGIC_CALL_TO };
