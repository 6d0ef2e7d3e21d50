// Delivery-status callbacks: messages go out with a StatusCallback to the host's own route,
// the simulator posts signed callbacks there as Twilio does, and the plugin believes only what
// X-Twilio-Signature vouches for (twilio-api.md, "Status callbacks and X-Twilio-Signature").

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { FULL_ACCOUNT, SMS_NUMBER } = require('../src/twilio-sim');
const { computeSignature, sha256Hex } = require('../src/twilio-signature');
const { getJson, postJson, startApp } = require('./host-helpers');
const { AUTH_TOKEN, TwilioPlugin, baseConfig, createMemoryHost } = require('./support/memory-host');
const { callService, signIn } = require('./support/service-calls');

const CALLBACK_PATH = '/api/services/twilio/status-callback';

// Twilio's worked example (twilio-api.md, from Twilio's own library tests).
const EXAMPLE = {
  token: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675309',
    Digits: '1234',
    From: '+14158675309',
    To: '+18005551212',
  },
  signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
};

const form = (params) => new URLSearchParams(params).toString();

/** POSTs a form body to the host's callback route, as Twilio would. */
function postCallback(app, { body, signature, query = '', contentType }) {
  const headers = { 'Content-Type': contentType ?? 'application/x-www-form-urlencoded' };
  if (signature !== undefined) headers['X-Twilio-Signature'] = signature;
  return fetch(`${app.url}${CALLBACK_PATH}${query}`, { method: 'POST', headers, body }).then(
    async (response) => ({ status: response.status, body: await response.json() }),
  );
}

async function startMessagingApp(t, options = {}) {
  const started = await startApp(t, { pluginConfig: { phoneRequired: false }, ...options });
  const { token } = await signIn(started.app, 'ann@example.com');
  const send = async (to) => {
    const answer = await callService(started.app, 'sendSms', { to, body: 'hello' }, token);
    assert.equal(answer.status, 200, answer.text);
    return answer.body.sid;
  };
  const status = async (sid) => {
    const answer = await callService(started.app, 'getMessageStatus', { sid }, token);
    assert.equal(answer.status, 200, answer.text);
    return answer.body;
  };
  return { ...started, token, send, status };
}

/** The callbacks the simulator sent for a message, with how the host answered each. */
async function simulatorCallbacks(app, sid) {
  const { body } = await getJson(`${app.simulatorUrl}/_sim/callbacks?messageSid=${sid}`);
  return body.callbacks;
}

test("the signature algorithm matches Twilio's worked example", () => {
  assert.equal(computeSignature(EXAMPLE.token, EXAMPLE.url, EXAMPLE.params), EXAMPLE.signature);
});

