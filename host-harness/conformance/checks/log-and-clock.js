// log and now: the two imports the plugin calls synchronously and never awaits. A log call that
// throws would turn a line of diagnostics into a failed login, so log must swallow anything; now
// drives code expiry and rate windows, so it must be the real epoch in milliseconds.

const { describeError, fail } = require('./util');

const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal-unknown-level'];

function circular() {
  const value = { name: 'circular' };
  value.self = value;
  value.list = [value];
  return value;
}

/** The `fields` the plugin could conceivably pass, including ones a naive host chokes on. */
function awkwardFields() {
  const megabyte = 'x'.repeat(1024 * 1024);
  const throwingGetter = {
    get boom() {
      throw new Error('a getter that throws');
    },
  };
  const hostileProxy = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('a proxy that throws');
      },
      get() {
        throw new Error('a proxy that throws');
      },
    },
  );
  return [
    ['undefined', undefined],
    ['null', null],
    ['a plain object', { requestId: 'r1', count: 3 }],
    ['a circular object', circular()],
    ['a BigInt', 10n ** 30n],
    ['an object holding a BigInt', { big: 10n ** 30n }],
    ['a 1 MB string', megabyte],
    ['an object holding a 1 MB string', { text: megabyte }],
    ['an object with a throwing getter', throwingGetter],
    ['a proxy whose traps throw', hostileProxy],
  ];
}

const logNeverThrows = {
  name: 'log.never-throws',
  why: 'the plugin logs and moves on: a log call must never fail the request it describes',
  async run({ host }) {
    let calls = 0;
    const cases = [];
    for (const level of LEVELS) {
      for (const [label, fields] of awkwardFields())
        cases.push([level, 'conformance', label, fields]);
    }
    cases.push(['info', 'y'.repeat(1024 * 1024), 'a 1 MB message', {}]);
    cases.push(['info', undefined, 'an undefined message', {}]);
    for (const [level, message, label, fields] of cases) {
      let result;
      try {
        result = host.log(level, message, fields);
      } catch (err) {
        fail(`log(${JSON.stringify(level)}, ..., ${label}) threw ${describeError(err)}`);
      }
      if (result !== undefined) {
        // A returned promise must not become an unhandled rejection of the kit's process.
        if (typeof result?.then === 'function') result.then(null, () => {});
        fail(`log(${JSON.stringify(level)}, ..., ${label}) returned ${typeof result}`);
      }
      calls += 1;
    }
    return `${calls} calls (5 levels, awkward fields and messages) returned undefined`;
  },
};

const nowIsEpochMs = {
  name: 'now.is-epoch-ms',
  why: 'code expiry and rate windows are measured with now(): it must be real epoch milliseconds',
  async run({ host }) {
    let value;
    try {
      value = host.now();
    } catch (err) {
      fail(`now() threw ${describeError(err)}`);
    }
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      fail(`now() returned ${typeof value} ${String(value)}, not a finite number`);
    }
    const drift = Math.abs(value - Date.now());
    if (drift > 5000) fail(`now() is ${Math.round(drift)} ms away from Date.now() (seconds?)`);
    return `now() is within ${Math.round(drift)} ms of Date.now()`;
  },
};

module.exports = [logNeverThrows, nowIsEpochMs];
