// TEST CONFIGURATION of every build, with Twilio's replies scripted on an in-memory host: one
// report of named checks (fields, credentials, sender, sending), each passed, warning, failed
// or skipped with a message that says what to do, and `ok` false only when a check failed.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { ACCOUNT_SID, AUTH_TOKEN } = require('./support/memory-host');
const { BUILDS } = require('./support/builds');
const { setupFor } = require('./support/plugin-calls');

const SENDER = '+15005550006';
const SERVICE_SID = `MG${'e'.repeat(32)}`;

const json = (status, body) => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const account = (type, status = 'active') =>
  json(200, { sid: ACCOUNT_SID, friendly_name: 'Acme Prod', status, type });
const numbers = (list) => json(200, { incoming_phone_numbers: list, page: 0 });
const smsNumber = [{ phone_number: SENDER, capabilities: { sms: true, voice: true } }];
const twilioError = (status, code) =>
  json(status, {
    code,
    message: 'refused',
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  });

/** The report's checks as [name, status] pairs. */
const statuses = (report) => report.checks.map((c) => [c.name, c.status]);
const message = (report, name) => report.checks.find((c) => c.name === name).message;

for (const build of BUILDS) {
  const setup = setupFor(build.TwilioPlugin);
  /** The report of a plugin configured with `overrides`, Twilio answering `replies` in turn. */
  const reportFor = async (replies, overrides) => {
    const { mem, plugin } = await setup(overrides);
    mem.state.replies.push(...replies);
    const report = await plugin.testConfiguration();
    return { report, mem };
  };

  describe(build.name, () => {
    test('a working configuration passes every check, each reported with a message', async () => {
      const { report, mem } = await reportFor([account('Full'), numbers(smsNumber)]);
      assert.deepEqual(Object.keys(report).sort(), ['checks', 'ok']);
      assert.equal(report.ok, true);
      assert.deepEqual(statuses(report), [
        ['fields', 'passed'],
        ['credentials', 'passed'],
        ['sender', 'passed'],
        ['sending', 'passed'],
      ]);
      for (const check of report.checks) {
        assert.deepEqual(Object.keys(check).sort(), ['message', 'name', 'status']);
        assert.ok(check.message.length > 10, check.name);
      }
      assert.match(message(report, 'credentials'), /"Acme Prod"/);
      assert.match(
        message(report, 'sender'),
        /\+15005550006 belongs to the account and can send SMS/,
      );
      assert.match(message(report, 'sending'), /No country is paused/);
      assert.match(message(report, 'sending'), /\+881/, 'the blocked ranges are listed');

      // What was asked of Twilio: reads only, with the account's credentials.
      assert.deepEqual(
        mem.state.requests.map((r) => r.method),
        ['GET', 'GET'],
      );
      assert.match(mem.state.requests[0].url, /\/2010-04-01\/Accounts\/AC0{32}\.json$/);
      const lookup = new URL(mem.state.requests[1].url);
      assert.match(lookup.pathname, /\/Accounts\/AC0{32}\/IncomingPhoneNumbers\.json$/);
      assert.equal(lookup.searchParams.get('PhoneNumber'), SENDER);
      const basic = Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
      assert.equal(mem.state.requests[0].headers.Authorization, `Basic ${basic}`);
      assert.ok(!JSON.stringify(report).includes(AUTH_TOKEN));
    });

    test('a Trial account is a warning, not a failure', async () => {
      const { report } = await reportFor([account('Trial'), numbers(smsNumber)]);
      assert.equal(report.ok, true);
      assert.deepEqual(statuses(report)[1], ['credentials', 'warning']);
      assert.match(message(report, 'credentials'), /Trial/);
      assert.match(message(report, 'credentials'), /verified/);
      assert.equal(statuses(report)[2][1], 'passed');
    });

    test('refused credentials fail, and the sender is skipped without another request', async () => {
      const { report, mem } = await reportFor([twilioError(401, 20003)]);
      assert.equal(report.ok, false);
      assert.deepEqual(statuses(report), [
        ['fields', 'passed'],
        ['credentials', 'failed'],
        ['sender', 'skipped'],
        ['sending', 'passed'],
      ]);
      assert.match(message(report, 'credentials'), /20003/);
      assert.equal(mem.state.requests.length, 1);
    });

    test('test credentials are a warning, and the sender check says what works with them', async () => {
      const { report, mem } = await reportFor([twilioError(403, 20008)]);
      assert.equal(report.ok, true);
      assert.deepEqual(statuses(report).slice(1, 3), [
        ['credentials', 'warning'],
        ['sender', 'skipped'],
      ]);
      assert.match(message(report, 'credentials'), /test credentials/);
      assert.match(message(report, 'sender'), /\+15005550006/);
      assert.equal(mem.state.requests.length, 1);
    });

    test('a suspended account fails, and so does a Twilio that cannot be reached', async () => {
      const suspended = await reportFor([account('Full', 'suspended')]);
      assert.equal(suspended.report.ok, false);
      assert.deepEqual(statuses(suspended.report).slice(1, 3), [
        ['credentials', 'failed'],
        ['sender', 'skipped'],
      ]);
      assert.match(message(suspended.report, 'credentials'), /suspended/);

      const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), {
        kind: 'connect',
      });
      const unreachable = await reportFor([down]);
      assert.equal(unreachable.report.ok, false);
      assert.deepEqual(statuses(unreachable.report)[1], ['credentials', 'failed']);
      assert.ok(message(unreachable.report, 'credentials').length > 10);
    });

    test('a sender that is not the account’s, or cannot send SMS, fails the sender check', async () => {
      const foreign = await reportFor([account('Full'), numbers([])]);
      assert.equal(foreign.report.ok, false);
      assert.deepEqual(statuses(foreign.report)[2], ['sender', 'failed']);
      assert.match(message(foreign.report, 'sender'), /does not belong/);

      const voiceOnly = [{ phone_number: SENDER, capabilities: { sms: false, voice: true } }];
      const voice = await reportFor([account('Full'), numbers(voiceOnly)]);
      assert.equal(voice.report.ok, false);
      assert.match(message(voice.report, 'sender'), /cannot send SMS/);
    });

    test('with a Messaging Service too, both the number and the service are checked', async () => {
      const missing = await reportFor(
        [account('Full'), numbers(smsNumber), twilioError(404, 20404)],
        { messagingServiceSid: SERVICE_SID },
      );
      assert.equal(missing.report.ok, false);
      assert.deepEqual(statuses(missing.report)[2], ['sender', 'failed']);
      assert.match(message(missing.report, 'sender'), /was not found/);
      assert.match(missing.mem.state.requests[2].url, new RegExp(`/Services/${SERVICE_SID}$`));

      const found = await reportFor(
        [
          account('Full'),
          numbers(smsNumber),
          json(200, { sid: SERVICE_SID, friendly_name: 'Acme OTP' }),
        ],
        { messagingServiceSid: SERVICE_SID },
      );
      assert.equal(found.report.ok, true);
      assert.deepEqual(statuses(found.report)[2], ['sender', 'passed']);
      assert.match(message(found.report, 'sender'), /belongs to the account/);
      assert.match(message(found.report, 'sender'), /"Acme OTP" exists/);
    });

    test('the sending check reports the countries and the test numbers', async () => {
      const { report } = await reportFor([account('Full'), numbers(smsNumber)], {
        allowedCountries: '+1, GB',
        testPhoneNumbers: '+15555550100 123456',
      });
      assert.deepEqual(statuses(report)[3], ['sending', 'passed']);
      assert.match(message(report, 'sending'), /Codes go to \+1, GB/);
      assert.match(message(report, 'sending'), /Test numbers: 1, never texted/);
    });

    test('a country the conversion breaker paused is a warning of the sending check', async () => {
      const { mem, plugin } = await setup({ breakerMinCodes: 2, breakerMinVerifiedPercent: 50 });
      // Two codes to the US and none entered: the breaker pauses the country.
      for (const phone of ['+14155550301', '+12125550302']) {
        await plugin.beforeRegister({}, { phoneNumber: phone });
      }
      mem.state.replies.push(account('Full'), numbers(smsNumber));
      const report = await plugin.testConfiguration();
      assert.equal(report.ok, true, 'a pause is a warning');
      assert.deepEqual(statuses(report)[3], ['sending', 'warning']);
      assert.match(message(report, 'sending'), /Codes to US are paused/);
      assert.match(message(report, 'sending'), /breakerMinVerifiedPercent/);
    });
  });
}
