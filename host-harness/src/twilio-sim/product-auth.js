'use strict';
// Authentication for Twilio's product APIs that live on hosts of their own (Messaging v1 at
// messaging.twilio.com, Verify v2 at verify.twilio.com; pointed at the simulator, both share its
// origin). Their paths name no account: the credentials say which account acts, and a resource
// of another account is as unknown as one that does not exist. Same Basic auth as the
// 2010-04-01 API: Account SID + Auth Token, or API key SID + secret.

const { parseBasicAuth } = require('./api-routes');
const { sendTwilioError } = require('./http-io');
const { twilioError } = require('./wire-format');

const AUTH_CHALLENGE = { 'WWW-Authenticate': 'Basic realm="Twilio API"' };

/**
 * Twilio's checks in Twilio's order once the path is known: credentials and account state
 * (401 / 20003), method (405 / 20004 with Allow), then test credentials, which reach none of
 * these APIs (403 / 20008). Answers the failure itself and returns null, else the account.
 */
function authorizeProductRequest(ctx, { req, res, methods }) {
  const credentials = parseBasicAuth(req.headers.authorization);
  const account =
    credentials && ctx.registry.authenticate(credentials.username, credentials.password);
  if (account?.status !== 'active') {
    sendTwilioError(res, twilioError(20003), AUTH_CHALLENGE);
    return null;
  }
  if (!methods.includes(req.method)) {
    sendTwilioError(res, twilioError(20004), { Allow: methods.join(', ') });
    return null;
  }
  if (account.testCredentials) {
    sendTwilioError(res, twilioError(20008));
    return null;
  }
  return account;
}

module.exports = { authorizeProductRequest, AUTH_CHALLENGE };
