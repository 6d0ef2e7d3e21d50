// Login through the plugin's login hooks: phone login with a texted code, and two-factor after
// a password, where the BaaS must not hand out a session before the second factor.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const {
  getJson,
  outbox,
  postJson,
  readCode,
  registerWithCode,
  request,
  startApp,
} = require('./host-helpers');

/**
 * These tests register a user and then log in with the same number within the second; the
 * resend cooldown that would make them wait has tests of its own (host-send-policy).
 */
function startLoginApp(t, options = {}) {
  return startApp(t, {
    ...options,
    pluginConfig: { resendCooldownSeconds: 0, ...options.pluginConfig },
  });
}

const sessionCount = (app) => app.db.prepare('SELECT count(*) AS n FROM sessions').get().n;
const PASSWORD = 'login-password';

async function registeredUser(app, phone, extra = {}) {
  const { step2 } = await registerWithCode(app, phone, {
    email: `${phone.slice(-4)}@example.com`,
    password: 'login-password',
    ...extra,
  });
  assert.equal(step2.status, 200, step2.text);
  return step2.body;
}

test('phone login texts a code and the code logs the user in', async (t) => {
  const { app } = await startLoginApp(t);
  const phone = '+14155550170';
  const user = await registeredUser(app, phone);
  const login = (body) => postJson(`${app.url}/api/users/login`, body);

  const start = await login({ phoneNumber: phone });
  assert.equal(start.status, 200, start.text);
  assert.ok(start.body.transactionId);
  assert.equal(sessionCount(app), 0);

  const code = await readCode(app.simulatorUrl, phone);
  const done = await login({
    phoneNumber: phone,
    transactionId: start.body.transactionId,
    transactionCode: code,
  });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.objectId, user.objectId);
  assert.ok(done.body['user-token']);
  assert.equal(sessionCount(app), 1);
});

test('a password login with two-factor on gets no session until the texted code', async (t) => {
  const { app } = await startLoginApp(t);
  const phone = '+14155550171';
  const user = await registeredUser(app, phone, { twoFactorEnabled: true });
  const login = (body) => postJson(`${app.url}/api/users/login`, body);

  const first = await login({ login: user.email, password: 'login-password' });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.twoFactorRequired, true);
  assert.equal('user-token' in first.body, false);
  assert.equal(sessionCount(app), 0, 'the session issued before the after-hook was revoked');

  const code = await readCode(app.simulatorUrl, phone);
  const second = await login({
    login: user.email,
    transactionId: first.body.transactionId,
    transactionCode: code,
  });
  assert.equal(second.status, 200, second.text);
  assert.equal(second.body.objectId, user.objectId);
  assert.ok(second.body['user-token']);
  assert.equal(sessionCount(app), 1);
});

test('when the two-factor code cannot be sent the login fails closed', async (t) => {
  const { app } = await startLoginApp(t);
  const phone = '+14155550172';
  const user = await registeredUser(app, phone, { twoFactorEnabled: true });
  const passwordLogin = () =>
    postJson(`${app.url}/api/users/login`, { login: user.email, password: 'login-password' });

  // Twilio refuses: nothing was sent, no session.
  await postJson(`${app.simulatorUrl}/_sim/faults`, { status: 503 });
  const refused = await passwordLogin();
  assert.equal(refused.status, 503, refused.text);
  assert.equal(refused.body.code, 'TWILIO_UNAVAILABLE');
  assert.equal(sessionCount(app), 0);

  // The connection breaks after the request was written: the code may still arrive, so the
  // answer says so and carries its transaction; still no session.
  await postJson(`${app.simulatorUrl}/_sim/faults`, { drop: true });
  const uncertain = await passwordLogin();
  assert.equal(uncertain.status, 202, uncertain.text);
  assert.equal(uncertain.body.deliveryUncertain, true);
  assert.ok(uncertain.body.transactionId);
  assert.equal(sessionCount(app), 0);
  assert.equal((await outbox(app.simulatorUrl, phone)).length, 1, 'only the registration SMS');
});

test('a password login without two-factor answers the user with a user-token', async (t) => {
  const { app } = await startLoginApp(t);
  const user = await registeredUser(app, '+14155550173');
  const answer = await postJson(`${app.url}/api/users/login`, {
    login: user.email,
    password: 'login-password',
  });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.objectId, user.objectId);
  assert.equal(answer.body.phoneNumberConfirmed, true);
  assert.ok(answer.body['user-token']);
  assert.equal(sessionCount(app), 1);
});

