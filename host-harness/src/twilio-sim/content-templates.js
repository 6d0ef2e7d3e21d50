'use strict';
// Content API templates on the Messages API: `ContentSid` names a template, `ContentVariables`
// (JSON text such as `{"1":"123456"}`) fills its `{{1}}`-style placeholders. The outbox keeps
// the filled text, which is what the recipient reads.

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/**
 * The variables as an object of strings, or null when the text is not a JSON object (Twilio
 * answers 21656 then). Numbers and booleans are written as text, as a person would expect.
 */
function parseContentVariables(text) {
  if (text === null || text === undefined || text === '') return {};
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const variables = {};
  for (const [name, item] of Object.entries(value)) {
    if (item === null || typeof item === 'object') return null;
    variables[name] = String(item);
  }
  return variables;
}

/**
 * `{body}` with every placeholder filled, or `{missing}` naming the first placeholder without
 * a value: a template sent with a hole would reach the user as `{{1}}`.
 */
function renderTemplate(templateBody, variables) {
  let missing = null;
  const body = templateBody.replace(PLACEHOLDER, (placeholder, name) => {
    if (Object.hasOwn(variables, name)) return variables[name];
    missing ??= name;
    return placeholder;
  });
  return missing === null ? { body } : { missing };
}

module.exports = { parseContentVariables, renderTemplate };
