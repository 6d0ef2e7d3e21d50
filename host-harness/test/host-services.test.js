// The plugin's messaging API through the reference host: POST /api/services/twilio/<operation>
// for signed-in callers, what reaches the Twilio simulator on the wire, every validation error
// (answered before anything reaches Twilio), Twilio's refusals, and the verification
// invariants of startVerification / checkVerification.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { FULL_ACCOUNT, SMS_NUMBER } = require('../src/twilio-sim');
const { outbox, postJson, readCode, registerWithCode, startApp } = require('./host-helpers');
const { callService, recordingSend, signIn } = require('./support/service-calls');

const MEDIA = ['https://cdn.example.com/a.png', 'https://cdn.example.com/b.jpg?size=large&v=2'];
const SENT_KEYS = ['from', 'numMedia', 'numSegments', 'sid', 'status', 'to'];

/** A host whose users may register without a phone number, recording what goes to Twilio. */
async function startMessagingApp(t, pluginConfig = {}, options = {}) {
  const recorder = recordingSend();
  t.after(() => recorder.close());
  const started = await startApp(t, {
    httpSend: recorder.send,
    pluginConfig: { phoneRequired: false, ...pluginConfig },
    ...options,
  });
  return { ...started, recorder };
}

/** The form parameters of a recorded request, as sorted [name, value] pairs. */
const formPairs = (body) =>
  [...new URLSearchParams(body)].sort(([a, x], [b, y]) => a.localeCompare(b) || x.localeCompare(y));

