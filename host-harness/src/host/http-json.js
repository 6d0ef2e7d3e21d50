// JSON in and out of node:http (under fastify too): a bounded body reader that insists on JSON, one way of
// answering, and the lingering close after refusing a body that is still arriving.

const { errors } = require('./errors');

const DEFAULT_BODY_LIMIT = 64 * 1024;
/**
 * After refusing a body the client is still sending, we keep reading (and throwing away) at
 * most this long and this much before closing, like nginx's lingering close: closing a socket
 * with unread bytes makes the kernel send a reset, and a reset can make the client's TCP stack
 * drop our answer before the client has read it.
 */
const LINGER_MS = 5000;
const LINGER_BYTES = 32 * 1024 * 1024;
/** `application/json`, with parameters (`; charset=utf-8`) or none; nothing else. */
const JSON_TYPE = /^application\/json\s*(;|$)/i;
/** JSON between systems is UTF-8 (RFC 8259 8.1): bad bytes are refused, not replaced. */
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** Requests refused while their body was still arriving -> a promise of the end of discarding. */
const lingering = new WeakMap();

/**
 * Reads the whole body and parses it as JSON (an empty body is `undefined`). Throws BaasError
 * 415 unless the body is typed `application/json` (an untyped empty body is fine), 413 as soon
 * as it is over `limit` (declared or sent), 400 (8002) when it is not UTF-8 JSON.
 *
 * Insisting on the type is also a CSRF defence: a cross-site form, or a fetch that needs no
 * preflight, can send text/plain or form types, never application/json.
 */
async function readJsonBody(req, limit = DEFAULT_BODY_LIMIT) {
  const type = req.headers['content-type'];
  const declared = Number(req.headers['content-length']);
  // Read (at most `limit`) even when the type is wrong: a refused small body then leaves the
  // connection ready for the next request. null: over the limit, the rest still unread.
  const bytes = declared > limit ? null : await readUpTo(req, limit);
  const empty = bytes !== null && bytes.length === 0;
  if (type === undefined ? !empty : !JSON_TYPE.test(type)) {
    throw refuseBody(req, errors.notJson(), bytes === null);
  }
  if (bytes === null) throw refuseBody(req, errors.bodyTooLarge(limit), true);
  if (empty) return undefined;
  let text;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw errors.malformedJson('it is not UTF-8');
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw errors.malformedJson(err.message);
  }
}

/**
 * Reads the whole body as text, whatever its type (a webhook's form, say). Throws BaasError 413
 * as soon as it is over `limit`, answered like readJsonBody's (lingering close).
 */
async function readTextBody(req, limit = DEFAULT_BODY_LIMIT) {
  const declared = Number(req.headers['content-length']);
  const bytes = declared > limit ? null : await readUpTo(req, limit);
  if (bytes === null) throw refuseBody(req, errors.bodyTooLarge(limit), true);
  return bytes.toString('utf8');
}

/**
 * The body as one Buffer, or null as soon as it is over `limit` (then it stops reading).
 * Rejects with a 400 if the client leaves before the end.
 */
function readUpTo(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    const settle = (err, value) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk) => {
      size += chunk.length;
      if (size > limit) settle(null, null);
      else chunks.push(chunk);
    };
    const onEnd = () => settle(null, Buffer.concat(chunks));
    // The client left mid-body: its failure, not the server's (and nobody reads the answer).
    const onAbort = () => settle(errors.notHttp('the connection ended mid-request'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}

/**
 * The error, after arranging for the rest of the body: when `unread` and still arriving, the
 * answer will say `Connection: close` and the connection lingers (see sendJson); otherwise the
 * rest is already here and is simply dropped, and the connection can be reused.
 */
function refuseBody(req, err, unread) {
  if (unread && !req.complete) lingering.set(req, discardRest(req));
  else req.resume();
  return err;
}

/**
 * Reads and drops what is left of the body. Resolves when it ended, the client left, or
 * LINGER_MS / LINGER_BYTES were reached (past those a close may still reset: bounded by design).
 */
function discardRest(req) {
  return new Promise((resolve) => {
    let size = 0;
    const stop = () => {
      clearTimeout(timer);
      req.off('data', count);
      req.off('end', stop);
      req.off('close', stop);
      req.socket?.off('close', stop);
      resolve();
    };
    const count = (chunk) => {
      size += chunk.length;
      if (size > LINGER_BYTES) stop();
    };
    const timer = setTimeout(stop, LINGER_MS);
    req.on('data', count);
    req.on('end', stop);
    req.on('close', stop);
    req.socket?.on('close', stop);
    req.resume();
  });
}

/** Whether the request came with a body (a length above 0, or chunks). */
const hasBody = (req) =>
  req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length']) > 0;

/**
 * Reads and drops the body of a request whose route takes none, at most `limit` of it: left to
 * Node, it would be read to its end, however large, to reach the next request on the
 * connection. Over `limit`, the answer says `Connection: close` and the rest lingers (bounded).
 */
async function dropBody(req, limit = DEFAULT_BODY_LIMIT) {
  const declared = Number(req.headers['content-length']);
  const bytes = declared > limit ? null : await readUpTo(req, limit);
  if (bytes === null) refuseBody(req, null, true);
}

/**
 * For an answer given before the body was read (a refusal made on the headers alone): a body
 * still arriving is discarded within the lingering bounds and the connection closed after.
 */
function lingerUnread(req) {
  if (hasBody(req) && !req.complete && !lingering.has(req)) refuseBody(req, null, true);
}

/** Whether a refused body of this request is still being discarded (see sendJson). */
const isLingering = (req) => lingering.has(req);

/**
 * Answers with JSON. After a refused body that is still arriving, the answer says
 * `Connection: close` and goes out at once (its Content-Length tells the client where it ends),
 * but the response is ended, and Node closes the connection, only once the rest of the body has
 * been discarded.
 */
function sendJson(req, res, status, body, headers = {}) {
  sendBytes(req, res, status, JSON.stringify(body), {
    'Content-Type': 'application/json; charset=utf-8',
    'Cache-Control': 'no-store',
    ...headers,
  });
}

/** Answers with `payload` (a string or Buffer) as `headers` type it, lingering as sendJson. */
function sendBytes(req, res, status, payload, headers = {}) {
  const discarded = lingering.get(req);
  res.writeHead(status, {
    'Content-Length': Buffer.byteLength(payload),
    ...headers,
    ...(discarded ? { Connection: 'close' } : {}),
  });
  if (!discarded) {
    res.end(payload);
    return;
  }
  res.write(payload);
  discarded.then(() => res.end());
}

module.exports = {
  JSON_TYPE,
  dropBody,
  hasBody,
  isLingering,
  lingerUnread,
  readJsonBody,
  readTextBody,
  sendBytes,
  sendJson,
  DEFAULT_BODY_LIMIT,
  LINGER_MS,
  LINGER_BYTES,
};
