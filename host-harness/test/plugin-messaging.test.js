// The messaging API and delivery-status callbacks of every build, with an in-memory host:
// sendSms, sendMms, getMessageStatus, startVerification / checkVerification, and
// handleStatusCallback, which believes only what X-Twilio-Signature vouches for.
const { describe, test } = require('node:test');
const assert = require('node:assert/strict');
const { computeSignature, sha256Hex } = require('../src/twilio-signature');
const { ACCOUNT_SID, AUTH_TOKEN } = require('./support/memory-host');
const { BUILDS } = require('./support/builds');
const { lastForm, rejectsWith, setupFor, signedIn } = require('./support/plugin-calls');

const PHONE = '+14155552671';
const CALLBACK = 'https://app.example.com/api/services/twilio/status-callback';
const SENT_KEYS = ['from', 'numMedia', 'numSegments', 'sid', 'status', 'to'];
const MEDIA = ['https://cdn.example.com/a.png', 'https://cdn.example.com/b.jpg?size=large&v=2'];
const ANN = signedIn('U1');

/** A callback as the host hands it over: the URL Twilio called, its headers and the raw form. */
function signedCallback(params, { url = CALLBACK, token = AUTH_TOKEN, header } = {}) {
  return {
    url,
    headers: {
      [header ?? 'X-Twilio-Signature']: computeSignature(token, url, params),
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params).toString(),
  };
}

/** Twilio's error reply. */
const twilioError = (status, code, message = 'refused') => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    code,
    message,
    more_info: `https://www.twilio.com/docs/errors/${code}`,
    status,
  }),
});

