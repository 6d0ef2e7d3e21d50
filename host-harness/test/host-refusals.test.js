// Every refusal in the host's error shape: `{code, message}` with the right status, for what the
// routes refuse (wrong content type, malformed JSON, unknown routes) and for what Node's HTTP
// layer refuses before any route (oversized headers, not HTTP, too slow, no Host), sent before
// the connection closes. Raw node:net clients see exactly what goes over the wire, and the
// oversized bodies are sent the way a real client does: still writing when the answer comes.

const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const { test } = require('node:test');

const Database = require('better-sqlite3');

const { createBaasApi } = require('../src/host/baas-api');
const { createLogger } = require('../src/host/logger');
const { createSessionsStore } = require('../src/host/sessions-store');
const { createUsersStore } = require('../src/host/users-store');
const { postJson, startApp } = require('./host-helpers');

const MB = 1024 * 1024;
const PIECE = Buffer.alloc(64 * 1024, 'x');
const JSON_HEADERS = { 'Content-Type': 'application/json' };

/** One HTTP/1.1 answer at the start of `buffer`, once all of it is there; else null. */
function parseAnswer(buffer) {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd < 0) return null;
  const [statusLine, ...lines] = buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
  const headers = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const status = Number(statusLine.split(' ')[1]);
  // Every answer of this host says how long it is; 1xx answers have no body.
  const length = status < 200 ? 0 : Number(headers['content-length']);
  assert.ok(Number.isInteger(length), `no Content-Length in ${statusLine}`);
  if (buffer.length < headEnd + 4 + length) return null;
  const text = buffer.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    // Left null: the assertion on `body` will say what was expected.
  }
  return { answer: { status, headers, text, body }, size: headEnd + 4 + length };
}

/**
 * A raw TCP connection to the host of `url`. It half-closes only when told (`end`), so a test
 * sees whether the server closed first, and it never resets: a reset seen is the server's.
 */
function rawConnection(url) {
  const socket = net.connect({ port: new URL(url).port, host: '127.0.0.1', allowHalfOpen: true });
  const state = { buffer: Buffer.alloc(0), error: null, serverEnded: false };
  let wake = () => {};
  socket.on('data', (data) => {
    state.buffer = Buffer.concat([state.buffer, data]);
    wake();
  });
  socket.on('end', () => {
    state.serverEnded = true;
    wake();
  });
  socket.on('error', (err) => {
    state.error = err;
    wake();
  });
  const closed = new Promise((resolve) => socket.on('close', resolve));
  return {
    socket,
    state,
    closed,
    /** Resolves once written (rejects if the connection broke). */
    write: (data) =>
      new Promise((resolve, reject) =>
        socket.write(data, (err) => (err ? reject(err) : resolve())),
      ),
    end: () => socket.end(),
    /** The next whole answer on the connection. */
    async next() {
      for (;;) {
        const parsed = parseAnswer(state.buffer);
        if (parsed) {
          state.buffer = state.buffer.subarray(parsed.size);
          return parsed.answer;
        }
        if (state.error) throw state.error;
        if (state.serverEnded) throw new Error(`closed before a whole answer: ${state.buffer}`);
        await new Promise((resolve) => {
          wake = resolve;
        });
      }
    },
  };
}

/**
 * Sends `request` on a fresh connection, reads the answer, then checks that the server closed
 * the connection (its FIN, no reset) after the whole answer had arrived.
 */
async function refusedOnce(url, request) {
  const conn = rawConnection(url);
  await conn.write(request);
  const answer = await conn.next();
  assert.equal(answer.headers.connection, 'close', answer.text);
  await waitFor(() => conn.state.serverEnded || conn.state.error);
  assert.equal(conn.state.error, null);
  assert.equal(conn.state.buffer.length, 0, 'nothing after the answer');
  conn.end();
  await conn.closed;
  return answer;
}

