// The Activity page: what the plugin's send policy did over the last 24 hours, from
// GET /console/api/activity: codes sent, verified and refused (by which limit), per hour and per
// country, and the countries the conversion breaker paused. Charts for the glance, tables with
// the same numbers for reading them out.

import { rowBars, timeBars } from './activity-charts.js';
import { $, api, el, requireSession, toSignIn } from './console-kit.js';

const HOURS = 24;
const HOUR_MS = 3_600_000;

/** The send policy's limits, in the operator's words (the setting that sets each, in titles). */
const LIMITS = {
  'number-cooldown': ['Resend cooldown', 'resendCooldownSeconds'],
  'number-hour': ['Per number, hour', 'maxSmsPerNumberPerHour'],
  'number-day': ['Per number, day', 'maxSmsPerNumberPerDay'],
  'address-hour': ['Per client address, hour', 'maxCodesPerAddressPerHour'],
  'range-hour': ['Per number range, hour', 'maxCodesPerRangePerHour'],
  'app-hour': ["App's budget, hour", 'maxCodesPerHour'],
  'app-day': ["App's budget, day", 'maxCodesPerDay'],
  'country-paused': ['Country paused', 'the conversion breaker'],
  'country-blocked': ['Country not allowed', 'allowedCountries, blockedCountries'],
};
const limitName = (limit) => LIMITS[limit]?.[0] ?? limit;

const sum = (values) => values.reduce((a, b) => a + b, 0);
const hourLabel = (ms) =>
  new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });

/** Totals per hour (the last 24, oldest first), per country and per limit. */
function tally(activity, nowMs) {
  const current = Math.floor(nowMs / HOUR_MS);
  const byHour = new Map(activity.hours.map((h) => [h.hour / HOUR_MS, h.countries]));
  const hours = [];
  const countries = {};
  const limits = {};
  for (let hour = current - HOURS + 1; hour <= current; hour += 1) {
    const totals = { sent: 0, verified: 0, refused: 0 };
    for (const [country, counts] of Object.entries(byHour.get(hour) ?? {})) {
      const refused = sum(Object.values(counts.refused));
      totals.sent += counts.sent;
      totals.verified += counts.verified;
      totals.refused += refused;
      countries[country] ??= { sent: 0, verified: 0, refused: 0 };
      countries[country].sent += counts.sent;
      countries[country].verified += counts.verified;
      countries[country].refused += refused;
      for (const [limit, n] of Object.entries(counts.refused))
        limits[limit] = (limits[limit] ?? 0) + n;
    }
    hours.push({ hour: hour * HOUR_MS, ...totals });
  }
  return { hours, countries, limits };
}

function table(caption, head, rows) {
  return el(
    'table',
    { className: 'data-table' },
    el('caption', { text: caption }),
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col', text: h })))),
    el(
      'tbody',
      {},
      ...rows.map((row) =>
        el('tr', {}, ...row.map((cell, i) => el(i === 0 ? 'th' : 'td', { text: String(cell) }))),
      ),
    ),
  );
}

/** What each colour means: `[[className, name], ...]`. */
function legend(entries) {
  return el(
    'p',
    { className: 'chart-legend' },
    ...entries.map(([className, name]) =>
      el('span', {}, el('span', { className: `swatch ${className}`, 'aria-hidden': 'true' }), name),
    ),
  );
}

function figure(title, chart, data, key = null) {
  return el(
    'section',
    { className: 'activity-panel' },
    el('h2', { text: title }),
    ...(key ? [key] : []),
    chart,
    el('details', {}, el('summary', { text: 'The numbers' }), data),
  );
}

