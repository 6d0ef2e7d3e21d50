'use strict';
// The simulator's HTTP server: wires accounts, outbox, delivery, callbacks, Verify's pending
// verifications, the request log and faults together, and dispatches each request to the admin
// routes (/_sim), the Messaging API routes (/v1), the Verify API routes (/v2) or the 2010-04-01
// API routes.

const http = require('node:http');

const { createAccountRegistry } = require('./accounts');
const { handleAdminRequest, isAdminPath } = require('./admin-routes');
const { handleApiRequest } = require('./api-routes');
const { handleMessagingRequest, isMessagingPath } = require('./messaging-routes');
const { createCallbackSender } = require('./callbacks');
const { createDelivery, DEFAULT_DELIVERY_OUTCOMES } = require('./delivery');
const { applyFault, createFaultQueue, parseFaultRule } = require('./faults');
const { BodyTooLargeError, readBody, sendJson, sendTwilioError } = require('./http-io');
const { createOutbox } = require('./outbox');
const { createRequestLog } = require('./request-log');
const { createTimers } = require('./timers');
const { createVerificationStore } = require('./verifications');
const { handleVerifyRequest, isVerifyPath } = require('./verify-routes');
const { twilioError } = require('./wire-format');

const DEFAULT_CALLBACK_DELAY_MS = 50;

function defaultLog(level, message, fields) {
  const suffix = fields ? ` ${JSON.stringify(fields)}` : '';
  process.stderr.write(`[twilio-sim] ${level}: ${message}${suffix}\n`);
}

/**
 * @param {object} [options]
 * @param {object[]} [options.accounts] replaces the default accounts (see accounts.js fixtures)
 * @param {object[]} [options.apiKeys] replaces the default API keys
 * @param {object[]} [options.messagingServices] replaces the default messaging services
 * @param {object[]} [options.verifyServices] replaces the default Verify services
 * @param {object[]} [options.contentTemplates] replaces the default Content API templates
 * @param {Record<string, {status: string, errorCode: number}>} [options.deliveryOutcomes]
 *   To number -> final status; replaces DEFAULT_DELIVERY_OUTCOMES
 * @param {number} [options.callbackDelayMs] pause before each status change (default 50)
 * @param {number} [options.callbackTimeoutMs] how long a callback receiver may take (default 5000)
 * @param {(entry: object) => void} [options.onMessage] called with each new outbox entry: an
 *   accepted message, a code Verify sent or a call placed (`via` says which)
 * @param {(level: string, message: string, fields?: object) => void} [options.log]
 * @param {() => number} [options.now] clock in ms, read on every request: dates, and Verify's
 *   10-minute lifetime, follow it, so a test moves time by changing what it returns
 */
function createSimulator(options = {}) {
  const log = options.log ?? defaultLog;
  const now = options.now ?? Date.now;
  const timers = createTimers();
  const callbacks = createCallbackSender({ log, timeoutMs: options.callbackTimeoutMs });
  const ctx = {
    registry: createAccountRegistry(options),
    outbox: createOutbox({ onEntry: options.onMessage, log }),
    verifications: createVerificationStore(),
    requests: createRequestLog({ now }),
    faults: createFaultQueue(),
    callbacks,
    delivery: createDelivery({
      callbacks,
      timers,
      delayMs: options.callbackDelayMs ?? DEFAULT_CALLBACK_DELAY_MS,
      outcomes: options.deliveryOutcomes ?? DEFAULT_DELIVERY_OUTCOMES,
      now,
      log,
    }),
    now,
    log,
  };

  async function handle(req, res) {
    const url = new URL(req.url, 'http://twilio-sim.local');
    let rawBody;
    try {
      rawBody = await readBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      sendJson(res, 413, { error: err.message }, { Connection: 'close' });
      return;
    }
    if (isAdminPath(url.pathname)) {
      handleAdminRequest(ctx, { req, res, url, rawBody });
      return;
    }
    ctx.requests.record(req, url, rawBody);
    const fault = ctx.faults.take();
    if (fault && (await applyFault(fault, req, res, timers.sleep))) return;
    if (isMessagingPath(url.pathname)) handleMessagingRequest(ctx, { req, res, url, rawBody });
    else if (isVerifyPath(url.pathname)) handleVerifyRequest(ctx, { req, res, url, rawBody });
    else handleApiRequest(ctx, { req, res, url, rawBody });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      log('error', 'simulator request failed', { path: req.url, error: err.message });
      if (!res.headersSent) sendTwilioError(res, twilioError(20500));
      else res.destroy();
    });
  });

  let baseUrl = null;

  return {
    server,
    outbox: ctx.outbox,
    requests: ctx.requests,
    callbacks: ctx.callbacks,
    faults: ctx.faults,
    accounts: ctx.registry,

    /** Listens (port 0 picks a free one) and resolves with the base URL to give the plugin. */
    start(port = 0, host = '127.0.0.1') {
      timers.resume();
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address();
          const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          baseUrl = `http://${hostPart}:${address.port}`;
          resolve({ url: baseUrl, port: address.port });
        });
      });
    },

    /** Stops listening, cuts open connections and cancels pending callbacks and delays. */
    stop() {
      timers.cancelAll();
      if (!server.listening) return Promise.resolve();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },

    get url() {
      return baseUrl;
    },

    /** Same as POST /_sim/faults; throws on an invalid rule. */
    injectFault(input) {
      const { rule, error } = parseFaultRule(input);
      if (error) throw new Error(error);
      ctx.faults.add(rule);
    },

    /** Resolves when every status lifecycle started so far has finished. */
    settled: () => ctx.delivery.settled(),
  };
}

module.exports = { createSimulator, DEFAULT_CALLBACK_DELAY_MS };