test("the built module accepts the worked example's request and rejects every change", async () => {
  // The plugin only takes a real, 32-character Auth Token, so the example's request is signed
  // with one by the algorithm checked against Twilio's example just above.
  const plugin = TwilioPlugin.create(baseConfig(), createMemoryHost().host);
  const sign = (url, params, token = AUTH_TOKEN) => computeSignature(token, url, params);
  const check = (url, params, headers) =>
    plugin.handleStatusCallback({}, { url, headers, body: form(params) });
  const signature = sign(EXAMPLE.url, EXAMPLE.params);

  assert.deepEqual(await check(EXAMPLE.url, EXAMPLE.params, { 'X-Twilio-Signature': signature }), {
    received: true,
    sid: '',
    status: null,
  });
  // Header names in any case; the URL with the default port made explicit, as proxies do.
  await check(EXAMPLE.url, EXAMPLE.params, { 'x-twilio-signature': signature });
  await check('https://mycompany.com:443/myapp.php?foo=1&bar=2', EXAMPLE.params, {
    'X-Twilio-Signature': signature,
  });

  const refusals = {
    'a changed parameter': [EXAMPLE.url, { ...EXAMPLE.params, Digits: '1235' }, signature],
    'an added parameter': [EXAMPLE.url, { ...EXAMPLE.params, Extra: 'x' }, signature],
    'a removed parameter': [EXAMPLE.url, { ...EXAMPLE.params, Digits: undefined }, signature],
    'a changed query': ['https://mycompany.com/myapp.php?foo=2&bar=2', EXAMPLE.params, signature],
    'a changed path': ['https://mycompany.com/other.php?foo=1&bar=2', EXAMPLE.params, signature],
    'a changed scheme': ['http://mycompany.com/myapp.php?foo=1&bar=2', EXAMPLE.params, signature],
    'a missing header': [EXAMPLE.url, EXAMPLE.params, undefined],
    'an empty header': [EXAMPLE.url, EXAMPLE.params, ''],
    'a wrong token': [
      EXAMPLE.url,
      EXAMPLE.params,
      sign(EXAMPLE.url, EXAMPLE.params, 'another_auth_token_0000000000000'),
    ],
    "the example's own token": [EXAMPLE.url, EXAMPLE.params, EXAMPLE.signature],
  };
  for (const [what, [url, params, sig]] of Object.entries(refusals)) {
    const clean = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    const headers = sig === undefined ? {} : { 'X-Twilio-Signature': sig };
    await assert.rejects(check(url, clean, headers), (err) => {
      assert.equal(err.code, 'SIGNATURE_INVALID', what);
      assert.equal(err.status, 403, what);
      return true;
    });
  }
  plugin.free();
});

test('messages carry a StatusCallback to the host, and its signed callbacks make them delivered', async (t) => {
  const { app, send, status } = await startMessagingApp(t);
  const sid = await send('+14155550130');
  const [message] = (await getJson(`${app.simulatorUrl}/_sim/messages?to=%2B14155550130`)).body
    .messages;
  assert.equal(message.statusCallback, `${app.url}${CALLBACK_PATH}`);

  await app.simulator.settled();
  const callbacks = await simulatorCallbacks(app, sid);
  assert.deepEqual(
    callbacks.map((c) => [c.status, c.responseStatus]),
    [
      ['sent', 200],
      ['delivered', 200],
    ],
  );
  const final = await status(sid);
  assert.equal(final.status, 'delivered');
  assert.equal(final.errorCode, null);
  assert.equal(final.to, '+14155550130');
});

test('a failing number ends undelivered (or failed) with the error code', async (t) => {
  const { app, send, status } = await startMessagingApp(t);
  const cases = [
    ['+15005550010', 'undelivered', 30003],
    ['+15005550011', 'undelivered', 30007],
    ['+15005550012', 'failed', 30008],
  ];
  const sids = [];
  for (const [to] of cases) sids.push(await send(to));
  await app.simulator.settled();
  for (const [i, [to, expected, errorCode]] of cases.entries()) {
    const final = await status(sids[i]);
    assert.equal(final.status, expected, to);
    assert.equal(final.errorCode, errorCode, to);
  }
});