function render(activity, nowMs) {
  const { hours, countries, limits } = tally(activity, nowMs);
  const sent = sum(hours.map((h) => h.sent));
  const verified = sum(hours.map((h) => h.verified));
  const refused = sum(hours.map((h) => h.refused));
  const rate = sent ? Math.round((verified / sent) * 100) : 0;
  const card = (name, value, note) =>
    el(
      'div',
      { className: 'stat', 'data-stat': name },
      el('p', { className: 'stat-value', text: String(value) }),
      el('p', { className: 'stat-name', text: note }),
    );
  $('activity-summary').replaceChildren(
    card('sent', sent, 'codes sent'),
    card('verified', verified, `verified (${rate} %)`),
    card('refused', refused, 'refused by a limit'),
    card('paused', activity.paused.length, 'countries paused'),
  );

  const slots = hours.map((h, i) => ({
    values: h,
    tick: i % 6 === 0 || i === hours.length - 1 ? hourLabel(h.hour) : '',
    title: `${hourLabel(h.hour)}: ${h.sent} sent, ${h.verified} verified, ${h.refused} refused`,
  }));
  const perHour = timeBars({
    slots,
    series: [
      { key: 'sent', name: 'sent' },
      { key: 'verified', name: 'verified' },
    ],
    label: `Codes sent and verified per hour, last 24 hours: ${sent} sent, ${verified} verified.`,
  });
  const countryRows = Object.entries(countries)
    .sort(([, a], [, b]) => b.sent + b.refused - (a.sent + a.refused))
    .map(([country, c]) => ({
      label: country,
      value: c.sent,
      part: c.verified,
      title: `${country}: ${c.sent} sent, ${c.verified} verified, ${c.refused} refused`,
    }));
  const limitRows = Object.entries(limits)
    .sort(([, a], [, b]) => b - a)
    .map(([limit, n]) => ({
      label: limitName(limit),
      value: n,
      className: 'chart-refused',
      title: `${limitName(limit)} (${LIMITS[limit]?.[1] ?? limit}): ${n} refused`,
    }));
  $('activity-charts').replaceChildren(
    figure(
      'Per hour',
      perHour,
      table(
        'Codes per hour',
        ['Hour', 'Sent', 'Verified', 'Refused'],
        hours.map((h) => [hourLabel(h.hour), h.sent, h.verified, h.refused]),
      ),
      legend([
        ['chart-sent', 'sent'],
        ['chart-verified', 'verified'],
      ]),
    ),
    figure(
      'Per country',
      countryRows.length
        ? rowBars({ rows: countryRows, label: 'Codes sent per country, verified ones inside.' })
        : el('p', { className: 'empty', text: 'No codes in the last 24 hours.' }),
      table(
        'Codes per country',
        ['Country', 'Sent', 'Verified', 'Refused'],
        Object.entries(countries).map(([c, n]) => [c, n.sent, n.verified, n.refused]),
      ),
      legend([
        ['chart-sent', 'sent'],
        ['chart-verified', 'verified'],
      ]),
    ),
    figure(
      'Refused, by limit',
      limitRows.length
        ? rowBars({ rows: limitRows, label: 'Requests refused by each limit of the send policy.' })
        : el('p', { className: 'empty', text: 'No limit refused a code.' }),
      table(
        'Refusals by limit',
        ['Limit', 'Refused'],
        Object.entries(limits).map(([l, n]) => [limitName(l), n]),
      ),
    ),
    el(
      'section',
      { className: 'activity-panel' },
      el('h2', { text: 'Paused countries' }),
      activity.paused.length
        ? el(
            'ul',
            { className: 'paused-list' },
            ...activity.paused.map((p) =>
              el('li', {
                text: `${p.country}: paused until ${hourLabel(p.untilMs)}; ${p.verified} of ${p.sent} codes sent there in the hour before were entered.`,
              }),
            ),
          )
        : el('p', { className: 'empty', text: 'No country is paused.' }),
    ),
  );
}

async function load() {
  const status = $('activity-status');
  try {
    const activity = await api('GET', `activity?hours=${HOURS}`);
    render(activity, activity.now ?? Date.now());
    status.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
  } catch (err) {
    status.textContent = `Could not read the activity: ${err.message}`;
  } finally {
    $('activity-charts').setAttribute('aria-busy', 'false');
  }
}

async function start() {
  if (!(await requireSession())) return;
  $('sign-out').addEventListener('click', async () => {
    await api('POST', 'sign-out', {}).catch(() => {});
    toSignIn();
  });
  $('refresh').addEventListener('click', load);
  load();
}

start();