async function waitFor(condition, ms = 3000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** An answer in the host's error shape: that status as JSON `{code, message}`. */
function assertRefusal(answer, status, code = status) {
  assert.equal(answer.status, status, answer.text);
  assert.match(answer.headers['content-type'], /^application\/json/);
  assert.equal(answer.body?.code, code, answer.text);
  assert.equal(typeof answer.body.message, 'string');
  assert.ok(answer.body.message.length > 0);
}

/**
 * Sends 64 KB chunks until the server closes the connection or `most` bytes are out; resolves
 * with how many were sent.
 */
async function chunksUntilClosed(conn, most) {
  const chunk = Buffer.concat([Buffer.from(`${PIECE.length.toString(16)}\r\n`), PIECE, CRLF]);
  let sent = 0;
  try {
    while (sent < most) {
      await conn.write(chunk);
      sent += PIECE.length;
    }
  } catch {
    // The server closed the connection: what the callers wait for.
  }
  return sent;
}

/** `bytes` of body in chunked framing, one 64 KB chunk at a time. */
async function writeChunked(write, bytes) {
  for (let sent = 0; sent < bytes; sent += PIECE.length) {
    await write(Buffer.concat([Buffer.from(`${PIECE.length.toString(16)}\r\n`), PIECE, CRLF]));
  }
  await write('0\r\n\r\n');
}
const CRLF = Buffer.from('\r\n');

/**
 * POSTs `bytes` of body with node:http (declared, or chunked when `chunked`), in 64 KB writes
 * that go on while the answer is read, as a browser or an SDK does. Rejects if the connection
 * breaks before the whole answer was read.
 */
function postLarge(url, bytes, { chunked }) {
  return new Promise((resolve, reject) => {
    const headers = chunked ? JSON_HEADERS : { ...JSON_HEADERS, 'Content-Length': bytes };
    const req = http.request(url, { method: 'POST', headers, agent: false });
    let answered = false;
    // Writes after the answer may fail once the client closes its side: that is expected.
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        answered = true;
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode, headers: res.headers, text, body: JSON.parse(text) });
      });
    });
    let sent = 0;
    const pump = () => {
      while (sent < bytes && !req.destroyed && !answered) {
        sent += PIECE.length;
        if (!req.write(PIECE)) {
          req.once('drain', pump);
          return;
        }
      }
      if (sent >= bytes) req.end();
    };
    pump();
  });
}

test('headers over 16 KB answer 431 in JSON, read before the connection closes', async (t) => {
  const { app, logs } = await startApp(t);
  const conn = rawConnection(app.url);
  await conn.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ');
  // 100 KB of one header, in 10 KB writes: the answer comes after 16 KB, the writes go on.
  for (let i = 0; i < 10; i += 1) await conn.write('p'.repeat(10 * 1024));
  await conn.write('\r\n\r\n');
  const answer = await conn.next();
  assertRefusal(answer, 431);
  assert.match(answer.body.message, /larger than 16 KB/);
  assert.equal(answer.headers.connection, 'close');
  await waitFor(() => conn.state.serverEnded);
  conn.end();
  await conn.closed;
  assert.equal(conn.state.error, null, 'no reset');

  const warned = logs.filter((entry) => entry.message.includes('HTTP parser'));
  assert.equal(warned.length, 1, 'one warn line, not one per chunk');
  assert.equal(warned[0].level, 'warn');
  assert.equal(warned[0].status, 431);
  assert.doesNotMatch(JSON.stringify(logs), /pppp/, 'the request is not echoed in the log');
});

test('bytes that are not HTTP/1.1 answer 400 in JSON', async (t) => {
  const { app } = await startApp(t);
  for (const request of [
    'FROB /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'get /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n',
    'hello, server\r\n\r\n',
    'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
  ]) {
    const answer = await refusedOnce(app.url, request);
    assertRefusal(answer, 400);
    assert.match(answer.body.message, /not valid HTTP\/1\.1/);
  }
});

