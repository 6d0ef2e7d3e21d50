// Run by plugin-fuzz.test.js as a child process: one build (by its index in BUILDS) on a host
// whose import `name` misbehaves as `kind`, then a normal registration on a sound host. A host
// import that throws or rejects where it should not must cost at most that call: if it stops or
// stalls the process instead, the parent sees the exit code, the error or the timeout. Prints
// one line `RESULT <json>`.
const { BUILDS } = require('./builds');
const { baseConfig, createMemoryHost } = require('./memory-host');

const KINDS = {
  'throws synchronously': () => {
    throw new Error('sync throw');
  },
  'answers a Symbol synchronously': () => Symbol('s'),
  'rejects with an Error': async () => {
    throw new Error('async reject');
  },
  'rejects with a string': () => Promise.reject('a string, not an Error'),
};

async function main() {
  const [index, name, kind] = process.argv.slice(2);
  const build = BUILDS[Number(index)];
  const mem = createMemoryHost();
  const broken = { ...mem.host, [name]: KINDS[kind] };
  const result = {};
  try {
    const plugin = await build.TwilioPlugin.create(baseConfig(), broken);
    const first = await plugin.beforeRegister({}, { phoneNumber: '+14155552671' });
    result.first = { action: first.action, status: first.status };
  } catch (err) {
    result.first = { code: err?.code ?? null, message: String(err?.message ?? err) };
  }
  const sound = createMemoryHost();
  const plugin = await build.TwilioPlugin.create(baseConfig(), sound.host);
  const start = await plugin.beforeRegister({}, { phoneNumber: '+14155552672' });
  const second = await plugin.beforeRegister(
    {},
    {
      email: 'ada@example.com',
      password: 'pw-123456',
      phoneNumber: '+14155552672',
      transactionId: start.body.transactionId,
      transactionCode: sound.lastCode(),
    },
  );
  result.registered = second.args?.phoneNumberConfirmed === true;
  // Time for a rejection nobody handled to surface before the answer.
  await new Promise((resolve) => setTimeout(resolve, 50));
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

// `node --test test/` runs every file under test/, this one too, without arguments: then it
// does nothing.
if (process.argv.length > 4) {
  main().then(
    () => process.exit(0),
    (err) => {
      process.stderr.write(`child failed: ${err?.stack ?? err}\n`);
      process.exit(2);
    },
  );
}
