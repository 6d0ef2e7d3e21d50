// Closed-loop load: `concurrency` workers, each starting its next iteration as soon as the last
// one ended, until the deadline. An iteration in flight at the deadline is finished and counted,
// and the window ends when the last one does, so the rate and the CPU figures cover the same
// span.

const { performance } = require('node:perf_hooks');

/** Codes of the send policy's refusals (README, "Errors"): a limit the bench did not raise. */
const POLICY_REFUSALS = new Set(['RATE_LIMITED', 'SMS_BUDGET_EXCEEDED', 'COUNTRY_NOT_ALLOWED']);

/**
 * What a non-200 answer was: `refused` for the send policy (label with the limit), `failed`
 * for anything else (label with status and code).
 */
function classify(step, answer) {
  const code = answer.body?.code;
  const limit = answer.body?.details?.limit;
  if (POLICY_REFUSALS.has(code)) {
    return {
      kind: 'refused',
      label: `${step}: ${answer.status} ${code}${limit ? ` ${limit}` : ''}`,
    };
  }
  return { kind: 'failed', label: `${step}: ${answer.status} ${code ?? answer.text.slice(0, 80)}` };
}

function newTally() {
  return { ok: 0, refused: {}, failed: {}, latenciesMs: [] };
}

function count(bucket, label) {
  bucket[label] = (bucket[label] ?? 0) + 1;
}

/**
 * Runs `iteration()` (resolving `{ok: true}` or `{kind, label}`; a throw counts as failed) for
 * `seconds`, or until `signal` aborts. Answers the tally and the window's length in ms.
 */
async function runLoad({ seconds, concurrency, iteration, signal }) {
  const tally = newTally();
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline && !signal?.aborted) {
      const begun = performance.now();
      let outcome;
      try {
        outcome = await iteration();
      } catch (err) {
        outcome = { kind: 'failed', label: `error: ${err.code ?? err.message}` };
      }
      if (outcome.ok) {
        tally.ok += 1;
        tally.latenciesMs.push(performance.now() - begun);
      } else count(tally[outcome.kind], outcome.label);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { tally, elapsedMs: performance.now() - started };
}

function percentile(values, p) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const sumOf = (bucket) => Object.values(bucket).reduce((a, b) => a + b, 0);

module.exports = { runLoad, classify, percentile, sumOf };