test('a client that ends its side mid-body still reads a 400 in JSON', async (t) => {
  const { app } = await startApp(t);
  const conn = rawConnection(app.url);
  await conn.write(
    'POST /api/users/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"phone',
  );
  conn.end();
  const answer = await conn.next();
  assertRefusal(answer, 400);
  assert.match(answer.body.message, /ended mid-request/);
  await conn.closed;
  assert.equal(conn.state.error, null);
});

test('an HTTP/1.1 request without Host answers 400 in JSON; HTTP/1.0 needs none', async (t) => {
  const { app } = await startApp(t);
  const conn = rawConnection(app.url);
  await conn.write('GET /api/health HTTP/1.1\r\n\r\n');
  const answer = await conn.next();
  assertRefusal(answer, 400);
  assert.match(answer.body.message, /Host header/);
  conn.end();
  await conn.closed;

  const old = await refusedOnce(app.url, 'GET /api/health HTTP/1.0\r\n\r\n');
  assert.equal(old.status, 200, old.text);
  assert.equal(old.body.ok, true);
});

test('request targets: `*` and unknown absolute URLs are 404, a broken URL 400', async (t) => {
  const { app } = await startApp(t);
  const send = async (line) => {
    const conn = rawConnection(app.url);
    await conn.write(`${line}\r\nHost: 127.0.0.1\r\n\r\n`);
    const answer = await conn.next();
    conn.end();
    await conn.closed;
    return answer;
  };
  assertRefusal(await send('OPTIONS * HTTP/1.1'), 404);
  assertRefusal(await send('GET http://127.0.0.1/api/nothing HTTP/1.1'), 404);
  assertRefusal(await send('DELETE http://127.0.0.1/api/users/register HTTP/1.1'), 405);
  // RFC 9112 3.2.2: a server accepts the absolute form, and reads its path.
  const absolute = await send(`GET ${app.url}/api/health HTTP/1.1`);
  assert.equal(absolute.status, 200, absolute.text);

  const broken = await send('GET http://[ HTTP/1.1');
  assertRefusal(broken, 400);
  assert.match(broken.body.message, /request target/);
});

test('an unknown Expect answers 417 and CONNECT 405, in JSON', async (t) => {
  const { app } = await startApp(t);
  const conn = rawConnection(app.url);
  await conn.write(
    'POST /api/users/register HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: a-miracle\r\nContent-Length: 0\r\n\r\n',
  );
  assertRefusal(await conn.next(), 417);
  conn.end();
  await conn.closed;

  const connect = await refusedOnce(
    app.url,
    'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n',
  );
  assertRefusal(connect, 405);
  assert.match(connect.body.message, /not a proxy/);
});

test('a request too slow to arrive answers 408 in JSON', async (t) => {
  const db = new Database(':memory:');
  const fields = {
    identityField: 'email',
    phoneNumberField: 'phoneNumber',
    phoneConfirmedField: 'phoneNumberConfirmed',
  };
  // createApp's server keeps Node's minute-long timeouts: this one checks every 20 ms.
  const server = http.createServer({ connectionsCheckingInterval: 20 });
  createBaasApi({
    plugin: {},
    users: createUsersStore(db, fields),
    sessions: createSessionsStore(db),
    log: createLogger({ sink: () => {} }),
    appName: 'Timeout Test',
    server,
  });
  server.headersTimeout = 100;
  server.requestTimeout = 100;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    server.closeAllConnections();
    server.close();
    db.close();
  });

  const conn = rawConnection(`http://127.0.0.1:${server.address().port}`);
  await conn.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  const answer = await conn.next();
  assertRefusal(answer, 408);
  await waitFor(() => conn.state.serverEnded);
  conn.end();
  await conn.closed;
  assert.equal(conn.state.error, null);
});

test('10 MB bodies, declared or chunked, get their 413 every time (20 of each)', async (t) => {
  const { app, sms } = await startApp(t);
  const url = `${app.url}/api/users/register`;
  for (let i = 0; i < 20; i += 1) {
    for (const chunked of [false, true]) {
      const answer = await postLarge(url, 10 * MB, { chunked });
      assert.equal(answer.status, 413, `${chunked ? 'chunked' : 'declared'} #${i}: ${answer.text}`);
      assert.deepEqual(answer.body, {
        code: 413,
        message: 'The request body is larger than 65536 bytes.',
      });
      assert.equal(answer.headers.connection, 'close');
    }
  }
  assert.equal(sms.length, 0);
});

