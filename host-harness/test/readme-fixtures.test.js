// The simulator's credentials and failing numbers are written down where a developer looks:
// host-harness/README.md names every fixture account with its SID and Auth Token, the API key,
// and every magic number the simulator answers.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const sim = require('../src/twilio-sim');

const README = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

test('every fixture account is in the README with its SID and Auth Token on one row', () => {
  for (const account of [
    sim.FULL_ACCOUNT,
    sim.TRIAL_ACCOUNT,
    sim.TEST_CREDENTIALS_ACCOUNT,
    sim.SUSPENDED_ACCOUNT,
  ]) {
    const row = README.split('\n').find((line) => line.includes(`\`${account.sid}\``));
    assert.ok(row, `${account.friendlyName}: ${account.sid} is not in the README`);
    assert.ok(
      row.includes(`\`${account.authToken}\``),
      `${account.sid}: its token is not beside it`,
    );
  }
  assert.ok(README.includes(`\`${sim.API_KEY.sid}\` / \`${sim.API_KEY.secret}\``));
});

test("every magic number the simulator answers is in the README's table", () => {
  const magic = Object.keys(sim.VERIFY_MAGIC_TO);
  for (const number of ['+15005550001', '+15005550004', '+15005550009', ...magic]) {
    const short = number.slice(-4);
    assert.ok(
      README.includes(number) || README.includes(`/ ${short}`),
      `${number} is undocumented`,
    );
  }
});
