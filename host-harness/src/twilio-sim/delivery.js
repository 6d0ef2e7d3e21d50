'use strict';
// What happens to an accepted message afterwards: it moves through Twilio's statuses a short
// interval apart, whether or not anyone listens, and each change is posted to its StatusCallback.
// Which To numbers fail, and how, is configurable; the defaults extend Twilio's magic numbers.

const { bareNumber } = require('./addresses');
const { applyStatus } = require('./messages');

/**
 * Default delivery outcomes by To number. Twilio has no magic numbers for asynchronous failures,
 * so these pick unused +1500555 numbers:
 * - 0010: handset unreachable: sent, then undelivered 30003;
 * - 0011: carrier filtering: sent, then undelivered 30007 (Twilio reports filtering as undelivered);
 * - 0012: never left Twilio: failed 30008 with no `sent` first, since Twilio documents `failed`
 *   as "could not be sent".
 */
const DEFAULT_DELIVERY_OUTCOMES = Object.freeze({
  '+15005550010': Object.freeze({ status: 'undelivered', errorCode: 30003 }),
  '+15005550011': Object.freeze({ status: 'undelivered', errorCode: 30007 }),
  '+15005550012': Object.freeze({ status: 'failed', errorCode: 30008 }),
});

/** The statuses a message to `to` passes through after creation, in order. */
function statusSequence(to, outcomes) {
  // Outcomes are per number, whatever the channel: `whatsapp:+1500...` fails as `+1500...` does.
  const outcome = outcomes[bareNumber(to)];
  if (!outcome) return [{ status: 'sent' }, { status: 'delivered' }];
  const failure = { status: outcome.status, errorCode: outcome.errorCode };
  return outcome.status === 'failed' ? [failure] : [{ status: 'sent' }, failure];
}

/**
 * @param {object} deps
 * @param {ReturnType<import('./callbacks').createCallbackSender>} deps.callbacks
 * @param {ReturnType<import('./timers').createTimers>} deps.timers
 * @param {number} deps.delayMs pause before each status change
 * @param {Record<string, {status: string, errorCode: number}>} deps.outcomes
 * @param {() => number} deps.now
 */
function createDelivery({ callbacks, timers, delayMs, outcomes, now, log }) {
  const inFlight = new Set();

  async function run(record, account) {
    for (const step of statusSequence(record.to, outcomes)) {
      if (!(await timers.sleep(delayMs))) return;
      applyStatus(record, step.status, step.errorCode, now());
      // Awaited one at a time so the receiver sees the updates in order, as from Twilio.
      if (record.statusCallback) await callbacks.postStatus(record, account);
    }
  }

  /** Starts the lifecycle in the background; errors are logged, never thrown. */
  function schedule(record, account) {
    const job = run(record, account)
      .catch((err) =>
        log('error', 'message delivery failed', { sid: record.sid, error: err.message }),
      )
      .finally(() => inFlight.delete(job));
    inFlight.add(job);
  }

  /** Resolves once every scheduled lifecycle has finished or been cancelled. */
  function settled() {
    return Promise.all([...inFlight]);
  }

  return { schedule, settled };
}

module.exports = { createDelivery, statusSequence, DEFAULT_DELIVERY_OUTCOMES };
