// What the routes do with a hook's answer, shared by register and login. A hook resolves to an
// outcome (`continue`, `respond`, `authenticate`) or rejects with a plugin error; anything else
// is a plugin bug that the client sees as a 500 and the operator finds in the log.

const { baasErrorResponse, errors, isPluginError, pluginErrorResponse } = require('./errors');

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A `respond` outcome as an HTTP answer, or null when its status is not an HTTP status. */
function respondAnswer(outcome) {
  const { status } = outcome;
  if (!Number.isInteger(status) || status < 100 || status > 599) return null;
  return { status, body: outcome.body ?? null, headers: {} };
}

/**
 * @param {Function} log host logger
 */
function createOutcomeHandling(log) {
  /** The answer for an outcome this host cannot act on. */
  function unexpected(hook, ctx, outcome) {
    log('error', `${hook} gave an outcome this host does not know`, {
      requestId: ctx.requestId,
      action: String(outcome?.action),
    });
    return baasErrorResponse(errors.internal());
  }

  /** The answer for a rejected hook: the plugin's own error, or a 500 for anything else. */
  function rejected(hook, ctx, err) {
    if (isPluginError(err)) return pluginErrorResponse(err);
    log('error', `${hook} failed without a plugin error`, {
      requestId: ctx.requestId,
      error: err?.message,
    });
    return baasErrorResponse(errors.internal());
  }

  /** Calls a hook: `{outcome}` when it resolved, `{failure}` (an answer) when it rejected. */
  async function callHook(plugin, hook, ...args) {
    try {
      return { outcome: await plugin[hook](...args) };
    } catch (err) {
      return { failure: rejected(hook, args[0], err) };
    }
  }

  return { unexpected, rejected, callHook };
}

module.exports = { isPlainObject, respondAnswer, createOutcomeHandling };
