// The JS binding of the plugin's WIT world, for the component build: JS values as the
// wasm-bindgen build takes them, to the WIT shapes jco lowers, and the component's answers back
// to the JS shapes the wasm-bindgen build gives. The rules are the ones wit/types.wit states
// (camelCase names, `json-object` as a plain object, `headers` as an object, `option` absent or
// null, 64-bit integers as numbers, `error-code` in SCREAMING_SNAKE, hook outcomes by `action`,
// errors as thrown `Error`s). JS input is read with the bounds the wasm-bindgen build applies,
// and a value WIT cannot carry (text where a number belongs) gets the error that build gives.

const MAX_DEPTH = 16;
const MAX_NODES = 10_000;
const MAX_STRING = 65_536;
/** Out of range for every numeric setting, so the plugin reports the range in its own words. */
const OUT_OF_RANGE = 4_294_967_295;

/** A JS `Error` as the plugin throws it: `code`, `status`, `message`, `details`. */
function pluginError({ code, status, message, details }) {
  const err = new Error(message);
  err.name = 'TwilioPluginError';
  err.code = code;
  err.status = status;
  err.details = details;
  return err;
}

const invalidInput = (field, expected) =>
  pluginError({
    code: 'INVALID_INPUT',
    status: 400,
    message: `\`${field}\` must be ${expected}.`,
    details: { field },
  });

function configInvalid(problems) {
  const summary = problems.map((p) => `${p.field}: ${p.reason}`).join('; ');
  return pluginError({
    code: 'CONFIG_INVALID',
    status: 500,
    message: `The plugin configuration is not valid: ${summary}`,
    details: { problems },
  });
}

/** A WIT `plugin-error` (jco's shape) as the JS Error the wasm-bindgen build throws. */
function fromWitError(payload) {
  let details = {};
  try {
    details = JSON.parse(payload.details);
  } catch {
    // An unreadable details text is no reason to lose the error itself.
  }
  return pluginError({
    code: payload.code.toUpperCase().replace(/-/g, '_'),
    status: payload.status,
    message: payload.message,
    details,
  });
}