test('sendSms answers the sent message and sends exactly Twilio’s wire format', async (t) => {
  const { app, recorder } = await startMessagingApp(t);
  const { token } = await signIn(app, 'ann@example.com');
  const text = 'Your order #42 ships today: 2 × "café" & more = ✓';

  const answer = await callService(app, 'sendSms', { to: '+1 415 555 0100', body: text }, token);
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(Object.keys(answer.body).sort(), SENT_KEYS);
  assert.match(answer.body.sid, /^SM[0-9a-f]{32}$/);
  assert.equal(answer.body.status, 'queued');
  assert.equal(answer.body.to, '+14155550100', 'normalized to E.164 before sending');
  assert.equal(answer.body.from, SMS_NUMBER);
  assert.equal(answer.body.numSegments, 1);
  assert.equal(answer.body.numMedia, 0);

  const [create] = recorder.messageCreates();
  assert.equal(recorder.messageCreates().length, 1);
  assert.equal(
    create.url,
    `${app.simulatorUrl}/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Messages.json`,
  );
  assert.equal(create.method, 'POST');
  const headers = Object.fromEntries(
    Object.entries(create.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  assert.match(headers['content-type'], /^application\/x-www-form-urlencoded/);
  const basic = Buffer.from(`${FULL_ACCOUNT.sid}:${FULL_ACCOUNT.authToken}`).toString('base64');
  assert.equal(headers.authorization, `Basic ${basic}`);
  assert.deepEqual(
    formPairs(create.body),
    formPairs(
      new URLSearchParams({
        To: '+14155550100',
        From: SMS_NUMBER,
        Body: text,
        StatusCallback: `${app.url}/api/services/twilio/status-callback`,
      }).toString(),
    ),
  );

  const [message] = await outbox(app.simulatorUrl, '+14155550100');
  assert.equal(message.sid, answer.body.sid);
  assert.equal(message.body, text);
  assert.equal(message.statusCallback, `${app.url}/api/services/twilio/status-callback`);
});

test('sendSms passes the caller’s own statusCallback instead of the host’s', async (t) => {
  const { app, recorder } = await startMessagingApp(
    t,
    {},
    { simulatorOptions: { callbackTimeoutMs: 200 } },
  );
  const { token } = await signIn(app, 'ann@example.com');
  const callback = 'https://hooks.invalid/twilio/status?app=demo';
  const answer = await callService(
    app,
    'sendSms',
    { to: '+14155550101', body: 'hi', statusCallback: callback },
    token,
  );
  assert.equal(answer.status, 200, answer.text);
  const form = new URLSearchParams(recorder.messageCreates()[0].body);
  assert.equal(form.get('StatusCallback'), callback);
});

test('sendMms sends each media URL as a repeated MediaUrl parameter', async (t) => {
  const { app, recorder } = await startMessagingApp(t);
  const { token } = await signIn(app, 'ann@example.com');

  const answer = await callService(
    app,
    'sendMms',
    { to: '+14155550102', body: 'Two pictures', mediaUrls: MEDIA },
    token,
  );
  assert.equal(answer.status, 200, answer.text);
  assert.deepEqual(Object.keys(answer.body).sort(), SENT_KEYS);
  assert.match(answer.body.sid, /^MM[0-9a-f]{32}$/);
  assert.equal(answer.body.numMedia, 2);

  const { body } = recorder.messageCreates()[0];
  assert.equal(body.match(/(^|&)MediaUrl=/g).length, 2, body);
  const form = new URLSearchParams(body);
  assert.deepEqual(form.getAll('MediaUrl'), MEDIA);
  assert.deepEqual([...new Set(form.keys())].sort(), [
    'Body',
    'From',
    'MediaUrl',
    'StatusCallback',
    'To',
  ]);
  assert.equal(form.get('Body'), 'Two pictures');

  const [message] = await outbox(app.simulatorUrl, '+14155550102');
  assert.deepEqual(message.mediaUrls, MEDIA);

  // The body is optional for an MMS: no Body parameter is sent at all.
  const bare = await callService(
    app,
    'sendMms',
    { to: '+14155550102', mediaUrls: MEDIA.slice(0, 1) },
    token,
  );
  assert.equal(bare.status, 200, bare.text);
  assert.equal(bare.body.numMedia, 1);
  const bareForm = new URLSearchParams(recorder.messageCreates()[1].body);
  assert.equal(bareForm.has('Body'), false);
  assert.deepEqual(bareForm.getAll('MediaUrl'), MEDIA.slice(0, 1));
});

test('a body of exactly 1,600 characters is accepted where the app allows 11 segments', async (t) => {
  const { app } = await startMessagingApp(t, { maxSegmentsPerMessage: 11 });
  const { token } = await signIn(app, 'ann@example.com');
  const answer = await callService(
    app,
    'sendSms',
    { to: '+14155550103', body: 'a'.repeat(1600) },
    token,
  );
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.body.numSegments, 11);
});

test('by default a message of more than 5 segments is refused before it reaches Twilio', async (t) => {
  const { app, recorder } = await startMessagingApp(t);
  const { token } = await signIn(app, 'ann@example.com');
  const sent = recorder.calls.length;
  const answer = await callService(
    app,
    'sendSms',
    { to: '+14155550103', body: 'a'.repeat(766) },
    token,
  );
  assert.equal(answer.status, 400, answer.text);
  assert.equal(answer.body.code, 'INVALID_INPUT');
  assert.match(answer.body.message, /at most 5 SMS segments/);
  assert.equal(recorder.calls.length, sent);
});

test('each invalid request gets a clear 400 naming the field, and nothing reaches Twilio', async (t) => {
  const { app, recorder } = await startMessagingApp(t);
  const { token } = await signIn(app, 'ann@example.com');
  const to = '+14155550104';
  const https = (n) => `https://cdn.example.com/${n}.png`;
  const cases = [
    ['sendSms', [], 'INVALID_INPUT', 'request'],
    ['sendSms', { body: 'hi' }, 'INVALID_INPUT', 'to'],
    ['sendSms', { to: 4155550104, body: 'hi' }, 'INVALID_INPUT', 'to'],
    ['sendSms', { to: 'call me maybe', body: 'hi' }, 'INVALID_PHONE_NUMBER', 'to'],
    ['sendSms', { to: '4155550104', body: 'hi' }, 'INVALID_PHONE_NUMBER', 'to'],
    ['sendSms', { to }, 'INVALID_INPUT', 'body'],
    ['sendSms', { to, body: '   ' }, 'INVALID_INPUT', 'body'],
    ['sendSms', { to, body: 42 }, 'INVALID_INPUT', 'body'],
    ['sendSms', { to, body: 'a'.repeat(1601) }, 'INVALID_INPUT', 'body'],
    [
      'sendSms',
      { to, body: 'hi', statusCallback: 'http://example.com/cb' },
      'INVALID_INPUT',
      'statusCallback',
    ],
    [
      'sendSms',
      { to, body: 'hi', statusCallback: 'https://my_host.example.com/cb' },
      'INVALID_INPUT',
      'statusCallback',
    ],
    ['sendMms', { to, body: 'no media' }, 'INVALID_INPUT', 'mediaUrls'],
    ['sendMms', { to, mediaUrls: [] }, 'INVALID_INPUT', 'mediaUrls'],
    ['sendMms', { to, mediaUrls: https(1) }, 'INVALID_INPUT', 'mediaUrls'],
    [
      'sendMms',
      { to, mediaUrls: Array.from({ length: 11 }, (_, i) => https(i)) },
      'INVALID_INPUT',
      'mediaUrls',
    ],
    [
      'sendMms',
      { to, mediaUrls: ['http://cdn.example.com/a.png'] },
      'INVALID_INPUT',
      'mediaUrls[0]',
    ],
    ['sendMms', { to, mediaUrls: [https(1), 7] }, 'INVALID_INPUT', 'mediaUrls[1]'],
    ['sendMms', { to, mediaUrls: [https(1), 'https://a b.png'] }, 'INVALID_INPUT', 'mediaUrls[1]'],
    ['sendMms', { to, body: 'a'.repeat(1601), mediaUrls: [https(1)] }, 'INVALID_INPUT', 'body'],
    ['sendMms', { mediaUrls: [https(1)] }, 'INVALID_INPUT', 'to'],
    ['startVerification', {}, 'INVALID_INPUT', 'phoneNumber'],
    ['startVerification', { phoneNumber: 'nope' }, 'INVALID_PHONE_NUMBER', 'phoneNumber'],
    [
      'startVerification',
      { phoneNumber: to, purpose: 'Change Phone!' },
      'INVALID_INPUT',
      'purpose',
    ],
    [
      'checkVerification',
      { phoneNumber: to, transactionCode: '123456' },
      'INVALID_INPUT',
      'transactionId',
    ],
    [
      'checkVerification',
      { phoneNumber: to, transactionId: 'abc' },
      'INVALID_INPUT',
      'transactionCode',
    ],
    ['getMessageStatus', {}, 'INVALID_INPUT', 'sid'],
    ['getMessageStatus', { sid: 'SM123' }, 'INVALID_INPUT', 'sid'],
  ];
  for (const [operation, request, code, field] of cases) {
    const label = `${operation} ${JSON.stringify(request).slice(0, 80)}`;
    const answer = await callService(app, operation, request, token);
    assert.equal(answer.status, 400, `${label}: ${answer.text}`);
    assert.equal(answer.body.code, code, label);
    assert.equal(answer.body.details.field, field, label);
    assert.match(answer.body.message, new RegExp(`\`${field.replace(/[[\]]/g, '\\$&')}\``), label);
  }
  assert.equal(recorder.calls.length, 0, 'no request reached Twilio');
  assert.equal((await outbox(app.simulatorUrl, to)).length, 0);
});

test("Twilio's refusals come back with Twilio's code and words a person can act on", async (t) => {
  const { app } = await startMessagingApp(t);
  const { token } = await signIn(app, 'ann@example.com');
  const cases = [
    ['+15005550001', 21211, 400, /not valid/],
    ['+15005550002', 21612, 400, /cannot be delivered/],
    ['+15005550003', 21408, 400, /Geo Permissions/],
    ['+15005550004', 21610, 400, /STOP/],
    ['+15005550009', 21614, 400, /not a mobile number/],
  ];
  for (const [to, twilioCode, status, words] of cases) {
    const answer = await callService(app, 'sendSms', { to, body: 'hi' }, token);
    assert.equal(answer.status, status, `${to}: ${answer.text}`);
    assert.equal(answer.body.code, 'TWILIO_REJECTED', to);
    assert.equal(answer.body.details.twilioCode, twilioCode, to);
    assert.equal(
      answer.body.details.moreInfo,
      `https://www.twilio.com/docs/errors/${twilioCode}`,
      to,
    );
    assert.match(answer.body.message, words, to);
  }
  // An MMS meets the same refusals.
  const mms = await callService(
    app,
    'sendMms',
    { to: '+15005550004', mediaUrls: MEDIA.slice(0, 1) },
    token,
  );
  assert.equal(mms.status, 400, mms.text);
  assert.equal(mms.body.details.twilioCode, 21610);
});

test("a sender the account cannot use is the app's set-up problem: 502 with Twilio's code", async (t) => {
  const { app } = await startMessagingApp(t, { senderPhoneNumber: '+15005550001' });
  const { token } = await signIn(app, 'ann@example.com');
  const answer = await callService(app, 'sendSms', { to: '+14155550105', body: 'hi' }, token);
  assert.equal(answer.status, 502, answer.text);
  assert.equal(answer.body.code, 'TWILIO_REJECTED');
  assert.equal(answer.body.details.twilioCode, 21212);
  assert.match(answer.body.message, /administrator/);
});

test('anonymous callers and unknown user-tokens are refused before anything is sent', async (t) => {
  const { app, recorder } = await startMessagingApp(t);
  const requests = {
    sendSms: { to: '+14155550106', body: 'spend your budget' },
    sendMms: { to: '+14155550106', mediaUrls: MEDIA },
    startVerification: { phoneNumber: '+14155550106' },
    checkVerification: {
      phoneNumber: '+14155550106',
      transactionId: 'AAAAAAAAAAAAAAAAAAAAAAAA',
      transactionCode: '123456',
    },
    getMessageStatus: { sid: `SM${'0'.repeat(32)}` },
  };
  for (const [operation, request] of Object.entries(requests)) {
    for (const token of [undefined, '', 'ABCDEF01-0000-0000-0000-000000000000']) {
      const answer = await callService(app, operation, request, token);
      assert.equal(answer.status, 401, `${operation} with ${token}: ${answer.text}`);
      assert.equal(answer.body.code, 3064, operation);
      assert.match(answer.body.message, /user-token|log in/i, operation);
    }
  }
  assert.equal(recorder.calls.length, 0, 'nothing reached Twilio');
  assert.equal((await outbox(app.simulatorUrl, '+14155550106')).length, 0);
});

test('with messagingAccess "anyone" an anonymous caller may send, but a bad token is still refused', async (t) => {
  const { app } = await startMessagingApp(t, { messagingAccess: 'anyone' });
  const sent = await callService(app, 'sendSms', { to: '+14155550107', body: 'hello' });
  assert.equal(sent.status, 200, sent.text);
  const status = await callService(app, 'getMessageStatus', { sid: sent.body.sid });
  assert.equal(status.status, 200, status.text);
  assert.equal(status.body.sid, sent.body.sid);

  const badToken = await callService(app, 'sendSms', { to: '+14155550107', body: 'x' }, 'nope');
  assert.equal(badToken.status, 401, badToken.text);
});

test('getMessageStatus reports only the caller’s own messages', async (t) => {
  const { app } = await startMessagingApp(t);
  const ann = await signIn(app, 'ann@example.com');
  const bob = await signIn(app, 'bob@example.com');
  const sent = await callService(app, 'sendSms', { to: '+14155550108', body: 'hi' }, ann.token);
  assert.equal(sent.status, 200, sent.text);

  const own = await callService(app, 'getMessageStatus', { sid: sent.body.sid }, ann.token);
  assert.equal(own.status, 200, own.text);
  assert.equal(own.body.sid, sent.body.sid);
  assert.equal(own.body.to, '+14155550108');
  assert.ok(['queued', 'sent', 'delivered'].includes(own.body.status), own.text);

  for (const [sid, token] of [
    [sent.body.sid, bob.token],
    [`SM${'f'.repeat(32)}`, ann.token],
  ]) {
    const refused = await callService(app, 'getMessageStatus', { sid }, token);
    assert.equal(refused.status, 404, refused.text);
    assert.equal(refused.body.code, 'MESSAGE_NOT_FOUND');
  }
});

test('an unknown service is a 404 and a GET on a service a 405', async (t) => {
  const { app } = await startMessagingApp(t);
  const { token } = await signIn(app, 'ann@example.com');
  const missing = await callService(app, 'sendFax', { to: '+14155550109' }, token);
  assert.equal(missing.status, 404, missing.text);
  const wrong = await fetch(`${app.url}/api/services/twilio/sendSms`, {
    headers: { 'user-token': token },
  });
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.get('allow'), 'POST');
});

