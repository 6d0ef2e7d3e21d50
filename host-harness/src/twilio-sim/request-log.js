'use strict';
// Every Twilio API request the simulator received (admin routes aside), oldest first, as the
// wire carried it: method, path, query and form parameters in order with repeated names kept,
// so a test can check what the plugin sent against Twilio's OpenAPI. Headers are not kept: the
// Authorization header carries a secret. Only the Basic user name (an Account or API key SID,
// not a secret) is kept, to tell which credentials were used.

const { parseBasicAuth } = require('./api-routes');

/** Enough for any test and for a long `make run`; the oldest entries go first. */
const MAX_REQUESTS = 1000;

/** Form parameters when the body is form-encoded (Twilio's only request format), else none. */
function formPairs(req, rawBody) {
  const type = req.headers['content-type'] ?? '';
  if (!rawBody || (type && !type.toLowerCase().startsWith('application/x-www-form-urlencoded'))) {
    return [];
  }
  return [...new URLSearchParams(rawBody)];
}

function createRequestLog({ now = Date.now, limit = MAX_REQUESTS } = {}) {
  const entries = [];

  const copy = (entry) => ({
    ...entry,
    query: entry.query.map((pair) => [...pair]),
    form: entry.form.map((pair) => [...pair]),
  });

  return {
    record(req, url, rawBody) {
      entries.push({
        method: req.method,
        path: url.pathname,
        query: [...url.searchParams],
        form: formPairs(req, rawBody),
        username: parseBasicAuth(req.headers.authorization)?.username ?? null,
        at: new Date(now()).toISOString(),
      });
      if (entries.length > limit) entries.splice(0, entries.length - limit);
    },
    list: () => entries.map(copy),
    clear() {
      entries.length = 0;
    },
    get size() {
      return entries.length;
    },
  };
}

module.exports = { createRequestLog, MAX_REQUESTS };
