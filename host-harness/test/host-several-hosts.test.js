// Two host processes on one Redis, as a deployment that outgrew one machine runs them: the
// plugin's guarantees hold across both. A registration started on one host finishes on the
// other; twenty right answers at once create one user; the attempt cap and every limit of the
// send policy count each request once, whichever host took it; a session from one host works
// on the other.

const assert = require('node:assert/strict');
const { after, before, describe, test } = require('node:test');

const Database = require('better-sqlite3');
const Redis = require('ioredis');

const { FULL_ACCOUNT, SMS_NUMBER } = require('../src/twilio-sim');
const { consoleApi, getJson, postJson, readCode, tally, uk } = require('./host-helpers');
const { startCluster } = require('./support/host-cluster');

const PLUGIN = 'twilio-phone-verification';

/** The host for the i-th request: A, B, A, B, ... */
const hostFor = (cluster, i) => cluster.hosts[i % cluster.hosts.length];

function register(host, body, ip) {
  return postJson(`${host.url}/api/users/register`, body, ip ? { 'X-Forwarded-For': ip } : {});
}

/** The plugin's keys on Redis starting with `prefix`, with their values. */
async function redisEntries(redis, prefix) {
  const base = `baas:kv:${PLUGIN}:`;
  const keys = await redis.keys(`${base}${prefix}*`);
  const values = keys.length ? await redis.mget(keys) : [];
  return Object.fromEntries(keys.map((key, i) => [key.slice(base.length), values[i]]));
}

