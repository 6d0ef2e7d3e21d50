// The configuration popup's data, both ways. Out to the browser: the manifest's config items
// and the saved values with every secret item removed, each secret only as "set, ends in abcd".
// In from the browser: the typed values, where a secret left empty means "keep the saved one".

const isPlainObject = (value) =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Characters of a saved secret the popup may show, so a person can tell which one it is. */
const SHOWN_SECRET_CHARS = 4;

/** The members of a config item the popup uses (everything the manifest defines for one). */
const ITEM_MEMBERS = [
  'name',
  'type',
  'displayName',
  'hint',
  'group',
  'required',
  'secret',
  'default',
  'pattern',
  'minLength',
  'maxLength',
  'min',
  'max',
  'options',
  'optionLabels',
];

const isEmpty = (value) => value === undefined || value === null || value === '';

function secretNames(manifest) {
  return manifest.config.filter((item) => item.secret).map((item) => item.name);
}

/** `{set: true, last4}` for a saved secret, `{set: false}` otherwise. */
function maskSecret(value) {
  if (typeof value !== 'string' || value === '') return { set: false };
  return { set: true, last4: value.slice(-SHOWN_SECRET_CHARS) };
}

/**
 * What GET /console/api/configuration answers.
 * @param {object} manifest
 * @param {object | null} saved the saved configuration (secrets included), null when none
 * @param {object} hostDefaults values the host pre-fills for a new installation
 * @param {object} placeholders shown in empty fields: what the host uses when left empty
 */
function popupData(manifest, saved, hostDefaults, placeholders) {
  const secrets = new Set(secretNames(manifest));
  const values = {};
  const masks = {};
  for (const item of manifest.config) {
    if (secrets.has(item.name)) {
      masks[item.name] = maskSecret(saved?.[item.name]);
      continue;
    }
    // What the plugin runs with: the saved value, else the default it falls back to.
    values[item.name] = saved
      ? (saved[item.name] ?? item.default)
      : (hostDefaults[item.name] ?? item.default);
  }
  return {
    items: manifest.config.map((item) =>
      Object.fromEntries(ITEM_MEMBERS.filter((m) => m in item).map((m) => [m, item[m]])),
    ),
    values,
    secrets: masks,
    placeholders,
  };
}

/**
 * The configuration a submission means: its non-empty values, plus each saved secret whose
 * field was left empty, unless the submission asks to clear it.
 * @param {object} manifest
 * @param {unknown} body `{config, clearSecrets?}` as the browser sent it
 * @param {object | null} saved
 * @returns {{config: object} | {problems: {field: string, reason: string}[]}}
 */
function submittedConfig(manifest, body, saved) {
  if (!isPlainObject(body) || !isPlainObject(body.config)) {
    return {
      problems: [
        { field: 'config', reason: 'send {"config": {...}} with the settings as members' },
      ],
    };
  }
  // The host supplies these itself (codeHashingKey): a submission must not choose them.
  const hostSecrets = (manifest.hostSecrets ?? []).filter((item) => item.name in body.config);
  if (hostSecrets.length) {
    return {
      problems: hostSecrets.map((item) => ({
        field: item.name,
        reason: 'is supplied by the host, not by the configuration: leave it out',
      })),
    };
  }
  const clear = Array.isArray(body.clearSecrets) ? body.clearSecrets : [];
  // fromEntries defines members (a "__proto__" member stays a member, never a prototype).
  const config = Object.fromEntries(
    Object.entries(body.config).filter(([, value]) => !isEmpty(value)),
  );
  for (const name of secretNames(manifest)) {
    if (isEmpty(config[name]) && !clear.includes(name) && !isEmpty(saved?.[name])) {
      config[name] = saved[name];
    }
  }
  return { config };
}

module.exports = { popupData, submittedConfig, maskSecret, secretNames };
