// Refusals that no route sees, in the API's error shape `{code, message}` like every other
// answer. Left to Node, each of these gets a bare status line and no body, or no answer at all:
// - requests Node's HTTP parser gives up on ('clientError'): headers over the limit (431),
//   bytes that are not HTTP/1.1 such as an unknown method (400), too slow to arrive (408);
// - an HTTP/1.1 request without Host (400), an Expect other than 100-continue (417), CONNECT
//   (405, where Node would just drop the connection);
// - a request target that is not a URL (400; `new URL` would throw before any route).
// An answer written on the socket here is followed by a lingering close, for the reason
// http-json.js gives: a close while the client still sends could cost it the answer.

const crypto = require('node:crypto');
const http = require('node:http');

const { errors } = require('./errors');
const { DEFAULT_BODY_LIMIT, LINGER_BYTES, LINGER_MS, sendJson } = require('./http-json');

const BASE_URL = 'http://baas.local';
/** llhttp's error codes worth putting in words; the others are named as they are. */
const PARSER_PROBLEMS = {
  HPE_INVALID_METHOD: 'unknown method',
  HPE_INVALID_EOF_STATE: 'the connection ended mid-request',
};

/** The whole HTTP/1.1 answer for `err` (a BaasError), as bytes to write on the socket. */
function rawAnswer(err) {
  const payload = JSON.stringify({ code: err.code, message: err.message });
  return Buffer.from(
    `HTTP/1.1 ${err.status} ${http.STATUS_CODES[err.status]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(payload)}\r\n` +
      'Cache-Control: no-store\r\n' +
      `X-Request-Id: ${crypto.randomUUID()}\r\n` +
      'Connection: close\r\n' +
      `\r\n${payload}`,
  );
}

/**
 * After an answer and our FIN (`socket.end(answer)`): destroys the socket once the client has
 * stopped sending (its FIN), or after LINGER_MS, or once LINGER_BYTES more have come in.
 * @returns {() => void} call when more bytes may have come in, to check LINGER_BYTES
 */
function lingerAndClose(socket) {
  // The client already said it is done (its FIN came with the error): close once ours is out.
  if (socket.readableEnded) {
    socket.destroySoon();
    return () => {};
  }
  const start = socket.bytesRead;
  const close = () => {
    clearTimeout(timer);
    socket.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  socket.once('end', close);
  socket.once('close', () => clearTimeout(timer));
  return () => {
    if (socket.bytesRead - start > LINGER_BYTES) close();
  };
}

/** What a parser error answers; null for transport errors, which nobody can read. */
function parserRefusal(err, maxHeaderSize) {
  if (err.code === 'HPE_HEADER_OVERFLOW') return errors.headersTooLarge(maxHeaderSize);
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return errors.requestTimeout();
  if (typeof err.code !== 'string' || !err.code.startsWith('HPE_')) return null;
  return errors.notHttp(PARSER_PROBLEMS[err.code] ?? `the parser stopped at ${err.code}`);
}

/** The 'clientError' listener: answer what can be answered, then close gently. */
function onClientError(server, log) {
  /** Sockets already answered -> their LINGER_BYTES check. */
  const answered = new WeakMap();
  return (err, socket) => {
    // After the first error the parser fails again on every chunk still arriving.
    const check = answered.get(socket);
    if (check) {
      check();
      return;
    }
    const refusal = parserRefusal(err, server.maxHeaderSize ?? http.maxHeaderSize);
    // Node's own rule: once a response has started on this socket, a second one would corrupt
    // it. `_httpMessage` is Node's in-flight response; Node's default handler reads it too.
    if (!refusal || !socket.writable || socket._httpMessage?.headersSent) {
      log('debug', 'connection dropped', { error: err.code });
      socket.destroy();
      return;
    }
    // The code only: the message or the raw packet could echo what the client sent.
    log('warn', 'refused a request the HTTP parser could not read', {
      status: refusal.status,
      error: err.code,
    });
    socket.end(rawAnswer(refusal));
    answered.set(socket, lingerAndClose(socket));
  };
}

/**
 * Makes `server` answer, in JSON, the requests Node would refuse on its own (the parser's
 * refusals go through `onClientError`, which the framework installs as its clientErrorHandler).
 * Node checks Host itself only when `requireHostHeader` is on; `readTarget` does it instead.
 */
function installRefusals(server, log, { bodyLimit = DEFAULT_BODY_LIMIT } = {}) {
  server.requireHostHeader = false;
  const refuse = (req, res, refusal) => {
    const { status, code, message } = refusal;
    log('warn', 'refused a request', { status, method: req.method });
    // The client may send its body anyway: closed, so those bytes are never read as a request.
    sendJson(
      req,
      res,
      status,
      { code, message },
      { Connection: 'close', 'X-Request-Id': crypto.randomUUID() },
    );
  };
  server.on('checkExpectation', (req, res) => refuse(req, res, errors.expectationFailed()));
  // `Expect: 100-continue`: a body declared over the limit is refused before the client sends
  // it (no `100 Continue` first); any other goes on as usual.
  server.on('checkContinue', (req, res) => {
    if (Number(req.headers['content-length']) > bodyLimit) {
      refuse(req, res, errors.bodyTooLarge(bodyLimit));
      return;
    }
    res.writeContinue();
    server.emit('request', req, res);
  });
  server.on('connect', (req, socket) => {
    const refusal = errors.notProxy();
    log('warn', 'refused a request', { status: refusal.status, method: req.method });
    // No longer HTTP once Node hands it over: bytes arrive as 'data', to be read and dropped.
    socket.on('error', () => socket.destroy());
    socket.end(rawAnswer(refusal));
    socket.on('data', lingerAndClose(socket));
    socket.resume();
  });
}

/** Headers a request may carry once. */
const SINGLE_HEADERS = new Set(['host', 'content-type']);

/** The first of `names` that `rawHeaders` (name, value, name, value...) holds twice, or null. */
function repeatedHeader(rawHeaders, names) {
  const seen = new Set();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (!names.has(name)) continue;
    if (seen.has(name)) return name;
    seen.add(name);
  }
  return null;
}

/**
 * The request's URL, or why it cannot be answered: an HTTP/1.1 request without Host (RFC 9112
 * 3.2: "MUST respond with a 400"), or a target `new URL` cannot read (absolute-form is read as
 * such; `*` becomes the path `/*`, which no route has).
 * @returns {{url: URL | null, refusal: import('./errors').BaasError | null}}
 */
function readTarget(req) {
  if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && req.headers.host === undefined) {
    return { url: null, refusal: errors.hostMissing() };
  }
  // Node keeps the first of repeated headers; two Hosts (RFC 9112 3.2: 400) or two types could
  // mean one thing to a proxy in front and another here.
  const repeated = repeatedHeader(req.rawHeaders, SINGLE_HEADERS);
  if (repeated) return { url: null, refusal: errors.headerRepeated(repeated) };
  try {
    return { url: new URL(req.url ?? '/', BASE_URL), refusal: null };
  } catch {
    return { url: null, refusal: errors.badTarget() };
  }
}

module.exports = { installRefusals, onClientError, readTarget };
