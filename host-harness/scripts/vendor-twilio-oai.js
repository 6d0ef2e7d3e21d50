#!/usr/bin/env node
'use strict';
// Writes test/support/twilio-oai/: pruned copies of Twilio's official OpenAPI descriptions
// (repository twilio/twilio-oai, folder spec/json) holding only the operations this project
// calls and every schema they reference, transitively. Run by a person when Twilio's spec is
// to be refreshed, never by the tests or CI, so nothing at run time needs the full spec:
//
//   node scripts/vendor-twilio-oai.js <folder with twilio_api_v2010.json, ...>
//
// It formats what it wrote with the project's Biome (JSON arrays as Biome lays them out), and
// leaves the README to the person: update the commit it names.

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const OUT_DIR = path.join(__dirname, '..', 'test', 'support', 'twilio-oai');

/** Spec file -> path -> the methods of it the plugin uses. */
const OPERATIONS = {
  'twilio_api_v2010.json': {
    '/2010-04-01/Accounts/{Sid}.json': ['get'],
    '/2010-04-01/Accounts/{AccountSid}/Messages.json': ['post'],
    '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json': ['get'],
    '/2010-04-01/Accounts/{AccountSid}/Calls.json': ['post'],
    '/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json': ['get'],
  },
  'twilio_messaging_v1.json': {
    '/v1/Services/{Sid}': ['get'],
  },
  'twilio_verify_v2.json': {
    '/v2/Services/{Sid}': ['get'],
    '/v2/Services/{ServiceSid}/Verifications': ['post'],
    '/v2/Services/{ServiceSid}/Verifications/{Sid}': ['get'],
    '/v2/Services/{ServiceSid}/VerificationCheck': ['post'],
  },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every local `$ref` (`#/components/<kind>/<name>`) under `value`. */
function refsIn(value, found = new Set()) {
  if (Array.isArray(value)) {
    for (const item of value) refsIn(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (key === '$ref' && typeof item === 'string' && item.startsWith('#/components/')) {
        found.add(item);
      } else {
        refsIn(item, found);
      }
    }
  }
  return found;
}

function resolvePointer(doc, ref) {
  const [, kind, name] = ref.split('/').slice(1);
  const target = doc.components?.[kind]?.[name];
  if (target === undefined) throw new Error(`unresolvable $ref ${ref}`);
  return { kind, name, target };
}

function prune(doc, wanted) {
  const paths = {};
  const tags = new Set();
  for (const [route, methods] of Object.entries(wanted)) {
    const item = doc.paths[route];
    if (!item) throw new Error(`the spec has no path ${route}`);
    const kept = Object.fromEntries(
      Object.entries(item).filter(([key]) => !HTTP_METHODS.includes(key)),
    );
    for (const method of methods) {
      if (!item[method]) throw new Error(`the spec has no ${method.toUpperCase()} ${route}`);
      kept[method] = item[method];
      for (const tag of item[method].tags ?? []) tags.add(tag);
    }
    paths[route] = kept;
  }

  // Follow references until no new one appears.
  const components = {};
  const pending = [...refsIn(paths)];
  const seen = new Set(pending);
  while (pending.length > 0) {
    const { kind, name, target } = resolvePointer(doc, pending.pop());
    components[kind] ??= {};
    components[kind][name] = target;
    for (const ref of refsIn(target)) {
      if (!seen.has(ref)) {
        seen.add(ref);
        pending.push(ref);
      }
    }
  }
  if (doc.components?.securitySchemes) components.securitySchemes = doc.components.securitySchemes;
  for (const kind of Object.keys(components)) {
    components[kind] = Object.fromEntries(
      Object.keys(components[kind])
        .sort()
        .map((name) => [name, components[kind][name]]),
    );
  }

  const pruned = {};
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'paths') pruned.paths = paths;
    else if (key === 'components') pruned.components = components;
    else if (key === 'tags') pruned.tags = value.filter((tag) => tags.has(tag.name));
    else pruned[key] = value;
  }
  return pruned;
}

function main() {
  const source = process.argv[2];
  if (!source) {
    process.stderr.write(
      'usage: node scripts/vendor-twilio-oai.js <folder of twilio-oai spec/json>\n',
    );
    process.exit(2);
  }
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const [file, wanted] of Object.entries(OPERATIONS)) {
    const doc = JSON.parse(fs.readFileSync(path.join(source, file), 'utf8'));
    const pruned = prune(doc, wanted);
    fs.writeFileSync(path.join(OUT_DIR, file), `${JSON.stringify(pruned, null, 2)}\n`);
    const schemas = Object.keys(pruned.components.schemas ?? {}).length;
    process.stdout.write(`${file}: ${Object.keys(wanted).length} paths, ${schemas} schemas\n`);
  }
  const license = path.join(OUT_DIR, 'LICENSE');
  fs.copyFileSync(path.join(source, 'LICENSE'), license);
  fs.chmodSync(license, 0o644);
  const biome = require.resolve('@biomejs/biome/bin/biome');
  execFileSync(process.execPath, [biome, 'format', '--write', OUT_DIR], { stdio: 'inherit' });
  process.stdout.write('now name the source commit in test/support/twilio-oai/README.md\n');
}

main();
