'use strict';
// The accounts, API keys, phone numbers, messaging services, Verify services and content
// templates the simulator knows, and the credential check. The fixtures are exported so every test in the project uses the same ones.
// All secrets here are obviously fake and exist only for local testing.

const crypto = require('node:crypto');

/** The number Twilio's magic-number table says "passes all validation"; owned by the live fixtures. */
const SMS_NUMBER = '+15005550006';
/** Owned by the Full account but voice only: sending from it must fail with 21606. */
const VOICE_ONLY_NUMBER = '+15017122661';
/** The Trial account's verified caller ID: the only non-magic To a Trial account may text. */
const VERIFIED_NUMBER = '+15558675310';

const SMS_CAPABLE = Object.freeze({ voice: true, sms: true, mms: true, fax: false });
const VOICE_ONLY = Object.freeze({ voice: true, sms: false, mms: false, fax: false });

const FULL_ACCOUNT = Object.freeze({
  sid: 'AC00000000000000000000000000000000',
  authToken: 'test_auth_token_0000000000000000',
  friendlyName: 'Simulated Full Account',
  type: 'Full',
  status: 'active',
  testCredentials: false,
  numbers: Object.freeze([
    Object.freeze({ phoneNumber: SMS_NUMBER, capabilities: SMS_CAPABLE }),
    Object.freeze({ phoneNumber: VOICE_ONLY_NUMBER, capabilities: VOICE_ONLY }),
  ]),
  verifiedNumbers: Object.freeze([]),
  // Kept apart from `capabilities`: Twilio's IncomingPhoneNumber has no WhatsApp capability; a
  // WhatsApp sender is registered with Meta through Twilio's Senders API.
  whatsappSenders: Object.freeze([SMS_NUMBER]),
});

const TRIAL_ACCOUNT = Object.freeze({
  sid: 'AC11111111111111111111111111111111',
  authToken: 'trial_auth_token_111111111111111',
  friendlyName: 'Simulated Trial Account',
  type: 'Trial',
  status: 'active',
  testCredentials: false,
  numbers: Object.freeze([Object.freeze({ phoneNumber: SMS_NUMBER, capabilities: SMS_CAPABLE })]),
  verifiedNumbers: Object.freeze([VERIFIED_NUMBER]),
});

/** Twilio's test credentials: only POST Messages works, everything else answers 403 / 20008. */
const TEST_CREDENTIALS_ACCOUNT = Object.freeze({
  sid: 'AC22222222222222222222222222222222',
  authToken: 'test_credentials_token_22222222222',
  friendlyName: 'Simulated Test Credentials',
  type: 'Full',
  status: 'active',
  testCredentials: true,
  // Test credentials own no numbers; the magic From +15005550006 is what they send from.
  numbers: Object.freeze([]),
  verifiedNumbers: Object.freeze([]),
});

/** A suspended account: GET Account shows why, every other call answers 401 / 20003. */
const SUSPENDED_ACCOUNT = Object.freeze({
  sid: 'AC33333333333333333333333333333333',
  authToken: 'suspended_auth_token_33333333333',
  friendlyName: 'Simulated Suspended Account',
  type: 'Full',
  status: 'suspended',
  testCredentials: false,
  numbers: Object.freeze([Object.freeze({ phoneNumber: SMS_NUMBER, capabilities: SMS_CAPABLE })]),
  verifiedNumbers: Object.freeze([]),
});

const API_KEY = Object.freeze({
  sid: 'SK00000000000000000000000000000000',
  secret: 'test_api_key_secret_000000000000',
  accountSid: FULL_ACCOUNT.sid,
});

const MESSAGING_SERVICE = Object.freeze({
  sid: 'MG00000000000000000000000000000000',
  accountSid: FULL_ACCOUNT.sid,
  friendlyName: 'Simulated Messaging Service',
  senders: Object.freeze([SMS_NUMBER]),
});

/**
 * A Verify service as created in the Console with a name and the default settings, plus a
 * WhatsApp sender (Verify sends WhatsApp codes only from the customer's own sender).
 */
const VERIFY_SERVICE = Object.freeze({
  sid: 'VA00000000000000000000000000000000',
  accountSid: FULL_ACCOUNT.sid,
  friendlyName: 'Simulated Verify Service',
  codeLength: 6,
  whatsappFrom: SMS_NUMBER,
});

/** Meta's authentication template wording, as a Content API template with one variable. */
const AUTH_TEMPLATE = Object.freeze({
  sid: 'HX00000000000000000000000000000000',
  body: '*{{1}}* is your verification code. For your security, do not share this code.',
});

/** Fixed so that responses are reproducible; real Twilio reports when the account was opened. */
const FIXTURE_CREATED_AT = Date.parse('2023-08-24T05:01:45Z');

