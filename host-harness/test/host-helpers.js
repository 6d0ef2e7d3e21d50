// Shared by the test/host-*.test.js files: a real host on port 0 in its own temporary data
// folder, JSON over real HTTP, and reading codes from the simulator's outbox. (node --test runs
// every .js file under test/, so this file also "passes" as an empty test file.)

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { createApp } = require('../src/host/app');
const { freePort } = require('./support/free-port');

/** A fresh folder removed when the test ends. */
function tempDir(t, prefix = 'baas-test-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The console password of the hosts tests start (CONSOLE_PASSWORD). */
const CONSOLE_PASSWORD = 'test console password';

/**
 * A started host (BaaS + simulator on free ports), stopped when the test ends. The environment
 * is the console password and what `options.env` adds, so a developer's own TWILIO_* variables
 * never leak into a test (`CONSOLE_PASSWORD: undefined` starts one that makes its own up).
 */
async function startApp(t, options = {}) {
  const logs = [];
  const sms = [];
  const app = createApp({
    port: 0,
    simPort: 0,
    log: (entry) => logs.push(entry),
    onSms: (message) => sms.push(message),
    sweepIntervalMs: 0,
    ...options,
    // After the spread: `dataDir: undefined` must not mean the developer's own data folder.
    dataDir: options.dataDir ?? tempDir(t),
    env: { CONSOLE_PASSWORD, ...options.env },
    simulatorOptions: { callbackDelayMs: 5, ...options.simulatorOptions },
  });
  await app.start();
  t.after(() => app.stop());
  return { app, logs, sms };
}

async function request(method, url, body, headers = {}) {
  const response = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Left null: the assertion on `json` will say what was expected.
  }
  return { status: response.status, headers: response.headers, body: json, text };
}

const postJson = (url, body, headers) => request('POST', url, body, headers);
const getJson = (url, headers) => request('GET', url, undefined, headers);

/**
 * Signs in to the host's console as its operator would (the password), and answers the headers
 * a signed-in console page sends: the session cookie and the CSRF token.
 */
async function consoleSession(app, password = CONSOLE_PASSWORD) {
  const answer = await postJson(`${app.url}/console/api/sign-in`, { password });
  if (answer.status !== 200) throw new Error(`console sign-in: ${answer.status} ${answer.text}`);
  const cookie = answer.headers.get('set-cookie').split(';')[0];
  return { Cookie: cookie, 'X-CSRF-Token': answer.body.csrfToken };
}

/** The console API of `app` as its signed-in page calls it: get(path), post(path, body). */
async function consoleApi(app) {
  const headers = await consoleSession(app);
  const url = (path) => `${app.url}/console/api/${path}`;
  return {
    headers,
    get: (path) => getJson(url(path), headers),
    post: (path, body) => postJson(url(path), body, headers),
  };
}

/** Every message the simulator accepted for `to`, oldest first. */
async function outbox(simulatorUrl, to) {
  const { body } = await getJson(`${simulatorUrl}/_sim/messages?to=${encodeURIComponent(to)}`);
  return body.messages;
}

const codesRead = new Set();

/**
 * The code (the digits at the end of the default template) in the newest SMS to `to` that no
 * earlier call returned, waiting up to 5 s for it: phone login's SMS goes out after its answer.
 */
async function readCode(simulatorUrl, to) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const messages = await outbox(simulatorUrl, to);
    const last = messages.filter((message) => !codesRead.has(message.sid)).at(-1);
    if (last) {
      codesRead.add(last.sid);
      // The first run of 4 to 10 digits: the lifetime's minutes are fewer, and an origin-bound
      // last line repeats the code.
      const match = /(?<!\d)(\d{4,10})(?!\d)/.exec(last.body);
      if (!match) throw new Error(`no code in the newest SMS to ${to}: ${last.body}`);
      return match[1];
    }
    if (Date.now() > deadline) throw new Error(`no new SMS to ${to} in the outbox`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Registration step 1 then step 2, returning both answers. */
async function registerWithCode(app, phoneNumber, fields) {
  const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber });
  const code = await readCode(app.simulatorUrl, phoneNumber);
  const step2 = await postJson(`${app.url}/api/users/register`, {
    ...fields,
    phoneNumber,
    transactionId: step1.body.transactionId,
    transactionCode: code,
  });
  return { step1, code, step2 };
}

/** Plugin storage keys starting with `prefix`, read straight from SQLite. */
function storedKeys(app, prefix) {
  return app.db
    .prepare("SELECT key FROM plugin_kv WHERE key LIKE ? ESCAPE '\\'")
    .all(`${prefix.replace(/[\\%_]/g, '\\$&')}%`)
    .map((row) => row.key);
}

/** A UK mobile number: range `range` (a block of a thousand), number `last` within it. */
const uk = (range, last = 123) =>
  `+447700${String(range).padStart(3, '0')}${String(last).padStart(3, '0')}`;

/** How many answers had each `status code limit`, e.g. `{200: 4, '429 RATE_LIMITED address-hour': 2}`. */
function tally(answers) {
  const counts = {};
  for (const a of answers) {
    const key = [a.status, a.body?.code, a.body?.details?.limit].filter(Boolean).join(' ');
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

module.exports = {
  tempDir,
  startApp,
  request,
  postJson,
  getJson,
  outbox,
  readCode,
  registerWithCode,
  storedKeys,
  freePort,
  uk,
  tally,
  consoleSession,
  consoleApi,
  CONSOLE_PASSWORD,
};