test('a client that ignores the early 413 and sends all 10 MB reads it afterwards', async (t) => {
  const { app } = await startApp(t);
  const head = (framing) =>
    `POST /api/users/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${framing}\r\n\r\n`;
  for (let i = 0; i < 3; i += 1) {
    for (const chunked of [false, true]) {
      const conn = rawConnection(app.url);
      if (chunked) {
        await conn.write(head('Transfer-Encoding: chunked'));
        await writeChunked(conn.write, 10 * MB);
      } else {
        await conn.write(head(`Content-Length: ${10 * MB}`));
        for (let sent = 0; sent < 10 * MB; sent += PIECE.length) await conn.write(PIECE);
      }
      // Only now does this client look: the answer is there, whole, then the server's FIN.
      const answer = await conn.next();
      assertRefusal(answer, 413);
      assert.equal(answer.headers.connection, 'close');
      await waitFor(() => conn.state.serverEnded, 2000);
      assert.equal(conn.state.error, null, 'no reset');
      conn.end();
      await conn.closed;
    }
  }
});

test('a client that never stops sending is cut off after a bounded amount', async (t) => {
  const { app } = await startApp(t);
  const conn = rawConnection(app.url);
  await conn.write(
    'POST /api/users/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
  );
  const sent = await chunksUntilClosed(conn, 200 * MB);
  assert.ok(sent < 200 * MB, 'the server stopped reading');
  assert.ok(sent > 32 * MB, `it read the 32 MB it promises first (${sent} bytes)`);
  await conn.closed;
});

