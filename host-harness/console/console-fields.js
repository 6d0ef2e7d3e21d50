// The popup's fields, generated from the manifest's config items: one control per item type,
// its label, hint and error line (tied to the control by aria-describedby), grouped by `group`.
// A secret is never filled in: a saved one shows as its last 4 characters.

import { $, el } from './console-kit.js';

export const fieldId = (name) => `cfg-${name}`;
export const input = (name) => $(fieldId(name));

function secretNote(item, mask, onEdit) {
  if (!mask?.set) return null;
  const note = el('p', { className: 'secret-note', id: `${fieldId(item.name)}-saved` });
  note.append(
    'Saved, ending in ',
    el('span', { className: 'mono', text: `••••${mask.last4}` }),
    '. Leave empty to keep it.',
  );
  if (!item.required) {
    const box = el('input', { type: 'checkbox', id: `${fieldId(item.name)}-clear` });
    box.addEventListener('change', () => onEdit(item.name));
    note.append(
      ' ',
      el('label', { className: 'inline-check' }, box, ` Remove the saved ${item.displayName}`),
    );
  }
  return note;
}

function control(item, value, placeholder, mask) {
  const id = fieldId(item.name);
  const common = {
    id,
    name: item.name,
    'aria-describedby': [`${id}-error`, `${id}-hint`, mask?.set ? `${id}-saved` : null]
      .filter(Boolean)
      .join(' '),
    'aria-required': item.required ? 'true' : null,
  };
  switch (item.type) {
    case 'bool': {
      const box = el('input', { ...common, type: 'checkbox', role: 'switch' });
      box.checked = value === true;
      return box;
    }
    case 'choice': {
      const select = el('select', common);
      for (const option of item.options)
        select.append(el('option', { value: option, text: item.optionLabels?.[option] ?? option }));
      select.value = value ?? item.default;
      return select;
    }
    case 'text': {
      const area = el('textarea', { ...common, rows: 3, maxlength: item.maxLength, placeholder });
      area.value = value ?? '';
      return area;
    }
    default: {
      const box = el('input', {
        ...common,
        type: item.type === 'secret' ? 'password' : 'text',
        inputmode: item.type === 'number' ? 'numeric' : null,
        autocomplete: item.type === 'secret' ? 'new-password' : 'off',
        spellcheck: 'false',
        autocapitalize: 'off',
        maxlength: item.maxLength,
        placeholder: mask?.set ? `••••${mask.last4} (saved)` : placeholder,
      });
      box.value = item.type === 'secret' ? '' : (value ?? '');
      return box;
    }
  }
}

function field(item, data, onEdit) {
  const id = fieldId(item.name);
  const mask = data.secrets[item.name];
  const widget = control(item, data.values[item.name], data.placeholders?.[item.name] ?? '', mask);
  const label = el(
    'label',
    { for: id },
    item.displayName,
    item.required
      ? el('span', { className: 'required-mark', 'aria-hidden': 'true', text: ' *' })
      : null,
  );
  const row = item.type === 'bool' ? el('div', { className: 'switch-row' }, widget, label) : null;
  const wrapper = el(
    'div',
    { className: `field field-${item.type}`, 'data-field': item.name },
    row ?? label,
    row ? null : item.type === 'secret' ? secretControl(widget) : widget,
    el('p', { className: 'field-error', id: `${id}-error`, hidden: true }),
    el('p', { className: 'hint', id: `${id}-hint`, text: item.hint }),
    item.type === 'secret' ? secretNote(item, mask, onEdit) : null,
  );
  const edited = () => onEdit(item.name);
  widget.addEventListener('input', edited);
  widget.addEventListener('change', edited);
  widget.addEventListener('blur', () => {
    if (widget.value !== '') edited();
  });
  return wrapper;
}

/** A password field with a Show/Hide button that keeps its own accessible state. */
function secretControl(widget) {
  const toggle = el('button', {
    type: 'button',
    className: 'button button-quiet reveal',
    'aria-pressed': 'false',
    'aria-controls': widget.id,
    text: 'Show',
  });
  toggle.addEventListener('click', () => {
    const show = widget.type === 'password';
    widget.type = show ? 'text' : 'password';
    toggle.setAttribute('aria-pressed', String(show));
    toggle.textContent = show ? 'Hide' : 'Show';
  });
  return el('div', { className: 'secret-row' }, widget, toggle);
}

/**
 * Builds the popup's fields from GET /console/api/configuration's answer, in fieldsets by group
 * (in the order of each group's first item). `onEdit(name)` is called on every change.
 */
export function renderFields(data, onEdit) {
  const groups = new Map();
  for (const item of data.items) {
    if (!groups.has(item.group)) groups.set(item.group, []);
    groups.get(item.group).push(item);
  }
  const sections = [...groups].map(([group, items]) =>
    el(
      'fieldset',
      { className: 'group' },
      el('legend', { text: group }),
      el('div', { className: 'group-fields' }, ...items.map((item) => field(item, data, onEdit))),
    ),
  );
  $('config-fields').replaceChildren(...sections);
}

/** The typed configuration, as the API takes it: empty fields are left for the defaults. */
export function collect(items) {
  const config = {};
  const clearSecrets = [];
  for (const item of items) {
    const widget = input(item.name);
    if (item.type === 'bool') {
      config[item.name] = widget.checked;
    } else if (item.type === 'number') {
      const text = widget.value.trim();
      config[item.name] = /^\d+$/.test(text) ? Number(text) : text;
    } else {
      config[item.name] = widget.value;
    }
    if ($(`${fieldId(item.name)}-clear`)?.checked) clearSecrets.push(item.name);
  }
  return { config, clearSecrets };
}