// --- Every point of the issue, through the API -------------------------------------------------

const login = (app, body) => postJson(`${app.url}/api/users/login`, body);

/** A wrong code for `code`, same length. */
const wrongCode = (code) => (code[0] === '1' ? '2' : '1') + code.slice(1);

/** The user-token works for reading the user: a real session. */
async function assertSession(app, answer, objectId) {
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.objectId, objectId);
  const token = answer.body['user-token'];
  assert.match(token, /^[0-9A-F-]{36}$/);
  const read = await getJson(`${app.url}/api/users/${objectId}`, { 'user-token': token });
  assert.equal(read.status, 200, read.text);
}

/** The answer gives no session, and the database holds no more sessions than before. */
function assertNoSession(app, answer, sessionsBefore) {
  assert.equal(answer.body && 'user-token' in answer.body, false, answer.text);
  assert.equal(sessionCount(app), sessionsBefore, 'no session row was left behind');
}

/** Two-factor's first step for `user`: the withheld answer and the texted code. */
async function passwordStep(app, user, phone) {
  const before = sessionCount(app);
  const first = await login(app, { login: user.email, password: PASSWORD });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.twoFactorRequired, true, first.text);
  assertNoSession(app, first, before);
  return { ...first.body, code: await readCode(app.simulatorUrl, phone) };
}

/** Phone login's first step: the answer and the texted code. */
async function phoneStep(app, phone) {
  const first = await login(app, { phoneNumber: phone });
  assert.equal(first.status, 200, first.text);
  return { ...first.body, code: await readCode(app.simulatorUrl, phone) };
}

test('phone login: a number with no account answers the same way and texts nothing', async (t) => {
  const { app, sms } = await startLoginApp(t);
  const known = '+14155550174';
  const unknown = '+14155550175';
  await registeredUser(app, known);

  // (Timing: the plugin makes the same host calls before both answers, which
  // plugin-enumeration.test.js checks; `make bench` measures the answers' times.)
  const a = { answer: await login(app, { phoneNumber: known }) };
  const b = { answer: await login(app, { phoneNumber: unknown }) };
  for (const { answer } of [a, b]) {
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(Object.keys(answer.body).sort(), [
      'channel',
      'expiresInSeconds',
      'resendAfterSeconds',
      'transactionId',
    ]);
    assert.equal(answer.body.expiresInSeconds, 300);
    assert.match(answer.body.transactionId, /^[A-Za-z0-9_-]{24}$/);
    assert.equal(answer.headers.get('content-type'), a.answer.headers.get('content-type'));
  }
  assert.deepEqual(a.answer.body.resendAfterSeconds, b.answer.body.resendAfterSeconds);

  const known0 = await readCode(app.simulatorUrl, known);
  assert.equal((await outbox(app.simulatorUrl, unknown)).length, 0, 'nothing was texted');
  assert.equal(sms.filter((m) => m.to === unknown).length, 0);
  assert.equal((await outbox(app.simulatorUrl, known)).length, 2, 'registration and login');

  // A guess answers the same for both, attempts left included.
  const guesses = [];
  for (const [phone, { answer }] of [
    [known, a],
    [unknown, b],
  ]) {
    guesses.push(
      await login(app, {
        phoneNumber: phone,
        transactionId: answer.body.transactionId,
        transactionCode: '000000',
      }),
    );
  }
  if (known0 !== '000000') {
    assert.deepEqual(
      guesses.map((g) => [g.status, g.body.code, g.body.details.attemptsLeft]),
      [
        [400, 'CODE_MISMATCH', 4],
        [400, 'CODE_MISMATCH', 4],
      ],
    );
  }
  assert.equal(sessionCount(app), 0);
});

test('phone login is refused when phoneLogin is off, and nothing is texted', async (t) => {
  const { app } = await startLoginApp(t, { pluginConfig: { phoneLogin: false } });
  const phone = '+14155550176';
  const user = await registeredUser(app, phone);
  const answer = await login(app, { phoneNumber: phone });
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 'PHONE_LOGIN_DISABLED');
  assert.match(answer.body.message, /password/);
  assert.equal((await outbox(app.simulatorUrl, phone)).length, 1, 'only the registration SMS');
  await assertSession(
    app,
    await login(app, { login: user.email, password: PASSWORD }),
    user.objectId,
  );
});

