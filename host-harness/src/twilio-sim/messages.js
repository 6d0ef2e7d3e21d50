'use strict';
// The Message resource: the record kept for an accepted message and its JSON exactly as Twilio's
// 2010-04-01 API returns it (field set from the OpenAPI schema api.v2010.account.message).

const { addressChannel, addressOn } = require('./addresses');
const { countSegments } = require('./segments');
const { API_VERSION, randomSid, rfc2822 } = require('./wire-format');

/** Descriptions Twilio gives for the delivery error codes the simulator produces. */
const DELIVERY_ERROR_MESSAGES = {
  30003: 'Unreachable destination handset',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
  30008: 'Unknown error',
};

/**
 * A new record for a validated request. With a Messaging Service Twilio answers `accepted` and
 * picks the sender later; the simulator picks the service's first sender now (kept in `sender`,
 * as a WhatsApp address when the To is one) but shows `from: null` until the message is sent,
 * as Twilio does. WhatsApp has no segments: Twilio reports one.
 */
function createMessageRecord(request, account, service, nowMs) {
  const hasMedia = request.mediaUrls.length > 0;
  const addressKind = addressChannel(request.to);
  const serviceSender = service?.senders[0] ? addressOn(addressKind, service.senders[0]) : null;
  return {
    sid: randomSid(hasMedia ? 'MM' : 'SM'),
    via: 'messages',
    channel: addressKind === 'whatsapp' ? 'whatsapp' : hasMedia ? 'mms' : 'sms',
    accountSid: account.sid,
    to: request.to,
    requestedFrom: request.from,
    sender: request.from ?? serviceSender,
    messagingServiceSid: request.messagingServiceSid,
    body: request.body,
    mediaUrls: [...request.mediaUrls],
    statusCallback: request.statusCallback,
    status: request.messagingServiceSid ? 'accepted' : 'queued',
    errorCode: null,
    numSegments: addressKind === 'whatsapp' ? 1 : countSegments(request.body),
    createdAt: nowMs,
    updatedAt: nowMs,
    sentAt: null,
  };
}

/** Moves a record to a new status; the first non-queue status marks it sent. */
function applyStatus(record, status, errorCode, nowMs) {
  record.status = status;
  record.errorCode = errorCode ?? null;
  record.updatedAt = nowMs;
  if (status === 'sent' && record.sentAt === null) record.sentAt = nowMs;
}

function isAwaitingSender(record) {
  return record.requestedFrom === null && record.status === 'accepted';
}

function messageUri(record) {
  return `/${API_VERSION}/Accounts/${record.accountSid}/Messages/${record.sid}`;
}

/** The message as Twilio's JSON. Prices stay null: the simulator charges nothing. */
function messageResource(record) {
  const awaitingSender = isAwaitingSender(record);
  return {
    body: record.body,
    // Twilio reports "0" segments for a Messaging Service message until a sender is assigned.
    num_segments: awaitingSender ? '0' : String(record.numSegments),
    direction: 'outbound-api',
    from: awaitingSender ? null : record.sender,
    to: record.to,
    date_updated: rfc2822(record.updatedAt),
    price: null,
    error_message: record.errorCode ? (DELIVERY_ERROR_MESSAGES[record.errorCode] ?? null) : null,
    uri: `${messageUri(record)}.json`,
    account_sid: record.accountSid,
    num_media: String(record.mediaUrls.length),
    status: record.status,
    messaging_service_sid: record.messagingServiceSid,
    sid: record.sid,
    date_sent: record.sentAt === null ? null : rfc2822(record.sentAt),
    date_created: rfc2822(record.createdAt),
    error_code: record.errorCode,
    price_unit: 'USD',
    api_version: API_VERSION,
    subresource_uris: { media: `${messageUri(record)}/Media.json` },
  };
}

module.exports = { createMessageRecord, applyStatus, messageResource };
