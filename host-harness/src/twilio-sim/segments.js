'use strict';
// How many SMS segments a body costs, the way carriers count it: GSM-7 when every character is
// in the GSM 03.38 alphabet (160 septets alone, 153 per part when concatenated), otherwise UCS-2
// (70 UTF-16 units alone, 67 per part). Twilio reports this as `num_segments`.

const GSM7_BASIC = new Set(
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
    '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà',
);
/** Characters reached through the escape code: each costs two septets. */
const GSM7_EXTENSION = new Set('^{}\\[~]|€\f');

const GSM7_SINGLE = 160;
const GSM7_PART = 153;
const UCS2_SINGLE = 70;
const UCS2_PART = 67;

function isGsm7(body) {
  for (const char of body) {
    if (!GSM7_BASIC.has(char) && !GSM7_EXTENSION.has(char)) return false;
  }
  return true;
}

/**
 * Packs per-character costs into parts of `partSize`. A character is never split across parts
 * (an escape pair or a surrogate pair stays whole), which is why this is not a plain division.
 */
function countParts(costs, singleSize, partSize) {
  const total = costs.reduce((sum, cost) => sum + cost, 0);
  if (total <= singleSize) return 1;
  let parts = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > partSize) {
      parts += 1;
      used = 0;
    }
    used += cost;
  }
  return parts;
}

/** Number of segments for a message body; an empty body (media only) still counts as one. */
function countSegments(body) {
  const chars = [...(body ?? '')];
  if (isGsm7(body ?? '')) {
    const costs = chars.map((char) => (GSM7_EXTENSION.has(char) ? 2 : 1));
    return countParts(costs, GSM7_SINGLE, GSM7_PART);
  }
  const costs = chars.map((char) => char.length);
  return countParts(costs, UCS2_SINGLE, UCS2_PART);
}

module.exports = { countSegments, isGsm7 };
