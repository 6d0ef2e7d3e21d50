// Can the time phone login takes tell who has an account? Starts the reference host with the
// Twilio simulator (as `make run` does), then asks phone login for numbers with and without an
// account, interleaved, and scores how well the answer time separates the two: the area under
// the ROC curve of "slower means known" (0.5: no better than a coin; 1: always right).
// Prints figures; asserts nothing (timings on a shared machine are for reading, not gating).
//
//   node bench/enumeration-bench.js [pairs]      PLUGIN_PKG=path/to/pkg to measure another build

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { createApp } = require('../src/host/app');
const { LIMITS_OUT_OF_REACH, knownSettings } = require('./limits');

const PAIRS = Number(process.argv[2] ?? 150);
const PKG_DIR = process.env.PLUGIN_PKG && path.resolve(process.env.PLUGIN_PKG);

/** P(a random known time > a random unknown time), ties counting half (Mann-Whitney U). */
function auc(known, unknown) {
  let wins = 0;
  for (const k of known) {
    for (const u of unknown) wins += k > u ? 1 : k === u ? 0.5 : 0;
  }
  return wins / (known.length * unknown.length);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function post(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

// Limits out of reach: this measures time, not limits. A build that does not know a setting
// goes without it.
function settings() {
  const pkg = PKG_DIR ?? path.resolve(__dirname, '..', '..', 'pkg');
  const { TwilioPlugin } = require(path.join(pkg, 'twilio_baas_plugin.js'));
  return knownSettings(TwilioPlugin, { ...LIMITS_OUT_OF_REACH, resendCooldownSeconds: 0 });
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'enumeration-bench-'));
  const app = createApp({
    port: 0,
    simPort: 0,
    dataDir,
    env: {},
    log: () => {},
    onSms: () => {},
    sweepIntervalMs: 0,
    pluginConfig: settings(),
    ...(PKG_DIR ? { manifestPath: path.join(PKG_DIR, 'plugin-manifest.json') } : {}),
  });
  await app.start();
  try {
    // Users with a phone number and two-factor off, registered straight into the store.
    const WARM = 20;
    const known = [];
    for (let i = 0; i < PAIRS + WARM; i += 1) {
      const phone = `+1415${String(2000000 + i * 1000).padStart(7, '0')}`;
      app.users.insert({
        identity: `u${i}@example.com`,
        phoneNumber: phone,
        passwordHash: 'x',
        phoneNumberConfirmed: true,
        properties: {},
      });
      known.push(phone);
    }
    const unknown = known.map((phone) => phone.replace('+1415', '+1416'));
    const times = { known: [], unknown: [] };
    const login = `${app.url}/api/users/login`;
    for (let i = -WARM; i < PAIRS; i += 1) {
      // Alternate which goes first, so that neither kind always follows the other.
      const order = i % 2 === 0 ? ['known', 'unknown'] : ['unknown', 'known'];
      for (const kind of order) {
        const phone = (kind === 'known' ? known : unknown)[i + WARM];
        const started = process.hrtime.bigint();
        const answer = await post(login, { phoneNumber: phone });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (answer.status !== 200) throw new Error(`${kind} ${phone}: ${JSON.stringify(answer)}`);
        if (i >= 0) times[kind].push(ms);
        // Let the send that follows the answer finish before the next request.
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    console.log(`build          ${PKG_DIR ?? 'pkg/'}`);
    console.log(`pairs          ${PAIRS}`);
    console.log(`median known   ${median(times.known).toFixed(2)} ms`);
    console.log(`median unknown ${median(times.unknown).toFixed(2)} ms`);
    console.log(`AUC            ${auc(times.known, times.unknown).toFixed(2)} (0.5: no signal)`);
  } finally {
    await app.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