// startVerification / checkVerification: the same rules as registration and login.

/** A signed-in user and a started verification for `phone`, with the texted code. */
async function startedVerification(app, token, phone, purpose) {
  const request = purpose === undefined ? { phoneNumber: phone } : { phoneNumber: phone, purpose };
  const started = await callService(app, 'startVerification', request, token);
  assert.equal(started.status, 200, started.text);
  return { ...started.body, code: await readCode(app.simulatorUrl, phone) };
}

test('startVerification texts a code that checkVerification accepts once', async (t) => {
  const { app } = await startMessagingApp(t);
  const { token } = await signIn(app, 'ann@example.com');
  const phone = '+14155550110';
  const started = await callService(
    app,
    'startVerification',
    { phoneNumber: '+1 (415) 555-0110', purpose: 'change-phone' },
    token,
  );
  assert.equal(started.status, 200, started.text);
  assert.deepEqual(Object.keys(started.body).sort(), [
    'channel',
    'codeLength',
    'expiresInSeconds',
    'phoneNumber',
    'resendAfterSeconds',
    'transactionId',
  ]);
  assert.equal(started.body.phoneNumber, phone);
  assert.match(started.body.transactionId, /^[A-Za-z0-9_-]{22,}$/);
  const code = await readCode(app.simulatorUrl, phone);
  const check = {
    phoneNumber: phone,
    purpose: 'change-phone',
    transactionId: started.body.transactionId,
    transactionCode: code,
  };

  const checked = await callService(app, 'checkVerification', check, token);
  assert.equal(checked.status, 200, checked.text);
  assert.deepEqual(checked.body, { verified: true, phoneNumber: phone, purpose: 'change-phone' });

  const replay = await callService(app, 'checkVerification', check, token);
  assert.equal(replay.status, 400, replay.text);
  assert.equal(replay.body.code, 'CODE_MISMATCH');
});

