#!/usr/bin/env node
// The host conformance kit: checks that a host's implementation of the plugin's imports (the
// PluginHost object given to `TwilioPlugin.create(config, host)`, see
// pkg/twilio_baas_plugin.d.ts) keeps the guarantees the plugin relies on.
//
//   cd host-harness && npm run conformance -- ./path/to/my-host.js
//
// Relative paths are taken from the folder npm was run in (INIT_CWD), or from the current folder
// when run as `node conformance/run.js <path>`; absolute paths work from anywhere.
//
// The module's contract (CommonJS or ESM):
//   exports `async function createHost({ allowedOrigins, deadlineMs })` (also accepted:
//   `module.exports = createHost`, `module.exports.createHost`, or an ESM default export),
//   resolving to `{ host, close? }`:
//   - `host` is a PluginHost: http, storageGet, storagePut, storageTake, storageIncr, now, log,
//     findUser;
//   - its http may call exactly the origins in `allowedOrigins` (the kit's own local servers,
//     http://127.0.0.1:<port>), and caps every request's timeout at `deadlineMs`;
//   - its storage starts empty, or at least holds none of the kit's keys (they are random,
//     `conformance-<hex>:...`, and each has a TTL of at most 60 s, so a shared store is fine);
//   - `close()`, if given, releases whatever createHost opened; the kit calls it once at the end.
//   The kit calls createHost twice, as a runtime runs two processes or workers of one app: both
//   instances must share one store (a take on one sees a put on the other), since that is what
//   the plugin's guarantees need when several instances serve one app.
//
// Prints one line per check (ok / not ok, with a one-line reason) and exits 1 if any failed.

const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

const httpChecks = require('./checks/http');
const logAndClockChecks = require('./checks/log-and-clock');
const { startServers } = require('./checks/servers');
const shapeChecks = require('./checks/shape');
const storageChecks = require('./checks/storage');
const { CheckFailure, describeError, describeOutcome, randomId, settle } = require('./checks/util');

const CHECKS = [...shapeChecks, ...storageChecks, ...httpChecks, ...logAndClockChecks];

/** Short, so the deadline check is quick, yet far above a loopback round trip. */
const DEFAULT_DEADLINE_MS = 1500;
/** A check whose host calls hang is failed after this, and the kit goes on to the next. */
const CHECK_GUARD_MS = 30_000;
const CREATE_GUARD_MS = 30_000;
const CLOSE_GUARD_MS = 10_000;
/** After close(), how long a host's leftover sockets or timers may keep the CLI alive. */
const EXIT_GRACE_MS = 5000;

function formatResult(result, width) {
  const mark = result.ok ? 'ok    ' : 'not ok';
  return `${mark} ${result.name.padEnd(width)}  ${result.reason}`;
}

/** Makes a host; a problem is the reason it could not, null when `created` is one. */
async function makeHost(createHost, options) {
  const created = await settle(() => createHost(options), CREATE_GUARD_MS);
  if (created.status !== 'fulfilled' || !created.value || typeof created.value !== 'object') {
    const why =
      created.status === 'fulfilled'
        ? `resolved with ${typeof created.value}, not {host, close?}`
        : describeOutcome(created, CREATE_GUARD_MS);
    return { problem: `createHost ${why}` };
  }
  const { host } = created.value;
  const close = typeof created.value.close === 'function' ? created.value.close : null;
  return { host, close };
}

/**
 * Runs every check against two hosts made by `createHost` (the atomicity checks spread their
 * concurrent calls over both; the others use the first).
 * @param {(options: {allowedOrigins: string[], deadlineMs: number}) => Promise<{host: object,
 *   close?: () => unknown}>} createHost
 * @param {object} [options]
 * @param {(line: string) => void} [options.log] receives each report line as it is decided
 * @param {number} [options.deadlineMs]
 * @returns {Promise<{name: string, ok: boolean, reason: string, ms: number}[]>}
 */