/** Deterministic SIDs for fixture resources, so a number keeps its PN... SID across restarts. */
function stableSid(prefix, ...parts) {
  const hex = crypto.createHash('sha256').update(parts.join('|')).digest('hex');
  return `${prefix}${hex.slice(0, 32)}`;
}

/** Compares secrets in constant time; hashing first makes the lengths equal. */
function secretsEqual(given, expected) {
  const a = crypto.createHash('sha256').update(String(given)).digest();
  const b = crypto.createHash('sha256').update(String(expected)).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Deep, mutable copy of an account so tests can change one simulator's state safely. */
function cloneAccount(account) {
  return {
    ...account,
    createdAt: account.createdAt ?? FIXTURE_CREATED_AT,
    numbers: (account.numbers || []).map((number) => ({
      ...number,
      capabilities: { ...SMS_CAPABLE, ...number.capabilities },
      sid: number.sid ?? stableSid('PN', account.sid, number.phoneNumber),
    })),
    verifiedNumbers: [...(account.verifiedNumbers || [])],
    whatsappSenders: [...(account.whatsappSenders || [])],
  };
}

/** Console defaults for what a fixture leaves out; `channels` are the enabled delivery channels. */
function cloneVerifyService(service) {
  return {
    codeLength: 6,
    lookupEnabled: true,
    customCodeEnabled: false,
    customFriendlyNameEnabled: false,
    whatsappFrom: null,
    channels: ['sms', 'call', 'whatsapp'],
    ...service,
    createdAt: service.createdAt ?? FIXTURE_CREATED_AT,
  };
}

/**
 * Builds the simulator's view of who exists. Every option replaces the matching default list
 * entirely, so a test states exactly the world it needs.
 */
function createAccountRegistry(options = {}) {
  const accountList = options.accounts ?? [
    FULL_ACCOUNT,
    TRIAL_ACCOUNT,
    TEST_CREDENTIALS_ACCOUNT,
    SUSPENDED_ACCOUNT,
  ];
  const accounts = new Map(accountList.map((account) => [account.sid, cloneAccount(account)]));
  const apiKeys = new Map((options.apiKeys ?? [API_KEY]).map((key) => [key.sid, { ...key }]));
  const services = new Map(
    (options.messagingServices ?? [MESSAGING_SERVICE]).map((service) => [
      service.sid,
      {
        ...service,
        createdAt: service.createdAt ?? FIXTURE_CREATED_AT,
        senders: [...service.senders],
      },
    ]),
  );
  const verifyServices = new Map(
    (options.verifyServices ?? [VERIFY_SERVICE]).map((service) => [
      service.sid,
      cloneVerifyService(service),
    ]),
  );
  const contentTemplates = new Map(
    (options.contentTemplates ?? [AUTH_TEMPLATE]).map((template) => [
      template.sid,
      { ...template },
    ]),
  );

  /** The account these Basic-auth credentials act for, or null. */
  function authenticate(username, password) {
    const account = accounts.get(username);
    if (account) return secretsEqual(password, account.authToken) ? account : null;
    const key = apiKeys.get(username);
    if (key && secretsEqual(password, key.secret)) return accounts.get(key.accountSid) ?? null;
    return null;
  }

  function findNumber(account, phoneNumber) {
    return account.numbers.find((number) => number.phoneNumber === phoneNumber) ?? null;
  }

  function findMessagingService(account, sid) {
    const service = services.get(sid);
    return service && service.accountSid === account.sid ? service : null;
  }

  /** Like a messaging service, another account's Verify service does not exist for this one. */
  function findVerifyService(account, sid) {
    const service = verifyServices.get(sid);
    return service && service.accountSid === account.sid ? service : null;
  }

  /** A template without `accountSid` is every account's, so tests need not repeat it. */
  function findContentTemplate(account, sid) {
    const template = contentTemplates.get(sid);
    if (!template) return null;
    return !template.accountSid || template.accountSid === account.sid ? template : null;
  }

  return {
    authenticate,
    get: (sid) => accounts.get(sid) ?? null,
    list: () => [...accounts.values()],
    findNumber,
    findMessagingService,
    findVerifyService,
    findContentTemplate,
    isVerified: (account, phoneNumber) => account.verifiedNumbers.includes(phoneNumber),
    isWhatsAppSender: (account, phoneNumber) => account.whatsappSenders.includes(phoneNumber),
  };
}

module.exports = {
  FULL_ACCOUNT,
  TRIAL_ACCOUNT,
  TEST_CREDENTIALS_ACCOUNT,
  SUSPENDED_ACCOUNT,
  API_KEY,
  MESSAGING_SERVICE,
  VERIFY_SERVICE,
  AUTH_TEMPLATE,
  SMS_NUMBER,
  VOICE_ONLY_NUMBER,
  VERIFIED_NUMBER,
  createAccountRegistry,
};
