'use strict';
// Status callbacks: the signed, form-encoded POSTs Twilio makes to a message's StatusCallback
// URL, and a record of every attempt so tests and developers can see what was sent and how the
// receiver answered. A receiver that is down is logged, never fatal.

const { computeSignature } = require('../twilio-signature');
const { API_VERSION } = require('./wire-format');

const CALLBACK_TIMEOUT_MS = 5000;

/** The parameters Twilio posts for a message status change. */
function statusCallbackParams(record) {
  const params = {
    MessageSid: record.sid,
    SmsSid: record.sid,
    SmsStatus: record.status,
    MessageStatus: record.status,
    AccountSid: record.accountSid,
    From: record.sender ?? '',
    To: record.to,
    ApiVersion: API_VERSION,
  };
  if (record.messagingServiceSid) params.MessagingServiceSid = record.messagingServiceSid;
  if (record.errorCode !== null) params.ErrorCode = String(record.errorCode);
  return params;
}

/**
 * Twilio supports `https://user:pass@host/...` callback URLs. fetch refuses URLs with
 * credentials, so they travel in a Basic header; the signature still covers the URL as given.
 */
function splitCredentials(url) {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return { target: url, authorization: null };
  const user = decodeURIComponent(parsed.username);
  const pass = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  const token = Buffer.from(`${user}:${pass}`).toString('base64');
  return { target: parsed.toString(), authorization: `Basic ${token}` };
}

/** The URL without any credentials, for logs and the attempt record. */
function redactUrl(url) {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = 'redacted';
    return parsed.toString();
  } catch {
    return '[unparseable url]';
  }
}

function createCallbackSender({ log, timeoutMs = CALLBACK_TIMEOUT_MS }) {
  const attempts = [];

  /**
   * Posts the record's current status, signed with the owning account's Auth Token (Twilio
   * signs with the Auth Token even when the message was created with an API key).
   */
  async function postStatus(record, account) {
    const url = record.statusCallback;
    const params = statusCallbackParams(record);
    const attempt = {
      messageSid: record.sid,
      url: redactUrl(url),
      status: record.status,
      params,
      signature: computeSignature(account.authToken, url, params),
      responseStatus: null,
      error: null,
      at: new Date().toISOString(),
    };
    attempts.push(attempt);
    try {
      const { target, authorization } = splitCredentials(url);
      const headers = {
        'Content-Type': 'application/x-www-form-urlencoded',
        'User-Agent': 'TwilioProxy/1.1',
        'X-Twilio-Signature': attempt.signature,
      };
      if (authorization) headers.Authorization = authorization;
      const response = await fetch(target, {
        method: 'POST',
        headers,
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(timeoutMs),
      });
      attempt.responseStatus = response.status;
      await response.arrayBuffer();
      if (!response.ok) {
        log('warn', 'status callback answered with an error status', {
          messageSid: record.sid,
          url: attempt.url,
          status: response.status,
        });
      }
    } catch (err) {
      attempt.error = err.cause?.code ?? err.name ?? 'Error';
      log('warn', 'status callback failed', {
        messageSid: record.sid,
        url: attempt.url,
        error: attempt.error,
      });
    }
  }

  return {
    postStatus,
    list: ({ messageSid } = {}) =>
      attempts
        .filter((attempt) => !messageSid || attempt.messageSid === messageSid)
        .map((attempt) => ({ ...attempt, params: { ...attempt.params } })),
    clear: () => {
      attempts.length = 0;
    },
  };
}

module.exports = { createCallbackSender, statusCallbackParams };
