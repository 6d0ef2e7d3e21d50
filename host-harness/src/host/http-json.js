// JSON in and out of node:http: a bounded body reader and one way of answering.

const { errors } = require('./errors');

const DEFAULT_BODY_LIMIT = 64 * 1024;
/** Past this much we stop draining an oversized body and cut the connection. */
const DRAIN_LIMIT = 1024 * 1024;
/** Requests whose body was not read to the end: their connection cannot be reused. */
const unreadBodies = new WeakSet();

/**
 * Reads the whole body and parses it as JSON (an empty body is `undefined`).
 * Throws BaasError 413 when over `limit`, 400 (8002) when it is not JSON. An oversized body is
 * drained up to DRAIN_LIMIT first, so the client reads our 413 instead of a reset connection.
 */
async function readJsonBody(req, limit = DEFAULT_BODY_LIMIT) {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > DRAIN_LIMIT) {
    unreadBodies.add(req);
    throw errors.bodyTooLarge(limit);
  }
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > DRAIN_LIMIT) {
      unreadBodies.add(req);
      break;
    }
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw errors.bodyTooLarge(limit);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.malformedJson(err.message);
  }
}

/**
 * Answers with JSON. `Connection: close` when the request body was not read to the end, so the
 * unread rest cannot be taken for the next request.
 */
function sendJson(req, res, status, body, headers = {}) {
  const payload = JSON.stringify(body);
  const extra = unreadBodies.has(req) ? { Connection: 'close' } : {};
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
    ...headers,
    ...extra,
  });
  res.end(payload);
}

module.exports = { readJsonBody, sendJson, DEFAULT_BODY_LIMIT };
