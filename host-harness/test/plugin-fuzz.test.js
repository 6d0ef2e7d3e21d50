// Thousands of malformed inputs to every export of each build. Each must end in an outcome or
// an Error with a string `code`; none may trap the instance, which is proved by a normal
// registration succeeding afterwards. Both builds get the same seeded sequence of inputs; the
// component, whose every call crosses to its worker and back, gets a shorter run of it.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const path = require('node:path');
const { baseConfig, createMemoryHost } = require('./support/memory-host');
const { BUILDS } = require('./support/builds');

/** The share of each loop's iterations a build runs. */
const SHARE = { 'wasm-bindgen module': 1, component: 0.2 };

/**
 * Host imports whose failure, when it goes wrong, takes down or stalls the whole process rather
 * than one call: tried in a child process each (support/hostile-host-child.js), and left out of
 * the in-process loop below for every build.
 */
const PROCESS_LEVEL = [
  ['now', 'throws synchronously'],
  ['now', 'answers a Symbol synchronously'],
  ['now', 'rejects with an Error'],
  ['now', 'rejects with a string'],
  ['log', 'rejects with an Error'],
  ['log', 'rejects with a string'],
];
const CHILD = path.join(__dirname, 'support', 'hostile-host-child.js');

/** The child's exit, its RESULT line and its stderr; killed after `timeoutMs`. */
function runChild(args, timeoutMs) {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CHILD, ...args],
      { timeout: timeoutMs },
      (error, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
        resolve({
          exit: error
            ? error.killed
              ? `killed after ${timeoutMs} ms`
              : `exit ${error.code}`
            : 'exit 0',
          result: line ? JSON.parse(line.slice('RESULT '.length)) : null,
          stderr: stderr.split('\n').slice(0, 6).join('\n'),
        });
      },
    );
  });
}

// A small seeded PRNG (mulberry32), so a failure reproduces.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function deep(n) {
  let v = { phoneNumber: '+14155552671' };
  for (let i = 0; i < n; i++) v = { nested: v, list: [v] };
  return v;
}

function cyclic() {
  const v = { phoneNumber: '+14155552671' };
  v.self = v;
  return v;
}

const hostile = () => [
  new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('ownKeys trap');
      },
    },
  ),
  Object.defineProperty({}, 'phoneNumber', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  }),
  Object.create(null),
  cyclic(),
  deep(50),
  deep(2000),
];

function value(r, depth = 0) {
  const pick = Math.floor(r() * 24);
  switch (pick) {
    case 0:
      return undefined;
    case 1:
      return null;
    case 2:
      return r() < 0.5;
    case 3:
      return [Number.NaN, Number.POSITIVE_INFINITY, -0, 1e308, -1, 2 ** 53 + 1][
        Math.floor(r() * 6)
      ];
    case 4:
      return 'x'.repeat(Math.floor(r() * 200_000));
    case 5:
      return '\u{1F4F1}\u0000\uD800 +１４１５ ☎'.repeat(1 + Math.floor(r() * 50));
    case 6:
      return `+1415555267${Math.floor(r() * 10)}`;
    case 7:
      return `${Math.floor(r() * 1e15)}`;
    case 8:
      return Symbol('s');
    case 9:
      return () => 1;
    case 10:
      return 10n ** 30n;
    case 11:
      return new Date();
    case 12:
      return hostile()[Math.floor(r() * 6)];
    case 13:
      return Array.from({ length: Math.floor(r() * 20_000) }, () => 1);
    default: {
      if (depth > 3) return 'leaf';
      const keys = [
        'phoneNumber',
        'transactionId',
        'transactionCode',
        'email',
        'password',
        'phoneNumberConfirmed',
        '__proto__',
        'constructor',
        '',
        'user',
        'error',
        'code',
        'message',
        'channel',
        'locale',
      ];
      const obj = {};
      const n = Math.floor(r() * 6);
      for (let i = 0; i < n; i++) obj[keys[Math.floor(r() * keys.length)]] = value(r, depth + 1);
      return obj;
    }
  }
}

// Every service export takes (ctx, request); a signed-in ctx gets past the access check.
const SERVICES = [
  'sendSms',
  'sendMms',
  'startVerification',
  'checkVerification',
  'getMessageStatus',
  'handleStatusCallback',
];
function signedIn(ctx) {
  try {
    return ctx && typeof ctx === 'object' && !Array.isArray(ctx) ? { ...ctx, userId: 'U1' } : ctx;
  } catch {
    return ctx; // a hostile object (throwing getter, trapping proxy) goes in as it is
  }
}

async function settle(fn) {
  try {
    const out = await fn();
    return { ok: true, out };
  } catch (err) {
    return { ok: false, err };
  }
}

function assertOutcomeOrCodedError(result, label) {
  if (result.ok) {
    const out = result.out;
    if (out && typeof out === 'object' && 'action' in out) {
      assert.ok(['continue', 'respond', 'authenticate'].includes(out.action), label);
    }
    return;
  }
  assert.ok(result.err instanceof Error, `${label}: threw a non-Error ${String(result.err)}`);
  assert.equal(typeof result.err.code, 'string', `${label}: ${result.err.stack}`);
  assert.match(result.err.code, /^[A-Z_]+$/, label);
  assert.equal(typeof result.err.status, 'number', label);
}

