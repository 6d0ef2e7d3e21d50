'use strict';
// A small, strict XML reader for inline TwiML: elements, attributes, text, the five named
// entities and numeric character references, comments, CDATA and an XML declaration at the very
// start. No DOCTYPE (nothing TwiML needs, and the door to entity expansion). Anything else that
// is not well-formed XML throws XmlError, which the caller turns into Twilio's parse error.

class XmlError extends Error {}

const NAME = /[A-Za-z_][\w.:-]*/y;
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/** Text with its references decoded; a bare `&` or `<` is not well-formed. */
function decodeText(raw) {
  if (raw.includes('<')) throw new XmlError("'<' in text must be written &lt;");
  return raw.replace(/&([^;&\s]*);?/g, (whole, ref) => {
    if (!whole.endsWith(';')) throw new XmlError("'&' must start a reference such as &amp;");
    if (ENTITIES[ref]) return ENTITIES[ref];
    const numeric = /^#(?:x([0-9a-fA-F]+)|(\d+))$/.exec(ref);
    const code = numeric ? Number.parseInt(numeric[1] ?? numeric[2], numeric[1] ? 16 : 10) : NaN;
    const isXmlChar =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0x10ffff);
    if (!isXmlChar) {
      throw new XmlError(`unknown reference &${ref};`);
    }
    return String.fromCodePoint(code);
  });
}

function createReader(text) {
  let pos = 0;

  const rest = () => text.slice(pos);
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos])) pos += 1;
  };
  function expect(literal) {
    if (!text.startsWith(literal, pos)) throw new XmlError(`expected '${literal}' at ${pos}`);
    pos += literal.length;
  }
  function name() {
    NAME.lastIndex = pos;
    const match = NAME.exec(text);
    if (!match) throw new XmlError(`expected a name at ${pos}`);
    pos += match[0].length;
    return match[0];
  }
  /** Skips comments (and, before the root, white space); false when none was there. */
  function skipMisc(allowSpace) {
    const start = pos;
    for (;;) {
      if (allowSpace) skipSpace();
      if (!text.startsWith('<!--', pos)) break;
      const end = text.indexOf('-->', pos + 4);
      if (end < 0) throw new XmlError('unclosed comment');
      pos = end + 3;
    }
    return pos > start;
  }
  function attributes() {
    const attrs = {};
    for (;;) {
      const before = pos;
      skipSpace();
      if (text[pos] === '>' || text.startsWith('/>', pos)) return attrs;
      if (pos === before) throw new XmlError(`expected white space before an attribute at ${pos}`);
      const key = name();
      skipSpace();
      expect('=');
      skipSpace();
      const quote = text[pos];
      if (quote !== '"' && quote !== "'") throw new XmlError(`attribute ${key} must be quoted`);
      const end = text.indexOf(quote, pos + 1);
      if (end < 0) throw new XmlError(`unclosed attribute ${key}`);
      if (Object.hasOwn(attrs, key)) throw new XmlError(`attribute ${key} given twice`);
      attrs[key] = decodeText(text.slice(pos + 1, end));
      pos = end + 1;
    }
  }
  function element() {
    expect('<');
    const tag = name();
    const node = { name: tag, attrs: attributes(), children: [] };
    if (text.startsWith('/>', pos)) {
      pos += 2;
      return node;
    }
    expect('>');
    for (;;) {
      if (pos >= text.length) throw new XmlError(`<${tag}> is not closed`);
      if (text.startsWith('</', pos)) {
        pos += 2;
        const closing = name();
        if (closing !== tag) throw new XmlError(`</${closing}> closes <${tag}>`);
        skipSpace();
        expect('>');
        return node;
      }
      if (skipMisc(false)) continue;
      if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos);
        if (end < 0) throw new XmlError('unclosed CDATA section');
        node.children.push(text.slice(pos + 9, end));
        pos = end + 3;
      } else if (text[pos] === '<') {
        node.children.push(element());
      } else {
        const end = text.indexOf('<', pos);
        const raw = end < 0 ? rest() : text.slice(pos, end);
        node.children.push(decodeText(raw));
        pos += raw.length;
      }
    }
  }

  function document() {
    // The declaration, if any, must be the very first thing: Twilio rejects a space before it.
    if (text.startsWith('<?xml', pos)) {
      const end = text.indexOf('?>', pos);
      if (end < 0) throw new XmlError('unclosed XML declaration');
      pos = end + 2;
    }
    skipMisc(true);
    if (text.startsWith('<!DOCTYPE', pos)) throw new XmlError('a DOCTYPE is not allowed');
    if (text.startsWith('<?', pos)) throw new XmlError('the XML declaration must come first');
    if (text[pos] !== '<') throw new XmlError('the document has no root element');
    const root = element();
    skipMisc(true);
    if (pos < text.length) throw new XmlError('content after the root element');
    return root;
  }

  return { document };
}

/** The root element as `{name, attrs, children}` (children: elements and strings). */
function parseXml(text) {
  return createReader(text).document();
}

module.exports = { parseXml, XmlError };