async function runConformance(
  createHost,
  { log = () => {}, deadlineMs = DEFAULT_DEADLINE_MS } = {},
) {
  const width = Math.max(...CHECKS.map((check) => check.name.length));
  const results = [];
  const record = (result) => {
    results.push(result);
    log(formatResult(result, width));
  };
  const servers = await startServers();
  const closes = [];
  try {
    const options = { allowedOrigins: [...servers.allowedOrigins], deadlineMs };
    const first = await makeHost(createHost, options);
    if (first.close) closes.push(first.close);
    const second = first.problem ? first : await makeHost(createHost, options);
    if (second.close && second !== first) closes.push(second.close);
    if (first.problem || second.problem) {
      record({ name: 'host.create', ok: false, reason: first.problem ?? second.problem, ms: 0 });
      return results;
    }
    const { host } = first;
    const other = second.host;
    // One random prefix per run, one folder per check: checks never see each other's keys.
    const prefix = `conformance-${randomId()}`;
    for (const check of CHECKS) {
      const key = (name) => `${prefix}:${check.name}:${name}`;
      const started = performance.now();
      const outcome = await settle(
        () => check.run({ host, other, servers, deadlineMs, key }),
        CHECK_GUARD_MS,
      );
      const ms = Math.round(performance.now() - started);
      if (outcome.status === 'fulfilled') {
        record({ name: check.name, ok: true, reason: String(outcome.value), ms });
      } else if (outcome.status === 'pending') {
        record({
          name: check.name,
          ok: false,
          reason: `no verdict within ${CHECK_GUARD_MS} ms`,
          ms,
        });
      } else {
        const err = outcome.reason;
        // A CheckFailure's message is the reason; anything else is the check tripping over an
        // answer it did not expect, which is a failure too.
        const reason =
          err instanceof CheckFailure
            ? err.message
            : `the check tripped over the host: ${describeError(err)}`;
        record({ name: check.name, ok: false, reason, ms });
      }
    }
  } finally {
    for (const close of closes) {
      const closed = await settle(close, CLOSE_GUARD_MS);
      if (closed.status !== 'fulfilled') {
        const reason = `close() ${describeOutcome(closed, CLOSE_GUARD_MS)}`;
        record({ name: 'host.close', ok: false, reason, ms: 0 });
      }
    }
    await servers.close();
  }
  return results;
}

/** The createHost of a loaded module, whichever way it was exported. */
function pickCreateHost(namespace) {
  const candidates = [namespace.createHost, namespace.default?.createHost, namespace.default];
  return candidates.find((candidate) => typeof candidate === 'function') ?? null;
}

/** Where relative paths start: where the user ran npm, not the package folder npm moved to. */
function baseDirectory() {
  const viaNpm = process.env.npm_lifecycle_event === 'conformance' && process.env.INIT_CWD;
  return viaNpm ? process.env.INIT_CWD : process.cwd();
}

async function main(argv) {
  const target = argv[0];
  if (!target || target === '--help' || target === '-h') {
    console.error('usage: npm run conformance -- <path to a module exporting createHost>');
    console.error('(relative to the folder you run npm in; see conformance/README.md)');
    return 2;
  }
  const base = baseDirectory();
  const file = path.resolve(base, target);
  if (!fs.existsSync(file)) {
    console.error(`no such module: ${file} (relative paths start at ${base})`);
    return 2;
  }
  let createHost;
  try {
    createHost = pickCreateHost(await import(pathToFileURL(file).href));
  } catch (err) {
    console.error(`could not load ${file}: ${describeError(err)}`);
    return 2;
  }
  if (!createHost) {
    console.error(`${file} exports no createHost function (see conformance/README.md)`);
    return 2;
  }
  console.log(`host conformance: ${target}`);
  const results = await runConformance(createHost, { log: (line) => console.log(line) });
  const failed = results.filter((result) => !result.ok);
  const passed = results.length - failed.length;
  console.log(
    failed.length === 0
      ? `${passed} of ${results.length} checks passed`
      : `${passed} of ${results.length} checks passed; failed: ${failed.map((r) => r.name).join(', ')}`,
  );
  return failed.length === 0 ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
      // The kit has closed its own servers; a host that left sockets or timers open must not
      // keep the CLI (or the CI job running it) alive forever.
      setTimeout(() => {
        console.error(`the host left handles open ${EXIT_GRACE_MS} ms after close(): exiting`);
        process.exit(code);
      }, EXIT_GRACE_MS).unref();
    },
    (err) => {
      console.error(`conformance kit crashed: ${describeError(err)}`);
      process.exit(2);
    },
  );
}

module.exports = { runConformance, pickCreateHost, CHECKS, DEFAULT_DEADLINE_MS };
