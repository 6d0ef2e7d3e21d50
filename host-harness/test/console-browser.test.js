// The console in a real browser (Debian's Chromium through playwright-core), against a real
// host with the Twilio simulator: Install, the popup built from the manifest, field checks as the
// user types, TEST CONFIGURATION, SAVE, the secret masked on reopening, a registration with the
// saved configuration, and Uninstall. Also writes the README's screenshots (docs/).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const { REPO_ROOT } = require('../src/host/plugin-loader');
const { FULL_ACCOUNT, SMS_NUMBER, VERIFY_SERVICE } = require('../src/twilio-sim');
const {
  CONSOLE_PASSWORD,
  consoleApi,
  outbox,
  postJson,
  readCode,
  registerWithCode,
  startApp,
} = require('./host-helpers');
const { openBrowser } = require('./support/browser');

// Screenshots go to an ignored folder, so a test run leaves the tree as it was; `make
// screenshots` (SCREENSHOTS_DIR=docs) refreshes the README's.
const DOCS = path.resolve(REPO_ROOT, process.env.SCREENSHOTS_DIR ?? 'host-harness/test-output');
const TITLE = 'Twilio Service Configuration';
const FOREIGN_NUMBER = '+14155550199';

/** A page on the console of a host where the plugin is not installed yet. */
async function consolePage(t, viewport) {
  const { app } = await startApp(t);
  const operator = await consoleApi(app);
  await operator.post('uninstall', {});
  const browser = await openBrowser(t, viewport ? { viewport } : {});
  if (!browser) return {};
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  t.after(() => assert.deepEqual(errors, [], 'no script errors on the page'));
  const requests = [];
  page.on('request', (request) => requests.push(new URL(request.url()).pathname));
  const bodies = [];
  page.on('response', async (response) => {
    bodies.push(await response.text().catch(() => ''));
  });
  await signIn(page, app);
  return { app, page, requests, bodies };
}

