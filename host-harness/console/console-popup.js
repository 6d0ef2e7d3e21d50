// The configuration popup: field checks as the user types (the plugin's own validateConfig,
// through POST /console/api/validate), TEST CONFIGURATION's report, SAVE. TEST and SAVE send
// nothing while a field is invalid.

import { collect, fieldId, input, renderFields } from './console-fields.js';
import { $, api, closeOnto, el, openDialog } from './console-kit.js';

const VALIDATE_DELAY_MS = 300;
const STATUS_TEXT = { passed: 'Passed', warning: 'Warning', failed: 'Failed', skipped: 'Skipped' };
const STATUS_ICON = { passed: '✓', warning: '!', failed: '✕', skipped: '–' };
const CHECK_TITLES = {
  fields: 'Fields',
  credentials: 'Credentials',
  sender: 'Sender',
  sending: 'Abuse protection',
};

const form = {
  items: [],
  problems: [],
  touched: new Set(),
  showAll: false,
  timer: null,
  sequence: 0,
  busy: false,
  onSaved: () => {},
};

/**
 * The plugin's words name settings by their JS names (`messagingServiceSid`); the popup shows
 * each as its label instead.
 */
function humanize(text) {
  let out = text;
  for (const item of form.items) {
    out = out.replace(new RegExp(`\\b${item.name}\\b`, 'g'), item.displayName);
  }
  return out;
}

function showProblems() {
  const byField = new Map();
  const elsewhere = [];
  for (const problem of form.problems) {
    if (input(problem.field)) {
      if (!byField.has(problem.field)) byField.set(problem.field, []);
      byField.get(problem.field).push(problem.reason);
    } else {
      elsewhere.push(`${problem.field}: ${problem.reason}`);
    }
  }
  for (const item of form.items) {
    const reasons = byField.get(item.name);
    const visible = Boolean(reasons) && (form.showAll || form.touched.has(item.name));
    const error = $(`${fieldId(item.name)}-error`);
    error.hidden = !visible;
    error.textContent = visible ? humanize(`${item.displayName} ${reasons.join('; ')}.`) : '';
    input(item.name).setAttribute('aria-invalid', String(visible));
    input(item.name).closest('.field').classList.toggle('invalid', visible);
  }
  const formError = $('form-error');
  formError.hidden = elsewhere.length === 0;
  formError.textContent = humanize(elsewhere.join(' '));
}

/** Runs the plugin's checks on the form now; resolves to the problems (stale answers dropped). */
async function validateNow() {
  clearTimeout(form.timer);
  const sequence = ++form.sequence;
  let result;
  try {
    result = await api('POST', 'validate', collect(form.items));
  } catch (err) {
    result = { problems: err.details?.problems ?? [{ field: 'config', reason: err.message }] };
  }
  if (sequence === form.sequence) {
    form.problems = result.problems;
    showProblems();
  }
  return result.problems;
}

function scheduleValidation() {
  clearTimeout(form.timer);
  form.timer = setTimeout(validateNow, VALIDATE_DELAY_MS);
}

/** Validates everything and shows every problem; false (and focus on the first) if any. */
async function readyToSend() {
  form.showAll = true;
  const problems = await validateNow();
  if (problems.length === 0) return true;
  const first = form.items.find((item) => problems.some((p) => p.field === item.name));
  $('dialog-status').textContent =
    `Fix ${problems.length === 1 ? 'the highlighted field' : `the ${problems.length} highlighted problems`} first: nothing was sent.`;
  if (first) input(first.name).focus();
  return false;
}

function setBusy(button, busy, busyText) {
  form.busy = busy;
  for (const id of ['test-button', 'save-button']) $(id).disabled = busy;
  button.setAttribute('aria-busy', String(busy));
  if (busy) {
    button.dataset.label = button.textContent;
    button.textContent = busyText;
  } else if (button.dataset.label) {
    button.textContent = button.dataset.label;
  }
}