for (const build of BUILDS) {
  const setup = setupFor(build.TwilioPlugin);
  /** A plugin, and the SID of a message Ann sent with it. */
  const withMessage = async (overrides) => {
    const { mem, plugin } = await setup(overrides);
    const sent = await plugin.sendSms(ANN, { to: PHONE, body: 'hello' });
    return { mem, plugin, sid: sent.sid };
  };

  describe(build.name, () => {
    describe('messaging', () => {
      test("sendSms answers the message and sends Twilio's wire format", async () => {
        const { mem, plugin } = await setup({ statusCallbackUrl: CALLBACK });
        const text = 'Your order #42 ships today: 2 × "café" & more = ✓';
        const reply = await plugin.sendSms(ANN, { to: '+1 415 555 2671', body: text });
        assert.deepEqual(Object.keys(reply).sort(), SENT_KEYS);
        assert.match(reply.sid, /^SM[0-9a-f]{32}$/);
        assert.equal(reply.status, 'queued');
        assert.equal(reply.to, PHONE, 'normalized to E.164 before sending');
        assert.equal(reply.from, '+15005550006');
        assert.equal(reply.numSegments, 1);
        assert.equal(reply.numMedia, 0);

        assert.equal(mem.state.requests.length, 1);
        const [request] = mem.state.requests;
        assert.equal(request.method, 'POST');
        assert.match(
          request.url,
          /^https:\/\/api\.twilio\.com\/2010-04-01\/Accounts\/AC0{32}\/Messages\.json$/,
        );
        const basic = Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64');
        assert.equal(request.headers.Authorization, `Basic ${basic}`);
        assert.deepEqual(Object.fromEntries(lastForm(mem)), {
          To: PHONE,
          From: '+15005550006',
          Body: text,
          StatusCallback: CALLBACK,
        });

        // The caller's own statusCallback instead of the configured one.
        const own = 'https://hooks.example.com/twilio/status?app=demo';
        await plugin.sendSms(ANN, { to: PHONE, body: 'hi', statusCallback: own });
        assert.equal(lastForm(mem).get('StatusCallback'), own);
      });

      test('sendMms sends each media URL as a repeated MediaUrl, and a Body only when given', async () => {
        const { mem, plugin } = await setup();
        const reply = await plugin.sendMms(ANN, {
          to: PHONE,
          body: 'Two pictures',
          mediaUrls: MEDIA,
        });
        assert.deepEqual(Object.keys(reply).sort(), SENT_KEYS);
        const { body } = mem.state.requests[0];
        assert.equal(body.match(/(^|&)MediaUrl=/g).length, 2, body);
        assert.deepEqual(lastForm(mem).getAll('MediaUrl'), MEDIA);
        assert.equal(lastForm(mem).get('Body'), 'Two pictures');

        await plugin.sendMms(ANN, { to: PHONE, mediaUrls: MEDIA.slice(0, 1) });
        assert.equal(lastForm(mem).has('Body'), false);
        assert.deepEqual(lastForm(mem).getAll('MediaUrl'), MEDIA.slice(0, 1));
      });

      test('each invalid request is refused with a code and details.field before reaching Twilio', async () => {
        const { mem, plugin } = await setup();
        const to = PHONE;
        const https = (n) => `https://cdn.example.com/${n}.png`;
        const cases = [
          ['sendSms', [], 'INVALID_INPUT', 'request'],
          ['sendSms', 'not an object', 'INVALID_INPUT', 'request'],
          ['sendSms', { body: 'hi' }, 'INVALID_INPUT', 'to'],
          ['sendSms', { to: 4155550104, body: 'hi' }, 'INVALID_INPUT', 'to'],
          ['sendSms', { to: 'call me maybe', body: 'hi' }, 'INVALID_PHONE_NUMBER', 'to'],
          ['sendSms', { to: '4155550104', body: 'hi' }, 'INVALID_PHONE_NUMBER', 'to'],
          ['sendSms', { to }, 'INVALID_INPUT', 'body'],
          ['sendSms', { to, body: '   ' }, 'INVALID_INPUT', 'body'],
          ['sendSms', { to, body: 42 }, 'INVALID_INPUT', 'body'],
          ['sendSms', { to, body: 'a'.repeat(1601) }, 'INVALID_INPUT', 'body'],
          ['sendSms', { to, body: 'a'.repeat(766) }, 'INVALID_INPUT', 'body'],
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
          [
            'sendMms',
            { to, mediaUrls: [https(1), 'https://a b.png'] },
            'INVALID_INPUT',
            'mediaUrls[1]',
          ],
          [
            'sendMms',
            { to, body: 'a'.repeat(1601), mediaUrls: [https(1)] },
            'INVALID_INPUT',
            'body',
          ],
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
          const err = await plugin[operation](ANN, request).then(
            () => assert.fail(`${label} was accepted`),
            (e) => e,
          );
          assert.equal(err.code, code, `${label}: ${err.message}`);
          assert.equal(err.status, 400, label);
          assert.equal(err.details.field, field, label);
          const named = new RegExp(`\`${field.replace(/[[\]]/g, '\\$&')}\``);
          assert.match(err.message, named, label);
        }
        assert.equal(mem.state.requests.length, 0, 'no request reached Twilio');
      });

      test('anonymous callers are refused with NOT_AUTHENTICATED unless messagingAccess is "anyone"', async () => {
        const { mem, plugin } = await setup();
        const requests = {
          sendSms: { to: PHONE, body: 'spend your budget' },
          sendMms: { to: PHONE, mediaUrls: MEDIA },
          startVerification: { phoneNumber: PHONE },
          checkVerification: {
            phoneNumber: PHONE,
            transactionId: 'AAAAAAAAAAAAAAAAAAAAAAAA',
            transactionCode: '123456',
          },
          getMessageStatus: { sid: `SM${'0'.repeat(32)}` },
        };
        for (const [operation, request] of Object.entries(requests)) {
          const err = await rejectsWith(plugin[operation]({}, request), 'NOT_AUTHENTICATED');
          assert.equal(err.status, 401, operation);
        }
        assert.equal(mem.state.requests.length, 0);

        const { plugin: open } = await setup({ messagingAccess: 'anyone' });
        const sent = await open.sendSms({ clientIp: '203.0.113.7' }, { to: PHONE, body: 'hi' });
        assert.match(sent.sid, /^SM/);
      });

      test('a signed-out caller is told NOT_AUTHENTICATED before anything about its request', async () => {
        const { mem, plugin } = await setup();
        const malformed = {
          sendSms: [{ to: 15551234567, body: 'x' }, { to: PHONE, body: 5 }, 'junk', null],
          sendMms: [{ to: PHONE, statusCallback: true }, []],
          startVerification: [{ phoneNumber: 1 }, { phoneNumber: PHONE, purpose: 7 }],
          checkVerification: [{ transactionId: 1, transactionCode: '123456', phoneNumber: '1' }],
          getMessageStatus: [{ sid: 5 }, 'SM'],
        };
        for (const [operation, requests] of Object.entries(malformed)) {
          for (const request of requests) {
            const err = await rejectsWith(plugin[operation]({}, request), 'NOT_AUTHENTICATED');
            assert.equal(err.status, 401, `${operation} ${JSON.stringify(request)}`);
          }
        }
        assert.equal(mem.state.requests.length, 0);
        // Signed in, the same requests are refused for what is wrong with them.
        const err = await rejectsWith(
          plugin.sendSms(ANN, { to: 15551234567, body: 'x' }),
          'INVALID_INPUT',
        );
        assert.equal(err.details.field, 'to');
      });

      test("Twilio's refusal comes back as TWILIO_REJECTED with Twilio's code", async () => {
        const { mem, plugin } = await setup();
        mem.state.replies.push(
          twilioError(400, 21610, 'Attempt to send to unsubscribed recipient'),
        );
        const err = await rejectsWith(
          plugin.sendSms(ANN, { to: '+15005550004', body: 'x' }),
          'TWILIO_REJECTED',
        );
        assert.equal(err.status, 400);
        assert.equal(err.details.twilioCode, 21610);
        assert.equal(err.details.moreInfo, 'https://www.twilio.com/docs/errors/21610');
        assert.match(err.message, /STOP/);
      });

      test('getMessageStatus shows a message to its sender only', async () => {
        const { plugin, sid } = await withMessage();
        const own = await plugin.getMessageStatus(ANN, { sid });
        assert.equal(own.sid, sid);
        assert.equal(own.status, 'queued');
        assert.equal(own.to, PHONE);
        assert.equal(own.errorCode, null);
        assert.equal(typeof own.updatedAt, 'number');
        for (const [ctx, request] of [
          [signedIn('U2'), { sid }],
          [ANN, { sid: `SM${'f'.repeat(32)}` }],
        ]) {
          const err = await rejectsWith(plugin.getMessageStatus(ctx, request), 'MESSAGE_NOT_FOUND');
          assert.equal(err.status, 404);
        }
      });

      test('startVerification texts a code that checkVerification accepts once', async () => {
        const { mem, plugin } = await setup();
        const started = await plugin.startVerification(ANN, {
          phoneNumber: '+1 (415) 555-2671',
          purpose: 'change-phone',
        });
        assert.deepEqual(Object.keys(started).sort(), [
          'channel',
          'codeLength',
          'expiresInSeconds',
          'phoneNumber',
          'resendAfterSeconds',
          'transactionId',
        ]);
        assert.equal(started.phoneNumber, PHONE);
        assert.equal(started.codeLength, 6);
        assert.equal(lastForm(mem).get('To'), PHONE);
        const check = {
          phoneNumber: PHONE,
          purpose: 'change-phone',
          transactionId: started.transactionId,
          transactionCode: mem.lastCode(),
        };
        assert.deepEqual(await plugin.checkVerification(ANN, check), {
          verified: true,
          phoneNumber: PHONE,
          purpose: 'change-phone',
        });
        await rejectsWith(plugin.checkVerification(ANN, check), 'CODE_MISMATCH');
      });

      test('an app verification is bound to its number, purpose and caller', async () => {
        const { mem, plugin } = await setup();
        const started = await plugin.startVerification(ANN, {
          phoneNumber: PHONE,
          purpose: 'change-phone',
        });
        const right = {
          phoneNumber: PHONE,
          purpose: 'change-phone',
          transactionId: started.transactionId,
          transactionCode: mem.lastCode(),
        };
        for (const [ctx, request] of [
          [ANN, { ...right, phoneNumber: '+14155552672' }],
          [ANN, { ...right, purpose: 'delete-account' }],
          [signedIn('U2'), right],
          [signedIn('U2'), { ...right, purpose: undefined }],
        ]) {
          const err = await rejectsWith(plugin.checkVerification(ctx, request), 'CODE_MISMATCH');
          assert.equal(err.status, 400);
        }
        // The caller who started it, leaving the purpose out, is told to give it.
        const slip = await rejectsWith(
          plugin.checkVerification(ANN, { ...right, purpose: undefined }),
          'INVALID_INPUT',
        );
        assert.equal(slip.details.field, 'purpose');
        assert.equal((await plugin.checkVerification(ANN, right)).verified, true);
        // Without a purpose, both calls mean "verify".
        const plain = await plugin.startVerification(ANN, { phoneNumber: '+14155550150' });
        const checked = await plugin.checkVerification(ANN, {
          phoneNumber: '+14155550150',
          transactionId: plain.transactionId,
          transactionCode: mem.lastCode(),
        });
        assert.deepEqual(checked, {
          verified: true,
          phoneNumber: '+14155550150',
          purpose: 'verify',
        });
      });
    });

    describe('status callbacks', () => {
      test('signed callbacks move the status forward, never back', async () => {
        const { plugin, sid } = await withMessage();
        for (const status of ['sent', 'delivered']) {
          const receipt = await plugin.handleStatusCallback(
            {},
            signedCallback({
              MessageSid: sid,
              MessageStatus: status,
              AccountSid: ACCOUNT_SID,
              To: PHONE,
            }),
          );
          assert.deepEqual(receipt, { received: true, sid, status });
        }
        assert.equal((await plugin.getMessageStatus(ANN, { sid })).status, 'delivered');
        const late = await plugin.handleStatusCallback(
          {},
          signedCallback({ MessageSid: sid, MessageStatus: 'sent' }),
        );
        assert.equal(late.received, true);
        assert.equal((await plugin.getMessageStatus(ANN, { sid })).status, 'delivered');
      });

      test('an undelivered status keeps its error code', async () => {
        const { plugin, sid } = await withMessage();
        await plugin.handleStatusCallback(
          {},
          signedCallback({ MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003' }),
        );
        const status = await plugin.getMessageStatus(ANN, { sid });
        assert.deepEqual([status.status, status.errorCode], ['undelivered', 30003]);
      });

      test('the signature header is found in any case, and the URL with its default port', async () => {
        const { plugin, sid } = await withMessage();
        const params = { MessageSid: sid, MessageStatus: 'sent' };
        for (const header of ['x-twilio-signature', 'X-TWILIO-SIGNATURE', 'X-Twilio-Signature']) {
          const receipt = await plugin.handleStatusCallback({}, signedCallback(params, { header }));
          assert.equal(receipt.received, true, header);
        }
        // Twilio signed the URL without the port; a proxy handed it over with it.
        const signed = signedCallback({ MessageSid: sid, MessageStatus: 'delivered' });
        const withPort = { ...signed, url: CALLBACK.replace('.com/', '.com:443/') };
        assert.equal((await plugin.handleStatusCallback({}, withPort)).status, 'delivered');
        assert.equal((await plugin.getMessageStatus(ANN, { sid })).status, 'delivered');
      });

      test('unsigned or tampered callbacks are SIGNATURE_INVALID and change nothing', async () => {
        const { plugin, sid } = await withMessage();
        const params = { MessageSid: sid, MessageStatus: 'delivered', AccountSid: ACCOUNT_SID };
        const good = signedCallback(params);
        const { 'X-Twilio-Signature': signature, ...unsignedHeaders } = good.headers;
        const otherAccount = { ...params, AccountSid: `AC${'1'.repeat(32)}` };
        const refusals = {
          'a changed parameter': { ...good, body: good.body.replace('delivered', 'failed') },
          'an added parameter': { ...good, body: `${good.body}&ErrorCode=30007` },
          'another URL': { ...good, url: 'https://app.example.com/other' },
          'another scheme': { ...good, url: CALLBACK.replace('https:', 'http:') },
          unsigned: { ...good, headers: unsignedHeaders },
          'an empty signature': {
            ...good,
            headers: { ...unsignedHeaders, 'X-Twilio-Signature': '' },
          },
          'another token': signedCallback(params, { token: 'another_token_000000000000000000' }),
          'another account': signedCallback(otherAccount),
          'a signature of another body': {
            ...good,
            headers: {
              ...good.headers,
              'X-Twilio-Signature': signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
            },
          },
        };
        for (const [what, request] of Object.entries(refusals)) {
          const err = await rejectsWith(
            plugin.handleStatusCallback({}, request),
            'SIGNATURE_INVALID',
          );
          assert.equal(err.status, 403, what);
        }
        assert.equal((await plugin.getMessageStatus(ANN, { sid })).status, 'queued');
        assert.equal((await plugin.handleStatusCallback({}, good)).status, 'delivered');
      });

      test('a signature header given twice with different values is no signature', async () => {
        const { plugin, sid } = await withMessage();
        const good = signedCallback({ MessageSid: sid, MessageStatus: 'delivered' });
        const signature = good.headers['X-Twilio-Signature'];
        const twice = [
          { 'x-twilio-signature': 'bogus', 'X-Twilio-Signature': signature },
          { 'x-twilio-signature': signature, 'X-Twilio-Signature': 'bogus' },
          { 'X-Twilio-Signature': 1, 'x-twilio-signature': signature },
        ];
        for (const headers of twice) {
          const request = {
            ...good,
            headers: { 'Content-Type': good.headers['Content-Type'], ...headers },
          };
          const err = await rejectsWith(
            plugin.handleStatusCallback({}, request),
            'SIGNATURE_INVALID',
          );
          assert.equal(err.status, 403, JSON.stringify(headers));
        }
        // The same value under two spellings is one header.
        const same = { ...good, headers: { ...good.headers, 'x-twilio-signature': signature } };
        assert.equal((await plugin.handleStatusCallback({}, same)).status, 'delivered');
      });

      test('a callback request without url or body is refused as unsigned, and the plugin keeps working', async () => {
        const { plugin, sid } = await withMessage();
        const good = signedCallback({ MessageSid: sid, MessageStatus: 'delivered' });
        for (const request of [
          {},
          { headers: good.headers, body: good.body },
          { url: good.url, headers: good.headers },
        ]) {
          const err = await rejectsWith(
            plugin.handleStatusCallback({}, request),
            'SIGNATURE_INVALID',
          );
          assert.equal(err.status, 403, JSON.stringify(Object.keys(request)));
        }
        assert.equal((await plugin.getMessageStatus(ANN, { sid })).status, 'queued');
        assert.equal((await plugin.handleStatusCallback({}, good)).status, 'delivered');
      });

      test('a JSON callback is checked through bodySHA256 in the signed URL', async () => {
        const { plugin, sid } = await withMessage();
        const body = JSON.stringify({ MessageSid: sid, MessageStatus: 'delivered' });
        const url = `${CALLBACK}?bodySHA256=${sha256Hex(body)}`;
        const headers = {
          'X-Twilio-Signature': computeSignature(AUTH_TOKEN, url),
          'Content-Type': 'application/json',
        };
        await rejectsWith(
          plugin.handleStatusCallback(
            {},
            { url, headers, body: body.replace('delivered', 'failed') },
          ),
          'SIGNATURE_INVALID',
        );
        const receipt = await plugin.handleStatusCallback({}, { url, headers, body });
        assert.equal(receipt.received, true);
      });
    });
  });
}