test('unsigned or tampered callbacks are refused with 403 and change nothing', async (t) => {
  const { app, send, status } = await startMessagingApp(t);
  const sid = await send('+14155550131');
  await app.simulator.settled();
  const [, delivered] = await simulatorCallbacks(app, sid);
  assert.equal(delivered.status, 'delivered');
  const { params, signature } = delivered;
  // A forger's goal: turn a delivered message into an undelivered one.
  const forged = { ...params, MessageStatus: 'undelivered', SmsStatus: 'undelivered' };

  const refusals = {
    unsigned: { body: form(forged) },
    'a changed parameter': { body: form(forged), signature },
    'an added parameter': { body: form({ ...params, ErrorCode: '30007' }), signature },
    'a changed URL': { body: form(params), signature, query: '?tenant=other' },
    'another token': {
      body: form(forged),
      signature: computeSignature(
        'another_auth_token_0000000000000',
        `${app.url}${CALLBACK_PATH}`,
        forged,
      ),
    },
    'an empty signature': { body: form(params), signature: '' },
    'another account': {
      body: form({ ...params, AccountSid: `AC${'9'.repeat(32)}` }),
      signature: computeSignature(FULL_ACCOUNT.authToken, `${app.url}${CALLBACK_PATH}`, {
        ...params,
        AccountSid: `AC${'9'.repeat(32)}`,
      }),
    },
  };
  for (const [what, request] of Object.entries(refusals)) {
    const answer = await postCallback(app, request);
    assert.equal(answer.status, 403, `${what}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.code, 'SIGNATURE_INVALID', what);
  }
  assert.equal((await status(sid)).status, 'delivered');

  // The genuine callback, sent again, is accepted (no session needed) and changes nothing.
  const replay = await postCallback(app, { body: form(params), signature });
  assert.equal(replay.status, 200, JSON.stringify(replay.body));
  assert.deepEqual(replay.body, { received: true, sid, status: 'delivered' });
});

test('a callback signed with the Auth Token updates the status, even before Twilio’s own', async (t) => {
  const { app, send, status } = await startMessagingApp(t, {
    simulatorOptions: { callbackDelayMs: 2000 },
  });
  const sid = await send('+14155550132');
  const params = {
    MessageSid: sid,
    MessageStatus: 'undelivered',
    ErrorCode: '30005',
    AccountSid: FULL_ACCOUNT.sid,
    From: SMS_NUMBER,
    To: '+14155550132',
  };
  const query = '?attempt=1';
  const signature = computeSignature(
    FULL_ACCOUNT.authToken,
    `${app.url}${CALLBACK_PATH}${query}`,
    params,
  );
  const answer = await postCallback(app, { body: form(params), signature, query });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  assert.deepEqual(answer.body, { received: true, sid, status: 'undelivered' });
  const final = await status(sid);
  assert.equal(final.status, 'undelivered');
  assert.equal(final.errorCode, 30005);
});

test('a JSON callback is checked through bodySHA256 in the signed URL', async (t) => {
  const { app } = await startMessagingApp(t);
  const body = JSON.stringify({ MessageSid: `SM${'a'.repeat(32)}`, MessageStatus: 'delivered' });
  const query = `?bodySHA256=${sha256Hex(body)}`;
  const signature = computeSignature(FULL_ACCOUNT.authToken, `${app.url}${CALLBACK_PATH}${query}`);
  const contentType = 'application/json';

  const accepted = await postCallback(app, { body, signature, query, contentType });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  const tampered = await postCallback(app, {
    body: body.replace('delivered', 'failed'),
    signature,
    query,
    contentType,
  });
  assert.equal(tampered.status, 403, JSON.stringify(tampered.body));
});

test('PUBLIC_URL is where messages ask Twilio to call, and what signatures are checked against', async (t) => {
  const publicUrl = 'https://baas.invalid/tenant-a';
  const { app, send, status } = await startMessagingApp(t, {
    env: { PUBLIC_URL: `${publicUrl}/` },
    // The simulator cannot reach baas.invalid; its callbacks fail fast and are only logged.
    simulatorOptions: { callbackDelayMs: 5, callbackTimeoutMs: 200 },
  });
  assert.equal(app.publicUrl, publicUrl);
  const sid = await send('+14155550133');
  const [message] = (await getJson(`${app.simulatorUrl}/_sim/messages?to=%2B14155550133`)).body
    .messages;
  assert.equal(message.statusCallback, `${publicUrl}${CALLBACK_PATH}`);
  await app.simulator.settled();

  // A proxy forwards https://baas.invalid/tenant-a/api/... to this host's /api/...
  const params = { MessageSid: sid, MessageStatus: 'delivered', AccountSid: FULL_ACCOUNT.sid };
  const signedFor = (url) => computeSignature(FULL_ACCOUNT.authToken, url, params);
  const local = await postCallback(app, {
    body: form(params),
    signature: signedFor(`${app.url}${CALLBACK_PATH}`),
  });
  assert.equal(local.status, 403, 'signed for the loopback URL, which Twilio never calls');
  const proxied = await postCallback(app, {
    body: form(params),
    signature: signedFor(`${publicUrl}${CALLBACK_PATH}`),
  });
  assert.equal(proxied.status, 200, JSON.stringify(proxied.body));
  assert.equal((await status(sid)).status, 'delivered');
});

test('an invalid PUBLIC_URL stops the host with a reason', () => {
  const { createApp } = require('../src/host/app');
  for (const value of ['baas.example.com', 'https://baas.example.com/?a=1', 'ftp://x.example']) {
    assert.throws(
      () => createApp({ port: 0, simPort: 0, env: { PUBLIC_URL: value }, log: () => {} }),
      (err) => err.name === 'ConfigError' && err.problems.some((p) => p.field === 'PUBLIC_URL'),
      value,
    );
  }
  // A plain-http public URL that is not loopback would carry Twilio's callbacks in clear text.
  assert.throws(
    () =>
      createApp({ port: 0, simPort: 0, env: { PUBLIC_URL: 'http://baas.example.com' }, log() {} }),
    (err) => err.problems.some((p) => p.field === 'statusCallbackUrl'),
  );
});

test('the callback route takes no session, and refuses an oversized body', async (t) => {
  const { app } = await startMessagingApp(t);
  const big = await postCallback(app, { body: `Body=${'x'.repeat(70 * 1024)}`, signature: 'x' });
  assert.equal(big.status, 413);
  const wrongMethod = await getJson(`${app.url}${CALLBACK_PATH}`);
  assert.equal(wrongMethod.status, 405);
  // A session token does not make an unsigned callback acceptable.
  const { body } = await postJson(`${app.url}/api/users/login`, {
    login: 'ann@example.com',
    password: 'service-password',
  });
  const withToken = await fetch(`${app.url}${CALLBACK_PATH}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'user-token': body['user-token'],
    },
    body: form({ MessageSid: `SM${'b'.repeat(32)}`, MessageStatus: 'delivered' }),
  });
  assert.equal(withToken.status, 403);
});