test('two-factor "off": a password is enough, whatever the user column says', async (t) => {
  const { app } = await startLoginApp(t, { pluginConfig: { twoFactor: 'off' } });
  const phone = '+14155550177';
  const user = await registeredUser(app, phone, { twoFactorEnabled: true });
  await assertSession(
    app,
    await login(app, { login: user.email, password: PASSWORD }),
    user.objectId,
  );
  assert.equal((await outbox(app.simulatorUrl, phone)).length, 1, 'no code was texted');
});

test('two-factor "optional": only users whose two-factor column is true get a code', async (t) => {
  const { app } = await startLoginApp(t, { pluginConfig: { twoFactorField: 'mfa' } });
  const plain = await registeredUser(app, '+14155550178');
  const flagged = await registeredUser(app, '+14155552671', { mfa: true });
  const otherColumn = await registeredUser(app, '+14155550179', { twoFactorEnabled: true });

  await assertSession(
    app,
    await login(app, { login: plain.email, password: PASSWORD }),
    plain.objectId,
  );
  await assertSession(
    app,
    await login(app, { login: otherColumn.email, password: PASSWORD }),
    otherColumn.objectId,
  );

  const step = await passwordStep(app, flagged, '+14155552671');
  assert.deepEqual(Object.keys(step).sort(), [
    'channel',
    'code',
    'expiresInSeconds',
    'phoneNumber',
    'resendAfterSeconds',
    'transactionId',
    'twoFactorRequired',
  ]);
  assert.equal(step.phoneNumber, '+1******2671', 'the number is masked');
  const second = await login(app, {
    login: flagged.email,
    transactionId: step.transactionId,
    transactionCode: step.code,
  });
  await assertSession(app, second, flagged.objectId);
});

test('two-factor "required": every user with a number gets a code; one without is refused', async (t) => {
  const { app } = await startLoginApp(t, {
    pluginConfig: { twoFactor: 'required', phoneRequired: false },
  });
  const phone = '+14155550180';
  const user = await registeredUser(app, phone);
  const step = await passwordStep(app, user, phone);
  assert.equal(step.phoneNumber, '+1******0180');

  // Without the code (password again, or nothing) there is still no session.
  const again = await login(app, { login: user.email, password: PASSWORD });
  assert.equal(again.body.twoFactorRequired, true);
  assertNoSession(app, again, 0);
  const missingCode = await login(app, { login: user.email, transactionId: step.transactionId });
  assert.equal(missingCode.status, 400, missingCode.text);
  assertNoSession(app, missingCode, 0);

  const second = await login(app, {
    login: user.email,
    transactionId: step.transactionId,
    transactionCode: step.code,
  });
  await assertSession(app, second, user.objectId);

  // No number to text: a clear error, and no session, never a bypass.
  const noPhone = await postJson(`${app.url}/api/users/register`, {
    email: 'nophone@example.com',
    password: PASSWORD,
  });
  assert.equal(noPhone.status, 200, noPhone.text);
  const before = sessionCount(app);
  const refused = await login(app, { login: 'nophone@example.com', password: PASSWORD });
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.body.code, 'TWO_FACTOR_UNAVAILABLE');
  assert.match(refused.body.message, /no phone number/);
  assertNoSession(app, refused, before);
});

test('two-factor cannot be skipped with empty transaction fields on a password login', async (t) => {
  const { app } = await startLoginApp(t);
  const phone = '+14155550181';
  const user = await registeredUser(app, phone, { twoFactorEnabled: true });
  for (const extra of [
    { transactionId: '' },
    { transactionId: null },
    { transactionId: '  ', transactionCode: '' },
  ]) {
    const answer = await login(app, { login: user.email, password: PASSWORD, ...extra });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.body.twoFactorRequired, true, JSON.stringify(extra));
    assertNoSession(app, answer, 0);
  }
});

test('a wrong password texts no two-factor code', async (t) => {
  const { app } = await startLoginApp(t, { pluginConfig: { twoFactor: 'required' } });
  const phone = '+14155550182';
  const user = await registeredUser(app, phone);
  const answer = await login(app, { login: user.email, password: 'wrong' });
  assert.equal(answer.status, 401, answer.text);
  assert.equal(answer.body.code, 3003);
  assert.equal((await outbox(app.simulatorUrl, phone)).length, 1, 'only the registration SMS');
  assertNoSession(app, answer, 0);
});

