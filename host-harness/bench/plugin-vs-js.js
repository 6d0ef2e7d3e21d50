// The plugin against the same hooks in plain JavaScript (bench/js-baseline.js: node:crypto,
// twilio-node), in one process, interleaved call by call so that both see the same machine
// state, each with its own in-memory host whose calls resolve at once and a scripted Twilio
// (the plugin's `http` import answers, and twilio-node's axios adapter answers, the same
// Message). Prints per-hook p50/p99 and the ratio plugin/JS, the storage calls each made per hook
// (they should match), cold start against `require('twilio')`, and the module's linear memory
// over many calls. A benchmark: it asserts nothing about time.
//
//   BENCH_ROUNDS         measured rounds, one call of every hook each (default 3000)
//   BENCH_MEMORY_CALLS   calls for the linear-memory check (default 1000000; 0 skips it)

const { execFileSync } = require('node:child_process');
const path = require('node:path');

const twilio = require('twilio');

const { createJsBaseline } = require('./js-baseline');
const { LIMITS_OUT_OF_REACH, knownSettings } = require('./limits');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const PKG = path.join(
  path.resolve(process.env.PLUGIN_PKG ?? path.join(REPO_ROOT, 'pkg')),
  'twilio_baas_plugin.js',
);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3000);
const WARM_ROUNDS = 300;
const MEMORY_CALLS = Number(process.env.BENCH_MEMORY_CALLS ?? 1_000_000);

const ACCOUNT_SID = `AC${'0'.repeat(32)}`;
const AUTH_TOKEN = 'test_auth_token_0000000000000000';
const SENDER = '+15005550006';
const CONFIG = {
  accountSid: ACCOUNT_SID,
  authToken: AUTH_TOKEN,
  senderPhoneNumber: SENDER,
  ...LIMITS_OUT_OF_REACH,
};

/** Twilio's answer to a message create, as both sides receive it. */
function messageJson(to, n) {
  return JSON.stringify({
    sid: `SM${String(n).padStart(32, '0')}`,
    status: 'queued',
    to,
    from: SENDER,
    num_segments: '1',
    num_media: '0',
  });
}

/** A host whose calls resolve at once; it counts storage calls and keeps the last SMS text. */
function memoryHost() {
  const store = new Map();
  const counts = { storage: 0, http: 0 };
  let messages = 0;
  const host = {
    counts,
    lastText: '',
    async http(request) {
      counts.http += 1;
      messages += 1;
      const form = new URLSearchParams(request.body);
      host.lastText = form.get('Body');
      return { status: 201, headers: {}, body: messageJson(form.get('To'), messages) };
    },
    async storageGet(key) {
      counts.storage += 1;
      return store.get(key) ?? null;
    },
    async storagePut(key, value) {
      counts.storage += 1;
      store.set(key, value);
    },
    async storageTake(key) {
      counts.storage += 1;
      const value = store.get(key) ?? null;
      store.delete(key);
      return value;
    },
    async storageIncr(key) {
      counts.storage += 1;
      const value = Number(store.get(key) ?? 0) + 1;
      store.set(key, String(value));
      return value;
    },
    async findUser() {
      counts.storage += 1;
      return null;
    },
    now: () => Date.now(),
    log() {},
  };
  return host;
}

/** twilio-node with its own RequestClient, whose axios adapter is the scripted Twilio. */
function scriptedTwilio(host) {
  const requestClient = new twilio.RequestClient();
  let messages = 0;
  requestClient.axios.defaults.adapter = async (config) => {
    host.counts.http += 1;
    messages += 1;
    const form = new URLSearchParams(config.data);
    host.lastText = form.get('Body');
    return {
      data: messageJson(form.get('To'), messages),
      status: 201,
      statusText: 'Created',
      headers: { 'content-type': 'application/json' },
      config,
      request: {},
    };
  };
  return twilio(ACCOUNT_SID, AUTH_TOKEN, { httpClient: requestClient });
}

/** Captures the module's instance as it is made, to read its linear memory. */
function loadPluginWatchingMemory() {
  const { Instance } = WebAssembly;
  let instance = null;
  WebAssembly.Instance = function watched(module, imports) {
    instance = new Instance(module, imports);
    return instance;
  };
  try {
    const { TwilioPlugin } = require(PKG);
    return { TwilioPlugin, memory: () => instance.exports.memory.buffer.byteLength };
  } finally {
    WebAssembly.Instance = Instance;
  }
}

