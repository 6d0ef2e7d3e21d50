'use strict';
// Twilio's X-Twilio-Signature: how Twilio signs the webhooks it sends, and how a receiver checks
// them. Used by the simulator to sign status callbacks and by the host to verify them, so both
// sides share one implementation of the algorithm described in Twilio's webhook-security docs.

const crypto = require('node:crypto');

const DEFAULT_PORTS = { 'https:': '443', 'http:': '80' };

/**
 * The string Twilio signs: the full URL followed by every POST parameter, names sorted
 * case-sensitively (plain code-unit order, as Twilio's own libraries do), each name immediately
 * followed by its value. A repeated name contributes each distinct value in sorted order.
 */
function signedPayload(url, params) {
  let payload = url;
  for (const name of Object.keys(params || {}).sort()) {
    const raw = params[name];
    const values = Array.isArray(raw) ? [...new Set(raw.map(String))].sort() : [String(raw)];
    for (const value of values) payload += name + value;
  }
  return payload;
}

/** Base64 HMAC-SHA1 of the signed payload, keyed with the account's Auth Token. */
function computeSignature(authToken, url, params = {}) {
  return crypto
    .createHmac('sha1', authToken)
    .update(signedPayload(url, params), 'utf8')
    .digest('base64');
}

/**
 * Splits a URL into scheme, authority and the rest without normalising anything: the signature
 * covers the exact characters Twilio called, so a URL parser that re-encodes would break it.
 */
function splitUrl(url) {
  const match = /^(https?:)\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!match) return null;
  const [, scheme, authority, rest] = match;
  const at = authority.lastIndexOf('@');
  const userinfo = at >= 0 ? authority.slice(0, at + 1) : '';
  const hostPort = authority.slice(at + 1);
  // A colon after the closing bracket of an IPv6 literal (or anywhere in a name) starts the port.
  const portMatch = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(hostPort);
  if (!portMatch) return null;
  return { scheme: scheme.toLowerCase(), userinfo, host: portMatch[1], port: portMatch[2], rest };
}

/**
 * The URL as given plus its twin with the default port added or removed: proxies and load
 * balancers add or drop `:443`/`:80`, and Twilio may have signed either form.
 */
function urlVariants(url) {
  const parts = splitUrl(url);
  if (!parts) return [url];
  const defaultPort = DEFAULT_PORTS[parts.scheme];
  const prefix = `${url.slice(0, url.indexOf('//') + 2)}${parts.userinfo}${parts.host}`;
  if (parts.port === undefined) return [url, `${prefix}:${defaultPort}${parts.rest}`];
  if (parts.port === defaultPort) return [url, `${prefix}${parts.rest}`];
  return [url];
}

/** Constant-time string comparison; unequal lengths fail without comparing contents. */
function safeEqual(a, b) {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

/** True when `signature` is Twilio's signature of this form-encoded request. */
function validateSignature(authToken, signature, url, params = {}) {
  if (typeof signature !== 'string' || typeof url !== 'string' || !authToken) return false;
  let valid = false;
  // Every variant is checked (no early return) so timing does not reveal which one matched.
  for (const candidate of urlVariants(url)) {
    if (safeEqual(computeSignature(authToken, candidate, params), signature)) valid = true;
  }
  return valid;
}

/** Lowercase hex SHA-256, the form Twilio puts in the `bodySHA256` query parameter. */
function sha256Hex(body) {
  return crypto.createHash('sha256').update(body).digest('hex');
}

/**
 * For JSON-bodied webhooks Twilio signs the URL alone (no params) and pins the body through
 * `bodySHA256` in the query string, so both the signature and that hash must match.
 */
function validateJsonBody(authToken, signature, url, rawBody) {
  if (typeof url !== 'string' || rawBody === undefined || rawBody === null) return false;
  let claimedHash;
  try {
    claimedHash = new URL(url).searchParams.get('bodySHA256');
  } catch {
    return false;
  }
  if (!claimedHash) return false;
  const bodyMatches = safeEqual(sha256Hex(rawBody), claimedHash.toLowerCase());
  const signatureMatches = validateSignature(authToken, signature, url, {});
  return bodyMatches && signatureMatches;
}

module.exports = { computeSignature, validateSignature, validateJsonBody, sha256Hex, safeEqual };