test('the lastLogin of a user is recorded only when the session is granted', async (t) => {
  const { app } = await startLoginApp(t);
  const phone = '+14155550183';
  const user = await registeredUser(app, phone, { twoFactorEnabled: true });
  const step = await passwordStep(app, user, phone);
  assert.equal(app.users.getById(user.objectId).lastLogin, null);
  const second = await login(app, {
    login: user.email,
    transactionId: step.transactionId,
    transactionCode: step.code,
  });
  await assertSession(app, second, user.objectId);
  assert.equal(typeof second.body.lastLogin, 'number');
});

test('a registration code logs no one in, by phone or as a second factor', async (t) => {
  const { app } = await startLoginApp(t, {
    pluginConfig: { maxSmsPerNumberPerHour: 20, maxSmsPerNumberPerDay: 20 },
  });
  const phone = '+14155550184';
  // A registration started and left open, then the same number registered with a newer code.
  const open = await postJson(`${app.url}/api/users/register`, { phoneNumber: phone });
  assert.equal(open.status, 200, open.text);
  const openCode = await readCode(app.simulatorUrl, phone);
  const user = await registeredUser(app, phone, { twoFactorEnabled: true });

  for (const body of [
    { phoneNumber: phone, transactionId: open.body.transactionId, transactionCode: openCode },
    { login: user.email, transactionId: open.body.transactionId, transactionCode: openCode },
  ]) {
    const answer = await login(app, body);
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.body.code, 'CODE_MISMATCH');
    assertNoSession(app, answer, 0);
  }

  // Nor do login codes cross between phone login and two-factor, for the same user.
  const byPhone = await phoneStep(app, phone);
  const crossed = await login(app, {
    login: user.email,
    transactionId: byPhone.transactionId,
    transactionCode: byPhone.code,
  });
  assert.equal(crossed.body.code, 'CODE_MISMATCH', crossed.text);
  const second = await passwordStep(app, user, phone);
  const crossedBack = await login(app, {
    phoneNumber: phone,
    transactionId: second.transactionId,
    transactionCode: second.code,
  });
  assert.equal(crossedBack.body.code, 'CODE_MISMATCH', crossedBack.text);
  assertNoSession(app, crossedBack, 0);
});

test("one user's code logs in no other user", async (t) => {
  const { app } = await startLoginApp(t);
  const annPhone = '+14155550185';
  const bobPhone = '+14155550186';
  const ann = await registeredUser(app, annPhone, { twoFactorEnabled: true });
  const bob = await registeredUser(app, bobPhone, { twoFactorEnabled: true });

  const annStep = await passwordStep(app, ann, annPhone);
  const asBob = await login(app, {
    login: bob.email,
    transactionId: annStep.transactionId,
    transactionCode: annStep.code,
  });
  assert.equal(asBob.status, 400, asBob.text);
  assert.equal(asBob.body.code, 'CODE_MISMATCH');
  assertNoSession(app, asBob, 0);

  const annPhoneStep = await phoneStep(app, annPhone);
  const bobByPhone = await login(app, {
    phoneNumber: bobPhone,
    transactionId: annPhoneStep.transactionId,
    transactionCode: annPhoneStep.code,
  });
  assert.equal(bobByPhone.body.code, 'CODE_MISMATCH', bobByPhone.text);
  assertNoSession(app, bobByPhone, 0);

  // Ann's own codes still work: a wrong user is a wrong answer, not the end of the code.
  await assertSession(
    app,
    await login(app, {
      login: ann.email,
      transactionId: annStep.transactionId,
      transactionCode: annStep.code,
    }),
    ann.objectId,
  );
  // Her phone code is right, but her account has two-factor on: a code alone is one factor.
  const byPhoneAlone = await login(app, {
    phoneNumber: annPhone,
    transactionId: annPhoneStep.transactionId,
    transactionCode: annPhoneStep.code,
  });
  assert.equal(byPhoneAlone.status, 403, byPhoneAlone.text);
  assert.equal(byPhoneAlone.body.code, 'TWO_FACTOR_REQUIRED');
  assertNoSession(app, byPhoneAlone, 1);
});

