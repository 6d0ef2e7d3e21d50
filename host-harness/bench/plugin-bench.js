// Measures the built module: size, Node cold load, and the per-call time of each export with an
// in-memory host whose calls resolve at once (so the figures are the plugin's own cost).
// Prints figures; asserts nothing (timings on a shared machine are for reading, not gating).
//
// PLUGIN_PKG=path/to/pkg measures another build (an older one, to compare); settings that
// build does not know are left out.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { execFileSync } = require('node:child_process');

const { LIMITS_OUT_OF_REACH, knownSettings } = require('./limits');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PKG_DIR = path.resolve(process.env.PLUGIN_PKG ?? path.join(REPO_ROOT, 'pkg'));
const PKG = path.join(PKG_DIR, 'twilio_baas_plugin.js');
const WASM = path.join(PKG_DIR, 'twilio_baas_plugin_bg.wasm');

function coldLoadMs() {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(PKG)});console.log(Number(process.hrtime.bigint()-t)/1e6)`;
  return Number(execFileSync(process.execPath, ['-e', script]).toString());
}

function fastHost() {
  const store = new Map();
  let n = 0;
  return {
    async http(req) {
      n += 1;
      const to = new URLSearchParams(req.body).get('To');
      return {
        status: 201,
        headers: {},
        body: `{"sid":"SM${String(n).padStart(32, '0')}","status":"queued","to":"${to}","from":"+15005550006","num_segments":"1","num_media":"0"}`,
        lastBody: req.body,
      };
    },
    async storageGet(k) {
      return store.get(k) ?? null;
    },
    async storagePut(k, v) {
      store.set(k, v);
    },
    async storageTake(k) {
      const v = store.get(k) ?? null;
      store.delete(k);
      return v;
    },
    async storageIncr(k) {
      const v = Number(store.get(k) ?? 0) + 1;
      store.set(k, String(v));
      return v;
    },
    async findUser() {
      return null;
    },
    now: () => Date.now(),
    log() {},
    lastCode: null,
  };
}

// Calls fn(0..WARM-1) to warm up the JIT, then measures fn(WARM..WARM+iterations-1).
const WARM = 200;
async function perCallMicros(label, iterations, fn) {
  for (let i = 0; i < WARM; i++) await fn(i);
  const t = process.hrtime.bigint();
  for (let i = WARM; i < WARM + iterations; i++) await fn(i);
  const us = Number(process.hrtime.bigint() - t) / 1e3 / iterations;
  console.log(`${label.padEnd(44)} ${us.toFixed(1).padStart(8)} us/call`);
}

async function main() {
  const raw = fs.statSync(WASM).size;
  const gz = zlib.gzipSync(fs.readFileSync(WASM), { level: 9 }).length;
  console.log(`module size                                  ${raw} bytes raw, ${gz} bytes gzip`);
  const loads = Array.from({ length: 7 }, coldLoadMs).sort((a, b) => a - b);
  console.log(`cold load (require + instantiate, median/7)  ${loads[3].toFixed(2)} ms`);

  const { TwilioPlugin } = require(PKG);
  // Every limit out of reach, so that each call takes the whole path, counters included.
  const config = knownSettings(TwilioPlugin, {
    accountSid: `AC${'0'.repeat(32)}`,
    authToken: 'test_auth_token_0000000000000000',
    senderPhoneNumber: '+15005550006',
    ...LIMITS_OUT_OF_REACH,
  });
  const host = fastHost();
  const realHttp = host.http;
  let lastBody = '';
  host.http = async (req) => {
    lastBody = req.body;
    return realHttp(req);
  };
  const plugin = TwilioPlugin.create(config, host);
  const phone = (i) => `+1415${String(1000000 + i).padStart(7, '0')}`;
  const N = 3000;

  await perCallMicros('validateConfig', N, () => TwilioPlugin.validateConfig(config));
  await perCallMicros('beforeRegister, step 1 (sends the code)', N, (i) =>
    plugin.beforeRegister({}, { phoneNumber: phone(i) }),
  );
  const pending = [];
  for (let i = 0; i < N; i++) {
    const first = await plugin.beforeRegister({}, { phoneNumber: phone(10 * N + i) });
    const code = /(?<!\d)(\d{4,10})(?!\d)/.exec(new URLSearchParams(lastBody).get('Body'))[1];
    pending.push({
      email: `u${i}@example.com`,
      password: 'pw-123456',
      phoneNumber: phone(10 * N + i),
      transactionId: first.body.transactionId,
      transactionCode: code,
    });
  }
  await perCallMicros('beforeRegister, step 2 (checks the code)', N - WARM, (i) =>
    plugin.beforeRegister({}, pending[i]),
  );
  await perCallMicros('afterRegister (success)', N - WARM, (i) =>
    plugin.afterRegister({}, pending[i], { user: { objectId: 'x' } }),
  );
  await perCallMicros('beforeLogin (password login passes through)', N, () =>
    plugin.beforeLogin({}, { login: 'ada@example.com', password: 'pw' }),
  );
  await perCallMicros('afterLogin (no two-factor for this user)', N, () =>
    plugin.afterLogin({}, { login: 'ada@example.com' }, { user: { objectId: 'U1' } }),
  );
  const signedIn = { userId: 'U1' };
  await perCallMicros('sendSms', N, (i) =>
    plugin.sendSms(signedIn, { to: phone(i), body: 'Your order has shipped.' }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
