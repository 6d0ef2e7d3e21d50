'use strict';
// Verify's resources as Twilio's JSON, with every property of the OpenAPI schemas
// verify.v2.service, verify.v2.service.verification and verify.v2.service.verification_check.
// Verify writes ISO 8601 dates without milliseconds and absolute URLs; pointed at the simulator,
// the URLs use the simulator's own origin.

const { iso8601 } = require('./wire-format');

/** Sub-resources Twilio links from a Verify service, in the order of its OpenAPI example. */
const SERVICE_LINKS = {
  verification_checks: 'VerificationCheck',
  verifications: 'Verifications',
  rate_limits: 'RateLimits',
  messaging_configurations: 'MessagingConfigurations',
  entities: 'Entities',
  webhooks: 'Webhooks',
  access_tokens: 'AccessTokens',
};

function serviceUrl(origin, serviceSid) {
  return `${origin}/v2/Services/${serviceSid}`;
}

/** The service with the values a Console-created service has for what the fixture leaves out. */
function verifyServiceResource(service, origin) {
  const url = serviceUrl(origin, service.sid);
  const created = iso8601(service.createdAt);
  return {
    sid: service.sid,
    account_sid: service.accountSid,
    friendly_name: service.friendlyName,
    code_length: service.codeLength,
    lookup_enabled: service.lookupEnabled,
    psd2_enabled: false,
    skip_sms_to_landlines: false,
    dtmf_input_required: false,
    tts_name: null,
    do_not_share_warning_enabled: false,
    custom_code_enabled: service.customCodeEnabled,
    push: { include_date: false, apn_credential_sid: null, fcm_credential_sid: null },
    totp: { issuer: service.friendlyName, time_step: 30, code_length: 6, skew: 1 },
    default_template_sid: null,
    whatsapp: { msg_service_sid: null, from: service.whatsappFrom },
    passkeys: {
      relying_party: { id: null, name: null, origins: null },
      authenticator_attachment: null,
      discoverable_credentials: null,
      user_verification: null,
    },
    verify_event_subscription_enabled: false,
    date_created: created,
    date_updated: created,
    url,
    links: Object.fromEntries(
      Object.entries(SERVICE_LINKS).map(([name, sub]) => [name, `${url}/${sub}`]),
    ),
  };
}

/** What a carrier lookup says about the number (a service with lookup off shows `{}`). */
function lookupOf(service, landline) {
  if (!service.lookupEnabled) return {};
  const carrier = landline
    ? {
        mobile_country_code: null,
        mobile_network_code: null,
        name: 'Simulated Landline',
        type: 'landline',
      }
    : {
        mobile_country_code: '310',
        mobile_network_code: '000',
        name: 'Simulated Mobile',
        type: 'mobile',
      };
  return { carrier: { ...carrier, error_code: null } };
}

/** The members a verification and a check of it share, in Twilio's order. */
function verificationBasics(verification) {
  return {
    sid: verification.sid,
    service_sid: verification.serviceSid,
    account_sid: verification.accountSid,
    to: verification.to,
    channel: verification.channel,
    status: verification.status,
    valid: verification.status === 'approved',
  };
}

function verificationResource(verification, service, origin, { landline = false } = {}) {
  return {
    ...verificationBasics(verification),
    lookup: lookupOf(service, landline),
    amount: null,
    payee: null,
    send_code_attempts: verification.attempts.map((attempt) => ({
      attempt_sid: attempt.attemptSid,
      channel: attempt.channel,
      time: iso8601(attempt.at),
    })),
    date_created: iso8601(verification.createdAt),
    date_updated: iso8601(verification.updatedAt),
    sna: null,
    url: `${serviceUrl(origin, verification.serviceSid)}/Verifications/${verification.sid}`,
  };
}

function verificationCheckResource(verification) {
  return {
    ...verificationBasics(verification),
    amount: null,
    payee: null,
    date_created: iso8601(verification.createdAt),
    date_updated: iso8601(verification.updatedAt),
    sna_attempts_error_codes: [],
  };
}

module.exports = { verifyServiceResource, verificationResource, verificationCheckResource };
