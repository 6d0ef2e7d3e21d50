'use strict';
// Validation of Verify's two write requests, Verification create and VerificationCheck, in the
// order Verify reports problems: each parameter in turn (60200 names it), what the service
// allows, then the magic test numbers. Each failure is a Twilio error body. Form parameters the
// simulator does not read (Amount, Payee, TemplateSid, Tags, ...) are ignored, as Verify
// ignores names it does not know.

const { E164 } = require('./addresses');
const { supportedLocale } = require('./verify-texts');
const { twilioError } = require('./wire-format');

/** The channels the simulator delivers; email, sna and auto answer 60200 like a typo would. */
const VERIFY_CHANNELS = Object.freeze(['sms', 'call', 'whatsapp']);
const RISK_CHECKS = ['enable', 'disable'];
const CUSTOM_CODE = /^[A-Za-z0-9]{4,10}$/;
const VERIFICATION_SID = /^VE[0-9a-fA-F]{32}$/;

function invalidParameter(name, value) {
  const suffix = value === undefined ? '' : `: ${value}`;
  return twilioError(60200, `Invalid parameter \`${name}\`${suffix}`);
}

/**
 * Magic To numbers for Verify, honoured for every account (Verify has no test credentials).
 * `channels`: where the number fails; `bypassedByRiskCheck`: `RiskCheck=disable` lets it
 * through, as it lets through what Fraud Guard holds back. Landlines are reported as such in
 * the verification's `lookup`.
 */
const VERIFY_MAGIC_TO = Object.freeze({
  '+15005550001': { channels: VERIFY_CHANNELS, error: (to) => invalidParameter('To', to) },
  '+15005550003': { channels: VERIFY_CHANNELS, error: () => twilioError(60605) },
  '+15005550009': { channels: ['sms'], error: () => twilioError(60205), landline: true },
  '+15005550010': { channels: ['sms'], error: () => twilioError(60410), bypassedByRiskCheck: true },
});

function checkMagicTo(request) {
  const magic = VERIFY_MAGIC_TO[request.to];
  if (!magic?.channels.includes(request.channel)) return null;
  if (magic.bypassedByRiskCheck && request.riskCheck === 'disable') return null;
  return magic.error(request.to);
}

function checkService(request, service) {
  if (request.customCode && !service.customCodeEnabled) return twilioError(60204);
  // A name per request is a feature Twilio enables for an account on request.
  if (request.customFriendlyName && !service.customFriendlyNameEnabled) return twilioError(60204);
  if (request.appHash && request.channel !== 'sms') return twilioError(60602);
  if (!service.channels.includes(request.channel)) return twilioError(60223);
  if (request.channel === 'whatsapp' && !service.whatsappFrom) return twilioError(68008);
  return null;
}

/** `{error}` with Twilio's error body, or `{request}` with what to send. */
function validateVerificationRequest(form, service) {
  const request = {
    to: form.get('To') ?? '',
    channel: form.get('Channel') ?? '',
    locale: null,
    customFriendlyName: form.get('CustomFriendlyName') || null,
    customCode: form.get('CustomCode') || null,
    appHash: form.get('AppHash') || null,
    riskCheck: form.get('RiskCheck') ?? null,
  };
  if (!E164.test(request.to)) return { error: invalidParameter('To', request.to) };
  if (!VERIFY_CHANNELS.includes(request.channel)) {
    return { error: invalidParameter('Channel', request.channel) };
  }
  const locale = form.get('Locale');
  if (locale !== null) {
    request.locale = supportedLocale(locale);
    if (!request.locale) return { error: invalidParameter('Locale') };
  }
  // A service without custom codes refuses any (60204, below) before looking at its form.
  if (service.customCodeEnabled && request.customCode && !CUSTOM_CODE.test(request.customCode)) {
    return { error: invalidParameter('CustomCode') };
  }
  if (request.riskCheck !== null && !RISK_CHECKS.includes(request.riskCheck)) {
    return { error: invalidParameter('RiskCheck') };
  }
  const error = checkService(request, service) ?? checkMagicTo(request);
  return error ? { error } : { request };
}

/** `{error}`, or `{request}` naming the verification (by sid, else by To) and the code. */
function validateCheckRequest(form) {
  const code = form.get('Code');
  if (!code) return { error: invalidParameter('Code') };
  const to = form.get('To') || null;
  const verificationSid = form.get('VerificationSid') || null;
  if (!to && !verificationSid) {
    return {
      error: twilioError(60200, "Either a 'To' number or 'VerificationSid' must be specified"),
    };
  }
  if (verificationSid && !VERIFICATION_SID.test(verificationSid)) {
    return { error: invalidParameter('VerificationSid', verificationSid) };
  }
  return { request: { code, to, verificationSid } };
}

module.exports = {
  validateVerificationRequest,
  validateCheckRequest,
  VERIFY_CHANNELS,
  VERIFY_MAGIC_TO,
};
