'use strict';
// Checks requests and answers against Twilio's own OpenAPI descriptions (the pruned copies in
// twilio-oai/): a request's path, query and form parameters against the operation's
// parameters and request body, and an answer's JSON against its response schema (Ajv). Each
// check returns a list of problems, empty when all is well, so a test can assert
// `deepEqual(problems, [])` and read every problem at once.
//
// Twilio's schemas are OpenAPI 3.0: `nullable: true` is rewritten into a type union (`null`
// added to `type` and to any `enum`) when they are loaded. Twilio lists no `required`
// properties in its resources, yet always sends them all: checkResponse also reports a
// property of the schema missing from the answer, and one the schema does not have. Twilio
// does not describe its error bodies; an error answer is checked against the body every
// Twilio error has (twilio-api.md): code, message, more_info, status.

const Ajv = require('ajv');

const SPECS = [
  require('./twilio-oai/twilio_api_v2010.json'),
  require('./twilio-oai/twilio_messaging_v1.json'),
  require('./twilio-oai/twilio_verify_v2.json'),
];

const TWILIO_ERROR_SCHEMA = {
  type: 'object',
  properties: {
    code: { type: 'integer' },
    message: { type: 'string', minLength: 1 },
    more_info: { type: 'string', pattern: '^https://www\\.twilio\\.com/docs/errors/\\d+$' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
  },
  required: ['code', 'message', 'more_info', 'status'],
  additionalProperties: false,
};

/** A deep copy with OpenAPI's `nullable` turned into JSON Schema. */
function normalize(schema) {
  if (Array.isArray(schema)) return schema.map(normalize);
  if (!schema || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key !== 'nullable') out[key] = normalize(value);
  }
  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

const RFC_2822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
/** Twilio's own formats; the rest (`phone-number`, `uri-map`, ...) only name a meaning. */
const FORMATS = {
  'date-time': ISO_8601,
  'date-time-rfc-2822': RFC_2822,
  uri: (value) => URL.canParse(value) || value.startsWith('/'),
};

const ajv = new Ajv({ strict: false, allErrors: true });
for (const [name, check] of Object.entries(FORMATS)) ajv.addFormat(name, check);
const KNOWN_FORMATS = new Set(Object.keys(FORMATS));
for (const [index, spec] of SPECS.entries()) {
  for (const format of formatsIn(spec.components.schemas)) {
    if (!KNOWN_FORMATS.has(format)) {
      KNOWN_FORMATS.add(format);
      ajv.addFormat(format, true);
    }
  }
  ajv.addSchema({
    $id: specId(index),
    components: normalize({ schemas: spec.components.schemas }),
  });
}

function specId(index) {
  return `https://twilio-oai.test/spec-${index}.json`;
}

function formatsIn(value, found = new Set()) {
  if (Array.isArray(value)) for (const item of value) formatsIn(item, found);
  else if (value && typeof value === 'object') {
    if (typeof value.format === 'string') found.add(value.format);
    for (const item of Object.values(value)) formatsIn(item, found);
  }
  return found;
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every operation of every spec, with a matcher for its path template. */
const OPERATIONS = SPECS.flatMap((spec, specIndex) =>
  Object.entries(spec.paths).flatMap(([template, item]) => {
    const names = [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const pattern = new RegExp(
      `^${template
        .split(/\{[^}]+\}/)
        .map(escapeRegExp)
        .join('([^/]+)')}$`,
    );
    return Object.entries(item)
      .filter(([method]) => ['get', 'post', 'put', 'delete', 'patch'].includes(method))
      .map(([method, operation]) => ({
        spec,
        specIndex,
        template,
        method: method.toUpperCase(),
        pattern,
        names,
        operation,
        parameters: [...(item.parameters ?? []), ...(operation.parameters ?? [])],
      }));
  }),
);

function findOperation(method, path) {
  const pathname = new URL(path, 'https://api.twilio.com').pathname;
  for (const candidate of OPERATIONS) {
    if (candidate.method !== method.toUpperCase()) continue;
    const match = candidate.pattern.exec(pathname);
    if (!match) continue;
    const values = Object.fromEntries(
      candidate.names.map((name, i) => [name, decodeURIComponent(match[i + 1])]),
    );
    return { ...candidate, values };
  }
  return null;
}

/** `#/components/schemas/X` to its schema in the same spec (one level is all Twilio uses). */
function deref(spec, schema) {
  let current = schema ?? {};
  while (current.$ref) {
    const name = current.$ref.replace('#/components/schemas/', '');
    current = spec.components.schemas[name] ?? {};
  }
  return current;
}

/** Problems with one text value against a (dereferenced) parameter schema. */
function valueProblems(label, value, schema) {
  const problems = [];
  if (schema.type === 'boolean' && value !== 'true' && value !== 'false') {
    problems.push(`${label}: "${value}" is not true or false`);
  }
  if (schema.type === 'integer') {
    if (!/^-?\d+$/.test(value)) problems.push(`${label}: "${value}" is not an integer`);
    else {
      if (schema.minimum !== undefined && Number(value) < schema.minimum) {
        problems.push(`${label}: ${value} is below ${schema.minimum}`);
      }
      if (schema.maximum !== undefined && Number(value) > schema.maximum) {
        problems.push(`${label}: ${value} is above ${schema.maximum}`);
      }
    }
  }
  if (schema.type === 'number' && !/^-?\d+(\.\d+)?$/.test(value)) {
    problems.push(`${label}: "${value}" is not a number`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    problems.push(`${label}: "${value}" is not one of ${schema.enum.join(', ')}`);
  }
  if (schema.pattern && !new RegExp(schema.pattern).test(value)) {
    problems.push(`${label}: "${value}" does not match ${schema.pattern}`);
  }
  if (schema.minLength !== undefined && [...value].length < schema.minLength) {
    problems.push(`${label}: "${value}" is shorter than ${schema.minLength}`);
  }
  if (schema.maxLength !== undefined && [...value].length > schema.maxLength) {
    problems.push(`${label}: "${value}" is longer than ${schema.maxLength}`);
  }
  return problems;
}

/** Problems with a list of [name, value] pairs against named, typed parameters. */
function pairsProblems(kind, pairs, specOf, spec, required) {
  const problems = [];
  const counts = new Map();
  for (const [name, value] of pairs) {
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const declared = specOf(name);
    if (!declared) {
      problems.push(`${kind} parameter ${name} is not in Twilio's OpenAPI for this operation`);
      continue;
    }
    const schema = deref(spec, declared);
    const itemSchema = schema.type === 'array' ? deref(spec, schema.items) : schema;
    problems.push(...valueProblems(`${kind} ${name}`, value, itemSchema));
  }
  for (const [name, count] of counts) {
    const declared = specOf(name);
    if (declared && count > 1 && deref(spec, declared).type !== 'array') {
      problems.push(`${kind} parameter ${name} is repeated but is not a list`);
    }
  }
  for (const name of required) {
    if (!counts.has(name)) problems.push(`required ${kind} parameter ${name} is missing`);
  }
  return problems;
}

/**
 * Problems with a request as the simulator logged it (`sim.requests.list()` entries, or
 * anything with the same fields): `{method, path, form, query}`, with form and query as
 * `[name, value]` pairs (an object is taken too).
 */
function checkRequest({ method, path, form = [], query = [] }) {
  const found = findOperation(method, path);
  if (!found) return [`no operation ${method} ${path} in Twilio's OpenAPI`];
  const { spec, operation, parameters, values } = found;
  const toPairs = (value) => (Array.isArray(value) ? value : Object.entries(value ?? {}));
  const problems = [];

  for (const parameter of parameters.filter((p) => p.in === 'path')) {
    problems.push(
      ...valueProblems(
        `path ${parameter.name}`,
        values[parameter.name] ?? '',
        deref(spec, parameter.schema),
      ),
    );
  }

  const queryParameters = parameters.filter((p) => p.in === 'query');
  problems.push(
    ...pairsProblems(
      'query',
      toPairs(query),
      (name) => queryParameters.find((p) => p.name === name)?.schema,
      spec,
      queryParameters.filter((p) => p.required).map((p) => p.name),
    ),
  );

  const formPairs = toPairs(form);
  const body = operation.requestBody?.content?.['application/x-www-form-urlencoded']?.schema;
  if (!body) {
    if (formPairs.length > 0) problems.push(`${method} ${found.template} takes no form body`);
    return problems;
  }
  const properties = deref(spec, body).properties ?? {};
  problems.push(
    ...pairsProblems(
      'form',
      formPairs,
      (name) => properties[name],
      spec,
      deref(spec, body).required ?? [],
    ),
  );
  return problems;
}

/** A copy of `schema` whose local `$ref`s point into spec `index`, to compile on its own. */
function absolutize(schema, index) {
  if (Array.isArray(schema)) return schema.map((item) => absolutize(item, index));
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([key, value]) =>
      key === '$ref' && typeof value === 'string' && value.startsWith('#')
        ? [key, `${specId(index)}${value}`]
        : [key, absolutize(value, index)],
    ),
  );
}

const validators = new Map();

/** The compiled validator for a response schema of spec `index` (compiled once). */
function validatorFor(index, schema) {
  const key = `${index} ${JSON.stringify(schema)}`;
  if (!validators.has(key)) validators.set(key, ajv.compile(normalize(absolutize(schema, index))));
  return validators.get(key);
}

const validateTwilioError = ajv.compile(TWILIO_ERROR_SCHEMA);

function schemaProblems(validate, json) {
  if (validate(json)) return [];
  return validate.errors.map((error) => `${error.instancePath || '(body)'} ${error.message}`);
}

/**
 * Problems with an answer: its status is one the operation documents, its JSON its schema's.
 * An error answer (4xx, 5xx) is checked against Twilio's error body on any path, since Twilio's
 * spec describes no errors and the simulator answers them for paths the spec has not.
 */
function checkResponse(method, path, status, json) {
  if (status >= 400) {
    const problems = schemaProblems(validateTwilioError, json);
    if (json?.status !== status) problems.push(`body status ${json?.status} is not HTTP ${status}`);
    return problems;
  }
  const found = findOperation(method, path);
  if (!found) return [`no operation ${method} ${path} in Twilio's OpenAPI`];
  const response = found.operation.responses?.[String(status)];
  if (!response) {
    const documented = Object.keys(found.operation.responses ?? {}).join(', ');
    return [`${method} ${found.template} documents status ${documented}, not ${status}`];
  }
  const schema = response.content?.['application/json']?.schema;
  if (!schema)
    return json === undefined || json === null ? [] : ['the operation documents no JSON body'];
  const problems = schemaProblems(validatorFor(found.specIndex, schema), json);
  const properties = Object.keys(deref(found.spec, schema).properties ?? {});
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    for (const name of properties) {
      if (!Object.hasOwn(json, name)) problems.push(`property ${name} is missing`);
    }
    for (const name of Object.keys(json)) {
      if (!properties.includes(name)) problems.push(`property ${name} is not in the schema`);
    }
  }
  return problems;
}

module.exports = { checkRequest, checkResponse, findOperation };