test('small refusals keep the connection: the next request is answered on it', async (t) => {
  const { app } = await startApp(t);
  const conn = rawConnection(app.url);
  const post = (type, body) =>
    `POST /api/users/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const exchanges = [
    ['GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 200],
    [post('application/json', '{"phoneNumber": '), 400],
    [post('text/plain', '{"phoneNumber": "+14155550100"}'), 415],
    ['GET /api/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 404],
    [post('application/json', '[]'), 400],
    ['GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 200],
  ];
  for (const [request, status] of exchanges) {
    await conn.write(request);
    const answer = await conn.next();
    assert.equal(answer.status, status, answer.text);
    assert.notEqual(answer.headers.connection, 'close', answer.text);
  }
  assert.equal(conn.state.serverEnded, false, 'still open');
  conn.end();
  await conn.closed;
  assert.equal(conn.state.error, null);
});

test('JSON routes refuse bodies not typed application/json with 415', async (t) => {
  const { app, sms } = await startApp(t, { pluginConfig: { messagingAccess: 'anyone' } });
  const routes = ['/api/users/register', '/api/users/login', '/api/services/twilio/sendSms'];
  const body = JSON.stringify({ phoneNumber: '+14155550100', to: '+14155550100', body: 'hi' });
  for (const path of routes) {
    for (const type of [
      'text/plain',
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonp',
      'text/json',
      'application/merge-patch+json',
    ]) {
      const answer = await postJson(`${app.url}${path}`, body, { 'Content-Type': type });
      assert.equal(answer.status, 415, `${path} ${type}: ${answer.text}`);
      assert.deepEqual(answer.body, {
        code: 415,
        message: 'Send JSON: Content-Type: application/json.',
      });
    }
    // No type at all, with a body (fetch sends a byte array untyped): refused as well.
    const untyped = await fetch(`${app.url}${path}`, {
      method: 'POST',
      body: new TextEncoder().encode(body),
    });
    assert.equal(untyped.status, 415, path);
    assert.equal((await untyped.json()).code, 415);
  }
  assert.equal(sms.length, 0, 'nothing reached the plugin');

  // application/json, whatever its case and parameters, is JSON.
  for (const type of ['application/json; charset=utf-8', 'Application/JSON']) {
    const answer = await postJson(`${app.url}/api/users/login`, {}, { 'Content-Type': type });
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.body.code, 3006, 'reached the route');
  }
  // An empty body needs no type.
  const empty = await fetch(`${app.url}/api/users/login`, { method: 'POST' });
  assert.equal(empty.status, 400);
  assert.equal((await empty.json()).code, 3006);
});

test("Twilio's status callback still takes its form body", async (t) => {
  const { app } = await startApp(t);
  const response = await fetch(`${app.url}/api/services/twilio/status-callback`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'MessageSid=SM00000000000000000000000000000000&MessageStatus=delivered',
  });
  assert.equal(response.status, 403, 'refused for its missing signature, not its type');
  assert.equal((await response.json()).code, 'SIGNATURE_INVALID');

  // Oversized, declared or chunked: 413 in JSON, read before the connection closes.
  for (const chunked of [false, true]) {
    const big = Buffer.alloc(4 * 1024 * 1024, 'a');
    const body = chunked
      ? new ReadableStream({
          start(controller) {
            for (let i = 0; i < 64; i += 1)
              controller.enqueue(big.subarray(i * 65536, (i + 1) * 65536));
            controller.close();
          },
        })
      : big;
    const large = await fetch(`${app.url}/api/services/twilio/status-callback`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
      duplex: 'half',
    });
    assert.equal(large.status, 413, `chunked: ${chunked}`);
    assert.equal((await large.json()).code, 413);
  }
});

test('malformed JSON, bad UTF-8 and JSON that is no object answer 400 in JSON', async (t) => {
  const { app } = await startApp(t, { pluginConfig: { messagingAccess: 'anyone' } });
  const register = `${app.url}/api/users/register`;
  for (const text of ['{"phoneNumber": ', '{phoneNumber: 1}', "{'a': 1}", '{"a": 1} x']) {
    const answer = await postJson(register, text);
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.body.code, 8002);
    assert.match(answer.body.message, /not valid JSON/);
  }

  // {"email":"<0xff 0xfe>"}: refused, not registered with U+FFFD in place of the bytes.
  const bytes = Buffer.concat([
    Buffer.from('{"email":"'),
    Buffer.from([0xff, 0xfe]),
    Buffer.from('"}'),
  ]);
  const badUtf8 = await fetch(register, { method: 'POST', headers: JSON_HEADERS, body: bytes });
  const refused = await badUtf8.json();
  assert.equal(badUtf8.status, 400);
  assert.equal(refused.code, 8002);
  assert.match(refused.message, /not UTF-8/);

  // Each route says it wants an object, with its own code.
  for (const [path, code] of [
    ['/api/users/register', 3038],
    ['/api/users/login', 3006],
    ['/api/services/twilio/sendSms', 'INVALID_INPUT'],
  ]) {
    for (const text of ['[]', '42', '"text"', 'null', 'true']) {
      const answer = await postJson(`${app.url}${path}`, text);
      assert.equal(answer.status, 400, `${path} ${text}: ${answer.text}`);
      assert.equal(answer.body.code, code, `${path} ${text}`);
      assert.equal(typeof answer.body.message, 'string');
    }
  }
});

test('unknown routes answer 404 and wrong methods 405, in JSON', async (t) => {
  const { app } = await startApp(t);
  for (const [method, path, status] of [
    ['GET', '/', 404],
    ['POST', '/api/nothing', 404],
    ['PROPFIND', '/api/users/register', 405],
    ['PUT', '/api/users/register', 405],
    ['DELETE', '/api/health', 405],
  ]) {
    const response = await fetch(`${app.url}${path}`, { method });
    const body = await response.json();
    assert.equal(response.status, status, `${method} ${path}`);
    assert.equal(body.code, status);
    assert.equal(typeof body.message, 'string');
    if (status === 405) assert.ok(response.headers.get('allow'));
  }
});

test('a client that half-closes after its request still gets the answer', async (t) => {
  const { app } = await startApp(t);
  const { port } = new URL(app.url);
  const body = JSON.stringify({ login: 'nobody@example.com', password: 'wrong password' });
  const answer = await new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8').on('data', (chunk) => {
      text += chunk;
    });
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
    // The request, then our side closed at once, as `printf ... | nc` does.
    socket.end(
      `POST /api/users/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
  });
  assert.match(answer, /^HTTP\/1\.1 401 /);
  assert.match(answer, /"code":3003/);
});

