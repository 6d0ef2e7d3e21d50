// A parser for the subset of TypeScript that pkg/twilio_baas_plugin.d.ts is written in: what
// src/glue/bindgen/typescript.rs declares by hand (interfaces with `extends`, type aliases,
// unions, string literals, object literal types, arrays, generic references) and what
// wasm-bindgen generates around it (one class with static and instance methods, functions).
//
// Hand-written rather than the `typescript` package's compiler API: the subset is a few dozen
// lines of grammar, the package would be the harness's largest dependency by far, and its AST
// would still have to be reduced to these shapes for the comparison. Anything outside the
// subset is refused with its line, never skipped, so a construct the check cannot read fails
// the test instead of passing it unread.

const PUNCTUATION = new Set('{}()[]<>;:,|?=.&'.split(''));
const KEYWORD_TYPES = new Set([
  'string',
  'number',
  'boolean',
  'null',
  'undefined',
  'void',
  'unknown',
  'any',
  'never',
  'object',
]);

function tokenize(text) {
  const tokens = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      line += 1;
      i += 1;
    } else if (/\s/.test(c)) {
      i += 1;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new Error(`.d.ts line ${line}: unterminated comment`);
      line += (text.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 2;
    } else if (text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = '';
      while (j < text.length && text[j] !== c) {
        if (text[j] === '\\') j += 1;
        if (text[j] === '\n') throw new Error(`.d.ts line ${line}: unterminated string`);
        value += text[j];
        j += 1;
      }
      tokens.push({ kind: 'string', value, line });
      i = j + 1;
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i;
      while (j < text.length && /[A-Za-z0-9_$]/.test(text[j])) j += 1;
      tokens.push({ kind: 'ident', value: text.slice(i, j), line });
      i = j;
    } else if (/[0-9]/.test(c)) {
      let j = i;
      while (j < text.length && /[0-9.]/.test(text[j])) j += 1;
      tokens.push({ kind: 'number', value: Number(text.slice(i, j)), line });
      i = j;
    } else if (PUNCTUATION.has(c)) {
      tokens.push({ kind: 'punct', value: c, line });
      i += 1;
    } else {
      throw new Error(`.d.ts line ${line}: unexpected character ${JSON.stringify(c)}`);
    }
  }
  tokens.push({ kind: 'end', value: '<end of file>', line });
  return tokens;
}

/**
 * Parses a .d.ts text into `{interfaces, aliases, classes, functions}`, each a Map by name.
 * Types are `{kind: 'keyword', name}`, `{kind: 'literal', value}`, `{kind: 'ref', name, args}`,
 * `{kind: 'array', element}`, `{kind: 'tuple', elements}`, `{kind: 'object', members}` and
 * `{kind: 'union', types}`. A member is `{name, optional, type}` (a property) or
 * `{name, method: true, isStatic, params, result}`.
 */