function renderReport(report) {
  const counts = { passed: 0, warning: 0, failed: 0, skipped: 0 };
  for (const check of report.checks) counts[check.status] += 1;
  let summary = 'Every check passed: the configuration works.';
  if (counts.failed)
    summary = `${counts.failed} of ${report.checks.length} checks failed. Fix what they say and test again.`;
  else if (counts.warning) summary = 'The configuration works, with a warning to read.';
  $('test-summary').textContent = summary;
  $('test-summary').className =
    `test-summary summary-${counts.failed ? 'failed' : counts.warning ? 'warning' : 'passed'}`;
  $('test-checks').replaceChildren(
    ...report.checks.map((check) =>
      el(
        'li',
        { className: `check check-${check.status}`, 'data-check': check.name },
        el('span', {
          className: 'check-icon',
          'aria-hidden': 'true',
          text: STATUS_ICON[check.status],
        }),
        el(
          'div',
          { className: 'check-text' },
          el(
            'p',
            { className: 'check-title' },
            el('strong', { text: CHECK_TITLES[check.name] ?? check.name }),
            el('span', {
              className: 'check-status',
              text: `: ${STATUS_TEXT[check.status] ?? check.status}`,
            }),
          ),
          el('p', { className: 'check-message', text: humanize(check.message) }),
        ),
      ),
    ),
  );
  const section = $('test-results');
  section.hidden = false;
  $('config-body').scrollTop = 0;
  $('dialog-status').textContent = summary;
  markFailedChecks(report);
  // The buttons were disabled while testing, which drops the focus: it goes to the results.
  $('test-results-title').focus();
}

/**
 * A failed check marks the fields the host says it is about (`fields`), as SAVE's refusal
 * would; the next edit's validation clears the marks.
 */
function markFailedChecks(report) {
  const marks = report.checks.flatMap((check) =>
    (check.fields ?? []).map((field) => ({ field, reason: `failed the test: ${check.message}` })),
  );
  form.problems = [
    ...form.problems.filter((p) => !p.reason.startsWith('failed the test')),
    ...marks,
  ];
  for (const mark of marks) form.touched.add(mark.field);
  showProblems();
}

// TEST and SAVE alike: one request at a time, only with valid fields, and the server's field
// problems shown next to their fields.
async function sendForm(buttonId, busyLabel, action) {
  if (form.busy) return;
  const button = $(buttonId);
  if (!(await readyToSend())) return;
  setBusy(button, true, busyLabel);
  let refused = null;
  try {
    await action(collect(form.items));
  } catch (err) {
    form.problems = err.details?.problems ?? [];
    form.showAll = true;
    showProblems();
    $('dialog-status').textContent = humanize(err.message);
    // To the first field the server refused, else back to the button.
    const first = form.items.find((item) => form.problems.some((p) => p.field === item.name));
    refused = first ? input(first.name) : button;
  } finally {
    setBusy(button, false);
  }
  refused?.focus();
}

function testConfiguration() {
  return sendForm('test-button', 'Testing…', async (values) => {
    renderReport(await api('POST', 'test', values));
  });
}

function save(event) {
  event.preventDefault();
  return sendForm('save-button', 'Saving…', async (values) => {
    const product = await api('POST', 'save', values);
    form.onSaved(product);
    closeOnto($('config-dialog'), '[data-action="configure"]');
  });
}

function edited(name) {
  form.touched.add(name);
  scheduleValidation();
}

/**
 * Opens the popup for `product` with the host's saved (or default) values. Rejects when the
 * configuration cannot be read. `onSaved(product)` runs after a successful SAVE.
 */
export async function openConfiguration(opener, product, onSaved) {
  const data = await api('GET', 'configuration');
  Object.assign(form, {
    items: data.items,
    problems: [],
    touched: new Set(),
    showAll: false,
    onSaved,
  });
  $('config-title').textContent = product.configurationTitle;
  renderFields(data, edited);
  $('test-results').hidden = true;
  $('form-error').hidden = true;
  $('dialog-status').textContent = '';
  openDialog($('config-dialog'), opener, input(data.items[0].name));
}

/** Wires the popup's buttons; once, when the page starts. */
export function setupPopup() {
  $('test-button').addEventListener('click', testConfiguration);
  $('config-form').addEventListener('submit', save);
}
