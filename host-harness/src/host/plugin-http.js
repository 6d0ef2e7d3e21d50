// How the plugin's HTTP requests leave the host: node:http / node:https with keep-alive agents,
// so that a registration's Twilio call reuses an open TLS connection instead of paying a new
// handshake (and `fetch`'s heavier machinery) each time. The guarantees plugin-host.js gives are
// kept here: one deadline for the whole exchange, body included; no redirect followed (node:http
// never follows one); and a bounded answer.

const http = require('node:http');
const https = require('node:https');

/** Twilio's answers are a few KB; anything far larger is not Twilio and is not buffered. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
/**
 * An idle kept-alive socket is closed after this long: well before servers close theirs (Node's
 * own default is 5 s; a server's `Keep-Alive: timeout=` hint shortens it further), so that a
 * request is not sent on a socket the server is closing at that moment, which would fail it as
 * "may have been received".
 */
const IDLE_SOCKET_MS = 4000;
/** Headers the connection owns: the transport sets them, never the plugin. */
const CONNECTION_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'proxy-connection',
]);

/** Errors of a connection that never opened: the request was not sent. */
const NEVER_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** A failed exchange: `kind` as the plugin reads it (HttpFailureKind), `reason` for the log. */
class TransportError extends Error {
  constructor(kind, reason) {
    super(reason);
    this.kind = kind;
    this.reason = reason;
  }
}

/** Response headers as one string per name (repeated ones joined, as fetch does). */
function flatHeaders(headers) {
  const out = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}

/**
 * @param {object} [options]
 * @param {number} [options.maxResponseBytes]
 * @returns {{send: (request: {method: string, url: URL, headers: Record<string, string>,
 *   body?: string, timeoutMs: number}) => Promise<{status: number, headers: object,
 *   body: string}>, close: () => void}} send rejects with a TransportError
 */
function createHttpTransport({ maxResponseBytes = MAX_RESPONSE_BYTES } = {}) {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
    'https:': new https.Agent({ keepAlive: true, timeout: IDLE_SOCKET_MS }),
  };

  function send({ method, url, headers, body, timeoutMs }) {
    const client = url.protocol === 'https:' ? https : http;
    const agent = agents[url.protocol];
    if (!agent) return Promise.reject(new TransportError('refused', `${url.protocol} is not HTTP`));
    const sent = {};
    for (const [name, value] of Object.entries(headers ?? {})) {
      if (!CONNECTION_HEADERS.has(name.toLowerCase())) sent[name] = value;
    }
    const payload = typeof body === 'string' ? Buffer.from(body) : null;
    if (payload) sent['Content-Length'] = String(payload.length);
    return new Promise((resolve, reject) => {
      let written = false;
      let settled = false;
      const fail = (kind, reason) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.destroy();
        reject(new TransportError(kind, reason));
      };
      const request = client.request(url, { method, headers: sent, agent }, (response) => {
        const chunks = [];
        let size = 0;
        response.on('data', (chunk) => {
          size += chunk.length;
          if (size > maxResponseBytes) fail('reset', `answer over ${maxResponseBytes} bytes`);
          else chunks.push(chunk);
        });
        response.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          resolve({
            status: response.statusCode,
            headers: flatHeaders(response.headers),
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('aborted', () => fail('reset', 'the answer was cut off'));
        response.on('error', (err) => fail('reset', err.code ?? err.message));
      });
      // The deadline covers connecting, sending, waiting and reading the whole answer. Struck
      // while the connection is still opening, nothing was sent: `connect`.
      const timer = setTimeout(() => {
        const connecting = !request.socket || request.socket.connecting;
        fail(connecting && !written ? 'connect' : 'timeout', `no answer within ${timeoutMs} ms`);
      }, timeoutMs);
      request.on('finish', () => {
        written = true;
      });
      request.on('error', (err) => {
        const code = err.code ?? err.message;
        // A reused keep-alive socket the server had just closed fails the same way as a
        // connection that never opened, but the request may have reached it: only a fresh
        // connection that was refused or never resolved counts as "not sent".
        const neverSent = !written && NEVER_CONNECTED.has(err.code) && !request.reusedSocket;
        fail(neverSent ? 'connect' : 'reset', String(code).slice(0, 200));
      });
      request.end(payload ?? undefined);
    });
  }

  return {
    send,
    /** Closes the idle sockets (a stopping host). */
    close() {
      for (const agent of Object.values(agents)) agent.destroy();
    },
  };
}

module.exports = { createHttpTransport, TransportError, MAX_RESPONSE_BYTES };
