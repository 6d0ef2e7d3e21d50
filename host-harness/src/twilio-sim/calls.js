'use strict';
// The Call resource: the outbox entry kept for a placed call and its JSON exactly as Twilio's
// 2010-04-01 API returns it on create (field set from the OpenAPI schema api.v2010.account.call).
// A call stays `queued`: the simulator has no phone network to ring, so it plays no lifecycle
// and posts no status callbacks (Twilio's test credentials post none either).

const { defaultFriendlyName } = require('./account-resources');
const { API_VERSION, randomSid, rfc2822 } = require('./wire-format');

/** Sub-resources Twilio lists for a call, in the order of its OpenAPI example. */
const SUBRESOURCES = {
  notifications: 'Notifications',
  recordings: 'Recordings',
  payments: 'Payments',
  events: 'Events',
  siprec: 'Siprec',
  streams: 'Streams',
  transcriptions: 'Transcriptions',
  user_defined_message_subscriptions: 'UserDefinedMessageSubscriptions',
  user_defined_messages: 'UserDefinedMessages',
};

/**
 * The outbox entry: `body` is what the callee hears (the <Say> texts; null for a Url call,
 * which the simulator does not fetch), `twiml` the instructions as sent.
 */
function createCallEntry(request, account, nowMs) {
  const at = new Date(nowMs).toISOString();
  return {
    sid: randomSid('CA'),
    via: 'calls',
    channel: 'call',
    accountSid: account.sid,
    to: request.to,
    address: request.to,
    from: request.from,
    body: request.spoken,
    twiml: request.source === 'twiml' ? request.twiml : null,
    url: request.source === 'url' ? request.url : null,
    mediaUrls: [],
    status: 'queued',
    statusCallback: request.statusCallback,
    phoneNumberSid: request.phoneNumberSid,
    dateCreated: at,
    dateUpdated: at,
  };
}

/** The call as Twilio's JSON right after create. Prices stay null: the simulator charges nothing. */
function callResource(entry) {
  const uri = `/${API_VERSION}/Accounts/${entry.accountSid}/Calls/${entry.sid}`;
  const created = rfc2822(Date.parse(entry.dateCreated));
  return {
    sid: entry.sid,
    date_created: created,
    date_updated: created,
    parent_call_sid: null,
    account_sid: entry.accountSid,
    to: entry.to,
    to_formatted: defaultFriendlyName(entry.to),
    from: entry.from,
    from_formatted: defaultFriendlyName(entry.from),
    phone_number_sid: entry.phoneNumberSid,
    status: entry.status,
    start_time: null,
    end_time: null,
    duration: null,
    price: null,
    price_unit: 'USD',
    direction: 'outbound-api',
    answered_by: null,
    api_version: API_VERSION,
    forwarded_from: null,
    group_sid: null,
    caller_name: null,
    queue_time: '0',
    trunk_sid: null,
    uri: `${uri}.json`,
    subresource_uris: Object.fromEntries(
      Object.entries(SUBRESOURCES).map(([name, sub]) => [name, `${uri}/${sub}.json`]),
    ),
  };
}

module.exports = { createCallEntry, callResource };