test('wrong codes count down to TOO_MANY_ATTEMPTS for phone login and two-factor', async (t) => {
  const { app } = await startLoginApp(t, { pluginConfig: { maxAttempts: 3 } });
  const phone = '+14155550187';
  const user = await registeredUser(app, phone, { twoFactorEnabled: true });
  const flows = {
    'phone login': async () => {
      const step = await phoneStep(app, phone);
      return { step, body: (code) => ({ phoneNumber: phone, ...tx(step, code) }) };
    },
    'two-factor': async () => {
      const step = await passwordStep(app, user, phone);
      return { step, body: (code) => ({ login: user.email, ...tx(step, code) }) };
    },
  };
  const tx = (step, code) => ({ transactionId: step.transactionId, transactionCode: code });
  for (const [flow, start] of Object.entries(flows)) {
    const { step, body } = await start();
    const wrong = wrongCode(step.code);
    const answers = [];
    for (let i = 0; i < 3; i += 1) answers.push(await login(app, body(wrong)));
    assert.deepEqual(
      answers.map((a) => [a.status, a.body.code, a.body.details.attemptsLeft]),
      [
        [400, 'CODE_MISMATCH', 2],
        [400, 'CODE_MISMATCH', 1],
        [429, 'TOO_MANY_ATTEMPTS', 0],
      ],
      flow,
    );
    const right = await login(app, body(step.code));
    assert.equal(right.status, 429, `${flow}: ${right.text}`);
    assertNoSession(app, right, 0);
  }
});

test('login codes expire after codeTtlSeconds, for phone login and two-factor', async (t) => {
  const clock = { now: Date.now() };
  const { app } = await startLoginApp(t, {
    clock: () => clock.now,
    pluginConfig: { codeTtlSeconds: 60, maxSmsPerNumberPerHour: 20, maxSmsPerNumberPerDay: 20 },
  });
  const phone = '+14155550188';
  const user = await registeredUser(app, phone, { twoFactorEnabled: true });
  const plainPhone = '+14155550198';
  const plain = await registeredUser(app, plainPhone);
  const tx = (step) => ({ transactionId: step.transactionId, transactionCode: step.code });

  const byPhone = await phoneStep(app, plainPhone);
  const second = await passwordStep(app, user, phone);
  clock.now += 61_000;
  for (const body of [
    { phoneNumber: plainPhone, ...tx(byPhone) },
    { login: user.email, ...tx(second) },
  ]) {
    const answer = await login(app, body);
    assert.equal(answer.status, 410, answer.text);
    assert.equal(answer.body.code, 'VERIFICATION_EXPIRED');
    assertNoSession(app, answer, 0);
  }

  // Just inside the lifetime, both still work.
  const fresh = await phoneStep(app, plainPhone);
  clock.now += 59_000;
  await assertSession(
    app,
    await login(app, { phoneNumber: plainPhone, ...tx(fresh) }),
    plain.objectId,
  );
  const freshSecond = await passwordStep(app, user, phone);
  clock.now += 59_000;
  await assertSession(
    app,
    await login(app, { login: user.email, ...tx(freshSecond) }),
    user.objectId,
  );
});

test('a login code works once, even when sent twice at the same moment', async (t) => {
  const { app } = await startLoginApp(t);
  const phone = '+14155550189';
  const user = await registeredUser(app, phone, { twoFactorEnabled: true });
  const plainPhone = '+14155550199';
  await registeredUser(app, plainPhone);
  const tx = (step) => ({ transactionId: step.transactionId, transactionCode: step.code });

  const byPhone = await phoneStep(app, plainPhone);
  const together = await Promise.all(
    [1, 2, 3].map(() => login(app, { phoneNumber: plainPhone, ...tx(byPhone) })),
  );
  assert.deepEqual(
    together.map((a) => a.status).sort(),
    [200, 400, 400],
    together.map((a) => a.text).join('\n'),
  );
  assert.equal(sessionCount(app), 1);

  const second = await passwordStep(app, user, phone);
  await assertSession(app, await login(app, { login: user.email, ...tx(second) }), user.objectId);
  const replay = await login(app, { login: user.email, ...tx(second) });
  assert.equal(replay.status, 400, replay.text);
  assert.equal(replay.body.code, 'CODE_MISMATCH');
  assertNoSession(app, replay, 2);
});

