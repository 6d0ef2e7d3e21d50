// Status callbacks from the simulator, sent as Twilio sends them, check out against
// X-Twilio-Signature with the account's Auth Token: the receiving side of the plugin's future
// status-callback endpoint can rely on the simulator to test it.

const assert = require('node:assert/strict');
const http = require('node:http');
const { test } = require('node:test');

const { FULL_ACCOUNT, SMS_NUMBER } = require('../src/twilio-sim');
const { validateSignature } = require('../src/twilio-signature');
const { startApp } = require('./host-helpers');

/** A tiny receiver that keeps every callback: full URL, signature header and form params. */
async function callbackReceiver(t) {
  const received = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({
        url: `http://127.0.0.1:${server.address().port}${req.url}`,
        signature: req.headers['x-twilio-signature'],
        params: Object.fromEntries(new URLSearchParams(body)),
      });
      res.writeHead(204);
      res.end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return { received, url: `http://127.0.0.1:${server.address().port}/twilio/status?app=demo` };
}

test('status callbacks sent through the simulator validate against their signature', async (t) => {
  const { app } = await startApp(t);
  const receiver = await callbackReceiver(t);
  const auth = Buffer.from(`${FULL_ACCOUNT.sid}:${FULL_ACCOUNT.authToken}`).toString('base64');

  // Sent the way the plugin sends: through the host's http import, to the allowed simulator.
  const reply = await app.pluginHost.http({
    method: 'POST',
    url: `${app.simulatorUrl}/2010-04-01/Accounts/${FULL_ACCOUNT.sid}/Messages.json`,
    headers: {
      Authorization: `Basic ${auth}`,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      To: '+14155550120',
      From: SMS_NUMBER,
      Body: 'Your Demo App verification code is 424242',
      StatusCallback: receiver.url,
    }).toString(),
    timeoutMs: 2000,
  });
  assert.equal(reply.status, 201, reply.body);
  const { sid } = JSON.parse(reply.body);
  await app.simulator.settled();

  assert.deepEqual(
    receiver.received.map((callback) => callback.params.MessageStatus),
    ['sent', 'delivered'],
  );
  for (const callback of receiver.received) {
    assert.equal(callback.params.MessageSid, sid);
    assert.equal(callback.url, receiver.url);
    assert.equal(
      validateSignature(FULL_ACCOUNT.authToken, callback.signature, callback.url, callback.params),
      true,
      `the ${callback.params.MessageStatus} callback is signed with the account's token`,
    );
    // The same check refuses what was not signed so: a forged status, or another token.
    const forged = { ...callback.params, MessageStatus: 'failed' };
    assert.equal(
      validateSignature(FULL_ACCOUNT.authToken, callback.signature, callback.url, forged),
      false,
    );
    assert.equal(
      validateSignature('another-token', callback.signature, callback.url, callback.params),
      false,
    );
  }
});
