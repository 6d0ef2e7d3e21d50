'use strict';
// Reading request bodies and writing JSON answers, shared by the API and admin routes.

/** Generous for form posts; stops a runaway client from filling memory. */
const MAX_BODY_BYTES = 1024 * 1024;

class BodyTooLargeError extends Error {}

/** The raw request body as a UTF-8 string. */
async function readBody(req, limit = MAX_BODY_BYTES) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw new BodyTooLargeError(`request body over ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res, status, body, headers = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** A Twilio error body, answered with the HTTP status it carries. */
function sendTwilioError(res, error, headers = {}) {
  sendJson(res, error.status, error, headers);
}

module.exports = { readBody, sendJson, sendTwilioError, BodyTooLargeError };
