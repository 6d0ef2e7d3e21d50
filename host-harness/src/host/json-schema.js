// A JSON Schema (draft 2020-12) validator for the subset of keywords plugin-manifest.schema.json
// uses. A keyword outside that subset is an error, never silently ignored, so the schema cannot
// grow a rule that nothing checks. Every problem is reported, each with the JSON Pointer of the
// value it is about.

/** Keywords that only document; they never fail a value. */
const ANNOTATIONS = new Set([
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'title',
  'description',
  'default',
  'examples',
]);

/** Keywords that `if` applies; alone they do nothing. */
const APPLIED_BY_IF = new Set(['then', 'else']);

function typeOf(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value, type) {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Structural equality of JSON values, for const, enum and uniqueItems. */
function jsonEqual(a, b) {
  if (a === b) return true;
  if (typeOf(a) !== typeOf(b) || typeof a !== 'object' || a === null) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  const keys = Object.keys(a);
  return (
    keys.length === Object.keys(b).length &&
    keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]))
  );
}

const pointer = (path, key) => `${path}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;
const show = (value) => JSON.stringify(value);

/**
 * @param {object} root the schema
 * @returns {(value: unknown) => {path: string, message: string}[]} every problem; [] when valid
 */
function compileSchema(root) {
  const patterns = new Map();
  const regex = (source) => {
    if (!patterns.has(source)) patterns.set(source, new RegExp(source, 'u'));
    return patterns.get(source);
  };

  function resolve(ref) {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}: only #/... is supported`);
    let target = root;
    for (const part of ref.slice(2).split('/')) {
      target = target?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    if (target === undefined) throw new Error(`$ref ${ref} points at nothing`);
    return target;
  }

  /** Problems of `value` at `path` against `schema`. */
  function check(schema, value, path) {
    if (schema === true) return [];
    if (schema === false) return [{ path, message: 'is not allowed here' }];
    const problems = [];
    const fail = (message, at = path) => problems.push({ path: at || '/', message });
    for (const [keyword, arg] of Object.entries(schema)) {
      if (ANNOTATIONS.has(keyword) || APPLIED_BY_IF.has(keyword)) continue;
      const rule = KEYWORDS[keyword];
      if (!rule) throw new Error(`the schema uses "${keyword}", which this validator lacks`);
      rule({ schema, arg, value, path, fail, problems, check, resolve, regex });
    }
    return problems;
  }

  return (value) => check(root, value, '');
}

const isObject = (value) => typeOf(value) === 'object';

/** Each keyword: adds its problems through `fail`, or those of subschemas to `problems`. */
const KEYWORDS = {
  $ref: ({ arg, value, path, problems, check, resolve }) => {
    problems.push(...check(resolve(arg), value, path));
  },
  type: ({ arg, value, fail }) => {
    const types = Array.isArray(arg) ? arg : [arg];
    if (!types.some((type) => hasType(value, type))) {
      fail(`must be ${types.join(' or ')}, not ${typeOf(value)}`);
    }
  },
  enum: ({ arg, value, fail }) => {
    if (!arg.some((option) => jsonEqual(option, value))) {
      fail(`must be one of ${arg.map(show).join(', ')}, not ${show(value)}`);
    }
  },
  const: ({ arg, value, fail }) => {
    if (!jsonEqual(arg, value)) fail(`must be ${show(arg)}, not ${show(value)}`);
  },
  pattern: ({ arg, value, fail, regex }) => {
    if (typeof value === 'string' && !regex(arg).test(value)) {
      fail(`${show(value)} does not match ${arg}`);
    }
  },
  minLength: ({ arg, value, fail }) => {
    if (typeof value === 'string' && [...value].length < arg) {
      fail(`must have at least ${arg} characters`);
    }
  },
  maxLength: ({ arg, value, fail }) => {
    if (typeof value === 'string' && [...value].length > arg) {
      fail(`must have at most ${arg} characters`);
    }
  },
  minimum: ({ arg, value, fail }) => {
    if (typeof value === 'number' && value < arg) fail(`must be at least ${arg}`);
  },
  maximum: ({ arg, value, fail }) => {
    if (typeof value === 'number' && value > arg) fail(`must be at most ${arg}`);
  },
  required: ({ arg, value, path, fail }) => {
    if (!isObject(value)) return;
    for (const name of arg) {
      if (!Object.hasOwn(value, name)) fail(`lacks the required property "${name}"`, path);
    }
  },
  properties: ({ arg, value, path, problems, check }) => {
    if (!isObject(value)) return;
    for (const [name, sub] of Object.entries(arg)) {
      if (Object.hasOwn(value, name))
        problems.push(...check(sub, value[name], pointer(path, name)));
    }
  },
  additionalProperties: ({ schema, arg, value, path, fail, problems, check }) => {
    if (!isObject(value)) return;
    for (const name of Object.keys(value)) {
      if (schema.properties && Object.hasOwn(schema.properties, name)) continue;
      if (arg === false) fail(`has the unknown property "${name}"`);
      else problems.push(...check(arg, value[name], pointer(path, name)));
    }
  },
  propertyNames: ({ arg, value, path, problems, check }) => {
    if (!isObject(value)) return;
    for (const name of Object.keys(value)) {
      for (const problem of check(arg, name, path)) {
        problems.push({ ...problem, message: `property name ${problem.message}` });
      }
    }
  },
  items: ({ arg, value, path, problems, check }) => {
    if (!Array.isArray(value)) return;
    value.forEach((item, i) => {
      problems.push(...check(arg, item, pointer(path, i)));
    });
  },
  minItems: ({ arg, value, fail }) => {
    if (Array.isArray(value) && value.length < arg) fail(`must have at least ${arg} items`);
  },
  uniqueItems: ({ arg, value, fail }) => {
    if (!arg || !Array.isArray(value)) return;
    value.forEach((item, i) => {
      if (value.findIndex((other) => jsonEqual(other, item)) < i) {
        fail(`repeats ${show(item)}`);
      }
    });
  },
  allOf: ({ arg, value, path, problems, check }) => {
    for (const sub of arg) problems.push(...check(sub, value, path));
  },
  anyOf: ({ arg, value, path, fail, check }) => {
    const failures = arg.map((sub) => check(sub, value, path));
    if (failures.every((found) => found.length > 0)) {
      fail(
        `must match one of ${arg.length} forms: ${failures.map((f) => f[0].message).join('; or ')}`,
      );
    }
  },
  not: ({ arg, value, fail, check }) => {
    if (check(arg, value, '').length > 0) return;
    const only = Object.keys(arg);
    fail(
      only.length === 1 && only[0] === 'required'
        ? `must not have ${arg.required.map(show).join(' or ')} here`
        : `must not match ${show(arg)}`,
    );
  },
  if: ({ schema, arg, value, path, problems, check }) => {
    const branch = check(arg, value, path).length === 0 ? schema.then : schema.else;
    if (branch !== undefined) problems.push(...check(branch, value, path));
  },
};

module.exports = { compileSchema };
