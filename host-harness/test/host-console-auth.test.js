// The console's operator sign-in over real HTTP: anonymous calls get 401 and change nothing,
// the session cookie's attributes, CSRF, sign-out, the one-time link, the password made up on
// first start (stored only as a hash), CONSOLE_PASSWORD, and throttled sign-in attempts.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { test } = require('node:test');

const { FULL_ACCOUNT, SMS_NUMBER } = require('../src/twilio-sim');
const {
  CONSOLE_PASSWORD,
  consoleApi,
  consoleSession,
  getJson,
  postJson,
  startApp,
  tempDir,
} = require('./host-helpers');

const api = (app, path) => `${app.url}/console/api/${path}`;

/** Every console API call, as an attacker would try them. */
const CALLS = [
  ['GET', 'product'],
  ['GET', 'configuration'],
  ['GET', 'activity?hours=24'],
  ['POST', 'validate', { config: {} }],
  ['POST', 'test', { config: { accountSid: FULL_ACCOUNT.sid } }],
  [
    'POST',
    'save',
    {
      config: {
        accountSid: FULL_ACCOUNT.sid,
        authToken: FULL_ACCOUNT.authToken,
        senderPhoneNumber: SMS_NUMBER,
        messageTemplate: 'Reply with {code} to claim your prize',
        codeLength: 4,
        maxAttempts: 10,
      },
    },
  ],
  ['POST', 'uninstall', {}],
  ['POST', 'sign-out', {}],
];

function call(app, [method, path, body], headers = {}) {
  return method === 'GET'
    ? getJson(api(app, path), headers)
    : postJson(api(app, path), body, headers);
}

let numbers = 0;

/** What an attacker would like to change: the installation and the registration's answer. */
async function snapshot(app, operator) {
  const configuration = (await operator.get('configuration')).body;
  numbers += 1;
  const phoneNumber = `+1415555${String(1000 + numbers).padStart(4, '0')}`;
  const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber });
  assert.equal(step1.status, 200, step1.text);
  return { configuration, codeLength: step1.body.codeLength };
}

