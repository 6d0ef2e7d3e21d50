'use strict';
// Inline TwiML for a call (the Calls API's `Twiml` parameter): checked the way Twilio checks
// it, and turned into the words the callee would hear, which is what the outbox shows.
// The simulator plays the voice verbs a code call needs: <Say> (text, or SSML inside it),
// <Pause> and <Play>. Any other verb is refused, so a typo or a verb the simulator cannot
// play back fails loudly instead of passing silently.
//
// Error codes (all HTTP 400), from Twilio's catalogue: 12100 "Document parse failure" (not
// well-formed XML), 12102 "The root element must be Response", 12200 "Schema validation
// warning" (an unknown verb or attribute, or a bad attribute value), and 11750 "TwiML response
// body too large" for more than Twilio's documented 4000 characters (Twilio documents the
// limit but not its code; 11750 is the catalogue's entry for TwiML that is too large).

const { parseXml, XmlError } = require('./xml');
const { twilioError } = require('./wire-format');

const MAX_TWIML_CHARS = 4000;
/** Twilio's bounds: `loop` 0-1000 (0: until hang-up), a <Pause> of 1-600 s (default 1). */
const MAX_LOOP = 1000;
const MAX_PAUSE_SECONDS = 600;
const PLAY_DIGITS = /^[0-9w#*]+$/;

/** The attributes each verb accepts; `empty` verbs take no content. */
const VERBS = {
  Say: { attrs: ['voice', 'language', 'loop'] },
  Pause: { attrs: ['length'], empty: true },
  Play: { attrs: ['loop', 'digits'] },
};

function schemaError(detail) {
  return twilioError(12200, `Schema validation warning: ${detail}`);
}

function integerAttr(node, attr, min, max) {
  const value = node.attrs[attr];
  if (value === undefined) return { value: null };
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    return { error: schemaError(`<${node.name}> ${attr}="${value}" must be ${min}-${max}`) };
  }
  return { value: Number(value) };
}

/** The text of a node and everything inside it (SSML tags in a <Say> add no words). */
function textOf(node) {
  return node.children.map((child) => (typeof child === 'string' ? child : textOf(child))).join('');
}

function checkVerb(node) {
  const verb = VERBS[node.name];
  if (!verb) return schemaError(`<${node.name}> is not a verb the simulator plays`);
  const unknown = Object.keys(node.attrs).find((attr) => !verb.attrs.includes(attr));
  if (unknown) return schemaError(`<${node.name}> has no attribute ${unknown}`);
  if (verb.empty && node.children.some((child) => typeof child !== 'string' || child.trim())) {
    return schemaError(`<${node.name}> must be empty`);
  }
  if (node.name === 'Play') {
    const digits = node.attrs.digits;
    if (digits !== undefined && !PLAY_DIGITS.test(digits)) {
      return schemaError(`<Play> digits="${digits}" may hold only 0-9, w, # and *`);
    }
    if (digits === undefined && !textOf(node).trim()) return schemaError('<Play> needs a URL');
  }
  return null;
}

/**
 * `{error}` with Twilio's error body, or `{spoken}`: the <Say> texts in order, each with its
 * white space collapsed and repeated `loop` times (once for loop 0, which Twilio repeats until
 * hang-up), joined with single spaces. <Pause> and <Play> add no words.
 */
function readTwiml(twiml) {
  if (twiml.length > MAX_TWIML_CHARS) {
    return {
      error: twilioError(
        11750,
        `TwiML response body too large: over ${MAX_TWIML_CHARS} characters`,
      ),
    };
  }
  let root;
  try {
    root = parseXml(twiml);
  } catch (err) {
    if (!(err instanceof XmlError)) throw err;
    return { error: twilioError(12100, `Document parse failure: ${err.message}`) };
  }
  if (root.name !== 'Response') return { error: twilioError(12102) };
  if (Object.keys(root.attrs).length > 0)
    return { error: schemaError('<Response> takes no attributes') };
  const words = [];
  for (const child of root.children) {
    if (typeof child === 'string') {
      if (child.trim()) return { error: schemaError('text directly inside <Response>') };
      continue;
    }
    const error = checkVerb(child);
    if (error) return { error };
    const loop = integerAttr(child, 'loop', 0, MAX_LOOP);
    if (loop.error) return { error: loop.error };
    if (child.name === 'Pause') {
      const length = integerAttr(child, 'length', 1, MAX_PAUSE_SECONDS);
      if (length.error) return { error: length.error };
    }
    if (child.name !== 'Say') continue;
    const text = textOf(child).replace(/\s+/g, ' ').trim();
    if (!text) continue;
    for (let i = 0; i < Math.max(1, loop.value ?? 1); i += 1) words.push(text);
  }
  return { spoken: words.join(' ') };
}

module.exports = { readTwiml, MAX_TWIML_CHARS };
