'use strict';
// The simulator's own control routes under /_sim: read and clear the outbox, the callback log
// and the request log, inject faults, check health. No auth: the simulator only ever listens locally, and these
// routes are for the developer and the tests, not for the plugin.

const { parseFaultRule } = require('./faults');
const { sendJson } = require('./http-io');

const ADMIN_PREFIX = '/_sim/';

function parseJson(rawBody) {
  try {
    return { value: JSON.parse(rawBody || 'null') };
  } catch {
    return { error: 'body must be JSON' };
  }
}

const ADMIN_ROUTES = {
  '/_sim/health': {
    GET: (_ctx, { res }) => sendJson(res, 200, { ok: true }),
  },
  '/_sim/messages': {
    GET: (ctx, { res, url }) =>
      sendJson(res, 200, { messages: ctx.outbox.list({ to: url.searchParams.get('to') }) }),
    DELETE: (ctx, { res }) => {
      ctx.outbox.clear();
      sendJson(res, 200, { messages: [] });
    },
  },
  '/_sim/requests': {
    GET: (ctx, { res }) => sendJson(res, 200, { requests: ctx.requests.list() }),
    DELETE: (ctx, { res }) => {
      ctx.requests.clear();
      sendJson(res, 200, { requests: [] });
    },
  },
  '/_sim/callbacks': {
    GET: (ctx, { res, url }) =>
      sendJson(res, 200, {
        callbacks: ctx.callbacks.list({ messageSid: url.searchParams.get('messageSid') }),
      }),
    DELETE: (ctx, { res }) => {
      ctx.callbacks.clear();
      sendJson(res, 200, { callbacks: [] });
    },
  },
  '/_sim/faults': {
    GET: (ctx, { res }) => sendJson(res, 200, { faults: ctx.faults.list() }),
    POST: (ctx, { res, rawBody }) => {
      const parsed = parseJson(rawBody);
      const { rule, error } = parsed.error ? parsed : parseFaultRule(parsed.value);
      if (error) {
        sendJson(res, 400, { error });
        return;
      }
      ctx.faults.add(rule);
      sendJson(res, 201, { faults: ctx.faults.list() });
    },
    DELETE: (ctx, { res }) => {
      ctx.faults.clear();
      sendJson(res, 200, { faults: [] });
    },
  },
};

function isAdminPath(pathname) {
  return pathname.startsWith(ADMIN_PREFIX);
}

function handleAdminRequest(ctx, { req, res, url, rawBody }) {
  const route = ADMIN_ROUTES[url.pathname];
  if (!route) {
    sendJson(res, 404, { error: `no simulator route ${url.pathname}` });
    return;
  }
  const handler = route[req.method];
  if (!handler) {
    sendJson(
      res,
      405,
      { error: `${req.method} not allowed on ${url.pathname}` },
      {
        Allow: Object.keys(route).join(', '),
      },
    );
    return;
  }
  handler(ctx, { req, res, url, rawBody });
}

module.exports = { handleAdminRequest, isAdminPath };
