// The Activity page's charts, drawn as plain SVG: one bar chart over the hours, and rows of
// horizontal bars. Each chart is an image with a label that says what it shows; each bar has a
// title with its numbers; the page puts the same numbers in a table beside it.

const SVG = 'http://www.w3.org/2000/svg';

function svgEl(tag, attributes = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

/** A round number at least `max`, so the axis reads 0, 5, 10, ... rather than 0 and 13. */
function niceMax(max) {
  if (max <= 5) return 5;
  const step = 10 ** Math.floor(Math.log10(max));
  return Math.ceil(max / step) * step;
}

/**
 * Bars over time: per slot `{label, tick, values: {sent, verified}, title}`; `series` names the
 * values drawn, widest first (each drawn over the one before).
 */
export function timeBars({ slots, series, label }) {
  const width = 720;
  const height = 220;
  const left = 40;
  const bottom = 24;
  const top = 12;
  const plotHeight = height - top - bottom;
  const slotWidth = (width - left) / slots.length;
  const max = niceMax(
    Math.max(1, ...slots.flatMap((slot) => series.map((s) => slot.values[s.key]))),
  );
  const y = (value) => top + plotHeight - (value / max) * plotHeight;
  const svg = svgEl('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': label,
    class: 'chart',
  });
  for (const value of [0, max / 2, max]) {
    svg.append(
      svgEl('line', { x1: left, x2: width, y1: y(value), y2: y(value), class: 'chart-grid' }),
      svgEl(
        'text',
        { x: left - 6, y: y(value) + 4, class: 'chart-axis', 'text-anchor': 'end' },
        value,
      ),
    );
  }
  slots.forEach((slot, i) => {
    const group = svgEl('g', { class: 'chart-slot' });
    group.append(svgEl('title', {}, slot.title));
    series.forEach((s, depth) => {
      const inset = slotWidth * (0.15 + depth * 0.15);
      const value = slot.values[s.key];
      group.append(
        svgEl('rect', {
          x: left + i * slotWidth + inset,
          y: y(value),
          width: Math.max(1, slotWidth - 2 * inset),
          height: Math.max(0, top + plotHeight - y(value)),
          class: `chart-bar chart-${s.key}`,
          'data-value': value,
        }),
      );
    });
    if (slot.tick) {
      // The last tick ends at the chart's edge instead of running over it.
      const last = i === slots.length - 1;
      const x = last ? width : left + (i + 0.5) * slotWidth;
      const anchor = last ? 'end' : 'middle';
      group.append(
        svgEl('text', { x, y: height - 6, class: 'chart-axis', 'text-anchor': anchor }, slot.tick),
      );
    }
    svg.append(group);
  });
  return svg;
}

/** Rows of horizontal bars: `{label, value, part?, title}`; `part` is drawn over `value`. */
export function rowBars({ rows, label }) {
  const width = 720;
  const rowHeight = 28;
  const labelWidth = 200;
  const height = Math.max(1, rows.length) * rowHeight + 4;
  const max = niceMax(Math.max(1, ...rows.map((row) => row.value)));
  const scale = (value) => (value / max) * (width - labelWidth - 60);
  const svg = svgEl('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': label,
    class: 'chart',
  });
  rows.forEach((row, i) => {
    const y = i * rowHeight + 4;
    const group = svgEl('g', { class: 'chart-row' });
    group.append(
      svgEl('title', {}, row.title),
      svgEl(
        'text',
        { x: labelWidth - 10, y: y + 17, class: 'chart-label', 'text-anchor': 'end' },
        row.label,
      ),
      svgEl('rect', {
        x: labelWidth,
        y,
        width: Math.max(1, scale(row.value)),
        height: rowHeight - 8,
        class: `chart-bar ${row.className ?? 'chart-sent'}`,
        'data-value': row.value,
      }),
    );
    if (row.part !== undefined) {
      group.append(
        svgEl('rect', {
          x: labelWidth,
          y: y + 5,
          width: Math.max(row.part > 0 ? 1 : 0, scale(row.part)),
          height: rowHeight - 18,
          class: 'chart-bar chart-verified',
          'data-value': row.part,
        }),
      );
    }
    group.append(
      svgEl(
        'text',
        { x: labelWidth + scale(row.value) + 8, y: y + 17, class: 'chart-value' },
        row.value,
      ),
    );
    svg.append(group);
  });
  return svg;
}
