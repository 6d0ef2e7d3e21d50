// The banner `make run` prints: on a terminal, the one-time sign-in link and (first start only)
// the console password it made up; into a pipe or a file, likely a log, neither.

const assert = require('node:assert/strict');
const { test } = require('node:test');

const { banner } = require('../src/host/banner');
const { postJson, startApp, tempDir } = require('./host-helpers');

test('on a terminal: the sign-in link, and the made-up password once', async (t) => {
  const dataDir = tempDir(t);
  const { app } = await startApp(t, { dataDir, env: { CONSOLE_PASSWORD: undefined } });
  const text = banner(app, { terminal: true });
  const link =
    /sign in once with (http:\/\/127\.0\.0\.1:\d+\/console\/sign-in#link=[\w-]{43})\n/.exec(text);
  assert.ok(link, text);
  const password = /console password: ([a-z2-9]{5}(?:-[a-z2-9]{5}){3})\n/.exec(text);
  assert.ok(password, text);
  assert.match(text, /Secrets: +sealed under the master key in .*master\.key \(new/);

  const token = new URL(link[1]).hash.replace('#link=', '');
  assert.equal((await postJson(`${app.url}/console/api/sign-in`, { link: token })).status, 200);
  const signIn = await postJson(`${app.url}/console/api/sign-in`, { password: password[1] });
  assert.equal(signIn.status, 200, signIn.text);

  assert.doesNotMatch(banner(app, { terminal: true }), /console password:/, 'shown once');
  assert.equal(app.console.createdPassword, null, 'and not kept');
});

test('into a log: neither the link nor a password, and what to do instead', async (t) => {
  const { app } = await startApp(t, { env: { CONSOLE_PASSWORD: undefined } });
  const text = banner(app, { terminal: false });
  assert.doesNotMatch(text, /#link=|console password: /);
  assert.match(text, /sign in with CONSOLE_PASSWORD/);
  assert.match(
    banner(app, { terminal: false, linkFile: '/data/console-sign-in-link.txt' }),
    /sign in once with the link in \/data\/console-sign-in-link\.txt/,
  );
  assert.match(text, /a console password was made up and not shown: set CONSOLE_PASSWORD/);
});