async function normalRegistrationWorks(plugin, mem) {
  const phone = `+1415555${String(Math.floor(Math.random() * 9000) + 1000)}`;
  const first = await plugin.beforeRegister({}, { phoneNumber: phone });
  const second = await plugin.beforeRegister(
    {},
    {
      email: 'ada@example.com',
      password: 'pw-123456',
      phoneNumber: phone,
      transactionId: first.body.transactionId,
      transactionCode: mem.lastCode(),
    },
  );
  assert.equal(second.args.phoneNumberConfirmed, true);
}

for (const build of BUILDS) {
  const { TwilioPlugin } = build;
  const iterations = (n) => Math.ceil(n * SHARE[build.name]);

  describe(build.name, () => {
    test('every export survives thousands of malformed inputs', async () => {
      const r = rng(20261125);
      const mem = createMemoryHost();
      const plugin = await TwilioPlugin.create(
        baseConfig({ maxSmsPerNumberPerHour: 100 }),
        mem.host,
      );
      let calls = 0;
      for (let i = 0; i < iterations(1500); i++) {
        const [a, b, c] = [value(r), value(r), value(r)];
        const label = `iteration ${i}`;
        assertOutcomeOrCodedError(await settle(() => plugin.beforeRegister(a, b)), label);
        assertOutcomeOrCodedError(await settle(() => plugin.beforeRegister({}, b)), label);
        assertOutcomeOrCodedError(await settle(() => plugin.afterRegister(a, b, c)), label);
        assertOutcomeOrCodedError(await settle(() => plugin.beforeLogin(a, b)), label);
        assertOutcomeOrCodedError(await settle(() => plugin.afterLogin(a, b, c)), label);
        for (const service of SERVICES) {
          assertOutcomeOrCodedError(await settle(() => plugin[service](signedIn(a), b)), label);
        }
        assertOutcomeOrCodedError(await settle(() => TwilioPlugin.validateConfig(a)), label);
        assertOutcomeOrCodedError(await settle(() => TwilioPlugin.create(a, mem.host)), label);
        assertOutcomeOrCodedError(await settle(() => TwilioPlugin.create(baseConfig(), a)), label);
        calls += 8 + SERVICES.length;
      }
      assert.equal(typeof (await build.version()), 'string');
      const report = await plugin.testConfiguration();
      assert.equal(typeof report.ok, 'boolean');
      assert.ok(calls >= iterations(20000));
      await normalRegistrationWorks(plugin, mem);
    });

    test('malformed config values of every field are reported, never thrown raw', async () => {
      const r = rng(7);
      const fields = require('../../plugin-manifest.json').config.map((item) => item.name);
      for (let i = 0; i < iterations(1000); i++) {
        const config = baseConfig({ [fields[Math.floor(r() * fields.length)]]: value(r) });
        const report = await TwilioPlugin.validateConfig(config);
        assert.equal(typeof report.ok, 'boolean');
        assert.ok(Array.isArray(report.problems));
        for (const p of report.problems) {
          assert.equal(typeof p.field, 'string');
          assert.equal(typeof p.reason, 'string');
        }
      }
    });

    test('a host that throws, rejects or answers nonsense gives coded errors, not traps', async () => {
      const r = rng(99);
      const mem = createMemoryHost();
      const nonsense = [
        () => {
          throw new Error('sync throw');
        },
        async () => {
          throw new Error('async reject');
        },
        async () => 'not a number',
        async () => ({ status: 'x' }),
        async () => ({ status: 201, body: '{"sid": 5}' }),
        async () => ({ status: 201, body: 'x'.repeat(2_000_000) }),
        async () => Number.NaN,
        async () => undefined,
        async () => Symbol('s'),
        () => Promise.reject('a string, not an Error'),
      ];
      const names = [
        'http',
        'storageGet',
        'storagePut',
        'storageTake',
        'storageIncr',
        'findUser',
        'now',
        'log',
      ];
      for (let i = 0; i < iterations(600); i++) {
        const broken = { ...mem.host };
        const name = names[Math.floor(r() * names.length)];
        const answer = nonsense[Math.floor(r() * nonsense.length)];
        // A `now` that throws or rejects, a `log` that rejects: see PROCESS_LEVEL.
        const rejects = answer === nonsense[1] || answer === nonsense.at(-1);
        if (
          (name === 'now' && (answer === nonsense[0] || rejects)) ||
          (name === 'log' && rejects)
        ) {
          continue;
        }
        broken[name] = answer;
        const plugin = await TwilioPlugin.create(
          baseConfig({ maxSmsPerNumberPerHour: 100 }),
          broken,
        );
        const first = await settle(() =>
          plugin.beforeRegister({}, { phoneNumber: '+14155552671' }),
        );
        assertOutcomeOrCodedError(first, `broken host ${i}`);
        await plugin.free();
      }
      const plugin = await TwilioPlugin.create(
        baseConfig({ maxSmsPerNumberPerHour: 100 }),
        mem.host,
      );
      await normalRegistrationWorks(plugin, mem);
    });

    test('a host import that throws or rejects costs one call, never the process', async () => {
      const index = String(BUILDS.indexOf(build));
      const failures = [];
      for (const [name, kind] of PROCESS_LEVEL) {
        const { exit, result, stderr } = await runChild([index, name, kind], 20_000);
        const first = result?.first;
        const answered = first?.action === 'respond' || /^[A-Z_]+$/.test(first?.code ?? '');
        if (exit !== 'exit 0' || !answered || result?.registered !== true) {
          failures.push(`${name} ${kind}: ${exit}, ${JSON.stringify(result)}\n${stderr}`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
}