/** A POST with a Host header of our choosing (fetch does not let one set it). */
function postWithHost(url, host, body) {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: {
          Host: host,
          'Content-Type': 'application/json',
          'Content-Length': payload.length,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

test('anonymous console API calls get 401 in the host shape and change nothing', async (t) => {
  const { app } = await startApp(t);
  const operator = await consoleApi(app);
  const before = await snapshot(app, operator);
  for (const attempt of CALLS) {
    const answer = await call(app, attempt);
    assert.equal(answer.status, 401, `${attempt[0]} ${attempt[1]}: ${answer.text}`);
    assert.deepEqual(Object.keys(answer.body).sort(), ['code', 'message']);
    assert.match(answer.body.message, /Sign in to the console/);
  }
  // A made-up or stolen-looking cookie is no better.
  for (const attempt of CALLS) {
    const answer = await call(app, attempt, { Cookie: 'baas_console=forged-value' });
    assert.equal(answer.status, 401, `${attempt[0]} ${attempt[1]} with a forged cookie`);
  }
  assert.deepEqual(await snapshot(app, operator), before);
});

test('the console page sends a visitor without a session to the sign-in page', async (t) => {
  const { app } = await startApp(t);
  for (const path of ['/console', '/console/']) {
    const response = await fetch(`${app.url}${path}`, { redirect: 'manual' });
    assert.equal(response.status, 303, path);
    assert.equal(response.headers.get('location'), '/console/sign-in');
    assert.equal(await response.text(), '', 'nothing of the console page');
  }
  const signIn = await fetch(`${app.url}/console/sign-in`);
  assert.equal(signIn.status, 200);
  assert.match(await signIn.text(), /Console password/);
  const session = await getJson(api(app, 'session'));
  assert.deepEqual(session.body, { signedIn: false });
  const index = await fetch(`${app.url}/console/index.html`);
  assert.equal(index.status, 404, 'the page is not served around the check');
});

test('signing in sets an HttpOnly, SameSite=Strict cookie that works until sign-out', async (t) => {
  const { app } = await startApp(t);
  const wrong = await postJson(api(app, 'sign-in'), { password: 'not the password' });
  assert.equal(wrong.status, 401);
  assert.match(wrong.body.message, /not correct/);
  assert.equal(wrong.headers.get('set-cookie'), null);

  const answer = await postJson(api(app, 'sign-in'), { password: CONSOLE_PASSWORD });
  assert.equal(answer.status, 200, answer.text);
  const cookie = answer.headers.get('set-cookie');
  assert.match(cookie, /^baas_console=[A-Za-z0-9_-]{43};/);
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Strict/);
  assert.match(cookie, /; Path=\/console/);
  assert.doesNotMatch(cookie, /Secure/, 'plain http on loopback: a Secure cookie would be lost');
  const headers = { Cookie: cookie.split(';')[0], 'X-CSRF-Token': answer.body.csrfToken };
  assert.equal((await getJson(api(app, 'product'), headers)).status, 200);
  const session = await getJson(api(app, 'session'), { Cookie: headers.Cookie });
  assert.deepEqual(session.body, { signedIn: true, csrfToken: answer.body.csrfToken });

  const out = await postJson(api(app, 'sign-out'), {}, headers);
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie'), /^baas_console=;.*Max-Age=0/);
  assert.equal((await getJson(api(app, 'product'), headers)).status, 401, 'the session ended');
});

test('over https (PUBLIC_URL) the session cookie is Secure', async (t) => {
  const { app } = await startApp(t, { env: { PUBLIC_URL: 'https://baas.example.com' } });
  const answer = await postWithHost(api(app, 'sign-in'), 'baas.example.com', {
    password: CONSOLE_PASSWORD,
  });
  assert.equal(answer.statusCode, 200);
  assert.match(answer.headers['set-cookie'][0], /; Secure/);
});

test('a signed-in call that changes something needs the CSRF token of its session', async (t) => {
  const { app } = await startApp(t);
  const operator = await consoleApi(app);
  const other = await consoleSession(app);
  const before = await snapshot(app, operator);
  for (const attempt of CALLS.filter(([method]) => method === 'POST')) {
    for (const token of [undefined, '', 'forged', other['X-CSRF-Token']]) {
      const headers = { Cookie: operator.headers.Cookie };
      if (token !== undefined) headers['X-CSRF-Token'] = token;
      const answer = await call(app, attempt, headers);
      assert.equal(answer.status, 403, `${attempt[1]} with CSRF token ${token}`);
      assert.match(answer.body.message, /X-CSRF-Token/);
    }
  }
  assert.deepEqual(await snapshot(app, operator), before);
  assert.equal((await operator.get('product')).status, 200, 'the session itself still works');
});

test('the one-time sign-in link works once, and not after an hour', async (t) => {
  let now = Date.parse('2026-11-27T10:00:00Z');
  const { app } = await startApp(t, { clock: () => now });
  const link = new URL(app.console.signInLink);
  assert.equal(link.pathname, '/console/sign-in');
  const token = new URLSearchParams(link.hash.slice(1)).get('link');
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);

  const first = await postJson(api(app, 'sign-in'), { link: token });
  assert.equal(first.status, 200, first.text);
  const again = await postJson(api(app, 'sign-in'), { link: token });
  assert.equal(again.status, 401);
  assert.match(again.body.message, /used already or has expired/);

  // A restart's new link expires after an hour.
  const { app: later } = await startApp(t, { clock: () => now, dataDir: path.dirname(app.dbPath) });
  const next = new URLSearchParams(new URL(later.console.signInLink).hash.slice(1)).get('link');
  now += 60 * 60 * 1000;
  const expired = await postJson(api(later, 'sign-in'), { link: next });
  assert.equal(expired.status, 401, expired.text);
});

