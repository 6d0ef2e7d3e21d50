// The kit's own local servers, whose origins it hands to the host as its allowlist: one that
// answers each way a real API can (and some ways it should not), one that only counts hits
// (the target of a redirect), and an origin on which nothing listens.

const http = require('node:http');
const net = require('node:net');

const LOOPBACK = '127.0.0.1';

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      server.off('error', reject);
      resolve(`http://${LOOPBACK}:${server.address().port}`);
    });
  });
}

/** A loopback port that was free a moment ago and on which nothing listens now. */
async function closedOrigin() {
  const server = net.createServer();
  const origin = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return origin;
}

function closeHttp(server) {
  // Silent and stalled requests are still open: cut them, or close() would wait for them.
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Starts the servers. `api` answers by path; `landing` counts every request (a followed
 * redirect would reach it); `hits` counts requests per path on `api`.
 */
async function startServers() {
  const hits = new Map();
  const landing = { hits: 0 };
  let landingOrigin = '';

  const routes = {
    '/ok': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain', 'X-Conformance': 'ok' });
      res.end('conformance ok');
    },
    '/error': (_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/plain', 'X-Conformance': 'error' });
      res.end('conformance error');
    },
    // Accepts the request and never answers.
    '/silent': () => {},
    // Sends the status and headers and a first piece of the body, then nothing more.
    '/stall': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
    },
    '/redirect': (_req, res) => {
      res.writeHead(302, { Location: `${landingOrigin}/landing` });
      res.end();
    },
  };

  const apiServer = http.createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes[path];
    if (route) route(req, res);
    else res.writeHead(404).end('not found');
  });
  const landingServer = http.createServer((_req, res) => {
    landing.hits += 1;
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('landing: a redirect was followed');
  });

  const api = await listen(apiServer);
  landingOrigin = await listen(landingServer);
  const nobody = await closedOrigin();

  return {
    api,
    landing: landingOrigin,
    nobody,
    allowedOrigins: [api, landingOrigin, nobody],
    hitsOf: (path) => hits.get(path) ?? 0,
    landingHits: () => landing.hits,
    async close() {
      await Promise.all([closeHttp(apiServer), closeHttp(landingServer)]);
    },
  };
}

/**
 * A raw TCP server on a loopback port outside the allowlist, counting connections: a refused
 * request must not open one. Retries if the OS hands out one of the allowlisted ports (the
 * closed one is free again, so it could).
 */
async function startCountingTcpServer(allowedOrigins) {
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const sockets = new Set();
    const counter = { connections: 0 };
    const server = net.createServer((socket) => {
      counter.connections += 1;
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.destroy();
    });
    const origin = await listen(server);
    const close = () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    };
    if (!allowedOrigins.includes(origin)) {
      return { origin, connections: () => counter.connections, close };
    }
    await close();
  }
  throw new Error('could not find a loopback port outside the allowlist');
}

module.exports = { startServers, startCountingTcpServer };
