// The WIT world's binding to JS, as wit/types.wit states its rules, checked against the parsed
// .d.ts (support/dts-parser.js) and the marketplace manifest. The WIT side is
// `wasm-tools component wit wit/ --json` (pkg/wit.json): names, fields, cases and functions
// with every type resolved. Each check returns a list of problems, one line each, that say
// what differs: empty when the three agree.
const { render } = require('./dts-parser');

const camel = (kebab) => kebab.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const pascal = (kebab) => camel(kebab).replace(/^./, (c) => c.toUpperCase());
const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const NUMBERS = new Set(['u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'f32', 'f64']);

/** WIT names whose TS name is not their PascalCase. */
const TS_NAMES = {
  config: 'PluginConfig',
  'error-code': 'PluginErrorCode',
  'plugin-error': 'PluginErrorShape',
  'host-error': 'HostErrorShape',
  host: 'PluginHost',
};

/**
 * WIT types with no TS declaration of their own, and where their JS form is checked instead.
 * Any other WIT type without one is a problem.
 */
const NO_TS_DECLARATION = {
  'json-object': 'a plain object: Record<string, unknown>',
  headers: 'an object of name to value: Record<string, string>',
  'respond-outcome': "its fields sit in HookOutcome's respond case",
  'host-failure': "an inline object, HostResult's error member",
};

/** TS declarations with no WIT counterpart, and why. Any other one is a problem. */
const TS_ONLY = {
  CodeDelivery:
    'the members every answer that texts a code shares (StartedVerification extends it)',
  HttpFailureKind: 'a deprecated alias of HostErrorKind',
};

/** Enums whose JS names are SCREAMING_SNAKE rather than kebab-case. */
const SCREAMING_ENUMS = new Set(['error-code']);
const enumValue = (enumName, caseName) =>
  SCREAMING_ENUMS.has(enumName) ? caseName.toUpperCase().replace(/-/g, '_') : caseName;

/**
 * How each variant appears in JS, as types.wit documents on each one: `tag`, the member whose
 * string names the case (null: the case is told by which one member is present), and for each
 * case the member holding its payload, or SPREAD for a record's fields beside the tag.
 */
const SPREAD = Symbol('spread');
const VARIANTS = {
  'hook-outcome': {
    tag: 'action',
    payloads: { continue: 'args', respond: SPREAD, authenticate: 'userId' },
  },
  'host-result': { tag: null, payloads: { user: 'user', failed: 'error' } },
};

/**
 * Fields whose JS type is wider than the rules give, as the field's doc comment in wit/ says
 * (the doc must contain `doc`).
 */
const WIDER_IN_JS = {
  'host-failure.code': {
    ts: 'string | number',
    doc: 'a number',
    why: 'a BaaS error code is often a number; the plugin reads it as its decimal text',
  },
};

/** Members a wasm-bindgen class has of its own, beside the exports. */
const BINDGEN_MEMBERS = new Set(['free', '[Symbol.dispose]', 'constructor']);

/** Exported functions JS has no counterpart of, and why. */
const NOT_IN_JS = {
  '[method]twilio-plugin.run-deferred':
    "the component's own: in JS the instance runs that work itself once an operation settles",
};

/** Parameters JS takes beyond the WIT ones (plugin.wit documents them). */
const EXTRA_JS_PARAMS = {
  '[static]twilio-plugin.create': [{ name: 'host', ts: 'PluginHost' }],
};

/** The manifest's config item types, and the WIT types each may be. */
const MANIFEST_TYPES = {
  string: ['string'],
  secret: ['string'],
  text: ['string'],
  choice: ['string'],
  bool: ['bool'],
  number: ['u8', 'u16', 'u32', 'u64'],
};

const isNullish = (t) => t.kind === 'keyword' && (t.name === 'null' || t.name === 'undefined');

/** A TS type without its `| null` / `| undefined`, and whether it had one. */
function splitNullable(t) {
  if (t.kind !== 'union') return { base: t, nullable: isNullish(t) };
  const rest = t.types.filter((x) => !isNullish(x));
  const base = rest.length === 1 ? rest[0] : { kind: 'union', types: rest };
  return { base, nullable: rest.length < t.types.length };
}

const stringLiterals = (t) => {
  const types = t.kind === 'union' ? t.types : [t];
  return types.every((x) => x.kind === 'literal' && typeof x.value === 'string')
    ? types.map((x) => x.value)
    : null;
};

const sameSet = (a, b) => a.length === b.length && [...a].sort().join() === [...b].sort().join();

class WitWorld {
  constructor(json) {
    this.json = json;
    this.types = json.types;
  }

  /** The defining type of a type index, through the aliases `use` makes. */
  define(index) {
    let t = this.types[index];
    while (t.kind && typeof t.kind === 'object' && typeof t.kind.type === 'number') {
      t = this.types[t.kind.type];
    }
    return t;
  }

  /** `{prim}` for a primitive, else the defining type. */
  node(ref) {
    return typeof ref === 'string' ? { prim: ref } : this.define(ref);
  }

  /** A type as WIT writes it. */
  text(ref) {
    if (ref === null || ref === undefined) return '_';
    const n = this.node(ref);
    if (n.prim) return n.prim;
    if (n.name) return n.name;
    const k = n.kind;
    if (k.option !== undefined) return `option<${this.text(k.option)}>`;
    if (k.list !== undefined) return `list<${this.text(k.list)}>`;
    if (k.tuple) return `tuple<${k.tuple.types.map((x) => this.text(x)).join(', ')}>`;
    if (k.result) return `result<${this.text(k.result.ok)}, ${this.text(k.result.err)}>`;
    if (k.handle) {
      const [how, res] = Object.entries(k.handle)[0];
      return `${how}<${this.define(res).name}>`;
    }
    return JSON.stringify(k);
  }

  optionInner(ref) {
    const n = this.node(ref);
    return !n.prim && !n.name && n.kind.option !== undefined ? n.kind.option : undefined;
  }

  /** What a WIT type is in JS, as TS text (for messages; `matches` is the comparison). */
  expected(ref) {
    if (ref === null || ref === undefined) return 'void';
    const n = this.node(ref);
    if (n.prim === 'bool') return 'boolean';
    if (NUMBERS.has(n.prim)) return 'number';
    if (n.prim === 'string' || n.prim === 'char') return 'string';
    if (n.name === 'json-object') return 'Record<string, unknown>';
    if (n.name === 'headers') return 'Record<string, string>';
    if (n.name && NO_TS_DECLARATION[n.name] && n.kind.record) {
      const fields = n.kind.record.fields.map((f) => {
        const inner = this.optionInner(f.type);
        const t = inner === undefined ? f.type : inner;
        return `${camel(f.name)}${inner === undefined ? '' : '?'}: ${this.expected(t)}`;
      });
      return `{ ${fields.join('; ')} }`;
    }
    if (n.name) return TS_NAMES[n.name] ?? pascal(n.name);
    const k = n.kind;
    if (k.option !== undefined) return `${this.expected(k.option)} | null`;
    if (k.list !== undefined) {
      const inner = this.expected(k.list);
      return inner.includes('|') ? `(${inner})[]` : `${inner}[]`;
    }
    if (k.tuple) return `[${k.tuple.types.map((x) => this.expected(x)).join(', ')}]`;
    if (k.handle) return this.expected(Object.values(k.handle)[0]);
    return `(no JS rule for ${this.text(ref)})`;
  }

  /** Whether TS type `ts` is what WIT type `ref` is in JS; problems of an inline record. */
  matches(ref, ts, problems = []) {
    if (ref === null || ref === undefined) return ts.kind === 'keyword' && ts.name === 'void';
    const n = this.node(ref);
    const keyword = (name) => ts.kind === 'keyword' && ts.name === name;
    if (n.prim === 'bool') return keyword('boolean');
    if (NUMBERS.has(n.prim)) return keyword('number');
    if (n.prim === 'string' || n.prim === 'char') return keyword('string');
    if (n.name === 'json-object' || n.name === 'headers') return render(ts) === this.expected(ref);
    if (n.name && NO_TS_DECLARATION[n.name] && n.kind.record) {
      if (ts.kind !== 'object') return false;
      const found = checkFields(this, n.name, `record ${n.name}`, n.kind.record.fields, ts.members);
      problems.push(...found);
      return found.length === 0;
    }
    if (n.name && n.kind.enum) {
      // An enum by its TS name, or spelled out as the same union.
      const values = stringLiterals(ts);
      if (values)
        return sameSet(
          values,
          n.kind.enum.cases.map((c) => enumValue(n.name, c.name)),
        );
    }
    if (n.name) return ts.kind === 'ref' && ts.args.length === 0 && ts.name === this.expected(ref);
    const k = n.kind;
    if (k.option !== undefined) {
      const { base, nullable } = splitNullable(ts);
      return nullable && this.matches(k.option, base, problems);
    }
    if (k.list !== undefined)
      return ts.kind === 'array' && this.matches(k.list, ts.element, problems);
    if (k.tuple) {
      return (
        ts.kind === 'tuple' &&
        ts.elements.length === k.tuple.types.length &&
        k.tuple.types.every((x, i) => this.matches(x, ts.elements[i], problems))
      );
    }
    if (k.handle) return this.matches(Object.values(k.handle)[0], ts, problems);
    return false;
  }

  /** The named types the interfaces define (not the aliases `use` makes). */
  definitions() {
    return this.types.filter(
      (t) => t.name && t.owner?.interface !== undefined && typeof t.kind?.type !== 'number',
    );
  }

  interfaceNamed(name) {
    return this.json.interfaces.find((i) => i.name === name);
  }

  /** The world's imported and exported interfaces. */
  world() {
    const [world] = this.json.worlds;
    const ids = (side) =>
      Object.values(world[side])
        .filter((item) => item.interface)
        .map((item) => this.json.interfaces[item.interface.id]);
    return { imports: ids('imports'), exports: ids('exports') };
  }

  /** The package's version, from `namespace:name@version`. */
  packageVersion() {
    return this.json.packages[0].name.split('@')[1];
  }
}

/**
 * A value member (field, parameter) against its WIT type: a problem line or null. `also` names
 * a refinement the member could have had instead.
 */
function memberProblem(wit, label, witRef, member, also) {
  const inner = wit.optionInner(witRef);
  const optional = inner !== undefined;
  const tsText = `${member.name}${member.optional ? '?' : ''}: ${render(member.type)}`;
  const want = wit.expected(optional ? inner : witRef);
  const expectation = `expected ${want}${also ? ` or ${also}` : ''}, ${optional ? 'optional' : 'required'}`;
  const nested = [];
  let ok;
  if (member.method) {
    ok = false;
  } else {
    const { base, nullable } = splitNullable(member.type);
    ok = optional
      ? (member.optional || nullable) && wit.matches(inner, base, nested)
      : !member.optional && wit.matches(witRef, member.type, nested);
  }
  if (ok) return null;
  const shown = member.method ? `${member.name}(…) (a method)` : tsText;
  const detail = nested.length ? `; ${nested.join('; ')}` : '';
  return `${label}: WIT ${wit.text(witRef)} ↔ TS ${shown} (${expectation})${detail}`;
}

/**
 * The fields of WIT record `record` against TS members: same names (camelCase), types by the
 * rules, option ↔ optional or nullable; a WIDER_IN_JS field may have its wider type, and
 * `accept(field, member)` may allow another documented JS refinement.
 */
function checkFields(wit, record, label, fields, members, accept = () => false) {
  const problems = [];
  const byName = new Map(members.map((m) => [m.name, m]));
  for (const field of fields) {
    const name = camel(field.name);
    const member = byName.get(name);
    const where = `${label} field ${field.name}`;
    if (!member) {
      const inner = wit.optionInner(field.type);
      const want = `${name}${inner === undefined ? '' : '?'}: ${wit.expected(inner ?? field.type)}`;
      problems.push(`${where}: WIT ${wit.text(field.type)} ↔ TS has no ${name} (expected ${want})`);
      continue;
    }
    const wider = WIDER_IN_JS[`${record}.${field.name}`];
    if (wider && render(member.type) === wider.ts) continue;
    const accepted = accept(field, member);
    if (accepted === true) continue;
    const problem = memberProblem(wit, where, field.type, member, accepted || undefined);
    if (problem) problems.push(problem);
  }
  const names = new Set(fields.map((f) => camel(f.name)));
  for (const member of members) {
    if (names.has(member.name) || member.fromError) continue;
    const shown = member.method ? `${member.name}(…)` : `${member.name}: ${render(member.type)}`;
    problems.push(`${label}: TS has ${shown}, and WIT no field ${kebab(member.name)}`);
  }
  return problems;
}

/** The members of a TS interface with those of its bases; `Error`'s are marked. */
function interfaceMembers(dts, name, seen = new Set()) {
  if (name === 'Error') {
    return ['name', 'message', 'stack'].map((n) => ({
      name: n,
      optional: n === 'stack',
      type: { kind: 'keyword', name: 'string' },
      fromError: true,
    }));
  }
  const decl = dts.interfaces.get(name);
  if (!decl || seen.has(name)) return [];
  seen.add(name);
  const own = new Set(decl.members.map((m) => m.name));
  const inherited = decl.bases
    .flatMap((base) => interfaceMembers(dts, base, seen))
    .filter((m) => !own.has(m.name));
  return [...inherited, ...decl.members];
}

/** Every WIT record, enum and variant against its TS declaration; every TS one has a WIT one. */
function checkTypes(wit, dts, { configAccept } = {}) {
  const problems = [];
  const declared = new Set();
  for (const t of wit.definitions()) {
    const k = t.kind;
    if (k === 'resource') continue; // checked with the functions
    if (NO_TS_DECLARATION[t.name]) continue;
    const tsName = TS_NAMES[t.name] ?? pascal(t.name);
    declared.add(tsName);
    if (k.record) {
      if (!dts.interfaces.has(tsName)) {
        problems.push(`record ${t.name}: TS has no interface ${tsName}`);
        continue;
      }
      const accept = t.name === 'config' && configAccept ? configAccept : undefined;
      const members = interfaceMembers(dts, tsName);
      problems.push(
        ...checkFields(wit, t.name, `record ${t.name}`, k.record.fields, members, accept),
      );
    } else if (k.enum) {
      const alias = dts.aliases.get(tsName);
      const values = alias && stringLiterals(alias);
      if (!values) {
        problems.push(`enum ${t.name}: TS has no type ${tsName} = a union of string literals`);
        continue;
      }
      const want = k.enum.cases.map((c) => enumValue(t.name, c.name));
      for (const [i, c] of k.enum.cases.entries()) {
        if (!values.includes(want[i])) {
          problems.push(`enum ${t.name} case ${c.name}: TS ${tsName} has no "${want[i]}"`);
        }
      }
      for (const value of values.filter((v) => !want.includes(v))) {
        problems.push(`enum ${t.name}: TS ${tsName} has "${value}", which is no WIT case`);
      }
    } else if (k.variant) {
      const alias = dts.aliases.get(tsName);
      if (!alias) {
        problems.push(`variant ${t.name}: TS has no type ${tsName}`);
        continue;
      }
      problems.push(...checkVariant(wit, t, tsName, alias));
    } else {
      problems.push(`${wit.text(wit.types.indexOf(t))}: no JS rule for ${JSON.stringify(k)}`);
    }
  }
  for (const [name, why] of Object.entries(NO_TS_DECLARATION)) {
    const tsName = TS_NAMES[name] ?? pascal(name);
    if (dts.interfaces.has(tsName) || dts.aliases.has(tsName)) {
      problems.push(`${name} has no TS declaration of its own (${why}), but TS declares ${tsName}`);
    }
  }
  const tsDeclared = [...dts.interfaces.keys(), ...dts.aliases.keys()];
  for (const name of tsDeclared) {
    if (declared.has(name) || TS_ONLY[name] || name === TS_NAMES.host) continue;
    problems.push(`TS declares ${name}, which matches no WIT type (${kebab(name).slice(1)}?)`);
  }
  if (
    render(dts.aliases.get('HttpFailureKind') ?? { kind: 'ref', name: '?', args: [] }) !==
    'HostErrorKind'
  ) {
    problems.push('TS HttpFailureKind is no longer an alias of HostErrorKind');
  }
  return problems;
}

function checkVariant(wit, t, tsName, alias) {
  const rule = VARIANTS[t.name];
  const label = `variant ${t.name}`;
  if (!rule) {
    return [`${label}: no JS rule for it (add it to VARIANTS and document it in types.wit)`];
  }
  const problems = [];
  const shapes = alias.kind === 'union' ? alias.types : [alias];
  const byCase = new Map();
  for (const shape of shapes) {
    if (shape.kind !== 'object') {
      problems.push(`${label}: TS ${tsName} has ${render(shape)}, not an object type`);
      continue;
    }
    let caseName;
    if (rule.tag) {
      const tag = shape.members.find((m) => m.name === rule.tag);
      if (tag?.type.kind !== 'literal' || typeof tag.type.value !== 'string') {
        problems.push(`${label}: TS ${tsName} has ${render(shape)}, without a string ${rule.tag}`);
        continue;
      }
      caseName = tag.type.value;
    } else {
      const names = shape.members.map((m) => m.name);
      caseName = Object.keys(rule.payloads).find((c) => rule.payloads[c] === names[0]);
      if (names.length !== 1 || !caseName) {
        const allowed = Object.values(rule.payloads).join(' or ');
        problems.push(
          `${label}: TS ${tsName} has ${render(shape)} (expected one member, ${allowed})`,
        );
        continue;
      }
    }
    if (byCase.has(caseName)) problems.push(`${label}: TS ${tsName} has case ${caseName} twice`);
    byCase.set(caseName, shape);
  }
  const cases = t.kind.variant.cases;
  for (const c of cases) {
    const where = `${label} case ${c.name}`;
    const shape = byCase.get(c.name);
    if (!shape) {
      const how = rule.tag ? `${rule.tag}: "${c.name}"` : `a member ${rule.payloads[c.name]}`;
      problems.push(`${where}: TS ${tsName} has no object with ${how}`);
      continue;
    }
    const rest = shape.members.filter((m) => m.name !== rule.tag);
    const payload = rule.payloads[c.name];
    if (c.type === null || c.type === undefined) {
      for (const m of rest) problems.push(`${where}: no payload in WIT ↔ TS has ${m.name}`);
    } else if (payload === SPREAD) {
      const n = wit.node(c.type);
      if (!n.kind?.record) {
        problems.push(`${where}: only a record's fields can sit beside ${rule.tag}`);
      } else {
        const fields = n.kind.record.fields;
        problems.push(...checkFields(wit, n.name, `${where} (record ${n.name})`, fields, rest));
      }
    } else if (payload === undefined) {
      problems.push(`${where}: no JS rule for where its payload goes (see VARIANTS)`);
    } else {
      const member = rest.find((m) => m.name === payload);
      if (!member) {
        problems.push(
          `${where}: WIT ${wit.text(c.type)} ↔ TS has no ${payload} (expected ${payload}: ${wit.expected(c.type)})`,
        );
      } else {
        const problem = memberProblem(wit, `${where} payload`, c.type, member);
        if (problem) problems.push(problem);
      }
      for (const m of rest.filter((x) => x !== member)) {
        problems.push(`${where}: TS has ${m.name}, beside the payload ${payload}`);
      }
    }
  }
  for (const caseName of byCase.keys()) {
    if (!cases.some((c) => c.name === caseName)) {
      problems.push(`${label}: TS ${tsName} has case ${caseName}, which is no WIT case`);
    }
  }
  return problems;
}

/** Parameters: the WIT ones without `self`, then the JS extras; names and types. */
function checkParams(wit, label, witParams, tsParams, extras = []) {
  const problems = [];
  const want = [
    ...witParams.map((p) => ({ name: camel(p.name), wit: p })),
    ...extras.map((e) => ({ name: e.name, ts: e.ts })),
  ];
  const shownWant = want.map((p) => p.name).join(', ');
  const shownHave = tsParams.map((p) => p.name).join(', ');
  if (want.length !== tsParams.length || want.some((p, i) => p.name !== tsParams[i].name)) {
    problems.push(`${label}: parameters WIT (${shownWant}) ↔ TS (${shownHave})`);
  }
  for (const [i, p] of want.entries()) {
    const ts = tsParams[i];
    if (!ts || ts.name !== p.name) continue;
    if (p.wit) {
      const problem = memberProblem(wit, `${label} parameter ${p.wit.name}`, p.wit.type, ts);
      if (problem) problems.push(problem);
    } else if (render(ts.type) !== p.ts || ts.optional) {
      problems.push(
        `${label} parameter ${p.name} (JS only): TS ${render(ts.type)} (expected ${p.ts})`,
      );
    }
  }
  return problems;
}

/** A result against the TS return type, for the export (plugin-error) or import (host-error). */
function checkResult(wit, label, resultRef, tsResult, { async, errorName, mayBeSync }) {
  const n = resultRef === null || resultRef === undefined ? null : wit.node(resultRef);
  let value = resultRef;
  if (n && !n.name && n.kind?.result) {
    const err = wit.node(n.kind.result.err);
    if (err.name !== errorName) {
      return [
        `${label}: result error ${wit.text(n.kind.result.err)} has no JS rule (only ${errorName})`,
      ];
    }
    value = n.kind.result.ok;
  }
  const promise = (t) => t.kind === 'ref' && t.name === 'Promise' && t.args.length === 1;
  let ok;
  let want = wit.expected(value);
  if (async) {
    want = mayBeSync ? `Promise<${want}> or ${want} | Promise<${want}>` : `Promise<${want}>`;
    if (promise(tsResult)) {
      ok = wit.matches(value, tsResult.args[0]);
    } else if (mayBeSync && tsResult.kind === 'union' && tsResult.types.length === 2) {
      const p = tsResult.types.find(promise);
      const plain = tsResult.types.find((x) => x !== p);
      ok = p && wit.matches(value, p.args[0]) && wit.matches(value, plain);
    } else {
      ok = false;
    }
  } else {
    ok = !promise(tsResult) && wit.matches(value, tsResult);
  }
  if (ok) return [];
  const witText = resultRef === null || resultRef === undefined ? 'no result' : wit.text(resultRef);
  return [`${label}: result WIT ${witText} ↔ TS ${render(tsResult)} (expected ${want})`];
}

/** The exported interface against the TS class and functions, and the manifest's operations. */
function checkExports(wit, dts, manifest) {
  const problems = [];
  const seen = new Map(); // class name -> member names checked
  const functionsSeen = new Set();
  const operations = [];
  for (const iface of wit.world().exports) {
    for (const fn of Object.values(iface.functions)) {
      const m = fn.name.match(/^\[(static|method|constructor)\]([a-z0-9-]+)(?:\.([a-z0-9-]+))?$/);
      const kind = m ? m[1] : 'freestanding';
      const jsName = kind === 'constructor' ? 'constructor' : camel(m ? m[3] : fn.name);
      const className = m ? pascal(m[2]) : null;
      const label = `export ${fn.name.replace(/^\[[a-z]+\]/, '')} (TS ${className ? `${className}.` : ''}${jsName})`;
      if (NOT_IN_JS[fn.name]) {
        const cls = className && dts.classes.get(className);
        if (cls?.members.some((x) => x.name === jsName)) {
          problems.push(`${label}: is not in JS (${NOT_IN_JS[fn.name]}), but TS has it`);
        }
        continue;
      }
      operations.push(jsName);
      let ts;
      if (className) {
        const cls = dts.classes.get(className);
        if (!cls) {
          problems.push(`${label}: TS has no class ${className}`);
          continue;
        }
        if (!seen.has(className)) seen.set(className, new Set());
        seen.get(className).add(jsName);
        ts = cls.members.find((x) => x.name === jsName && x.method && !x.isPrivate);
        if (ts && ts.isStatic !== (kind === 'static')) {
          problems.push(`${label}: WIT ${kind} ↔ TS ${ts.isStatic ? 'static' : 'instance'} method`);
        }
      } else {
        functionsSeen.add(jsName);
        ts = dts.functions.get(jsName);
      }
      if (!ts) {
        problems.push(
          `${label}: TS has no ${className ? `method ${jsName}` : `function ${jsName}`}`,
        );
        continue;
      }
      const params = fn.params.filter((p) => !(kind === 'method' && p.name === 'self'));
      problems.push(...checkParams(wit, label, params, ts.params, EXTRA_JS_PARAMS[fn.name]));
      // In JS a resource's methods use the host and answer Promises; the static functions
      // and the free ones answer at once (plugin.wit says so).
      if (kind !== 'constructor') {
        problems.push(
          ...checkResult(wit, label, fn.result, ts.result, {
            async: kind === 'method',
            errorName: 'plugin-error',
          }),
        );
      }
    }
  }
  const classes = [...seen.keys()];
  if (classes.length !== 1 || manifest.module.class !== classes[0]) {
    problems.push(
      `manifest module.class ${manifest.module.class} ↔ WIT resources (TS ${classes.join(', ')})`,
    );
  }
  for (const [className, names] of seen) {
    for (const member of dts.classes.get(className).members) {
      if (names.has(member.name) || BINDGEN_MEMBERS.has(member.name)) continue;
      problems.push(`TS ${className}.${member.name} is no function of the exported interface`);
    }
  }
  for (const name of dts.functions.keys()) {
    if (!functionsSeen.has(name)) problems.push(`TS function ${name} is no exported WIT function`);
  }
  problems.push(
    ...sameNames('manifest operations', manifest.operations, 'WIT exports', operations),
  );
  return problems;
}

/** The imported interfaces against the TS PluginHost and the manifest's imports. */
function checkImports(wit, dts, manifest) {
  const problems = [];
  const names = [];
  for (const iface of wit.world().imports) {
    const functions = Object.values(iface.functions);
    if (functions.length === 0) continue; // types only
    const tsName = TS_NAMES[iface.name] ?? pascal(iface.name);
    const members = interfaceMembers(dts, tsName);
    if (!dts.interfaces.has(tsName)) {
      problems.push(`import ${iface.name}: TS has no interface ${tsName}`);
      continue;
    }
    for (const fn of functions) {
      const jsName = camel(fn.name);
      names.push(jsName);
      const label = `import ${iface.name}.${fn.name} (TS ${tsName}.${jsName})`;
      const ts = members.find((m) => m.name === jsName);
      if (!ts?.method) {
        problems.push(`${label}: TS has no method ${jsName}`);
        continue;
      }
      problems.push(...checkParams(wit, label, fn.params, ts.params));
      // A function that can fail may answer a Promise (host.wit); `now` and `log` answer at once.
      const result = fn.result === null || fn.result === undefined ? null : wit.node(fn.result);
      const fallible = Boolean(result && !result.name && result.kind?.result);
      problems.push(
        ...checkResult(wit, label, fn.result, ts.result, {
          async: fallible,
          mayBeSync: true,
          errorName: 'host-error',
        }),
      );
    }
    for (const member of members) {
      if (!functions.some((fn) => camel(fn.name) === member.name)) {
        problems.push(`TS ${tsName}.${member.name} is no function of WIT interface ${iface.name}`);
      }
    }
  }
  problems.push(...sameNames('manifest imports', manifest.imports, 'WIT host functions', names));
  return problems;
}

function sameNames(leftLabel, left, rightLabel, right) {
  const problems = [];
  for (const name of right.filter((n) => !left.includes(n))) {
    problems.push(`${leftLabel} lack ${name}, which the ${rightLabel} have`);
  }
  for (const name of left.filter((n) => !right.includes(n))) {
    problems.push(`${leftLabel} have ${name}, which the ${rightLabel} lack`);
  }
  const twice = left.filter((n, i) => left.indexOf(n) !== i);
  for (const name of twice) problems.push(`${leftLabel} have ${name} twice`);
  return problems;
}

/**
 * The WIT config record against the manifest's config items and host secrets: names, types,
 * required ↔ non-option, defaults of the field's type (and the one its doc comment states),
 * numeric ranges its doc states, and a choice's options named in its doc.
 */
function checkConfigManifest(wit, manifest) {
  const problems = [];
  const config = wit.definitions().find((t) => t.name === 'config');
  const fields = config.kind.record.fields;
  const items = new Map();
  for (const item of manifest.config) items.set(item.name, { item, secret: false });
  for (const item of manifest.hostSecrets ?? []) {
    if (items.has(item.name)) problems.push(`manifest has ${item.name} twice`);
    items.set(item.name, { item, secret: true });
  }
  for (const field of fields) {
    const name = camel(field.name);
    const inner = wit.optionInner(field.type);
    const optional = inner !== undefined;
    const base = wit.text(optional ? inner : field.type);
    const label = `config field ${field.name}: WIT ${wit.text(field.type)} ↔ manifest ${name}`;
    const found = items.get(name);
    if (!found) {
      problems.push(`${label}: no config item or host secret ${name}`);
      continue;
    }
    const { item, secret } = found;
    const doc = (field.docs?.contents ?? '').replace(/\s+/g, ' ');
    if (secret) {
      // A host may supply none: the plugin then says so at create (types.wit).
      if (!optional || base !== 'string') {
        problems.push(`${label}: a host secret (expected option<string>)`);
      }
      continue;
    }
    const allowed = MANIFEST_TYPES[item.type] ?? [];
    if (!allowed.includes(base)) {
      const fits = Object.keys(MANIFEST_TYPES).filter((t) => MANIFEST_TYPES[t].includes(base));
      problems.push(
        `${label}: type "${item.type}" (expected ${fits.map((t) => `"${t}"`).join(' or ')})`,
      );
    }
    if (item.required !== !optional) {
      problems.push(
        `${label}: required ${item.required} (expected ${!optional}: ${optional ? 'an option is not required' : 'only an option may be left out'})`,
      );
    }
    const value = item.default;
    if (item.required && value !== null) {
      problems.push(
        `${label}: default ${JSON.stringify(value)} (expected null: a required item has no default)`,
      );
    }
    if (value !== null && value !== undefined) {
      const fitsType =
        base === 'bool'
          ? typeof value === 'boolean'
          : base === 'string'
            ? typeof value === 'string'
            : Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
      if (!fitsType) {
        problems.push(`${label}: default ${JSON.stringify(value)} is no ${base}`);
      }
      const stated =
        doc.match(/\(default `?([^`),;]+?)`?[),;]/) ?? doc.match(/`([^`]+)` \(default\)/);
      if (stated && stated[1] !== String(value)) {
        problems.push(
          `${label}: default ${JSON.stringify(value)}, but the WIT doc says default ${stated[1]}`,
        );
      }
    }
    if (allowed.includes(base) && item.type === 'number') {
      const range = doc.match(/\b(\d+) to (\d+)\b/);
      if (range && (Number(range[1]) !== item.min || Number(range[2]) !== item.max)) {
        problems.push(
          `${label}: min ${item.min}, max ${item.max}, but the WIT doc says ${range[1]} to ${range[2]}`,
        );
      }
    }
    if (item.type === 'choice') {
      for (const option of item.options) {
        if (!doc.includes(`\`${option}\``)) {
          problems.push(`${label}: option "${option}" is not named in the WIT doc comment`);
        }
      }
    }
  }
  const names = new Set(fields.map((f) => camel(f.name)));
  for (const name of items.keys()) {
    if (!names.has(name))
      problems.push(`manifest ${name}: no field ${kebab(name)} in WIT record config`);
  }
  return problems;
}

/**
 * A config field typed in TS as the union of its manifest choice's options is the same string,
 * narrowed as the popup narrows it. Anything else: that union, for the message.
 */
function choiceAccept(wit, manifest) {
  const choices = new Map(
    manifest.config.filter((i) => i.type === 'choice').map((i) => [i.name, i.options]),
  );
  return (field, member) => {
    const options = choices.get(camel(field.name));
    if (!options) return false;
    const inner = wit.optionInner(field.type);
    const { base, nullable } = splitNullable(member.type);
    const values = stringLiterals(base);
    const optional = inner !== undefined;
    if (values && sameSet(values, options) && optional === (member.optional || nullable)) {
      return true;
    }
    return options.map((o) => JSON.stringify(o)).join(' | ');
  };
}

/** The WIT docs a WIDER_IN_JS entry rests on still say so. */
function checkWiderDocs(wit) {
  const problems = [];
  for (const [key, wider] of Object.entries(WIDER_IN_JS)) {
    const [record, fieldName] = key.split('.');
    const t = wit.definitions().find((x) => x.name === record);
    const field = t?.kind.record?.fields.find((f) => f.name === fieldName);
    const doc = (field?.docs?.contents ?? '').replace(/\s+/g, ' ');
    if (!doc.includes(wider.doc)) {
      problems.push(
        `${key}: TS allows ${wider.ts} (${wider.why}), but its WIT doc does not say "${wider.doc}"`,
      );
    }
  }
  return problems;
}

module.exports = {
  WitWorld,
  camel,
  checkConfigManifest,
  checkExports,
  checkImports,
  checkTypes,
  checkWiderDocs,
  choiceAccept,
  enumValue,
};