test('without CONSOLE_PASSWORD the first start makes one up, shows it once, stores its hash', async (t) => {
  const dataDir = tempDir(t);
  const { app } = await startApp(t, { dataDir, env: { CONSOLE_PASSWORD: undefined } });
  const password = app.console.createdPassword;
  assert.match(password, /^[a-z2-9]{5}(-[a-z2-9]{5}){3}$/);
  assert.equal(app.console.passwordSource, 'created');
  assert.equal((await postJson(api(app, 'sign-in'), { password })).status, 200);
  await app.stop();
  for (const file of fs.readdirSync(dataDir)) {
    const bytes = fs.readFileSync(`${dataDir}/${file}`);
    assert.equal(bytes.indexOf(password), -1, `${file} does not hold the password`);
  }

  const { app: again } = await startApp(t, { dataDir, env: { CONSOLE_PASSWORD: undefined } });
  assert.equal(again.console.createdPassword, null, 'shown on the first start only');
  assert.equal(again.console.passwordSource, 'saved');
  assert.equal((await postJson(api(again, 'sign-in'), { password })).status, 200);
});

test('a new CONSOLE_PASSWORD replaces the old one and ends its sessions', async (t) => {
  const dataDir = tempDir(t);
  const { app } = await startApp(t, { dataDir });
  const operator = await consoleApi(app);
  await app.stop();
  const { app: again } = await startApp(t, {
    dataDir,
    env: { CONSOLE_PASSWORD: 'a brand new console password' },
  });
  const stale = await getJson(api(again, 'product'), operator.headers);
  assert.equal(stale.status, 401, 'the old session ended with the old password');
  const old = await postJson(api(again, 'sign-in'), { password: CONSOLE_PASSWORD });
  assert.equal(old.status, 401);
  const fresh = await postJson(api(again, 'sign-in'), { password: 'a brand new console password' });
  assert.equal(fresh.status, 200);
});

