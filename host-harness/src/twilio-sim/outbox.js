'use strict';
// Everything the simulator delivered, oldest first: what a developer reads instead of a phone,
// and what tests assert on. Three kinds of entry, told apart by `via`: `messages` (the Messages
// API; the live record, whose status moves on), `verify` (one per code Verify sent) and `calls`
// (one per call placed). Every entry has `to` as the bare E.164 number and `address` as the
// party's address on its channel (`whatsapp:+1...` for WhatsApp), so `?to=` finds them all.

const { bareNumber } = require('./addresses');

function messageEntry(record) {
  return {
    sid: record.sid,
    via: 'messages',
    channel: record.channel,
    accountSid: record.accountSid,
    to: bareNumber(record.to),
    address: record.to,
    from: record.sender,
    messagingServiceSid: record.messagingServiceSid,
    body: record.body,
    mediaUrls: [...record.mediaUrls],
    status: record.status,
    errorCode: record.errorCode,
    statusCallback: record.statusCallback,
    numSegments: record.numSegments,
    dateCreated: new Date(record.createdAt).toISOString(),
    dateUpdated: new Date(record.updatedAt).toISOString(),
  };
}

/** The public copy of any stored item; Verify and call entries are stored in public form. */
function toOutboxEntry(item) {
  if (item.via === 'messages') return messageEntry(item);
  return { ...item, mediaUrls: [...item.mediaUrls] };
}

/**
 * @param {object} [options]
 * @param {(entry: object) => void} [options.onEntry] told of each new entry (a listener that
 *   throws is logged, never allowed to fail the request that delivered it)
 * @param {(level: string, message: string, fields?: object) => void} [options.log]
 */
function createOutbox({ onEntry, log } = {}) {
  const items = [];

  return {
    /** Stores a message record or a Verify / call entry (`via` says which). */
    add(item) {
      items.push(item);
      try {
        onEntry?.(toOutboxEntry(item));
      } catch (err) {
        log?.('warn', 'onMessage listener threw', { sid: item.sid, error: err.message });
      }
    },
    /** Public copies, optionally only those to one number (bare, or a `whatsapp:` address). */
    list({ to } = {}) {
      return items
        .map(toOutboxEntry)
        .filter((entry) => !to || entry.to === to || entry.address === to);
    },
    /** The live message record, for the simulator's own updates; null when unknown. */
    findRecord(sid) {
      return items.find((item) => item.via === 'messages' && item.sid === sid) ?? null;
    },
    clear() {
      items.length = 0;
    },
    get size() {
      return items.length;
    },
  };
}

module.exports = { createOutbox, toOutboxEntry };
