// HTTP: the host's guarantees that hold whatever the plugin asks for. The allowlist is what
// keeps the Twilio credentials from going anywhere else; the deadline is what keeps a stalled
// Twilio from holding a login open; the error kind is how the plugin tells "nothing was sent"
// (safe to answer unavailable) from "the SMS may be on its way" (keep the code).

const { startCountingTcpServer } = require('./servers');
const { describeOutcome, fail, settle, sleep } = require('./util');

/** Long enough for any honest host on loopback; a call still pending then fails the check. */
const GUARD_MS = 10_000;

function request(url, timeoutMs = 2000) {
  return { method: 'GET', url, headers: {}, body: null, timeoutMs };
}

/** Sends a request; fails the check unless it rejected with an Error of kind `kind`. */
async function expectRejection(host, what, req, kind) {
  const outcome = await settle(() => host.http(req), GUARD_MS);
  if (outcome.status !== 'rejected') fail(`${what}: ${describeOutcome(outcome, GUARD_MS)}`);
  const err = outcome.reason;
  if (!(err instanceof Error) || err.kind !== kind) {
    fail(`${what}: ${describeOutcome(outcome, GUARD_MS)}, expected kind "${kind}"`);
  }
}

/** Sends a request; fails the check unless it resolved. */
async function expectResponse(host, what, req) {
  const outcome = await settle(() => host.http(req), GUARD_MS);
  if (outcome.status !== 'fulfilled') fail(`${what}: ${describeOutcome(outcome, GUARD_MS)}`);
  return outcome.value;
}

const refusedBeforeConnecting = {
  name: 'http.refused-before-connecting',
  why: 'the Twilio credentials reach only the declared origins, not even a TCP handshake elsewhere',
  async run({ host, servers }) {
    const outsider = await startCountingTcpServer(servers.allowedOrigins);
    try {
      await expectRejection(
        host,
        'a request to an origin outside the allowlist',
        request(`${outsider.origin}/x`),
        'refused',
      );
      // A host that connects in the background and rejects at once would show up a moment later.
      await sleep(100);
      const seen = outsider.connections();
      if (seen !== 0) fail(`the refused origin saw ${seen} connection(s); it must see none`);
    } finally {
      await outsider.close();
    }
    const withUserinfo = new URL(`${servers.api}/userinfo`);
    withUserinfo.username = 'conformance';
    withUserinfo.password = 'not-a-secret';
    await expectRejection(
      host,
      'a request with user:password@ on an allowed origin',
      request(withUserinfo.href),
      'refused',
    );
    await sleep(100);
    if (servers.hitsOf('/userinfo') !== 0) fail('the request with user:password@ was sent');
    return 'an outside origin and a user:password@ URL were refused, with 0 connections';
  },
};

const timeouts = {
  name: 'http.timeouts',
  why: 'a stalled API must not hold a login open: every request ends within its deadline',
  async run({ host, servers, deadlineMs }) {
    // Independent requests, sent at once so that the check takes one deadline, not three.
    await Promise.all([
      expectRejection(
        host,
        'timeoutMs 300 to a server that never answers',
        request(`${servers.api}/silent`, 300),
        'timeout',
      ),
      expectRejection(
        host,
        'timeoutMs 300 to a server that stalls after the headers',
        request(`${servers.api}/stall`, 300),
        'timeout',
      ),
      expectRejection(
        host,
        `timeoutMs 60000 with deadlineMs ${deadlineMs} to a server that never answers`,
        request(`${servers.api}/silent`, 60_000),
        'timeout',
      ),
    ]);
    return `silent and stalled servers timed out; timeoutMs 60000 was capped at ${deadlineMs} ms`;
  },
};

const noRedirects = {
  name: 'http.no-redirects',
  why: 'a redirect could lead the credentials anywhere: the plugin must see the 3xx itself',
  async run({ host, servers }) {
    const before = servers.landingHits();
    const response = await expectResponse(
      host,
      'a request answered with 302',
      request(`${servers.api}/redirect`),
    );
    const landed = servers.landingHits() - before;
    if (landed !== 0) fail(`the redirect was followed: its target saw ${landed} request(s)`);
    if (response?.status !== 302) fail(`a 302 resolved with status ${response?.status}, not 302`);
    return 'a 302 resolved as status 302 and its Location saw 0 requests';
  },
};

const connectRefused = {
  name: 'http.connect-refused',
  why: '"connect" tells the plugin nothing was sent, so no code is left waiting for an SMS',
  async run({ host, servers }) {
    await expectRejection(
      host,
      'a request to an allowed origin where nothing listens',
      request(`${servers.nobody}/x`),
      'connect',
    );
    return 'an allowed origin with nothing listening rejected with kind "connect"';
  },
};

/** The reason a response is not {status, headers of strings, body string}, or null. */
function shapeProblem(response, status, body) {
  if (!response || typeof response !== 'object') return `resolved with ${typeof response}`;
  if (response.status !== status) return `status ${response.status}, not ${status}`;
  const { headers } = response;
  if (!headers || typeof headers !== 'object' || Array.isArray(headers)) {
    return 'headers is not an object';
  }
  const notString = Object.entries(headers).find(([, value]) => typeof value !== 'string');
  if (notString) return `header ${notString[0]} is a ${typeof notString[1]}, not a string`;
  const custom = Object.keys(headers).find((name) => name.toLowerCase() === 'x-conformance');
  if (!custom) return 'the X-Conformance response header is missing';
  if (typeof response.body !== 'string') return `body is a ${typeof response.body}, not a string`;
  if (response.body !== body) return `body is not the server's ${JSON.stringify(body)}`;
  return null;
}

const responses = {
  name: 'http.responses',
  why: 'Twilio answers errors with 4xx/5xx bodies the plugin reads: any status must resolve',
  async run({ host, servers }) {
    for (const [path, status, body] of [
      ['/ok', 200, 'conformance ok'],
      ['/error', 500, 'conformance error'],
    ]) {
      const response = await expectResponse(host, `GET ${path}`, request(servers.api + path));
      const problem = shapeProblem(response, status, body);
      if (problem) fail(`GET ${path} (a ${status}): ${problem}`);
    }
    return 'a 200 and a 500 both resolved with {status, headers of strings, body}';
  },
};

module.exports = [refusedBeforeConnecting, timeouts, noRedirects, connectRefused, responses];
