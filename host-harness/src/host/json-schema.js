// plugin-manifest.schema.json (JSON Schema draft 2020-12) checked with Ajv, the ecosystem's
// validator. Ajv runs strict: a keyword or format it does not know is an error when the schema is
// compiled, never a rule silently ignored. Every problem is reported, each with the JSON Pointer
// of the value it is about and words a manifest's author can act on.

const Ajv2020 = require('ajv/dist/2020');

/** What a subschema asks for, in a few words: `"before"` for `{required: ["before"]}`. */
function describe(schema) {
  if (Array.isArray(schema?.required)) return schema.required.map((name) => `"${name}"`).join(', ');
  if (Array.isArray(schema?.allOf)) return schema.allOf.map(describe).join(' and ');
  return 'a schema';
}

/** One Ajv error as `{path, message}`. */
function problemOf(error) {
  const path = error.instancePath || '/';
  const { params } = error;
  const message = {
    additionalProperties: () => `unknown property "${params.additionalProperty}"`,
    required: () => `missing property "${params.missingProperty}"`,
    const: () => `must be ${JSON.stringify(params.allowedValue)}`,
    enum: () => `must be one of ${params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}`,
    pattern: () => `does not match ${params.pattern}`,
    not: () => `must not have ${describe(error.schema)}`,
    anyOf: () => `must have one of ${error.schema.map(describe).join(' or ')}`,
    oneOf: () => `must have exactly one of ${error.schema.map(describe).join(' or ')}`,
  }[error.keyword];
  return { path, message: message ? message() : error.message };
}

/** A validator for `schema`: `(value) => [{path, message}]`, empty when the value is valid. */
function compileSchema(schema) {
  // Strict, except that conditional branches may require properties defined beside them, and
  // a value may be of several types (a default of a number or null).
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false,
    allowUnionTypes: true,
    verbose: true,
  });
  const validate = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return [];
    // anyOf/oneOf report their branches' errors too: the summary says it in one line.
    const summarized = new Set(
      validate.errors
        .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
        .map((e) => e.schemaPath),
    );
    const inBranch = (e) => [...summarized].some((p) => e.schemaPath.startsWith(`${p}/`));
    // An `if` error only says its `then` or `else` failed, which that error says better.
    return validate.errors.filter((e) => e.keyword !== 'if' && !inBranch(e)).map(problemOf);
  };
}

module.exports = { compileSchema };