function parseDts(text) {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (offset = 0) => tokens[at + offset];
  const fail = (what) => {
    const token = peek();
    throw new Error(`.d.ts line ${token.line}: expected ${what}, found ${token.value}`);
  };
  const is = (value, offset = 0) => peek(offset).value === value && peek(offset).kind !== 'string';
  const accept = (value) => {
    if (is(value)) {
      at += 1;
      return true;
    }
    return false;
  };
  const expect = (value) => {
    if (!accept(value)) fail(`"${value}"`);
  };
  const ident = () => {
    if (peek().kind !== 'ident') fail('a name');
    at += 1;
    return tokens[at - 1].value;
  };

  function type() {
    accept('|'); // a leading bar, as in a multi-line union
    const types = [postfix()];
    while (accept('|')) types.push(postfix());
    if (is('&')) fail('no intersection types (outside the subset this parser reads)');
    return types.length === 1 ? types[0] : { kind: 'union', types };
  }

  function postfix() {
    let t = primary();
    while (is('[') && is(']', 1)) {
      at += 2;
      t = { kind: 'array', element: t };
    }
    return t;
  }

  function primary() {
    const token = peek();
    if (token.kind === 'string' || token.kind === 'number') {
      at += 1;
      return { kind: 'literal', value: token.value };
    }
    if (accept('true')) return { kind: 'literal', value: true };
    if (accept('false')) return { kind: 'literal', value: false };
    if (token.kind === 'ident' && KEYWORD_TYPES.has(token.value)) {
      at += 1;
      return { kind: 'keyword', name: token.value };
    }
    if (token.kind === 'ident') {
      const name = ident();
      const args = [];
      if (accept('<')) {
        args.push(type());
        while (accept(',')) args.push(type());
        expect('>');
      }
      if (name === 'Array' && args.length === 1) return { kind: 'array', element: args[0] };
      return { kind: 'ref', name, args };
    }
    if (accept('(')) {
      const inner = type();
      expect(')');
      return inner;
    }
    if (accept('[')) {
      const elements = [];
      if (!is(']')) {
        elements.push(type());
        while (accept(',')) elements.push(type());
      }
      expect(']');
      return { kind: 'tuple', elements };
    }
    if (accept('{')) return { kind: 'object', members: members('}', false) };
    return fail('a type');
  }

  function params() {
    expect('(');
    const out = [];
    while (!accept(')')) {
      const name = ident();
      const optional = accept('?');
      expect(':');
      out.push({ name, optional, type: type() });
      if (!is(')')) expect(',');
    }
    return out;
  }

  // Members up to `close`; in a class, `static` and `private` modifiers, the constructor and
  // computed names such as `[Symbol.dispose]`.
  function members(close, inClass) {
    const out = [];
    while (!accept(close)) {
      let isStatic = false;
      let isPrivate = false;
      while (inClass && (is('static') || is('private')) && peek(1).kind === 'ident') {
        if (ident() === 'static') isStatic = true;
        else isPrivate = true;
      }
      let name;
      if (accept('[')) {
        name = `[${ident()}`;
        while (accept('.')) name += `.${ident()}`;
        expect(']');
        name += ']';
      } else {
        name = ident();
      }
      const optional = accept('?');
      if (is('(')) {
        const ps = params();
        const result = accept(':') ? type() : null; // a constructor has none
        out.push({ name, method: true, isStatic, isPrivate, optional, params: ps, result });
      } else {
        expect(':');
        out.push({ name, optional, isStatic, isPrivate, type: type() });
      }
      if (!accept(';') && !accept(',') && !is(close)) fail('";" or "," between members');
    }
    return out;
  }

  const interfaces = new Map();
  const aliases = new Map();
  const classes = new Map();
  const functions = new Map();
  const declare = (map, name, value) => {
    if (map.has(name)) throw new Error(`.d.ts: ${name} is declared twice`);
    map.set(name, value);
  };
  while (peek().kind !== 'end') {
    expect('export');
    if (accept('interface')) {
      const name = ident();
      const bases = [];
      if (accept('extends')) {
        bases.push(ident());
        while (accept(',')) bases.push(ident());
      }
      expect('{');
      declare(interfaces, name, { name, bases, members: members('}', false) });
    } else if (accept('type')) {
      const name = ident();
      expect('=');
      declare(aliases, name, type());
      expect(';');
    } else if (accept('class')) {
      const name = ident();
      expect('{');
      declare(classes, name, { name, members: members('}', true) });
    } else if (accept('function')) {
      const name = ident();
      const ps = params();
      expect(':');
      declare(functions, name, { name, params: ps, result: type() });
      expect(';');
    } else {
      fail('interface, type, class or function');
    }
  }
  return { interfaces, aliases, classes, functions };
}

/** A type as TypeScript text, in the one spelling the comparisons and messages use. */
function render(t) {
  switch (t.kind) {
    case 'keyword':
      return t.name;
    case 'literal':
      return typeof t.value === 'string' ? JSON.stringify(t.value) : String(t.value);
    case 'ref':
      return t.args.length ? `${t.name}<${t.args.map(render).join(', ')}>` : t.name;
    case 'array': {
      const inner = render(t.element);
      return t.element.kind === 'union' ? `(${inner})[]` : `${inner}[]`;
    }
    case 'tuple':
      return `[${t.elements.map(render).join(', ')}]`;
    case 'object':
      return `{ ${t.members.map((m) => `${m.name}${m.optional ? '?' : ''}: ${render(m.type)}`).join('; ')} }`;
    case 'union':
      return t.types.map(render).join(' | ');
    default:
      throw new Error(`unknown type node ${t.kind}`);
  }
}

module.exports = { parseDts, render };
