'use strict';
// Fault injection: a queue of rules, each applying to the next `count` Twilio API requests.
// A rule can add latency, answer with a Twilio error, or drop the connection with no answer,
// which is how a client's retry, timeout and "maybe sent twice" handling gets exercised.

const { twilioError, codeForStatus, STATUS_BY_CODE } = require('./wire-format');
const { sendTwilioError } = require('./http-io');

const MAX_DELAY_MS = 120000;

function isInteger(value, min, max) {
  return Number.isInteger(value) && value >= min && value <= max;
}

/** `{rule}` from the admin JSON, or `{error}` naming what is wrong with it. */
function parseFaultRule(input) {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    return { error: 'fault must be a JSON object' };
  }
  const { count = 1, status, code, message, delayMs, drop } = input;
  if (!isInteger(count, 1, 1e6)) return { error: 'count must be a positive integer' };
  if (status !== undefined && !isInteger(status, 400, 599)) {
    return { error: 'status must be an HTTP error status (400-599)' };
  }
  if (code !== undefined && !isInteger(code, 1, 99999)) return { error: 'code must be an integer' };
  if (message !== undefined && typeof message !== 'string') {
    return { error: 'message must be a string' };
  }
  if (
    delayMs !== undefined &&
    !(Number.isFinite(delayMs) && delayMs >= 0 && delayMs <= MAX_DELAY_MS)
  ) {
    return { error: `delayMs must be between 0 and ${MAX_DELAY_MS}` };
  }
  if (drop !== undefined && typeof drop !== 'boolean') return { error: 'drop must be a boolean' };
  const answers = status !== undefined || code !== undefined;
  if (!answers && !drop && delayMs === undefined) {
    return { error: 'a fault needs status, code, delayMs or drop' };
  }
  const rule = { remaining: count, delayMs: delayMs ?? 0, drop: drop === true, error: null };
  if (answers && !rule.drop) {
    const finalCode = code ?? codeForStatus(status);
    rule.error = twilioError(finalCode, message, status ?? STATUS_BY_CODE[finalCode] ?? 500);
  }
  return { rule };
}

function createFaultQueue() {
  const rules = [];

  return {
    add(rule) {
      rules.push(rule);
    },
    /** The rule for the next request (consuming one of its uses), or null. */
    take() {
      const rule = rules[0];
      if (!rule) return null;
      rule.remaining -= 1;
      if (rule.remaining === 0) rules.shift();
      return rule;
    },
    list: () => rules.map((rule) => ({ ...rule })),
    clear() {
      rules.length = 0;
    },
  };
}

/**
 * Applies a rule to a request. Returns true when the fault answered (or dropped) the request,
 * false when only latency was injected and normal handling should go on.
 */
async function applyFault(rule, req, res, sleep) {
  if (rule.delayMs > 0 && !(await sleep(rule.delayMs))) {
    req.socket.destroy();
    return true;
  }
  if (rule.drop) {
    req.socket.destroy();
    return true;
  }
  if (rule.error) {
    sendTwilioError(res, rule.error);
    return true;
  }
  return false;
}

module.exports = { parseFaultRule, createFaultQueue, applyFault };
