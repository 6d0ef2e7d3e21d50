'use strict';
// X-Twilio-Signature: computing and validating, against Twilio's own worked example.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { describe, test } = require('node:test');

const {
  computeSignature,
  validateJsonBody,
  validateSignature,
} = require('../src/twilio-signature');

// Twilio's worked example, from the test suites of its official helper libraries.
const TOKEN = '12345';
const URL_ = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const PARAMS = {
  CallSid: 'CA1234567890ABCDE',
  Caller: '+14158675309',
  Digits: '1234',
  From: '+14158675309',
  To: '+18005551212',
};
const EXPECTED = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';

function hmacBase64(key, data) {
  return crypto.createHmac('sha1', key).update(data).digest('base64');
}

describe('computeSignature', () => {
  test("reproduces Twilio's worked example", () => {
    assert.equal(computeSignature(TOKEN, URL_, PARAMS), EXPECTED);
  });

  test('does not depend on the order the params were given in', () => {
    const reversed = Object.fromEntries(Object.entries(PARAMS).reverse());
    assert.equal(computeSignature(TOKEN, URL_, reversed), EXPECTED);
  });

  test('sorts names case-sensitively, uppercase before lowercase', () => {
    const signature = computeSignature(TOKEN, 'https://x.test/', { b: '1', B: '2', a: '3' });
    assert.equal(signature, hmacBase64(TOKEN, 'https://x.test/B2a3b1'));
  });

  test('signs a repeated name once per distinct value, values sorted', () => {
    const signature = computeSignature(TOKEN, 'https://x.test/', {
      MediaUrl: ['https://b.test/2', 'https://a.test/1', 'https://b.test/2'],
      Body: 'hi',
    });
    const expected = hmacBase64(
      TOKEN,
      'https://x.test/BodyhiMediaUrlhttps://a.test/1MediaUrlhttps://b.test/2',
    );
    assert.equal(signature, expected);
  });

  test('with no params signs the URL alone', () => {
    assert.equal(computeSignature(TOKEN, URL_), hmacBase64(TOKEN, URL_));
  });
});

describe('validateSignature', () => {
  test("accepts Twilio's worked example", () => {
    assert.equal(validateSignature(TOKEN, EXPECTED, URL_, PARAMS), true);
  });

  test('rejects a changed param value', () => {
    assert.equal(validateSignature(TOKEN, EXPECTED, URL_, { ...PARAMS, Digits: '1235' }), false);
  });

  test('rejects an added param', () => {
    assert.equal(validateSignature(TOKEN, EXPECTED, URL_, { ...PARAMS, Extra: 'x' }), false);
  });

  test('rejects a changed URL', () => {
    const changed = 'https://mycompany.com/myapp.php?foo=1&bar=3';
    assert.equal(validateSignature(TOKEN, EXPECTED, changed, PARAMS), false);
  });

  test('rejects a different auth token', () => {
    assert.equal(validateSignature('54321', EXPECTED, URL_, PARAMS), false);
  });

  test('rejects a missing, empty or truncated signature', () => {
    assert.equal(validateSignature(TOKEN, undefined, URL_, PARAMS), false);
    assert.equal(validateSignature(TOKEN, '', URL_, PARAMS), false);
    assert.equal(validateSignature(TOKEN, EXPECTED.slice(0, -1), URL_, PARAMS), false);
  });

  test('accepts the URL with an explicit :443 when Twilio signed it without', () => {
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    assert.equal(validateSignature(TOKEN, EXPECTED, withPort, PARAMS), true);
  });

  test('accepts the URL without :443 when Twilio signed it with', () => {
    const withPort = 'https://mycompany.com:443/myapp.php?foo=1&bar=2';
    const signature = computeSignature(TOKEN, withPort, PARAMS);
    assert.equal(validateSignature(TOKEN, signature, URL_, PARAMS), true);
  });

  test('accepts http URLs with and without :80', () => {
    const plain = 'http://example.test/status';
    const signature = computeSignature(TOKEN, plain, PARAMS);
    assert.equal(
      validateSignature(TOKEN, signature, 'http://example.test:80/status', PARAMS),
      true,
    );
  });

  test('does not treat a non-default port as optional', () => {
    const signature = computeSignature(TOKEN, 'https://example.test:8443/status', PARAMS);
    assert.equal(validateSignature(TOKEN, signature, 'https://example.test/status', PARAMS), false);
  });

  test('does not treat :80 as a default port for https', () => {
    const signature = computeSignature(TOKEN, 'https://example.test/status', PARAMS);
    assert.equal(
      validateSignature(TOKEN, signature, 'https://example.test:80/status', PARAMS),
      false,
    );
  });

  test('accepts repeated params whatever order the values arrive in', () => {
    const url = 'https://example.test/status';
    const signature = computeSignature(TOKEN, url, {
      MediaUrl: ['https://a.test', 'https://b.test'],
    });
    const reordered = { MediaUrl: ['https://b.test', 'https://a.test'] };
    assert.equal(validateSignature(TOKEN, signature, url, reordered), true);
  });
});

describe('validateJsonBody', () => {
  const body = '{"MessageSid":"SM00000000000000000000000000000000","MessageStatus":"delivered"}';
  const hash = crypto.createHash('sha256').update(body).digest('hex');
  const url = `https://mycompany.com/myapp.php?bodySHA256=${hash}`;
  const signature = computeSignature(TOKEN, url, {});

  test('accepts a JSON body whose hash and URL signature match', () => {
    assert.equal(validateJsonBody(TOKEN, signature, url, body), true);
  });

  test('accepts a Buffer body', () => {
    assert.equal(validateJsonBody(TOKEN, signature, url, Buffer.from(body)), true);
  });

  test('rejects a body that differs from the bodySHA256 it was signed with', () => {
    assert.equal(
      validateJsonBody(TOKEN, signature, url, body.replace('delivered', 'failed')),
      false,
    );
  });

  test('rejects a URL without bodySHA256', () => {
    const bare = 'https://mycompany.com/myapp.php';
    assert.equal(validateJsonBody(TOKEN, computeSignature(TOKEN, bare, {}), bare, body), false);
  });

  test('rejects a wrong signature even when the hash matches', () => {
    assert.equal(validateJsonBody(TOKEN, EXPECTED, url, body), false);
  });

  test('accepts the URL with an explicit :443', () => {
    const withPort = url.replace('mycompany.com', 'mycompany.com:443');
    assert.equal(validateJsonBody(TOKEN, signature, withPort, body), true);
  });
});