test('with the phone number as the identity, it logs in written any way registration takes', async (t) => {
  const { app } = await startApp(t, {
    pluginConfig: { identityField: 'phoneNumber', twoFactor: 'off' },
  });
  const { step2 } = await registerWithCode(app, '+14155550161', {
    password: 'correct horse battery staple',
  });
  assert.equal(step2.status, 200, step2.text);
  assert.equal(step2.body.phoneNumber, '+14155550161');
  for (const login of ['+1 415 555 0161', '+1 (415) 555-0161', '+14155550161', '0014155550161']) {
    const answer = await postJson(`${app.url}/api/users/login`, {
      login,
      password: 'correct horse battery staple',
    });
    assert.equal(answer.status, 200, `${login}: ${answer.text}`);
    assert.equal(answer.body.objectId, step2.body.objectId);
  }
  const wrong = await postJson(`${app.url}/api/users/login`, {
    login: '+1 415 555 0161',
    password: 'not the password',
  });
  assert.equal(wrong.status, 401);
});

test('a signed-in user turns two-factor on with PUT /api/users/:id, and then needs a code', async (t) => {
  const { app } = await startLoginApp(t);
  const phone = '+14155550190';
  const user = await registeredUser(app, phone);
  const login = (body) => postJson(`${app.url}/api/users/login`, body);
  const first = await login({ login: user.email, password: PASSWORD });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.body.twoFactorRequired, undefined, 'off by default for this user');
  const token = { 'user-token': first.body['user-token'] };
  const put = (id, body, headers = token) =>
    request('PUT', `${app.url}/api/users/${id}`, body, headers);

  const on = await put(user.objectId, { twoFactorEnabled: true, nickname: 'Ann' });
  assert.equal(on.status, 200, on.text);
  assert.deepEqual([on.body.twoFactorEnabled, on.body.nickname], [true, 'Ann']);
  const second = await login({ login: user.email, password: PASSWORD });
  assert.equal(second.body.twoFactorRequired, true, second.text);

  // Only the user's own properties, only with the user's own session.
  for (const body of [
    { email: 'x@example.com' },
    { phoneNumber: '+14155550191' },
    { phoneNumberConfirmed: false },
    { password: 'new' },
    { objectId: 'X' },
  ]) {
    const refused = await put(user.objectId, body);
    assert.equal(refused.status, 400, JSON.stringify(body));
    assert.match(refused.body.message, /cannot be changed here/);
  }
  // The whole user sent back is no change; unknown-shaped names and prototype members are not
  // properties; a user's properties stay small.
  // Turning it off takes the password as well as the session.
  const offWithoutPassword = await put(user.objectId, { ...on.body, twoFactorEnabled: false });
  assert.equal(offWithoutPassword.status, 401, offWithoutPassword.text);
  assert.match(offWithoutPassword.body.message, /needs your password/);
  const wrongPassword = { twoFactorEnabled: false, currentPassword: 'not it' };
  assert.equal((await put(user.objectId, wrongPassword)).status, 401);
  const again = await put(user.objectId, {
    ...on.body,
    twoFactorEnabled: false,
    currentPassword: PASSWORD,
  });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.body.twoFactorEnabled, false);
  assert.equal(again.body.currentPassword, undefined, 'never stored');
  for (const body of [JSON.parse('{"__proto__": {"x": 1}}'), { constructor: 'x' }, { 'a b': 1 }]) {
    const refused = await put(user.objectId, body);
    assert.equal(refused.status, 400, JSON.stringify(body));
  }
  const huge = await put(user.objectId, { notes: 'x'.repeat(20_000) });
  assert.equal(huge.status, 400, huge.text);
  assert.match(huge.body.message, /more than 16384 bytes/);
  const other = await registeredUser(app, '+14155550192');
  assert.equal((await put(other.objectId, { twoFactorEnabled: false })).status, 401);
  assert.equal((await put(user.objectId, { twoFactorEnabled: false }, {})).status, 401);
});

test('two-factor cannot be turned on without a confirmed phone number', async (t) => {
  const { app } = await startLoginApp(t, { pluginConfig: { phoneRequired: false } });
  const plain = await postJson(`${app.url}/api/users/register`, {
    email: 'np@example.com',
    password: PASSWORD,
  });
  assert.equal(plain.status, 200, plain.text);
  const session = await postJson(`${app.url}/api/users/login`, {
    login: 'np@example.com',
    password: PASSWORD,
  });
  // "On" in any of the ways the plugin reads it.
  for (const on of [true, 1, 'TRUE', 'true', '1']) {
    const refused = await request(
      'PUT',
      `${app.url}/api/users/${plain.body.objectId}`,
      { twoFactorEnabled: on },
      { 'user-token': session.body['user-token'] },
    );
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.body.message, /needs a confirmed phone number/);
  }
});
