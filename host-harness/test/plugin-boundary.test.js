// How calls cross between JS and the wasm-bindgen module: what the module reads of its
// arguments, how it takes the host's answers, and the hooks with nothing to do answering at
// once. (The component build crosses through the WIT records: component-host/.)

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { LIMITS_OUT_OF_REACH } = require('../bench/limits');
const { TwilioPlugin, baseConfig, createMemoryHost } = require('./support/memory-host');

const LOGIN = { login: 'ada@example.com', password: 'correct horse battery staple' };

/** The memory host with every import answering plain values, synchronously. */
function synchronousHost() {
  const memory = createMemoryHost();
  const store = new Map();
  const sync = {
    ...memory.host,
    http: (request) => {
      memory.state.requests.push(request);
      const to = new URLSearchParams(request.body).get('To');
      return {
        status: 201,
        headers: {},
        body: JSON.stringify({
          sid: `SM${'1'.repeat(32)}`,
          status: 'queued',
          to,
          from: '+15005550006',
          num_segments: '1',
          num_media: '0',
        }),
      };
    },
    storageGet: (key) => store.get(key) ?? null,
    storagePut: (key, value) => {
      store.set(key, value);
    },
    storageTake: (key) => {
      const value = store.get(key) ?? null;
      store.delete(key);
      return value;
    },
    storageIncr: (key) => {
      const count = Number(store.get(key) ?? 0) + 1;
      store.set(key, String(count));
      return count;
    },
    findUser: () => null,
  };
  return { ...memory, host: sync };
}

/** A promise of another library: a `then` method and nothing else. */
const thenable = (value) => ({
  // biome-ignore lint/suspicious/noThenProperty: a thenable is what this test is about.
  then: (resolve) => setImmediate(() => resolve(value)),
});

async function register(plugin, memory, phoneNumber) {
  const step1 = await plugin.beforeRegister({ clientIp: '203.0.113.9' }, { phoneNumber });
  const request = {
    email: 'ann@example.com',
    password: 'correct horse battery staple',
    phoneNumber,
    transactionId: step1.body.transactionId,
    transactionCode: memory.lastCode(),
  };
  return { step1, step2: await plugin.beforeRegister({}, request), request };
}

test('a host answering plain values, without Promises, serves a whole registration', async () => {
  const memory = synchronousHost();
  const plugin = TwilioPlugin.create(baseConfig(), memory.host);
  const { step2, request } = await register(plugin, memory, '+14155550180');
  assert.equal(step2.action, 'continue');
  assert.equal(step2.args.phoneNumberConfirmed, true);
  const after = await plugin.afterRegister({}, request, { user: { objectId: 'U1' } });
  assert.equal(after.action, 'continue');
});

test("a host answering another library's thenables is awaited like Promises", async () => {
  const memory = synchronousHost();
  const host = { ...memory.host };
  for (const name of ['storageGet', 'storagePut', 'storageTake', 'storageIncr', 'http']) {
    const plain = memory.host[name];
    host[name] = (...args) => thenable(plain(...args));
  }
  const plugin = TwilioPlugin.create(baseConfig(), host);
  const { step2 } = await register(plugin, memory, '+14155550181');
  assert.equal(step2.action, 'continue');
});

test('the imports are read once, at create: a host changed afterwards is not called', async () => {
  const memory = synchronousHost();
  const host = { ...memory.host };
  const plugin = TwilioPlugin.create(baseConfig(), host);
  let swapped = 0;
  host.storageIncr = () => {
    swapped += 1;
    return 1;
  };
  await register(plugin, memory, '+14155550182');
  assert.equal(swapped, 0);
});

test('a password login with nothing to do answers with an already settled Promise', async () => {
  const memory = createMemoryHost();
  const plugin = TwilioPlugin.create(baseConfig({ twoFactor: 'off' }), memory.host);
  for (const [hook, args] of [
    ['beforeLogin', [{}, LOGIN]],
    ['afterLogin', [{}, LOGIN, { user: { objectId: 'U1' } }]],
    ['afterRegister', [{}, { email: 'ann@example.com' }, { user: { objectId: 'U1' } }]],
  ]) {
    const order = [];
    const answered = plugin[hook](...args).then((outcome) => order.push(outcome.action));
    Promise.resolve().then(() => order.push('next microtask'));
    await answered;
    assert.deepEqual(order, ['continue', 'next microtask'], hook);
  }
  // With two-factor optional (the default), for a user who has not turned it on.
  const optional = TwilioPlugin.create(baseConfig({ twoFactor: 'optional' }), memory.host);
  for (const user of [{ objectId: 'U1' }, { objectId: 'U1', twoFactorEnabled: false }]) {
    const order = [];
    const answered = optional
      .afterLogin({}, LOGIN, { user })
      .then((outcome) => order.push(outcome.action));
    Promise.resolve().then(() => order.push('next microtask'));
    await answered;
    assert.deepEqual(order, ['continue', 'next microtask'], JSON.stringify(user));
  }
  assert.equal(memory.state.requests.length, 0);
});

