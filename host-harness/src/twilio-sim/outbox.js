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
  // Indexes, so that a lookup costs what it finds, not everything ever sent: entries by bare
  // number (`?to=` either form) and message records by sid.
  const byNumber = new Map();
  const recordsBySid = new Map();
  /** A stored item's bare number (records keep the address in `to`, other entries the number). */
  const numberOf = (item) => bareNumber(item.to);

  return {
    /** Stores a message record or a Verify / call entry (`via` says which). */
    add(item) {
      items.push(item);
      const number = numberOf(item);
      if (!byNumber.has(number)) byNumber.set(number, []);
      byNumber.get(number).push(item);
      if (item.via === 'messages') recordsBySid.set(item.sid, item);
      try {
        onEntry?.(toOutboxEntry(item));
      } catch (err) {
        log?.('warn', 'onMessage listener threw', { sid: item.sid, error: err.message });
      }
    },
    /** Public copies, optionally only those to one number (bare, or a `whatsapp:` address). */
    list({ to } = {}) {
      if (!to) return items.map(toOutboxEntry);
      return (byNumber.get(bareNumber(to)) ?? [])
        .map(toOutboxEntry)
        .filter((entry) => entry.to === to || entry.address === to);
    },
    /** The live message record, for the simulator's own updates; null when unknown. */
    findRecord(sid) {
      return recordsBySid.get(sid) ?? null;
    },
    clear() {
      items.length = 0;
      byNumber.clear();
      recordsBySid.clear();
    },
    get size() {
      return items.length;
    },
  };
}

module.exports = { createOutbox, toOutboxEntry };