test('a verification is bound to its phone number, purpose and caller', async (t) => {
  const { app } = await startMessagingApp(t);
  const ann = await signIn(app, 'ann@example.com');
  const bob = await signIn(app, 'bob@example.com');
  const phone = '+14155550111';
  const v = await startedVerification(app, ann.token, phone, 'change-phone');
  const right = {
    phoneNumber: phone,
    purpose: 'change-phone',
    transactionId: v.transactionId,
    transactionCode: v.code,
  };
  const wrongs = [
    [{ ...right, phoneNumber: '+14155550112' }, ann.token],
    [{ ...right, purpose: 'delete-account' }, ann.token],
    [right, bob.token],
  ];
  for (const [request, token] of wrongs) {
    const answer = await callService(app, 'checkVerification', request, token);
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.body.code, 'CODE_MISMATCH');
  }
  // Ann leaving the purpose out is told to give it, and that spends no attempt.
  const slip = await callService(
    app,
    'checkVerification',
    { ...right, purpose: undefined },
    ann.token,
  );
  assert.equal(slip.body.code, 'INVALID_INPUT', slip.text);
  assert.equal(slip.body.details.field, 'purpose');
  const ok = await callService(app, 'checkVerification', right, ann.token);
  assert.equal(ok.status, 200, ok.text);
});