test('a body nobody reads is not read to its end: unknown routes, bodyless methods, refused console calls', async (t) => {
  const { app } = await startApp(t);
  for (const head of [
    'POST /nothing HTTP/1.1',
    'DELETE /api/health HTTP/1.1',
    'GET /api/health HTTP/1.1',
    // A page: its answer is not JSON, and closes the same way.
    'GET /console/sign-in HTTP/1.1',
  ]) {
    const conn = rawConnection(app.url);
    await conn.write(
      `${head}\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
    );
    const sent = await chunksUntilClosed(conn, 200 * MB);
    assert.ok(sent < 200 * MB, `${head}: the server stopped reading`);
    const answer = await conn.next();
    assert.equal(answer.headers.connection, 'close', `${head}: ${answer.text}`);
    assert.match(answer.headers['x-request-id'], /^[0-9a-f-]{36}$/);
    await conn.closed;
  }
  // A console call refused on its Host header, before its body was read: answered at once and
  // closed within the lingering bounds (5 s here: the client sends nothing more).
  const conn = rawConnection(app.url);
  await conn.write(
    `POST /console/api/validate HTTP/1.1\r\nHost: evil.example\r\nContent-Type: application/json\r\nContent-Length: ${100 * MB}\r\n\r\n{`,
  );
  const refused = await conn.next();
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.connection, 'close');
  await waitFor(() => conn.state.serverEnded, 8000);
  conn.end();
  await conn.closed;
});

test('refusals made before any route carry a request id too', async (t) => {
  const { app } = await startApp(t);
  for (const [request, status] of [
    ['BREW / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', 400],
    ['CONNECT a:1 HTTP/1.1\r\nHost: a:1\r\n\r\n', 405],
    ['GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: tea\r\n\r\n', 417],
  ]) {
    const answer = await refusedOnce(app.url, request);
    assertRefusal(answer, status);
    assert.match(answer.headers['x-request-id'], /^[0-9a-f-]{36}$/, request);
  }
});

test('a repeated Host or Content-Type is refused, not read as its first copy', async (t) => {
  const { app } = await startApp(t);
  for (const headers of [
    'Host: 127.0.0.1\r\nHost: evil.example',
    'Host: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Type: text/plain',
  ]) {
    const conn = rawConnection(app.url);
    await conn.write(`GET /api/health HTTP/1.1\r\n${headers}\r\n\r\n`);
    const answer = await conn.next();
    assertRefusal(answer, 400);
    assert.match(answer.body.message, /more than one (host|content-type) header/);
    conn.end();
    await conn.closed;
  }
});

test('Expect: 100-continue with a body over the limit is refused before the client sends it', async (t) => {
  const { app } = await startApp(t);
  const conn = rawConnection(app.url);
  await conn.write(
    `POST /api/users/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${MB}\r\nExpect: 100-continue\r\n\r\n`,
  );
  const answer = await conn.next();
  assertRefusal(answer, 413);
  conn.end();
  await conn.closed;
  // Under the limit it continues as usual.
  const small = rawConnection(app.url);
  const body = '{"email": "x"}';
  await small.write(
    `POST /api/users/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nExpect: 100-continue\r\n\r\n`,
  );
  assert.equal((await small.next()).status, 100);
  await small.write(body);
  assert.equal((await small.next()).status, 400);
  small.end();
  await small.closed;
});

test('a request asking to switch protocols is answered and its connection closed', async (t) => {
  const { app } = await startApp(t);
  const answer = await refusedOnce(
    app.url,
    'GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n',
  );
  assert.equal(answer.status, 200);
});
