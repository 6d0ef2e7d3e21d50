'use strict';
// The Account and IncomingPhoneNumber resources as Twilio's JSON, field names from the OpenAPI
// schemas api.v2010.account and api.v2010.account.incoming_phone_number.

const { API_VERSION, rfc2822 } = require('./wire-format');

const PAGE_SIZE = 50;

function accountUri(account) {
  return `/${API_VERSION}/Accounts/${account.sid}`;
}

/** The Account, without `auth_token`: Twilio's schema has it, but a simulator must never echo a secret. */
function accountResource(account) {
  const base = accountUri(account);
  const sub = (name) => `${base}/${name}.json`;
  return {
    date_created: rfc2822(account.createdAt),
    date_updated: rfc2822(account.createdAt),
    friendly_name: account.friendlyName,
    owner_account_sid: account.sid,
    sid: account.sid,
    status: account.status,
    subresource_uris: {
      addresses: sub('Addresses'),
      applications: sub('Applications'),
      balance: sub('Balance'),
      calls: sub('Calls'),
      incoming_phone_numbers: sub('IncomingPhoneNumbers'),
      keys: sub('Keys'),
      messages: sub('Messages'),
      outgoing_caller_ids: sub('OutgoingCallerIds'),
      usage: sub('Usage'),
    },
    type: account.type,
    uri: `${base}.json`,
  };
}

/** A friendly name in Twilio's default style, e.g. `(500) 555-0006` for a +1 number. */
function defaultFriendlyName(phoneNumber) {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phoneNumber);
  return nanp ? `(${nanp[1]}) ${nanp[2]}-${nanp[3]}` : phoneNumber;
}

function incomingPhoneNumberResource(account, number) {
  const created = rfc2822(account.createdAt);
  return {
    account_sid: account.sid,
    address_sid: null,
    address_requirements: 'none',
    api_version: API_VERSION,
    beta: false,
    capabilities: { ...number.capabilities },
    date_created: created,
    date_updated: created,
    friendly_name: number.friendlyName ?? defaultFriendlyName(number.phoneNumber),
    identity_sid: null,
    phone_number: number.phoneNumber,
    origin: 'twilio',
    sid: number.sid,
    sms_application_sid: '',
    sms_fallback_method: 'POST',
    sms_fallback_url: '',
    sms_method: 'POST',
    sms_url: '',
    status_callback: '',
    status_callback_method: 'POST',
    trunk_sid: null,
    uri: `${accountUri(account)}/IncomingPhoneNumbers/${number.sid}.json`,
    voice_receive_mode: 'voice',
    voice_application_sid: null,
    voice_caller_id_lookup: false,
    voice_fallback_method: 'POST',
    voice_fallback_url: null,
    voice_method: 'POST',
    voice_url: null,
    emergency_status: 'Inactive',
    emergency_address_sid: null,
    emergency_address_status: 'unregistered',
    bundle_sid: null,
    status: 'in-use',
    type: 'local',
  };
}

/**
 * Twilio matches `PhoneNumber` as a pattern: a partial number matches every number containing
 * it and `*` is a wildcard. An exact E.164 number therefore matches only itself.
 */
function matchesPhoneFilter(phoneNumber, filter) {
  if (!filter) return true;
  const pattern = filter
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(pattern).test(phoneNumber);
}

/**
 * One page (always the only one: fixture lists are short) of the account's numbers. A number
 * the account does not own yields 200 with an empty list, never a 404.
 */
function incomingPhoneNumbersPage(account, phoneNumberFilter) {
  const numbers = account.numbers.filter((number) =>
    matchesPhoneFilter(number.phoneNumber, phoneNumberFilter),
  );
  const query = new URLSearchParams();
  if (phoneNumberFilter) query.set('PhoneNumber', phoneNumberFilter);
  query.set('PageSize', String(PAGE_SIZE));
  query.set('Page', '0');
  const uri = `${accountUri(account)}/IncomingPhoneNumbers.json?${query}`;
  return {
    first_page_uri: uri,
    // Twilio reports end = start + count - 1, and 0 rather than -1 for an empty page.
    end: Math.max(0, numbers.length - 1),
    previous_page_uri: null,
    incoming_phone_numbers: numbers.map((number) => incomingPhoneNumberResource(account, number)),
    uri,
    page_size: PAGE_SIZE,
    start: 0,
    next_page_uri: null,
    page: 0,
  };
}

module.exports = {
  accountResource,
  defaultFriendlyName,
  incomingPhoneNumbersPage,
  incomingPhoneNumberResource,
};