test('wrong codes count down to TOO_MANY_ATTEMPTS, after which the right code fails too', async (t) => {
  const { app } = await startMessagingApp(t, { maxAttempts: 3 });
  const { token } = await signIn(app, 'ann@example.com');
  const phone = '+14155550113';
  const v = await startedVerification(app, token, phone);
  const check = (code) =>
    callService(
      app,
      'checkVerification',
      { phoneNumber: phone, transactionId: v.transactionId, transactionCode: code },
      token,
    );
  const wrong = v.code === '000000' ? '111111' : '000000';

  const first = await check(wrong);
  assert.equal(first.status, 400, first.text);
  assert.equal(first.body.code, 'CODE_MISMATCH');
  assert.equal(first.body.details.attemptsLeft, 2);
  assert.equal((await check(wrong)).body.details.attemptsLeft, 1);
  const third = await check(wrong);
  assert.equal(third.status, 429, third.text);
  assert.equal(third.body.code, 'TOO_MANY_ATTEMPTS');
  const right = await check(v.code);
  assert.equal(right.status, 429, right.text);
  assert.equal(right.body.code, 'TOO_MANY_ATTEMPTS');
});

test('a code expires after codeTtlSeconds', async (t) => {
  const clock = { now: Date.now() };
  const { app } = await startMessagingApp(t, { codeTtlSeconds: 60 }, { clock: () => clock.now });
  const { token } = await signIn(app, 'ann@example.com');
  const phone = '+14155550114';
  const check = (v) =>
    callService(
      app,
      'checkVerification',
      { phoneNumber: phone, transactionId: v.transactionId, transactionCode: v.code },
      token,
    );

  const early = await startedVerification(app, token, phone);
  clock.now += 59_000;
  assert.equal((await check(early)).status, 200, 'still valid just before expiry');

  const late = await startedVerification(app, token, phone);
  clock.now += 60_000;
  const expired = await check(late);
  assert.equal(expired.status, 410, expired.text);
  assert.equal(expired.body.code, 'VERIFICATION_EXPIRED');
});

