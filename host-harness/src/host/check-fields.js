// Which fields a failed TEST CONFIGURATION check is about, so that the popup marks them and
// SAVE refuses on them; and which failures are only Twilio being out of reach, which must not
// stop a save (an operator lowering send limits during an attack, with Twilio slow, must be
// able to). Read from the plugin's own words for each check (src/config/live_check.rs).

/** The plugin's words when Twilio could not be reached or did not answer in time. */
const OUTAGE = /Twilio is not available right now|Twilio did not confirm/;

/** The parts of the sender check, each with the field it is about. */
const SENDER_PARTS = [
  [/The Verify service|no WhatsApp sender/, 'verifyServiceSid'],
  [/The Messaging Service .* was not found/, 'messagingServiceSid'],
  [/belongs to the account but cannot|does not belong to this Twilio account/, 'senderPhoneNumber'],
];

/** The fields a failed check names (none for a check that passed, or for an outage). */
function fieldsOfCheck(check, config) {
  if (check.status !== 'failed' || OUTAGE.test(check.message)) return [];
  if (check.name === 'credentials') {
    if (/The Twilio account .* is /.test(check.message)) return ['accountSid'];
    return [config.apiKeySid ? 'apiKeySecret' : 'authToken'];
  }
  if (check.name === 'sender') {
    return SENDER_PARTS.filter(([words]) => words.test(check.message)).map(([, field]) => field);
  }
  return [];
}

/** The report with each failed check's `fields`. */
function withFields(report, config) {
  return {
    ...report,
    checks: report.checks.map((check) => ({ ...check, fields: fieldsOfCheck(check, config) })),
  };
}

/** SAVE's refusals: each field a definite refusal names, with the check's words. */
function refusals(report, config) {
  return withFields(report, config).checks.flatMap((check) =>
    check.fields.map((field) => ({ field, reason: `was not saved: ${check.message}` })),
  );
}

module.exports = { fieldsOfCheck, refusals, withFields };
