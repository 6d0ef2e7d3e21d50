'use strict';
// Pending Verify verifications and Verify's own rules for them:
// - one pending verification per number and service: starting another for the same To reuses
//   it (same sid, same code), adds a send attempt, and may switch the channel;
// - at most 5 send attempts: the 6th start answers 60203 (429) and sends nothing;
// - a verification lives 10 minutes from its creation (resends do not extend it), then it is
//   gone: checks and fetches answer 404;
// - at most 5 wrong checks: the 6th check, right or wrong, answers 60202 (429) and ends it;
// - a right code approves it, and it is gone: a second check answers 404.
// Time comes from the simulator's clock (`now`), so tests can move it.

const crypto = require('node:crypto');

const { randomSid, twilioError } = require('./wire-format');

const VERIFICATION_TTL_MS = 10 * 60 * 1000;
const MAX_SEND_ATTEMPTS = 5;
const MAX_WRONG_CHECKS = 5;

/** A code of `length` digits from the CSPRNG, leading zeros allowed, as Verify's are. */
function randomCode(length) {
  let code = '';
  for (let i = 0; i < length; i += 1) code += String(crypto.randomInt(10));
  return code;
}

function createVerificationStore() {
  const verifications = new Map();

  /** The verification if it is still alive at `nowMs`; an expired one is dropped. */
  function alive(verification, nowMs) {
    if (!verification) return null;
    if (nowMs >= verification.createdAt + VERIFICATION_TTL_MS) {
      verifications.delete(verification.sid);
      return null;
    }
    return verification;
  }

  function pendingFor(service, to, nowMs) {
    for (const verification of verifications.values()) {
      if (verification.serviceSid === service.sid && verification.to === to) {
        return alive(verification, nowMs);
      }
    }
    return null;
  }

  /**
   * Starts (or resumes) the verification for a validated request: `{error}`, or
   * `{verification, attempt}` with the send attempt just made.
   */
  function start(service, request, nowMs) {
    let verification = pendingFor(service, request.to, nowMs);
    if (verification && verification.attempts.length >= MAX_SEND_ATTEMPTS) {
      return { error: twilioError(60203) };
    }
    if (!verification) {
      verification = {
        sid: randomSid('VE'),
        serviceSid: service.sid,
        accountSid: service.accountSid,
        to: request.to,
        code: request.customCode ?? randomCode(service.codeLength),
        status: 'pending',
        channel: request.channel,
        attempts: [],
        wrongChecks: 0,
        createdAt: nowMs,
        updatedAt: nowMs,
      };
      verifications.set(verification.sid, verification);
    }
    const attempt = { attemptSid: randomSid('VL'), channel: request.channel, at: nowMs };
    verification.attempts.push(attempt);
    verification.channel = request.channel;
    verification.updatedAt = nowMs;
    return { verification, attempt };
  }

  /** The live verification `sid` of `service`, or null. */
  function find(service, sid, nowMs) {
    const verification = alive(verifications.get(sid), nowMs);
    return verification?.serviceSid === service.sid ? verification : null;
  }

  /**
   * Checks a code: null when there is no live verification to check (404), `{error}` when the
   * checks ran out, else `{verification}` approved or still pending. The attempt is counted
   * before the code is compared, so the limit holds whatever the code.
   */
  function check(service, { to, verificationSid, code }, nowMs) {
    const verification = verificationSid
      ? find(service, verificationSid, nowMs)
      : pendingFor(service, to, nowMs);
    if (!verification || (to && verification.to !== to)) return null;
    if (verification.wrongChecks >= MAX_WRONG_CHECKS) {
      verifications.delete(verification.sid);
      return { error: twilioError(60202) };
    }
    verification.updatedAt = nowMs;
    if (code !== verification.code) {
      verification.wrongChecks += 1;
      return { verification: { ...verification } };
    }
    verifications.delete(verification.sid);
    return { verification: { ...verification, status: 'approved' } };
  }

  return { start, find, check, clear: () => verifications.clear() };
}

module.exports = {
  createVerificationStore,
  VERIFICATION_TTL_MS,
  MAX_SEND_ATTEMPTS,
  MAX_WRONG_CHECKS,
};