test('a CONSOLE_PASSWORD too short to resist guessing stops the start with a clear reason', async (t) => {
  await assert.rejects(startApp(t, { env: { CONSOLE_PASSWORD: 'short' } }), (err) => {
    assert.equal(err.name, 'ConfigError');
    assert.match(err.message, /CONSOLE_PASSWORD: must be at least 12 characters/);
    assert.doesNotMatch(err.message, /short"/);
    return true;
  });
});

test('password guessing locks an address at 20 failures, for 15 minutes', async (t) => {
  let now = Date.parse('2026-11-27T10:00:00Z');
  const { app } = await startApp(t, { clock: () => now, env: { TRUSTED_PROXIES: '127.0.0.1' } });
  const from = (ip, password) =>
    postJson(api(app, 'sign-in'), { password }, { 'X-Forwarded-For': ip });
  const statuses = [];
  let failures = 0;
  while (failures < 20) {
    const answer = await from('198.51.100.7', `guess ${statuses.length}`);
    statuses.push(answer.status);
    if (answer.status === 401) failures += 1;
    else {
      assert.equal(answer.status, 429, answer.text);
      // Waiting out each delay, as a patient guesser would.
      now += Number(answer.headers.get('retry-after')) * 1000;
    }
  }
  assert.deepEqual(statuses.slice(0, 6), [401, 401, 401, 401, 401, 429], 'five free, then waits');

  const locked = await from('198.51.100.7', CONSOLE_PASSWORD);
  assert.equal(locked.status, 429, 'locked: the right password too');
  assert.ok(Number(locked.headers.get('retry-after')) >= 899, locked.headers.get('retry-after'));
  assert.match(locked.body.message, /Too many failed sign-ins. Try again in 15 minutes/);
  // Others get in once the operator-wide wait (at most a minute) has passed.
  now += 60_000;
  assert.equal((await from('203.0.113.20', CONSOLE_PASSWORD)).status, 200, 'others get in');

  now += 15 * 60_000;
  assert.equal((await from('198.51.100.7', CONSOLE_PASSWORD)).status, 200, 'after the lock');
});

test('guessing from many addresses slows the password for all, never the one-time link', async (t) => {
  const now = Date.parse('2026-11-27T10:00:00Z');
  const { app } = await startApp(t, { clock: () => now, env: { TRUSTED_PROXIES: '127.0.0.1' } });
  const from = (ip, body) => postJson(api(app, 'sign-in'), body, { 'X-Forwarded-For': ip });
  for (let i = 0; i < 10; i += 1) {
    assert.equal((await from(`198.51.100.${i + 1}`, { password: `guess ${i}` })).status, 401);
  }
  const slowed = await from('203.0.113.20', { password: CONSOLE_PASSWORD });
  assert.equal(slowed.status, 429, "past the operator's ten free failures, everyone waits");
  assert.ok(Number(slowed.headers.get('retry-after')) <= 60);
  const token = new URLSearchParams(new URL(app.console.signInLink).hash.slice(1)).get('link');
  assert.equal((await from('203.0.113.20', { link: token })).status, 200, 'the link gets in');
  for (let i = 0; i < 30; i += 1) {
    assert.equal((await from('198.51.100.99', { link: `forged-${i}` })).status, 401);
  }
});

test('a sign-in without a password is a 400 that counts nothing', async (t) => {
  const { app } = await startApp(t);
  for (const body of [{}, { password: '' }, { password: 42 }, { link: '' }, []]) {
    const answer = await postJson(api(app, 'sign-in'), body);
    assert.equal(answer.status, 400, JSON.stringify(body));
    assert.match(answer.body.message, /console password/);
  }
  const rows = app.db.prepare("SELECT * FROM failure_throttle WHERE scope LIKE 'console.%'").all();
  assert.deepEqual(rows, []);
});

test('a session ends after an hour idle, and after twelve hours in all', async (t) => {
  let now = Date.parse('2026-11-27T10:00:00Z');
  const { app } = await startApp(t, { clock: () => now });
  const idle = await consoleSession(app);
  now += 59 * 60_000;
  assert.equal((await getJson(api(app, 'product'), idle)).status, 200, 'each use extends it');
  now += 59 * 60_000;
  assert.equal((await getJson(api(app, 'product'), idle)).status, 200);
  now += 61 * 60_000;
  assert.equal((await getJson(api(app, 'product'), idle)).status, 401, 'an hour idle');

  const busy = await consoleSession(app);
  const started = now;
  while (now - started < 12 * 60 * 60_000 - 50 * 60_000) {
    now += 50 * 60_000;
    assert.equal((await getJson(api(app, 'product'), busy)).status, 200);
  }
  now += 50 * 60_000;
  assert.equal((await getJson(api(app, 'product'), busy)).status, 401, 'twelve hours in all');
});

test('a cookie planted before the session cookie does not sign the operator out', async (t) => {
  const { app } = await startApp(t);
  const operator = await consoleSession(app);
  const planted = { ...operator, Cookie: `baas_console=planted; ${operator.Cookie}` };
  assert.equal((await getJson(api(app, 'product'), planted)).status, 200);
  assert.equal((await postJson(api(app, 'validate'), { config: {} }, planted)).status, 200);
});

test('the data folder and the database are readable by the host alone', async (t) => {
  const { app } = await startApp(t, { dataDir: path.join(tempDir(t), 'fresh') });
  assert.equal(fs.statSync(path.dirname(app.dbPath)).mode & 0o777, 0o700);
  for (const suffix of ['', '-wal', '-shm']) {
    assert.equal(fs.statSync(`${app.dbPath}${suffix}`).mode & 0o777, 0o600, `baas.sqlite${suffix}`);
  }
});

test('at the https PUBLIC_URL, a page served over http cannot post to the console', async (t) => {
  const { app } = await startApp(t, { env: { PUBLIC_URL: 'https://baas.example.com' } });
  const signIn = (origin) =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify({ password: CONSOLE_PASSWORD });
      const req = http.request(
        api(app, 'sign-in'),
        {
          method: 'POST',
          headers: {
            Host: 'baas.example.com',
            Origin: origin,
            'Content-Type': 'application/json',
            'Content-Length': payload.length,
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  assert.equal(await signIn('http://baas.example.com'), 403);
  assert.equal(await signIn('https://baas.example.com'), 200);
});
