// Phone numbers for the bench: valid US numbers, each in a thousand-block of its own (the send
// policy's range is the number without its last 3 digits), so no per-number or per-range count
// ever passes 1. None is one of the simulator's failing +1500555 numbers, nor a fictional
// 555-01XX one.

// Area codes of the United States only: others (Canada, the Caribbean) are other countries to
// the plugin, and the bench should not measure a mix of country policies.
const US_AREA_CODES = [
  201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225,
  228, 229, 231, 234, 239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 272, 276,
  281,
];

/** Exchanges 200-999 except the N11 service codes and 555. */
const EXCHANGES = [];
for (let exchange = 200; exchange <= 999; exchange += 1) {
  if (exchange % 100 !== 11 && exchange !== 555) EXCHANGES.push(exchange);
}

const BLOCKS = US_AREA_CODES.length * EXCHANGES.length * 10;

/** The i-th number: consecutive numbers differ in area code first, then exchange, then block. */
function nthNumber(i) {
  if (i >= BLOCKS) throw new Error(`only ${BLOCKS} distinct thousand-blocks`);
  const area = US_AREA_CODES[i % US_AREA_CODES.length];
  const rest = Math.floor(i / US_AREA_CODES.length);
  const exchange = EXCHANGES[rest % EXCHANGES.length];
  const thousands = Math.floor(rest / EXCHANGES.length);
  // The last 3 digits vary too, so the numbers do not all end alike.
  const last = String((i * 389) % 1000).padStart(3, '0');
  return `+1${area}${exchange}${thousands}${last}`;
}

/** A source of numbers never handed out before in this process. */
function createNumberSource() {
  let next = 0;
  return () => nthNumber(next++);
}

module.exports = { createNumberSource, nthNumber };
