// The send policy's counters, for the console: the plugin counts codes sent, verified and
// refused (by limit) per country and hour under `stats/{hour}/{country}/{what}`, and keeps each
// country the conversion breaker paused under `paused/{country}` (`until,sent,verified`). Its
// README documents these keys; the host reads them straight from its store, in one query.

const HOUR_MS = 3_600_000;
const MAX_HOURS = 168;

/**
 * @param {{entries: (prefix: string) => {key: string, value: string}[] | Promise<{key: string, value: string}[]>}} storage
 *   the plugin's namespace of the KV store (SQLite's answers at once, Redis's in a Promise)
 * @param {number} hours how many hours back, 1 to 168
 * @param {number} nowMs
 * @returns {Promise<{hours: object[], paused: object[]}>} newest hour first; hours that saw nothing are
 *   left out
 */
async function readActivity(storage, hours, nowMs) {
  const current = Math.floor(nowMs / HOUR_MS);
  const oldest = current - Math.min(Math.max(hours, 1), MAX_HOURS) + 1;
  const byHour = new Map();
  for (const { key, value } of await storage.entries('stats/')) {
    const [, hourText, country, what] = key.split('/');
    const hour = Number(hourText);
    if (!Number.isInteger(hour) || hour < oldest || hour > current || !country || !what) continue;
    if (!byHour.has(hour)) byHour.set(hour, {});
    const countries = byHour.get(hour);
    countries[country] ??= { sent: 0, verified: 0, refused: {} };
    const count = Number(value) || 0;
    if (what === 'sent' || what === 'verified') countries[country][what] = count;
    else countries[country].refused[what] = count;
  }
  const paused = [];
  for (const { key, value } of await storage.entries('paused/')) {
    const country = key.slice('paused/'.length);
    const [untilMs, sent, verified] = value.split(',').map(Number);
    if (!country.includes('/') && untilMs > nowMs)
      paused.push({ country, untilMs, sent, verified });
  }
  // `now`: the server's clock, so that a page counts the hours as the counters do.
  return {
    now: nowMs,
    hours: [...byHour]
      .sort(([a], [b]) => b - a)
      .map(([hour, countries]) => ({ hour: hour * HOUR_MS, countries })),
    paused,
  };
}

module.exports = { readActivity, MAX_HOURS };