test('of two concurrent right answers exactly one succeeds', async (t) => {
  const { app } = await startMessagingApp(t);
  const { token } = await signIn(app, 'ann@example.com');
  const phone = '+14155550115';
  const v = await startedVerification(app, token, phone);
  const request = { phoneNumber: phone, transactionId: v.transactionId, transactionCode: v.code };
  const answers = await Promise.all(
    Array.from({ length: 4 }, () => callService(app, 'checkVerification', request, token)),
  );
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 400, 400, 400]);
});

test('codes of registration and login do not pass checkVerification, nor its codes a login', async (t) => {
  const { app } = await startMessagingApp(t, {
    maxSmsPerNumberPerHour: 20,
    maxSmsPerNumberPerDay: 20,
    resendCooldownSeconds: 0,
  });
  const phone = '+14155550116';
  // Ann registers with a confirmed number, so she can log in with it.
  const { step2 } = await registerWithCode(app, phone, {
    email: 'ann@example.com',
    password: 'service-password',
  });
  assert.equal(step2.status, 200, step2.text);
  const login = await postJson(`${app.url}/api/users/login`, {
    login: 'ann@example.com',
    password: 'service-password',
  });
  const token = login.body['user-token'];
  assert.ok(token, login.text);

  // A registration code for another number, and a phone-login code for Ann's.
  const other = '+14155550117';
  const registration = await postJson(`${app.url}/api/users/register`, { phoneNumber: other });
  assert.equal(registration.status, 200, registration.text);
  const registrationCode = await readCode(app.simulatorUrl, other);
  const phoneLogin = await postJson(`${app.url}/api/users/login`, { phoneNumber: phone });
  assert.equal(phoneLogin.status, 200, phoneLogin.text);
  const loginCode = await readCode(app.simulatorUrl, phone);

  for (const [transactionId, transactionCode, phoneNumber] of [
    [registration.body.transactionId, registrationCode, other],
    [phoneLogin.body.transactionId, loginCode, phone],
  ]) {
    for (const purpose of [undefined, 'register', 'login']) {
      const answer = await callService(
        app,
        'checkVerification',
        { phoneNumber, transactionId, transactionCode, purpose },
        token,
      );
      assert.equal(answer.status, 400, answer.text);
      assert.equal(answer.body.code, 'CODE_MISMATCH');
    }
  }

  // An app verification of Ann's own number does not log her (or anyone) in.
  const v = await startedVerification(app, token, phone, 'login');
  const sessionsBefore = app.db.prepare('SELECT count(*) AS n FROM sessions').get().n;
  for (const body of [
    { phoneNumber: phone, transactionId: v.transactionId, transactionCode: v.code },
    { login: 'ann@example.com', transactionId: v.transactionId, transactionCode: v.code },
  ]) {
    const answer = await postJson(`${app.url}/api/users/login`, body);
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.body.code, 'CODE_MISMATCH');
    assert.equal('user-token' in answer.body, false);
  }
  assert.equal(app.db.prepare('SELECT count(*) AS n FROM sessions').get().n, sessionsBefore);
});