test('in Twilio mode the StatusCallback is under PUBLIC_URL, and absent without it', async (t) => {
  const twilioEnv = {
    TWILIO_ACCOUNT_SID: FULL_ACCOUNT.sid,
    TWILIO_AUTH_TOKEN: FULL_ACCOUNT.authToken,
    TWILIO_SENDER_PHONE_NUMBER: SMS_NUMBER,
  };
  // Twilio itself, faked: every message create is accepted and recorded.
  const fakeTwilio =
    (sent) =>
    async ({ url, body }) => {
      sent.push({ url: String(url), form: new URLSearchParams(body) });
      const answer = {
        sid: `SM${'1'.repeat(32)}`,
        status: 'queued',
        to: '+14155550134',
        from: SMS_NUMBER,
        num_segments: '1',
        num_media: '0',
      };
      return {
        status: 201,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(answer),
      };
    };
  for (const [env, expected] of [
    [{}, null],
    [{ PUBLIC_URL: 'https://baas.example.com' }, `https://baas.example.com${CALLBACK_PATH}`],
  ]) {
    const sent = [];
    const { app, logs } = await startApp(t, {
      env: { ...twilioEnv, ...env },
      httpSend: fakeTwilio(sent),
      pluginConfig: { phoneRequired: false },
    });
    assert.equal(app.mode, 'twilio');
    const { token } = await signIn(app, `ann${sent.length}@example.com`);
    const answer = await callService(app, 'sendSms', { to: '+14155550134', body: 'hi' }, token);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(
      sent[0].url,
      `https://api.twilio.com/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Messages.json`,
    );
    assert.equal(sent[0].form.get('StatusCallback'), expected);
    assert.equal(
      logs.some((entry) => /PUBLIC_URL is not set/.test(entry.message)),
      expected === null,
    );
  }
});