test('only a plain password login passes through beforeLogin; anything else goes the full way', async () => {
  const memory = createMemoryHost();
  const plugin = TwilioPlugin.create(baseConfig({ twoFactor: 'off' }), memory.host);
  const first = await plugin.beforeLogin({}, LOGIN);
  // Each answer is the host's own object: changing one changes no later answer.
  first.action = 'authenticate';
  assert.deepEqual(await plugin.beforeLogin({}, LOGIN), { action: 'continue' });
  const refused = [
    null,
    [LOGIN],
    { ...LOGIN, login: 42 },
    {
      ...LOGIN,
      get transactionId() {
        throw new Error('unreadable');
      },
    },
  ];
  for (const request of refused) {
    await assert.rejects(plugin.beforeLogin({}, request), { code: 'INVALID_INPUT' });
  }
  // A code is the plugin's to check, even beside a password.
  for (const [extra, code] of [
    [{ transactionCode: '123456' }, 'INVALID_INPUT'],
    [{ transactionId: 'tx', transactionCode: '123456' }, 'CODE_MISMATCH'],
  ]) {
    await assert.rejects(plugin.beforeLogin({}, { ...LOGIN, ...extra }), { code });
  }
});

test('afterRegister and afterLogin pass through only for a record without a transaction', async () => {
  const memory = createMemoryHost();
  // The full way of an after-registration with a transaction takes its claim from storage.
  const taken = [];
  const take = memory.host.storageTake;
  memory.host.storageTake = (key) => {
    taken.push(key);
    return take(key);
  };
  const result = { user: { objectId: 'U1' } };
  const off = TwilioPlugin.create(baseConfig({ twoFactor: 'off' }), memory.host);
  const optional = TwilioPlugin.create(baseConfig({ twoFactor: 'optional' }), memory.host);
  const unreadable = {
    get transactionId() {
      throw new Error('unreadable');
    },
  };
  const requests = { null: null, list: ['x'], unreadable };
  for (const [what, request] of Object.entries(requests)) {
    await assert.rejects(off.afterRegister({}, request, result), undefined, what);
  }
  // A transaction, even one the plugin never issued, is looked up (and, unknown, let be).
  assert.deepEqual(await off.afterRegister({}, { transactionId: 'tx' }, result), {
    action: 'continue',
  });
  assert.equal(taken.length, 1);
  assert.match(taken[0], /tx/);
  await off.afterRegister({}, { email: 'a@example.com' }, result);
  assert.equal(taken.length, 1, 'a registration without the phone flow passes through');
  for (const plugin of [off, optional]) {
    for (const what of ['null', 'list']) {
      await assert.rejects(plugin.afterLogin({}, requests[what], result), undefined, what);
    }
    // With no code to send, an after-login has no use for the request's members: a login that
    // proved its phone and one that did not both simply go on.
    assert.deepEqual(await plugin.afterLogin({}, unreadable, result), { action: 'continue' });
  }
  // A user whose switch is on is the plugin's to challenge.
  const on = await optional
    .afterLogin({}, LOGIN, { user: { objectId: 'U1', twoFactorEnabled: true } })
    .catch((err) => ({ refused: err.code }));
  assert.notDeepEqual(on, { action: 'continue' });
});

test('of the context, only the fields the plugin uses are read, each cut to 256 characters', async () => {
  const memory = createMemoryHost();
  const plugin = TwilioPlugin.create(baseConfig(), memory.host);
  const ctx = {
    clientIp: `203.0.113.${'7'.repeat(100_000)}`,
    // Members the plugin has no use for are never looked at, whatever they hold.
    userAgent: 10n,
    get event() {
      throw new Error('not read');
    },
  };
  const answer = await plugin.beforeRegister(ctx, { phoneNumber: '+14155550183' });
  assert.equal(answer.action, 'respond');
  const addressKeys = [...memory.store.keys()].filter((key) => key.startsWith('limit/address/'));
  assert.ok(addressKeys.length > 0);
  for (const key of addressKeys) assert.ok(key.length < 256 + 64, key.slice(0, 80));
  // A context that is not an object is an empty one (a step 1 reads it: for the address limit).
  const empty = await plugin.beforeRegister(null, { phoneNumber: '+14155550185' });
  assert.equal(empty.action, 'respond');
});

