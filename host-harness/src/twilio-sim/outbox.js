'use strict';
// Every message the simulator accepted, oldest first: what a developer reads instead of a phone,
// and what tests assert on. Holds the internal message records; `list` returns public copies.

function toOutboxEntry(record) {
  return {
    sid: record.sid,
    accountSid: record.accountSid,
    to: record.to,
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

function createOutbox() {
  const records = [];

  return {
    add(record) {
      records.push(record);
    },
    /** Public copies, optionally only those sent to one E.164 number. */
    list({ to } = {}) {
      return records.filter((record) => !to || record.to === to).map(toOutboxEntry);
    },
    /** The live record, for the simulator's own updates; null when unknown. */
    findRecord(sid) {
      return records.find((record) => record.sid === sid) ?? null;
    },
    clear() {
      records.length = 0;
    },
    get size() {
      return records.length;
    },
  };
}

module.exports = { createOutbox, toOutboxEntry };