describe('two hosts on one Redis: registration, attempts and sessions', () => {
  let cluster;
  let redis;
  before(async () => {
    cluster = await startCluster({
      hosts: 2,
      pluginConfig: { breakerMinCodes: 0 },
      env: { TRUSTED_PROXIES: 'loopback' },
    });
    redis = new Redis(cluster.redis.url);
  });
  after(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  test('step 1 on host A, step 2 on host B; the session A issues works on B', async () => {
    const [a, b] = cluster.hosts;
    const phone = uk(1);
    const step1 = await register(a, { phoneNumber: phone }, '198.51.100.1');
    assert.equal(step1.status, 200, step1.text);
    const code = await readCode(cluster.simulatorUrl, phone);
    const step2 = await register(
      b,
      {
        email: 'ann@example.com',
        password: 'ann-password-1',
        phoneNumber: phone,
        transactionId: step1.body.transactionId,
        transactionCode: code,
      },
      '198.51.100.1',
    );
    assert.equal(step2.status, 200, step2.text);
    assert.equal(step2.body.phoneNumber, phone);
    assert.equal(step2.body.phoneNumberConfirmed, true);

    const login = await postJson(`${a.url}/api/users/login`, {
      login: 'ann@example.com',
      password: 'ann-password-1',
    });
    assert.equal(login.status, 200, login.text);
    const token = login.body['user-token'];
    const onB = await getJson(`${b.url}/api/users/${login.body.objectId}`, { 'user-token': token });
    assert.equal(onB.status, 200, onB.text);
    assert.equal(onB.body.email, 'ann@example.com');
    // The session is on Redis under the token's hash, never the token itself.
    const sessions = await redis.keys('baas:session:*');
    assert.ok(sessions.length >= 1);
    assert.ok(sessions.every((key) => !key.includes(token)));
    assert.equal(await redis.get(sessions[0]), login.body.objectId);
  });

  test('20 concurrent right answers spread over both hosts create exactly one user', async () => {
    const phone = uk(2);
    const step1 = await register(cluster.hosts[0], { phoneNumber: phone }, '198.51.100.2');
    assert.equal(step1.status, 200, step1.text);
    const code = await readCode(cluster.simulatorUrl, phone);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        register(
          hostFor(cluster, i),
          {
            email: `race-${i}@example.com`,
            password: 'race-password-1',
            phoneNumber: phone,
            transactionId: step1.body.transactionId,
            transactionCode: code,
          },
          `198.51.100.${100 + i}`,
        ),
      ),
    );
    const created = answers.filter((a) => a.status === 200);
    assert.equal(created.length, 1, JSON.stringify(tally(answers)));
    for (const refused of answers.filter((a) => a.status !== 200)) {
      assert.ok(
        // The losers meet the winner's claim, or a verification already used up: each of
        // them counts as an attempt, so the last ones may find the attempts spent.
        ['REGISTRATION_IN_PROGRESS', 'CODE_MISMATCH', 'TOO_MANY_ATTEMPTS'].includes(
          refused.body.code,
        ),
        refused.text,
      );
    }
    const db = new Database(`${cluster.dataDir}/baas.sqlite`, { readonly: true });
    try {
      const rows = db.prepare('SELECT COUNT(*) AS n FROM users WHERE phone_number = ?').get(phone);
      assert.equal(rows.n, 1);
    } finally {
      db.close();
    }
  });

  test('the attempt cap counts wrong codes from both hosts together', async () => {
    const phone = uk(3);
    const step1 = await register(cluster.hosts[1], { phoneNumber: phone }, '198.51.100.3');
    const code = await readCode(cluster.simulatorUrl, phone);
    const wrong = code === '000000' ? '111111' : '000000';
    const attempt = (host, transactionCode) =>
      register(
        host,
        {
          email: 'bob@example.com',
          password: 'bob-password-1',
          phoneNumber: phone,
          transactionId: step1.body.transactionId,
          transactionCode,
        },
        '198.51.100.3',
      );
    const left = [];
    for (let i = 0; i < 4; i += 1) {
      const answer = await attempt(hostFor(cluster, i), wrong);
      assert.equal(answer.body.code, 'CODE_MISMATCH', answer.text);
      left.push(answer.body.details.attemptsLeft);
    }
    assert.deepEqual(left, [4, 3, 2, 1], 'one count across both hosts');
    const fifth = await attempt(cluster.hosts[0], wrong);
    assert.equal(fifth.body.code, 'TOO_MANY_ATTEMPTS', fifth.text);
    // The right code no longer helps, on either host.
    for (const host of cluster.hosts) {
      const late = await attempt(host, code);
      assert.notEqual(late.status, 200, late.text);
    }
  });

  test('a configuration saved in the console of host A is the one host B runs', async () => {
    const [a, b] = cluster.hosts;
    const operator = await consoleApi(a);
    const current = await operator.get('product');
    assert.equal(current.status, 200, current.text);
    const saved = await operator.post('save', {
      config: {
        accountSid: FULL_ACCOUNT.sid,
        senderPhoneNumber: SMS_NUMBER,
        twilioApiBaseUrl: cluster.simulatorUrl,
        breakerMinCodes: 0,
        codeLength: 8,
      },
    });
    assert.equal(saved.status, 200, saved.text);
    // B looks at most once a second; its next requests run the new settings.
    const deadline = Date.now() + 5000;
    let code;
    for (let i = 0; ; i += 1) {
      const phone = uk(5, i);
      const step1 = await register(b, { phoneNumber: phone }, `198.51.100.${50 + i}`);
      assert.equal(step1.status, 200, step1.text);
      code = await readCode(cluster.simulatorUrl, phone);
      if (code.length === 8 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(code.length, 8, 'host B texts the code length saved through host A');
    const status = await (await consoleApi(b)).get('product');
    assert.equal(status.body.installation.source, 'saved', status.text);
  });

  test('two saves at once through both consoles leave both hosts on the one stored', async () => {
    const [a, b] = cluster.hosts;
    const [consoleA, consoleB] = await Promise.all([consoleApi(a), consoleApi(b)]);
    const config = (codeLength) => ({
      config: {
        accountSid: FULL_ACCOUNT.sid,
        senderPhoneNumber: SMS_NUMBER,
        twilioApiBaseUrl: cluster.simulatorUrl,
        breakerMinCodes: 0,
        codeLength,
      },
    });
    const db = new Database(`${cluster.dataDir}/baas.sqlite`, { readonly: true });
    try {
      for (let round = 0; round < 4; round += 1) {
        const saves = await Promise.all([
          consoleA.post('save', config(7)),
          consoleB.post('save', config(9)),
        ]);
        for (const saved of saves) assert.equal(saved.status, 200, saved.text);
        const row = db.prepare('SELECT config_json FROM plugin_installations').get();
        const stored = JSON.parse(row.config_json).codeLength;
        // Each host looks at most once a second.
        await new Promise((resolve) => setTimeout(resolve, 1100));
        for (const [i, host] of cluster.hosts.entries()) {
          const phone = uk(70 + round, i);
          const step1 = await register(host, { phoneNumber: phone }, `198.51.100.${150 + round}`);
          assert.equal(step1.status, 200, step1.text);
          const code = await readCode(cluster.simulatorUrl, phone);
          assert.equal(code.length, stored, `round ${round}, host ${i}: the stored length`);
        }
      }
    } finally {
      db.close();
    }
  });

  test("a number's resend cooldown holds whichever host the second request reaches", async () => {
    const phone = uk(4);
    const first = await register(cluster.hosts[0], { phoneNumber: phone }, '198.51.100.4');
    assert.equal(first.status, 200, first.text);
    const again = await register(cluster.hosts[1], { phoneNumber: phone }, '198.51.100.5');
    assert.equal(again.status, 429, again.text);
    assert.equal(again.body.details.limit, 'number-cooldown');
  });
});

describe('two hosts on one Redis: every limit of the send policy counts once', () => {
  let cluster;
  let redis;
  const sendSms = (host, token, body, to) =>
    postJson(`${host.url}/api/services/twilio/sendSms`, { to, body }, { 'user-token': token });
  /** A signed-in user of the cluster: registered through host A, signed in through host B. */
  async function signedInUser(name, range) {
    const phone = uk(range);
    const step1 = await register(cluster.hosts[0], { phoneNumber: phone }, `198.51.${range}.1`);
    assert.equal(step1.status, 200, step1.text);
    const code = await readCode(cluster.simulatorUrl, phone);
    const email = `${name}@example.com`;
    const step2 = await register(
      cluster.hosts[0],
      {
        email,
        password: `${name}-password-1`,
        phoneNumber: phone,
        transactionId: step1.body.transactionId,
        transactionCode: code,
      },
      `198.51.${range}.1`,
    );
    assert.equal(step2.status, 200, step2.text);
    const login = await postJson(`${cluster.hosts[1].url}/api/users/login`, {
      login: email,
      password: `${name}-password-1`,
    });
    assert.equal(login.status, 200, login.text);
    return login.body['user-token'];
  }

  before(async () => {
    cluster = await startCluster({
      hosts: 2,
      pluginConfig: {
        breakerMinCodes: 0,
        resendCooldownSeconds: 0,
        maxSmsPerNumberPerHour: 3,
        maxCodesPerAddressPerHour: 4,
        maxCodesPerRangePerHour: 5,
        maxMessagesPerUserPerHour: 3,
        maxSegmentsPerUserPerHour: 4,
      },
      env: { TRUSTED_PROXIES: 'loopback' },
    });
    redis = new Redis(cluster.redis.url);
  });
  after(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  test('codes to one number: the fourth is refused, on either host', async () => {
    const answers = [];
    for (let i = 0; i < 6; i += 1) {
      answers.push(await register(hostFor(cluster, i), { phoneNumber: uk(10) }, `203.0.113.${i}`));
    }
    assert.deepEqual(tally(answers), { 200: 3, '429 RATE_LIMITED number-hour': 3 });
  });

  test('codes from one address: the fifth is refused, on either host', async () => {
    const answers = [];
    for (let i = 0; i < 6; i += 1) {
      answers.push(await register(hostFor(cluster, i), { phoneNumber: uk(20 + i) }, '192.0.2.7'));
    }
    assert.deepEqual(tally(answers), { 200: 4, '429 RATE_LIMITED address-hour': 2 });
  });

  test('codes to one range of a thousand numbers: the sixth is refused, on either host', async () => {
    const answers = [];
    for (let i = 0; i < 7; i += 1) {
      answers.push(
        await register(hostFor(cluster, i), { phoneNumber: uk(30, i) }, `198.18.0.${i}`),
      );
    }
    assert.deepEqual(tally(answers), { 200: 5, '429 RATE_LIMITED range-hour': 2 });
  });

  test("a user's messages and segments are counted across hosts", async () => {
    const ann = await signedInUser('ann', 40);
    const messages = [];
    for (let i = 0; i < 5; i += 1) {
      messages.push(await sendSms(hostFor(cluster, i), ann, `hello ${i}`, uk(41, i)));
    }
    assert.deepEqual(tally(messages), { 200: 3, '429 RATE_LIMITED user-messages-hour': 2 });

    const bob = await signedInUser('bob', 42);
    const twoSegments = 'x'.repeat(200);
    const long = [];
    for (let i = 0; i < 3; i += 1) {
      long.push(await sendSms(hostFor(cluster, i), bob, twoSegments, uk(43, i)));
    }
    assert.deepEqual(tally(long), { 200: 2, '429 RATE_LIMITED user-segments-hour': 1 });
  });

  test('every counter on Redis holds each request once, whichever host counted it', async () => {
    // A window's counter is `<limit>/<bucket>`: every request counted, and `.../r` the ones
    // refunded (refused by another limit, or never sent). Admitted = counted - refunded.
    const admitted = {};
    for (const [key, value] of Object.entries(await redisEntries(redis, 'limit/'))) {
      const match = /^(limit\/.+)\/\d+(\/r)?$/.exec(key);
      if (!match) continue;
      admitted[match[1]] = (admitted[match[1]] ?? 0) + (match[2] ? -1 : 1) * Number(value);
    }
    const { body } = await getJson(`${cluster.simulatorUrl}/_sim/messages`);
    const codes = body.messages.filter((m) => /verification code/.test(m.body)).length;
    assert.equal(admitted['limit/app/3600'], codes, "the app's hour: every code texted");
    assert.equal(admitted['limit/app/86400'], codes, "the app's day: every code texted");
    assert.equal(admitted['limit/address/192.0.2.7'], 4, 'the address: its cap, not 6');
    assert.equal(admitted[`limit/range/${uk(30).slice(0, -3)}`], 5, 'the range: its cap, not 7');
    const users = Object.keys(admitted).filter((base) =>
      /^limit\/user\/.+\/messages\/3600$/.test(base),
    );
    assert.equal(users.length, 2);
    const perUser = users.map((base) => {
      const user = base.slice(0, -'/messages/3600'.length);
      const of = (what) => admitted[`${user}/${what}`];
      assert.equal(of('messages/3600'), of('messages/86400'), 'messages: hour and day alike');
      assert.equal(of('segments/3600'), of('segments/86400'), 'segments: hour and day alike');
      return [of('messages/3600'), of('segments/3600')];
    });
    // Ann: three one-segment messages; Bob: two of two segments.
    assert.deepEqual(perUser.sort(), [
      [2, 4],
      [3, 3],
    ]);
  });
});

describe("two hosts on one Redis: the breaker's pause and the app's budget", () => {
  let cluster;
  before(async () => {
    cluster = await startCluster({
      hosts: 2,
      pluginConfig: { maxCodesPerHour: 24 },
      env: { TRUSTED_PROXIES: 'loopback' },
    });
  });
  after(() => cluster?.stop());

  test('a country paused through one host is paused on the other', async () => {
    const jamaica = (i) => `+1876${200 + i}0123`;
    for (let i = 0; i < 20; i += 1) {
      const answer = await register(
        hostFor(cluster, i),
        { phoneNumber: jamaica(i) },
        `198.51.100.${i}`,
      );
      assert.equal(answer.status, 200, answer.text);
    }
    // Nobody entered those codes: Jamaica is paused on both hosts.
    for (const [i, host] of cluster.hosts.entries()) {
      const paused = await register(host, { phoneNumber: jamaica(50 + i) }, `203.0.113.${i}`);
      assert.equal(paused.status, 429, paused.text);
      assert.equal(paused.body.details.limit, 'country-paused');
    }
  });

  test("the app's hourly budget is spent once across both hosts", async () => {
    const answers = [];
    for (let i = 0; i < 8; i += 1) {
      answers.push(
        await register(hostFor(cluster, i), { phoneNumber: uk(60 + i) }, `198.18.1.${i}`),
      );
    }
    const { body } = await getJson(`${cluster.simulatorUrl}/_sim/messages`);
    assert.equal(body.messages.length, 24, 'the budget, across both hosts');
    const sent = answers.filter((a) => a.status === 200).length;
    assert.deepEqual(tally(answers), {
      200: sent,
      '429 SMS_BUDGET_EXCEEDED app-hour': 8 - sent,
    });
  });
});
