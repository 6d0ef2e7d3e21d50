// Small helpers every check uses: settling a host call without trusting it to settle, random
// keys, and error descriptions that are safe to print.

const crypto = require('node:crypto');

/** Random hex, so that keys never collide with another run on a shared store. */
function randomId(bytes = 6) {
  return crypto.randomBytes(bytes).toString('hex');
}

/** Resolves after `ms`; the timer is not left behind when the promise is awaited. */
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Calls a host import and reports how it settled: `{status: 'fulfilled', value}`,
 * `{status: 'rejected', reason}` or, after `guardMs`, `{status: 'pending'}`. A synchronous throw
 * counts as a rejection. The guard timer is always cleared, so a kit run leaves no timer behind,
 * and a late rejection of a call we gave up on is still handled (no unhandled rejection).
 */
async function settle(call, guardMs) {
  const attempt = (async () => call())().then(
    (value) => ({ status: 'fulfilled', value }),
    (reason) => ({ status: 'rejected', reason }),
  );
  let timer;
  const guard = new Promise((resolve) => {
    timer = setTimeout(resolve, guardMs, { status: 'pending' });
  });
  try {
    return await Promise.race([attempt, guard]);
  } finally {
    clearTimeout(timer);
  }
}

/** Credentials in a URL (user:password@) are cut from anything the kit prints. */
function scrub(text) {
  return String(text).replace(/\/\/[^/\s@]*@/g, '//[userinfo]@');
}

/** One line describing a thrown value: its kind and message, shortened and scrubbed. */
function describeError(err) {
  if (!(err instanceof Error)) return `a non-Error (${typeof err})`;
  const kind = err.kind === undefined ? 'no kind' : `kind ${JSON.stringify(err.kind)}`;
  const message = String(err.message).replace(/\s+/g, ' ').slice(0, 160);
  return scrub(`${err.name} (${kind}): ${message}`);
}

/** One line describing how a settled call came out. */
function describeOutcome(outcome, guardMs) {
  if (outcome.status === 'pending') return `still pending after ${guardMs} ms`;
  if (outcome.status === 'rejected') return `rejected with ${describeError(outcome.reason)}`;
  const { value } = outcome;
  if (value && typeof value === 'object' && 'status' in value) {
    return `resolved with status ${value.status}`;
  }
  return `resolved with ${typeof value}`;
}

/** Thrown by a check to fail it; the message is the one-line reason. */
class CheckFailure extends Error {}

function fail(reason) {
  throw new CheckFailure(reason);
}

module.exports = {
  CheckFailure,
  randomId,
  sleep,
  settle,
  scrub,
  describeError,
  describeOutcome,
  fail,
};