const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/** Wall time of a fresh `node -e script`, in ms. */
function processMs(script) {
  const started = process.hrtime.bigint();
  execFileSync(process.execPath, ['-e', script], { cwd: __dirname });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Fresh processes in turn (bare, plugin, twilio), so that each round sees the same machine. */
function coldStart(rounds = 15) {
  const scripts = {
    bare: '0',
    plugin:
      `const {TwilioPlugin}=require(${JSON.stringify(PKG)});` +
      `TwilioPlugin.create(${JSON.stringify(CONFIG)},{http(){},storageGet(){},storagePut(){},storageTake(){},storageIncr(){},findUser(){},now:Date.now,log(){}})`,
    twilio: `require('twilio')('${ACCOUNT_SID}','${AUTH_TOKEN}')`,
  };
  const times = { bare: [], plugin: [], twilio: [] };
  for (let i = 0; i < rounds; i++) {
    for (const [name, script] of Object.entries(scripts)) times[name].push(processMs(script));
  }
  // Each side's cost over bare node in the same round, then the median of those.
  const over = (name) => median(times[name].map((ms, i) => ms - times.bare[i]));
  const [plugin, client] = [over('plugin'), over('twilio')];
  console.log(`\ncold start (${rounds} rounds of fresh processes, median over bare node)`);
  console.log(`  bare node                         ${median(times.bare).toFixed(1)} ms`);
  console.log(`  plugin: require + instantiate + create   +${plugin.toFixed(1)} ms`);
  console.log(`  require('twilio') + client        +${client.toFixed(1)} ms`);
  console.log(`  ratio plugin/twilio               1/${(client / plugin).toFixed(1)}`);
}

async function main() {
  const { TwilioPlugin, memory } = loadPluginWatchingMemory();
  const pluginHost = memoryHost();
  const jsHost = memoryHost();
  const sides = {
    plugin: {
      host: pluginHost,
      hooks: TwilioPlugin.create(knownSettings(TwilioPlugin, CONFIG), pluginHost),
    },
    js: { host: jsHost, hooks: createJsBaseline(CONFIG, jsHost, scriptedTwilio(jsHost)) },
  };
  const ctx = (event, extra = {}) => ({
    event,
    requestId: 'r',
    clientIp: '203.0.113.7',
    userAgent: 'bench',
    appName: 'Bench',
    ...extra,
  });
  const phone = (i) => `+1415${String(1_000_000 + i).padStart(7, '0')}`;
  const code = (text) => /(?<!\d)(\d{6})(?!\d)/.exec(text)[1];

  // One round: every hook once, in the order a registration, a login and a send make them.
  const steps = [
    [
      'beforeRegister, step 1',
      (s, i, state) =>
        s.hooks.beforeRegister(ctx('register'), { phoneNumber: phone(i) }).then((answer) => {
          state.request = {
            email: `u${i}@example.com`,
            password: 'pw-123456',
            phoneNumber: phone(i),
            transactionId: answer.body.transactionId,
            transactionCode: code(s.host.lastText),
          };
        }),
    ],
    [
      'beforeRegister, step 2',
      (s, _i, state) =>
        s.hooks.beforeRegister(ctx('register'), state.request).then((answer) => {
          if (answer.action !== 'continue') throw new Error(`step 2 answered ${answer.action}`);
        }),
    ],
    [
      'afterRegister',
      (s, i, state) =>
        s.hooks.afterRegister(ctx('register'), state.request, { user: { objectId: `U${i}` } }),
    ],
    [
      'beforeLogin (password, 2FA off)',
      (s) => s.hooks.beforeLogin(ctx('login'), { login: 'ada@example.com', password: 'pw' }),
    ],
    [
      'afterLogin (2FA off)',
      (s) =>
        s.hooks.afterLogin(
          ctx('login'),
          { login: 'ada@example.com' },
          { user: { objectId: 'U1' } },
        ),
    ],
    [
      'sendSms',
      (s, i) =>
        s.hooks.sendSms(ctx('sendSms', { userId: 'U1' }), {
          to: phone(i),
          body: 'Your order has shipped.',
        }),
    ],
  ];
  const times = { plugin: steps.map(() => []), js: steps.map(() => []) };
  const calls = { plugin: steps.map(() => 0), js: steps.map(() => 0) };
  const state = { plugin: {}, js: {} };

  for (let round = 0; round < WARM_ROUNDS + ROUNDS; round++) {
    // Alternate who goes first, so neither always runs on the other's warm caches.
    const order = round % 2 ? ['plugin', 'js'] : ['js', 'plugin'];
    for (const [index, [, run]] of steps.entries()) {
      for (const name of order) {
        const side = sides[name];
        const before = side.host.counts.storage;
        const started = process.hrtime.bigint();
        await run(side, round, state[name]);
        const elapsed = Number(process.hrtime.bigint() - started) / 1e3;
        if (round >= WARM_ROUNDS) {
          times[name][index].push(elapsed);
          if (round === WARM_ROUNDS) calls[name][index] = side.host.counts.storage - before;
        }
      }
    }
  }

  console.log(`plugin vs plain JS, ${ROUNDS} interleaved rounds (us per call)`);
  console.log(
    `${'hook'.padEnd(34)}${'plugin p50'.padStart(11)}${'p99'.padStart(8)}${'JS p50'.padStart(9)}${'p99'.padStart(8)}${'ratio'.padStart(8)}  storage calls`,
  );
  for (const [index, [label]] of steps.entries()) {
    const p = times.plugin[index].sort((a, b) => a - b);
    const j = times.js[index].sort((a, b) => a - b);
    const [p50, j50] = [percentile(p, 0.5), percentile(j, 0.5)];
    const same = calls.plugin[index] === calls.js[index] ? '' : '  (differ)';
    console.log(
      `${label.padEnd(34)}${p50.toFixed(1).padStart(11)}${percentile(p, 0.99).toFixed(1).padStart(8)}` +
        `${j50.toFixed(1).padStart(9)}${percentile(j, 0.99).toFixed(1).padStart(8)}` +
        `${(p50 / j50).toFixed(2).padStart(8)}  ${calls.plugin[index]} / ${calls.js[index]}${same}`,
    );
  }

  coldStart();

  if (MEMORY_CALLS > 0) {
    const start = memory();
    const { hooks } = sides.plugin;
    const login = ctx('login');
    const body = { login: 'ada@example.com', password: 'pw' };
    for (let i = 0; i < MEMORY_CALLS; i++) {
      if (i % 100 === 0)
        await hooks.sendSms(ctx('sendSms', { userId: 'U2' }), { to: phone(i), body: 'Hi.' });
      else await hooks.beforeLogin(login, body);
    }
    console.log(
      `\nlinear memory: ${(start / 1048576).toFixed(2)} MiB before, ${(memory() / 1048576).toFixed(2)} MiB after ${MEMORY_CALLS} calls (1 in 100 a sendSms)`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
