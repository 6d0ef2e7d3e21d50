// How long does a legitimate password login take while a flood of wrong ones runs? Starts the
// reference host (as `make run` does), times a legitimate login idle, then while `flood`
// concurrent wrong logins keep running: all for one account from one address, then (when the
// host trusts a proxy, so X-Forwarded-For names the client) each for a new account from a new
// address, which no per-account or per-address rule can stop: only the bounded hashing helps.
// The legitimate login comes from an address of its own when it can. Each phase also times a
// request that hashes nothing (reading the user with its user-token): the rest of the API.
// Prints figures; asserts nothing (timings on a shared machine are for reading, not gating).
//
//   node bench/login-flood-bench.js [flood] [samples]
//   TRUSTED_PROXIES= (empty) runs without a trusted proxy: every request from 127.0.0.1

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { createApp } = require('../src/host/app');
const passwordHash = require('../src/host/password-hash');

const FLOOD = Number(process.argv[2] ?? 200);
const SAMPLES = Number(process.argv[3] ?? 20);
const TRUSTED_PROXIES = process.env.TRUSTED_PROXIES ?? 'loopback';
const PASSWORD = 'legitimate user password';

const percentile = (xs, p) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

async function post(url, body, address) {
  const headers = { 'Content-Type': 'application/json' };
  if (address) headers['X-Forwarded-For'] = address;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

function tally(statuses) {
  const counts = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return Object.entries(counts)
    .map(([status, n]) => `${status}x${n}`)
    .join(' ');
}

/** Hashes run so far, when this host's password-hash has a limiter (it counts them). */
const hashesRun = () => passwordHash.hashLimiter.stats().started;

async function timed(request) {
  const started = process.hrtime.bigint();
  const status = await request();
  return { status, ms: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** SAMPLES legitimate logins one after another, each followed by a read of the user. */
async function legitimate(bench) {
  const logins = [];
  const reads = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const body = { login: 'legit@example.com', password: PASSWORD };
    logins.push(await timed(() => post(bench.login, body, bench.legitAddress)));
    reads.push(
      await timed(async () => {
        const res = await fetch(bench.userUrl, { headers: { 'user-token': bench.token } });
        await res.arrayBuffer();
        return res.status;
      }),
    );
  }
  return { logins, reads };
}

/** FLOOD workers sending the wrong logins `next(n)` back to back until stopped. */
function flood(bench, next) {
  const statuses = [];
  let stopped = false;
  let n = 0;
  const workers = Array.from({ length: FLOOD }, async () => {
    while (!stopped) {
      const { body, address } = next(n);
      n += 1;
      statuses.push(await post(bench.login, body, address).catch(() => 'error'));
    }
  });
  return {
    statuses,
    async stop() {
      stopped = true;
      await Promise.all(workers);
    },
  };
}

/** Legitimate logins timed alone (`next` null) or during a flood of `next`'s logins. */
async function phase(bench, name, next = null) {
  const hashesBefore = hashesRun();
  const started = performance.now();
  const flooding = next ? flood(bench, next) : null;
  if (flooding) await new Promise((resolve) => setTimeout(resolve, 300)); // let it build up
  const { logins, reads } = await legitimate(bench);
  await flooding?.stop();
  const seconds = (performance.now() - started) / 1000;
  const hashesAfter = hashesRun();
  const figures = (samples) => {
    const ms = samples.map((sample) => sample.ms);
    const p = (n) => percentile(ms, n).toFixed(0).padStart(5);
    return `p50 ${p(50)} ms p95 ${p(95)} ms ${tally(samples.map((sample) => sample.status))}`;
  };
  const line = [name.padEnd(30), `login ${figures(logins)}`, `| read ${figures(reads)}`];
  if (flooding) {
    const rate = (flooding.statuses.length / seconds).toFixed(0);
    line.push(`| flood ${rate}/s ${tally(flooding.statuses)}`);
  }
  line.push(`| scrypt runs ${hashesAfter - hashesBefore}`);
  console.log(line.join('  '));
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'login-flood-bench-'));
  const app = createApp({
    port: 0,
    simPort: 0,
    dataDir,
    env: { TRUSTED_PROXIES },
    log: () => {},
    onSms: () => {},
    sweepIntervalMs: 0,
  });
  await app.start();
  const trusted = Boolean(app.hostConfig.trustedProxies);
  try {
    const hash = await passwordHash.hashPassword(PASSWORD);
    for (const [i, email] of ['legit@example.com', 'victim@example.com'].entries()) {
      app.users.insert({
        identity: email,
        phoneNumber: `+1415555${2000 + i}`,
        passwordHash: hash,
        phoneNumberConfirmed: true,
        properties: {},
      });
    }
    const legit = app.users.findBy('email', 'legit@example.com');
    const bench = {
      login: `${app.url}/api/users/login`,
      legitAddress: trusted ? '198.51.100.7' : null,
      userUrl: `${app.url}/api/users/${legit.objectId}`,
      token: null,
    };
    const res = await fetch(bench.login, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ login: 'legit@example.com', password: PASSWORD }),
    });
    bench.token = (await res.json())['user-token'];
    console.log(
      `flood ${FLOOD} concurrent, ${SAMPLES} legitimate logins per phase, trusted proxy: ${trusted ? TRUSTED_PROXIES : 'none'}`,
    );
    await legitimate(bench); // warm-up
    await phase(bench, 'idle');
    await phase(bench, 'flood: one account', () => ({
      body: { login: 'victim@example.com', password: 'wrong guess' },
      address: trusted ? '203.0.113.66' : null,
    }));
    if (trusted) {
      await phase(bench, 'flood: many accounts+addresses', (n) => ({
        body: { login: `flood${n}@example.com`, password: 'wrong guess' },
        address: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
      }));
    } else {
      console.log('flood: many accounts+addresses  skipped: no trusted proxy, no X-Forwarded-For');
    }
    await phase(bench, 'idle again');
  } finally {
    await app.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