test('of the new user, the after-hooks read only what two-factor needs', async (t) => {
  const memory = createMemoryHost();
  // Whatever else the app keeps in a user (deep, long, unreadable) cannot fail a login.
  let deep = { leaf: true };
  for (let i = 0; i < 40; i++) deep = { deep };
  const user = {
    objectId: 'U1',
    phoneNumber: '+14155550184',
    twoFactorEnabled: false,
    favourites: Array.from({ length: 20_000 }, (_, i) => i),
    deep,
    get email() {
      throw new Error('the user was read');
    },
  };
  // findUser's user is read the same way: two-factor's second step finds it and logs in.
  memory.state.users.push({
    objectId: 'U1',
    email: 'ann@example.com',
    phoneNumber: '+14155550184',
    favourites: user.favourites,
    deep,
    get notes() {
      throw new Error('the found user was read whole');
    },
  });
  for (const twoFactor of ['off', 'optional', 'required']) {
    await t.test(`twoFactor ${twoFactor}`, async () => {
      const plugin = TwilioPlugin.create(baseConfig({ twoFactor }), memory.host);
      const registered = await plugin.afterRegister({}, { email: 'a@b.co' }, { user });
      assert.equal(registered.action, 'continue');
      const login = await plugin.afterLogin({}, LOGIN, { user });
      // Required: the code goes to the user's number, read from the user like the switch.
      assert.equal(login.action, twoFactor === 'required' ? 'respond' : 'continue');
      if (twoFactor !== 'required') return;
      assert.equal(login.body.twoFactorRequired, true);
      const second = await plugin.beforeLogin(
        {},
        {
          login: 'ann@example.com',
          transactionId: login.body.transactionId,
          transactionCode: memory.lastCode(),
        },
      );
      assert.deepEqual(second, { action: 'authenticate', userId: 'U1' });
    });
  }
});

test('an after-login whose result cannot be read fails closed, fast path or not', async () => {
  const memory = createMemoryHost();
  const plugin = TwilioPlugin.create(baseConfig({ twoFactor: 'optional' }), memory.host);
  const result = {
    get user() {
      throw new Error('unreadable');
    },
  };
  await assert.rejects(plugin.afterLogin({}, LOGIN, result), { code: 'INVALID_INPUT' });
});

test('with a host that answers plain values at once, a code check answers with a settled Promise', async () => {
  // (An HTTP reply is an object, which might be a thenable, so a step that texts a code always
  // waits a turn; a step made of storage calls alone need not.)
  const memory = synchronousHost();
  const plugin = TwilioPlugin.create(baseConfig(), memory.host);
  const phoneNumber = '+14155550183';
  const step1 = await plugin.beforeRegister({ clientIp: '203.0.113.9' }, { phoneNumber });
  const request = {
    email: 'ann@example.com',
    password: 'correct horse battery staple',
    phoneNumber,
    transactionId: step1.body.transactionId,
    transactionCode: memory.lastCode(),
  };
  for (const [hook, args] of [
    ['beforeRegister', [{}, request]],
    ['afterRegister', [{}, request, { user: { objectId: 'U1' } }]],
  ]) {
    const order = [];
    const answered = plugin[hook](...args).then((outcome) => order.push(outcome.action));
    Promise.resolve().then(() => order.push('next microtask'));
    await answered;
    assert.deepEqual(order, ['continue', 'next microtask'], hook);
  }
});

test('hooks in flight together, whose host calls settle out of order, each get their own answer', async () => {
  const memory = createMemoryHost();
  // Every storage call settles after a random number of turns, so the plugin's awaits resume
  // in an order unrelated to the order they began in.
  const later = (value) =>
    new Promise((resolve) => {
      let turns = Math.floor(Math.random() * 4);
      const step = () => (turns-- > 0 ? setImmediate(step) : resolve(value));
      step();
    });
  const host = { ...memory.host };
  for (const name of ['storageGet', 'storagePut', 'storageTake', 'storageIncr', 'findUser']) {
    host[name] = (...args) => later(undefined).then(() => memory.host[name](...args));
  }
  const plugin = TwilioPlugin.create(baseConfig(LIMITS_OUT_OF_REACH), host);
  const numbers = Array.from({ length: 24 }, (_, i) => `+1415555${String(1000 + i)}`);
  const started = await Promise.all(
    numbers.map((phoneNumber) =>
      plugin.beforeRegister({ clientIp: '203.0.113.9' }, { phoneNumber }),
    ),
  );
  const ids = started.map((answer) => answer.body.transactionId);
  assert.equal(new Set(ids).size, numbers.length);
  const codeFor = (phoneNumber) => {
    const sent = memory.state.requests.find(
      (request) => new URLSearchParams(request.body).get('To') === phoneNumber,
    );
    return /(?<!\d)(\d{4,10})(?!\d)/.exec(new URLSearchParams(sent.body).get('Body'))[1];
  };
  const finished = await Promise.all(
    numbers.map((phoneNumber, i) =>
      plugin.beforeRegister(
        {},
        {
          email: `u${i}@example.com`,
          password: 'pw-123456',
          phoneNumber,
          transactionId: ids[i],
          transactionCode: codeFor(phoneNumber),
        },
      ),
    ),
  );
  for (const [i, outcome] of finished.entries()) {
    assert.equal(outcome.action, 'continue', numbers[i]);
    assert.equal(outcome.args.email, `u${i}@example.com`);
  }
});