/** Opens the console as a person would: sent to the sign-in page, types the password, Enter. */
async function signIn(page, app) {
  await page.goto(`${app.url}/console`);
  await page.waitForURL(`${app.url}/console/sign-in`);
  const password = page.getByLabel('Console password');
  await password.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
  await page.keyboard.type(CONSOLE_PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${app.url}/console`);
}

const dialog = (page) => page.getByRole('dialog', { name: TITLE });
const checkItem = (page, name) => page.locator(`#test-checks [data-check="${name}"]`);

/** Clicks TEST CONFIGURATION and waits until its report is on the page. */
async function runTest(page) {
  const answered = page.waitForResponse(
    (response) => new URL(response.url()).pathname === '/console/api/test',
  );
  await page.getByRole('button', { name: 'Test configuration' }).click();
  await answered;
  await page.locator('#test-button[aria-busy="false"]').waitFor();
}

test('install, test, save, reopen masked, register with it, uninstall', async (t) => {
  const { app, page, requests, bodies } = await consolePage(t);
  if (!page) return;

  await t.test('the marketplace lists the product with what it does, not installed', async () => {
    const card = page.getByRole('listitem').filter({ hasText: 'Twilio Integration' });
    await card.getByRole('heading', { name: 'Twilio Integration' }).waitFor();
    assert.match(await card.textContent(), new RegExp(`Version ${app.version}`));
    assert.match(await card.textContent(), /Phone-number confirmation at registration/);
    assert.match(await card.textContent(), /Not installed/);
  });

  await t.test('Install opens the popup built from the manifest, keyboard first', async () => {
    const install = page.getByRole('button', { name: 'Install' });
    await install.focus();
    await page.keyboard.press('Enter');
    await dialog(page).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'cfg-accountSid');

    const legends = await page.locator('#config-fields legend').allTextContents();
    assert.deepEqual(
      legends.slice(0, 2).map((l) => l.toLowerCase()),
      ['twilio account', 'sender'],
    );
    assert.equal(await page.getByLabel('Auth Token').getAttribute('type'), 'password');
    await page.getByLabel('Twilio Sender Phone Number').waitFor();
    await page.getByLabel('Messaging Service SID').waitFor();
    assert.equal(await page.getByLabel('Code length').inputValue(), '6');
    assert.equal(
      await page.getByLabel('Message template').inputValue(),
      'Your {appName} verification code is {code}. It expires in {minutes} min. Do not share it with anyone.',
    );
    // The texts by language and the lines phones read, empty until the operator sets them.
    assert.equal(await page.getByLabel('Texts by language').inputValue(), '');
    assert.equal(await page.getByLabel('Site that fills the code in').inputValue(), '');
    assert.equal(await page.getByLabel('Android app hash').inputValue(), '');
    assert.equal(await page.getByLabel('Two-factor authentication').inputValue(), 'optional');
    // Choices show their labels, and store their values.
    assert.equal(
      await page.getByLabel('Two-factor authentication').locator('option:checked').textContent(),
      'For users who turn it on',
    );
    // "Advanced" comes last.
    assert.equal(legends.at(-1), 'Advanced');
    assert.equal(await page.getByLabel('Phone number required').isChecked(), true);
    assert.equal(await page.getByLabel('Twilio API base URL').inputValue(), app.simulatorUrl);
    // The send policy's settings under one heading, with their defaults and hints.
    assert.ok(legends.includes('Abuse protection'), legends.join(', '));
    const abuse = page.locator('fieldset', { hasText: 'Abuse protection' });
    assert.equal(await abuse.getByLabel('Codes per number per hour').inputValue(), '5');
    assert.equal(
      await abuse.getByLabel('Blocked countries').inputValue(),
      '+800, +808, +870, +878, +881, +882, +883, +888, +979, +991',
    );
    assert.match(
      await abuse.locator('[data-field="testPhoneNumbers"] .hint').textContent(),
      /never texted/,
    );
    // Each field's hint is its description.
    const hint = await page.getByLabel('Account SID').evaluate((input) =>
      input
        .getAttribute('aria-describedby')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
    assert.match(hint, /Starts with AC/);

    // Tab stays in the popup, Escape closes it and gives focus back to Install.
    for (let i = 0; i < 60; i += 1) await page.keyboard.press('Tab');
    assert.equal(
      await page.evaluate(() => Boolean(document.activeElement.closest('dialog'))),
      true,
    );
    await page.keyboard.press('Shift+Tab');
    assert.equal(
      await page.evaluate(() => Boolean(document.activeElement.closest('dialog'))),
      true,
    );
    await page.keyboard.press('Escape');
    await dialog(page).waitFor({ state: 'hidden' });
    await page.waitForFunction(() => document.activeElement?.textContent === 'Install');
    await page.keyboard.press('Enter');
    await dialog(page).waitFor();
  });

  await t.test(
    'an invalid field is shown next to it as typed, and blocks TEST and SAVE',
    async () => {
      const sid = page.getByLabel('Account SID');
      await sid.fill('AC123');
      const error = page.locator('#cfg-accountSid-error');
      await error.waitFor();
      assert.match(await error.textContent(), /Account SID must be AC followed by 32 hexadecimal/);
      assert.equal(await sid.getAttribute('aria-invalid'), 'true');
      assert.match(await sid.getAttribute('aria-describedby'), /cfg-accountSid-error/);

      const before = requests.length;
      await page.getByRole('button', { name: 'Test configuration' }).click();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('#dialog-status', { hasText: 'nothing was sent' }).waitFor();
      const sent = requests.slice(before);
      assert.deepEqual(
        sent.filter((p) => p === '/console/api/test' || p === '/console/api/save'),
        [],
      );
      assert.equal(await page.evaluate(() => document.activeElement.id), 'cfg-accountSid');
      assert.equal(await dialog(page).isVisible(), true);
    },
  );

  await t.test("the plugin's words name fields by their labels, not their JS names", async () => {
    const number = page.getByLabel('Twilio Sender Phone Number');
    await number.fill('x');
    await number.fill('');
    const error = page.locator('#cfg-senderPhoneNumber-error');
    await error.waitFor();
    assert.match(await error.textContent(), /or set Messaging Service SID/);
    assert.doesNotMatch(await error.textContent(), /messagingServiceSid/);
  });

  await t.test('with the SID, token and sender filled in, every check passes', async () => {
    await page.getByLabel('Account SID').fill(FULL_ACCOUNT.sid);
    await page.getByLabel('Auth Token').fill(FULL_ACCOUNT.authToken);
    await page.getByLabel('Twilio Sender Phone Number').fill(SMS_NUMBER);
    await page.locator('#cfg-accountSid-error').waitFor({ state: 'hidden' });
    await runTest(page);
    for (const name of ['fields', 'credentials', 'sender', 'sending']) {
      assert.match(await checkItem(page, name).textContent(), /Passed/, name);
    }
    assert.match(await checkItem(page, 'sending').textContent(), /Abuse protection/);
    assert.match(await page.locator('#test-summary').textContent(), /Every check passed/);
    fs.mkdirSync(DOCS, { recursive: true });
    await page.screenshot({ path: path.join(DOCS, 'console-popup.png') });
    const abuse = page.locator('fieldset', { hasText: 'Abuse protection' });
    await abuse.evaluate((fieldset) => fieldset.scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(DOCS, 'console-popup-abuse-protection.png') });
  });

  await t.test("a wrong token shows Twilio's 20003 in plain words", async () => {
    await page.getByLabel('Auth Token').fill('wrong_token_00000000000000000000');
    await runTest(page);
    await checkItem(page, 'credentials').filter({ hasText: 'Failed' }).waitFor();
    const text = await checkItem(page, 'credentials').textContent();
    assert.match(text, /Twilio refused the Account SID and Auth Token \(Twilio error 20003\)/);
    assert.match(await checkItem(page, 'sender').textContent(), /Skipped/);
    assert.match(await page.locator('#test-summary').textContent(), /failed/);
    // The focus goes to the results, and the field to fix is marked.
    assert.equal(await page.evaluate(() => document.activeElement.id), 'test-results-title');
    assert.equal(await page.getByLabel('Auth Token').getAttribute('aria-invalid'), 'true');
    assert.match(await page.locator('#cfg-authToken-error').textContent(), /failed the test/);
    // SAVE refuses it too, on the field, and the popup stays open on it.
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('#cfg-authToken-error', { hasText: 'was not saved' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'cfg-authToken');
    assert.equal(await dialog(page).isVisible(), true);
    assert.match(await page.locator('#page-status').textContent(), /^(?!.*installed and active)/);
  });

  await t.test('a sender the account does not own is shown as such', async () => {
    await page.getByLabel('Auth Token').fill(FULL_ACCOUNT.authToken);
    await page.getByLabel('Twilio Sender Phone Number').fill(FOREIGN_NUMBER);
    await runTest(page);
    await checkItem(page, 'sender').filter({ hasText: 'Failed' }).waitFor();
    assert.match(
      await checkItem(page, 'sender').textContent(),
      new RegExp(`\\${FOREIGN_NUMBER} does not belong to this Twilio account`),
    );
    assert.match(await checkItem(page, 'credentials').textContent(), /Passed/);
    const sender = page.getByLabel('Twilio Sender Phone Number');
    assert.equal(await sender.getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('Auth Token').getAttribute('aria-invalid'), 'false');
  });

  await t.test('Channels: Twilio Verify is chosen, its service checked live', async () => {
    await page.getByLabel('Twilio Sender Phone Number').fill(SMS_NUMBER);
    const channels = page.locator('fieldset', { hasText: 'Channels' });
    assert.equal(await channels.getByLabel('Code backend').inputValue(), 'messages');
    assert.equal(await channels.getByLabel('Channels', { exact: true }).inputValue(), 'sms');
    await channels.getByLabel('Code backend').selectOption('verify');
    await channels.getByLabel('Verify Service SID').fill('VA123');
    const error = page.locator('#cfg-verifyServiceSid-error');
    await error.waitFor();
    assert.match(await error.textContent(), /VA followed by 32 hexadecimal/);
    await channels.getByLabel('Verify Service SID').fill(VERIFY_SERVICE.sid);
    await channels.getByLabel('Channels', { exact: true }).fill('whatsapp, sms');
    await error.waitFor({ state: 'hidden' });
    await runTest(page);
    assert.match(
      await checkItem(page, 'sender').textContent(),
      /The Verify service "Simulated Verify Service" exists/,
    );
    await channels.getByLabel('Code backend').selectOption('messages');
    await channels.getByLabel('Verify Service SID').fill('');
    await channels.getByLabel('Channels', { exact: true }).fill('sms');
  });

  await t.test('SAVE stores it, closes the popup and shows the product installed', async () => {
    await page.getByLabel('Twilio Sender Phone Number').fill(SMS_NUMBER);
    await page.getByRole('button', { name: 'Save' }).click();
    await dialog(page).waitFor({ state: 'hidden' });
    await page.getByText('Installed', { exact: true }).waitFor();
    assert.match(await page.locator('#page-status').textContent(), /installed and active/);
    await page.getByRole('button', { name: 'Configure' }).waitFor();
    const row = app.db.prepare('SELECT config_json FROM plugin_installations').get();
    assert.equal(JSON.parse(row.config_json).senderPhoneNumber, SMS_NUMBER);
  });

  await t.test('after a reload the token is masked and never in the page', async () => {
    await page.reload();
    await page.getByRole('button', { name: 'Configure' }).click();
    await dialog(page).waitFor();
    const token = page.getByLabel('Auth Token');
    assert.equal(await token.inputValue(), '');
    assert.match(await token.getAttribute('placeholder'), /0000/);
    assert.match(await page.locator('#cfg-authToken-saved').textContent(), /ending in ••••0000/);
    assert.ok(!(await page.content()).includes(FULL_ACCOUNT.authToken), 'not in the DOM');
    assert.ok(
      bodies.every((body) => !body.includes(FULL_ACCOUNT.authToken)),
      'not in any response',
    );
    await page.keyboard.press('Escape');
  });

  await t.test(
    'a phone registration through the API works with the saved configuration',
    async () => {
      const phoneNumber = '+14155550142';
      const step1 = await postJson(`${app.url}/api/users/register`, { phoneNumber });
      assert.equal(step1.status, 200, step1.text);
      const [sms] = await outbox(app.simulatorUrl, phoneNumber);
      assert.equal(sms.from, SMS_NUMBER);
      const step2 = await postJson(`${app.url}/api/users/register`, {
        email: 'console@example.com',
        password: 'correct horse battery staple',
        phoneNumber,
        transactionId: step1.body.transactionId,
        transactionCode: await readCode(app.simulatorUrl, phoneNumber),
      });
      assert.equal(step2.status, 200, step2.text);
      assert.equal(step2.body.phoneNumberConfirmed, true);
    },
  );

  await t.test('Uninstall turns it off: registration is plain again', async () => {
    await page.getByRole('button', { name: 'Uninstall' }).click();
    const confirm = page.getByRole('dialog', { name: 'Uninstall Twilio Integration?' });
    await confirm.waitFor();
    await confirm.getByRole('button', { name: 'Uninstall' }).click();
    await page.getByText('Not installed', { exact: true }).waitFor();
    await page.waitForFunction(() => document.activeElement?.textContent === 'Install');

    const plain = await postJson(`${app.url}/api/users/register`, {
      email: 'plain@example.com',
      password: 'correct horse battery staple',
    });
    assert.equal(plain.status, 200, plain.text);
    const phoneOnly = await postJson(`${app.url}/api/users/register`, {
      phoneNumber: '+14155550143',
    });
    assert.equal(phoneOnly.body.transactionId, undefined);
  });
});

test('at phone width the popup fills the screen without scrolling sideways', async (t) => {
  const { page } = await consolePage(t, { width: 390, height: 844 });
  if (!page) return;
  await page.getByRole('button', { name: 'Install' }).click();
  await dialog(page).waitFor();
  await page.getByLabel('Account SID').fill(FULL_ACCOUNT.sid);
  await page.getByLabel('Auth Token').fill(FULL_ACCOUNT.authToken);
  await page.getByLabel('Twilio Sender Phone Number').fill(SMS_NUMBER);
  await runTest(page);
  const box = await dialog(page).boundingBox();
  assert.ok(box.width <= 390 && box.height <= 844, JSON.stringify(box));
  const overflow = await page.evaluate(() => {
    const body = document.getElementById('config-body');
    return body.scrollWidth - body.clientWidth;
  });
  assert.equal(overflow, 0, 'nothing wider than the screen');
  for (const name of ['Test configuration', 'Save', 'Cancel']) {
    assert.ok(await page.getByRole('button', { name }).isVisible(), name);
  }
  await page.screenshot({ path: path.join(DOCS, 'console-popup-phone.png') });

  // A short confirmation is a sheet at the bottom, as tall as its text, not a full screen.
  await page.getByRole('button', { name: 'Save' }).click();
  await dialog(page).waitFor({ state: 'hidden' });
  await page.getByRole('button', { name: 'Uninstall' }).click();
  const confirm = page.getByRole('dialog', { name: /^Uninstall/ });
  await confirm.waitFor();
  const sheet = await confirm.boundingBox();
  assert.ok(sheet.height < 844 / 2, `the confirmation is ${sheet.height} px tall`);
  assert.ok(
    Math.abs(sheet.y + sheet.height - 844) < 2,
    `it sits at the bottom: ${JSON.stringify(sheet)}`,
  );
  await confirm.getByRole('button', { name: 'Keep it' }).click();
});

test('the one-time link signs in with one click, works once, and signing out ends it', async (t) => {
  const { app } = await startApp(t);
  const browser = await openBrowser(t);
  if (!browser) return;
  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  const link = app.console.signInLink;

  await t.test('the link opens the console, and leaves no token in the address bar', async () => {
    await page.goto(link);
    await page.waitForURL(`${app.url}/console`);
    await page.getByRole('heading', { name: 'Marketplace' }).waitFor();
    assert.doesNotMatch(page.url(), /link=/);
  });

  await t.test('Sign out, by keyboard, goes back to the sign-in page for good', async () => {
    await page.getByRole('button', { name: 'Sign out' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(`${app.url}/console/sign-in`);
    await page.goto(`${app.url}/console`);
    await page.waitForURL(`${app.url}/console/sign-in`);
  });

  await t.test('the same link again is refused, and the page says what to do', async () => {
    await page.goto('about:blank'); // a fresh load, as a click in the terminal opens it
    await page.goto(link);
    const error = page.getByRole('alert');
    await error.filter({ hasText: 'used already' }).waitFor();
    assert.match(await error.textContent(), /sign in with the password/);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
  });

  await t.test('a wrong password is said so, and the right one then signs in', async () => {
    await page.keyboard.type('not the password');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'not correct' }).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'password');
    await page.keyboard.type(CONSOLE_PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${app.url}/console`);
    await page.getByRole('heading', { name: 'Twilio Integration' }).waitFor();
  });
});

test('the Activity page charts the last 24 hours: sent, verified, refused, by country', async (t) => {
  const { app } = await startApp(t);
  const browser = await openBrowser(t, { viewport: { width: 1100, height: 1400 } });
  if (!browser) return;
  // Two codes to the US (one entered), one to the UK, and a resend the cooldown refused.
  const us = '+14155550160';
  const { step2 } = await registerWithCode(app, us, {
    email: 'activity@example.com',
    password: 'correct horse battery staple',
  });
  assert.equal(step2.status, 200, step2.text);
  const again = await postJson(`${app.url}/api/users/register`, { phoneNumber: us });
  assert.equal(again.status, 429, again.text);
  for (const phoneNumber of ['+14155550161', '+447700900123']) {
    const sent = await postJson(`${app.url}/api/users/register`, { phoneNumber });
    assert.equal(sent.status, 200, sent.text);
  }

  const page = await browser.newPage();
  page.setDefaultTimeout(10_000);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await signIn(page, app);
  await page.getByRole('link', { name: 'Activity' }).click();
  await page.waitForURL(`${app.url}/console/activity`);
  await page.locator('#activity-charts[aria-busy="false"]').waitFor();
  const stat = async (name) =>
    (await page.locator(`[data-stat="${name}"] .stat-value`).textContent()).trim();
  assert.deepEqual(
    [await stat('sent'), await stat('verified'), await stat('refused'), await stat('paused')],
    ['3', '1', '1', '0'],
  );
  assert.match(await page.locator('[data-stat="verified"]').textContent(), /33 %/);
  // The hours chart: 24 slots, this hour's bars as tall as its counts, each with its numbers.
  const perHour = page.getByRole('img', { name: /Codes sent and verified per hour/ });
  assert.equal(await perHour.locator('.chart-slot').count(), 24);
  const last = perHour.locator('.chart-slot').last();
  assert.equal(await last.locator('.chart-sent').getAttribute('data-value'), '3');
  assert.equal(await last.locator('.chart-verified').getAttribute('data-value'), '1');
  assert.match(await last.locator('title').textContent(), /3 sent, 1 verified, 1 refused/);
  // Per country, largest first; the refusal by its limit's name.
  const countries = page.getByRole('img', { name: /Codes sent per country/ });
  assert.deepEqual(await countries.locator('.chart-label').allTextContents(), ['US', 'GB']);
  const limits = page.getByRole('img', { name: /refused by each limit/ });
  assert.deepEqual(await limits.locator('.chart-label').allTextContents(), ['Resend cooldown']);
  assert.match(await limits.locator('title').textContent(), /resendCooldownSeconds/);
  // The same numbers as a table, for reading them out.
  await page.getByText('The numbers').nth(1).click();
  const row = page
    .getByRole('table', { name: 'Codes per country' })
    .getByRole('row', { name: /US/ });
  assert.deepEqual(await row.locator('td').allTextContents(), ['2', '1', '1']);
  assert.match(
    await page.getByRole('heading', { name: 'Paused countries' }).locator('..').textContent(),
    /No country is paused/,
  );
  fs.mkdirSync(DOCS, { recursive: true });
  await page.screenshot({ path: path.join(DOCS, 'console-activity.png'), fullPage: true });
  assert.deepEqual(errors, [], 'no script errors on the page');
});

test('the Activity page is for the operator only', async (t) => {
  const { app } = await startApp(t);
  const answer = await fetch(`${app.url}/console/activity`, { redirect: 'manual' });
  assert.equal(answer.status, 303);
  assert.equal(answer.headers.get('location'), '/console/sign-in');
  const data = await fetch(`${app.url}/console/api/activity?hours=24`);
  assert.equal(data.status, 401);
});