/** A JS value as plain JSON data, within the bounds; throws INVALID_INPUT naming `path`. */
function toJson(value, path) {
  let nodes = 0;
  const convert = (item, at, depth) => {
    nodes += 1;
    if (nodes > MAX_NODES) throw invalidInput(at, 'smaller: the input has too many values');
    if (item === null || item === undefined) return null;
    if (typeof item === 'boolean') return item;
    if (typeof item === 'number') return Number.isFinite(item) ? item : null;
    if (typeof item === 'string') {
      if (item.length > MAX_STRING) throw invalidInput(at, 'at most 65,536 characters long');
      return item;
    }
    if (typeof item !== 'object') {
      throw invalidInput(at, 'plain JSON data (text, numbers, true/false, lists, objects)');
    }
    if (depth >= MAX_DEPTH) throw invalidInput(at, 'less deeply nested');
    try {
      if (Array.isArray(item)) {
        const out = [];
        for (let i = 0; i < item.length; i += 1)
          out.push(convert(item[i], `${at}[${i}]`, depth + 1));
        return out;
      }
      const out = {};
      for (const key of Reflect.ownKeys(item)) {
        if (typeof key !== 'string') continue;
        const child = item[key];
        if (child === undefined) continue;
        // Defined, not assigned: a key named __proto__ is data like any other, as in the
        // other build's JSON, instead of setting this object's prototype.
        Object.defineProperty(out, key, {
          value: convert(child, `${at}.${key}`, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    } catch (err) {
      if (err?.name === 'TwilioPluginError') throw err;
      throw invalidInput(at, 'a readable object');
    }
  };
  return convert(value, path, 0);
}

const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

/** A `json-object` argument: an object, as JSON text. */
function jsonObject(value, name, what) {
  const json = toJson(value, name);
  if (!isObject(json)) throw invalidInput(name, what);
  return JSON.stringify(json);
}

/** The context; a missing one is empty and unknown members are ignored. */
function context(ctx) {
  const json = toJson(ctx, 'ctx');
  const out = {};
  if (!isObject(json)) return out;
  for (const key of [
    'userId',
    'event',
    'requestId',
    'clientIp',
    'userAgent',
    'appName',
    'locale',
  ]) {
    if (typeof json[key] === 'string') out[key] = json[key];
  }
  return out;
}

/** `{user}` or `{error: {code, message}}`; anything else is a failure, as in the other build. */
function hostResult(result) {
  const json = toJson(result, 'result');
  if (isObject(json) && isObject(json.user)) return { tag: 'user', val: JSON.stringify(json.user) };
  const error = isObject(json) ? json.error : undefined;
  const text = (key) => {
    const value = isObject(error) ? error[key] : undefined;
    if (value === undefined) return '';
    return typeof value === 'string' ? [...value].slice(0, 200).join('') : JSON.stringify(value);
  };
  return { tag: 'failed', val: { code: text('code'), message: text('message') } };
}

function outcome({ tag, val }) {
  if (tag === 'respond')
    return { action: 'respond', status: val.status, body: JSON.parse(val.body) };
  if (tag === 'authenticate') return { action: 'authenticate', userId: val };
  return val === undefined ? { action: 'continue' } : { action: 'continue', args: JSON.parse(val) };
}

/**
 * A request record: each field in the order the plugin reads it, text or absent. A required
 * text that is absent becomes empty, which the plugin reports as missing in its own words.
 */
function request(value, fields) {
  const json = toJson(value, 'request');
  if (!isObject(json)) throw invalidInput('request', 'an object of named fields');
  const out = {};
  for (const [field, kind] of fields) {
    const item = json[field];
    if (kind === 'list') {
      out[field] = Array.isArray(item)
        ? item.map((url) => (typeof url === 'string' ? url : ''))
        : [];
    } else if (kind === 'headers') {
      out[field] = isObject(item)
        ? // A value that is not text stays, as no signature at all (the plugin's `header`).
          Object.entries(item).map(([k, v]) => [k, typeof v === 'string' ? v : ''])
        : [];
    } else if (item === null || item === undefined) {
      // A WIT string: absent is empty (the plugin refuses it), as the other build reads it.
      out[field] = kind === 'optional' ? undefined : '';
    } else if (typeof item === 'string') {
      out[field] = item;
    } else if (kind === 'raw') {
      out[field] = '';
    } else {
      throw invalidInput(field, 'text');
    }
  }
  return out;
}

const REQUESTS = {
  sendSms: [
    ['to', 'required'],
    ['body', 'required'],
    ['statusCallback', 'optional'],
  ],
  sendMms: [
    ['to', 'required'],
    ['body', 'optional'],
    ['mediaUrls', 'list'],
    ['statusCallback', 'optional'],
  ],
  startVerification: [
    ['phoneNumber', 'required'],
    ['purpose', 'optional'],
    ['channel', 'optional'],
  ],
  checkVerification: [
    ['phoneNumber', 'required'],
    ['purpose', 'optional'],
    ['transactionId', 'required'],
    ['transactionCode', 'required'],
  ],
  getMessageStatus: [['sid', 'required']],
  handleStatusCallback: [
    ['url', 'raw'],
    ['headers', 'headers'],
    ['body', 'raw'],
  ],
};

const orNull = (value) => (value === undefined ? null : value);
const number = (value) => (typeof value === 'bigint' ? Number(value) : orNull(value));

/** The answers of the services, as the other build gives them. */
const REPLIES = {
  sendSms: sentMessage,
  sendMms: sentMessage,
  startVerification(reply) {
    const out = { ...reply };
    for (const key of ['deliveryUncertain', 'message']) if (out[key] === undefined) delete out[key];
    return out;
  },
  checkVerification: (reply) => reply,
  getMessageStatus: (reply) => ({
    sid: reply.sid,
    status: reply.status,
    errorCode: number(reply.errorCode),
    to: reply.to,
    updatedAt: Number(reply.updatedAt),
  }),
  handleStatusCallback: (reply) => ({ ...reply, status: orNull(reply.status) }),
};

function sentMessage(reply) {
  return {
    sid: reply.sid,
    status: reply.status,
    to: reply.to,
    from: orNull(reply.from),
    numSegments: orNull(reply.numSegments),
    numMedia: orNull(reply.numMedia),
  };
}

/**
 * The settings as WIT's `config` record carries them, by the manifest's config items (which a
 * test holds to the WIT record), and the problems WIT cannot carry to the plugin: names that are
 * no setting, and values of the wrong kind. Numbers written as text are read as the other build
 * reads them; a number that is not a setting's whole number goes on out of range, for the plugin
 * to report with the setting's range.
 */
/** Settings that JS may give as a JSON value, and the WIT record carries as JSON text. */
const JSON_TEXT_SETTINGS = new Set(['messageTemplates']);

function config(value, items) {
  let json;
  try {
    json = toJson(value, 'config');
  } catch (err) {
    return {
      record: { accountSid: '', authToken: '' },
      problems: [{ field: 'config', reason: err.message }],
    };
  }
  const problems = [];
  const record = { accountSid: '', authToken: '' };
  if (!isObject(json)) {
    problems.push({ field: 'config', reason: 'must be an object of settings' });
    return { record, problems };
  }
  const kinds = new Map(items.map((item) => [item.name, item.type]));
  for (const [name, given] of Object.entries(json)) {
    const kind = kinds.get(name);
    if (kind === undefined) {
      problems.push({ field: name, reason: 'is not a setting of this plugin; check the spelling' });
    } else if (given === null) {
      // Absent.
    } else if (kind === 'number') {
      if (typeof given === 'string' && given.trim() === '') continue;
      const n = typeof given === 'string' && /^\s*\d+\s*$/.test(given) ? Number(given) : given;
      record[name] = Number.isInteger(n) && n >= 0 && n < OUT_OF_RANGE ? n : OUT_OF_RANGE;
    } else if (kind === 'bool') {
      if (typeof given === 'boolean') record[name] = given;
      else if (given === 'true' || given === 'false') record[name] = given === 'true';
      else problems.push({ field: name, reason: 'must be true or false' });
    } else if (typeof given === 'string') {
      record[name] = given;
    } else if (JSON_TEXT_SETTINGS.has(name)) {
      // Given as a value (messageTemplates' object), it goes as its JSON text, which the plugin
      // reads as the other build reads the value, refusals included.
      record[name] = JSON.stringify(given);
    } else {
      problems.push({ field: name, reason: 'must be text' });
    }
  }
  return { record, problems };
}

/** The plugin's problems and the binding's, one per field, the binding's first. */
function mergeProblems(own, plugins) {
  const named = new Set(own.map((p) => p.field));
  return [...own, ...plugins.filter((p) => !named.has(p.field))];
}

module.exports = {
  REQUESTS,
  REPLIES,
  config,
  configInvalid,
  context,
  fromWitError,
  hostResult,
  jsonObject,
  mergeProblems,
  outcome,
  pluginError,
  request,
};
