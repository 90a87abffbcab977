// The console's own small SVG charts (no library): stacked bars, lines, a bar list, a sparkline, and the RFM heat
// grid. Each chart has a `<title>` for screen readers, axes with labels, and a `<title>` on every mark, so a
// value can be read by hovering it. Colours are SVG attributes (the CSP allows no inline style).

import {h, s} from './dom.js';

/** The series colours, distinguishable and print-safe. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
  '#bcbd22', '#17becf'];

const W = 640;
const M = {top: 10, right: 12, bottom: 28, left: 52};

function niceMax(max) {
  if (!(max > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const k of [1, 2, 2.5, 5, 10]) if (k * step >= max) return k * step;
  return 10 * step;
}

function short(n) {
  const abs = Math.abs(n);
  if (abs >= 1e9) return (n / 1e9).toFixed(abs >= 1e10 ? 0 : 1) + 'G';
  if (abs >= 1e6) return (n / 1e6).toFixed(abs >= 1e7 ? 0 : 1) + 'M';
  if (abs >= 1e3) return (n / 1e3).toFixed(abs >= 1e4 ? 0 : 1) + 'k';
  return String(Math.round(n * 100) / 100);
}

/** The frame: y axis from `min` to `max` with three ticks, x labels at the first, middle and last label. */
function frame(title, labels, min, max, H = 220) {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const y = (v) => M.top + plotH - ((v - min) / (max - min)) * plotH;
  const band = plotW / Math.max(labels.length, 1);
  const x = (i) => M.left + i * band;
  const svg = s('svg', {viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img'}, s('title', null, title));
  for (const v of [min, (min + max) / 2, max]) {
    svg.append(s('line', {x1: M.left, x2: W - M.right, y1: y(v), y2: y(v), class: 'grid-line'}),
      s('text', {x: M.left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'tick'}, short(v)));
  }
  const picks = labels.length > 2 ? [0, Math.floor((labels.length - 1) / 2), labels.length - 1] : labels.map((_, i) => i);
  for (const i of picks) {
    const anchor = i === 0 ? 'start' : i === labels.length - 1 ? 'end' : 'middle';
    const px = anchor === 'start' ? x(i) : anchor === 'end' ? x(i) + band : x(i) + band / 2;
    svg.append(s('text', {x: px, y: H - 8, 'text-anchor': anchor, class: 'tick'}, labels[i]));
  }
  svg.append(s('line', {x1: M.left, x2: W - M.right, y1: y(min), y2: y(min), class: 'axis'}),
    s('line', {x1: M.left, x2: M.left, y1: M.top, y2: M.top + plotH, class: 'axis'}));
  return {svg, x, y, band};
}

function legend(series) {
  return h('ul', {class: 'legend'}, series.map((serie, i) =>
    h('li', null, s('svg', {viewBox: '0 0 10 10', class: 'swatch', 'aria-hidden': 'true'},
      s('rect', {width: 10, height: 10, fill: serie.color || PALETTE[i % PALETTE.length]})), serie.name)));
}

/**
 * Stacked bars: one bar per label, the series stacked in order. `series`: `[{name, values}]` (numbers).
 * Returns a `<figure>` with the chart and its legend.
 */
export function stackedBars({title, labels, series}) {
  const totals = labels.map((_, i) => series.reduce((sum, serie) => sum + (serie.values[i] || 0), 0));
  const {svg, x, y, band} = frame(title, labels, 0, niceMax(Math.max(0, ...totals)));
  const gap = band > 4 ? band * 0.15 : 0;
  labels.forEach((label, i) => {
    let base = 0;
    series.forEach((serie, k) => {
      const v = serie.values[i] || 0;
      if (!v) return;
      svg.append(s('rect', {x: x(i) + gap / 2, width: Math.max(band - gap, 0.5), y: y(base + v), height: y(base) - y(base + v),
        fill: serie.color || PALETTE[k % PALETTE.length]}, s('title', null, `${label} ${serie.name}: ${v}`)));
      base += v;
    });
  });
  return h('figure', {class: 'chart-figure'}, svg, legend(series));
}

/**
 * Lines: one polyline per series over the labels; `null` values break the line. `series`: `[{name, values}]`.
 * `min` defaults to 0 (or the lowest value when negative); `height` in the chart's units (its width is 640).
 */
export function lines({title, labels, series, min = null, max = null, height = 220}) {
  const all = series.flatMap((serie) => serie.values.filter((v) => v !== null && v !== undefined));
  const lo = min !== null ? min : Math.min(0, ...all);
  const hi = max !== null ? max : niceMax(Math.max(0, ...all));
  const {svg, x, y, band} = frame(title, labels, lo, hi === lo ? lo + 1 : hi, height);
  series.forEach((serie, k) => {
    const color = serie.color || PALETTE[k % PALETTE.length];
    let points = [];
    const flush = () => {
      if (points.length > 1) {
        svg.append(s('polyline', {points: points.join(' '), fill: 'none', stroke: color, 'stroke-width': 2},
          s('title', null, serie.name)));
      }
      points = [];
    };
    serie.values.forEach((v, i) => {
      if (v === null || v === undefined) { flush(); return; }
      const px = x(i) + band / 2;
      points.push(`${px.toFixed(1)},${y(v).toFixed(1)}`);
      if (serie.values.length <= 120) {
        svg.append(s('circle', {cx: px, cy: y(v), r: 2.5, fill: color}, s('title', null, `${labels[i]} ${serie.name}: ${serie.labels ? serie.labels[i] : v}`)));
      }
    });
    flush();
  });
  return h('figure', {class: 'chart-figure'}, svg, series.length > 1 ? legend(series) : null);
}

/** Horizontal bars, one per `{label, value, note}`, longest first as given; labels are text, so any script renders. */
export function barList(items, title) {
  const max = Math.max(1, ...items.map((item) => item.value));
  return h('ul', {class: 'bar-list', 'aria-label': title}, items.map((item, i) => {
    const bar = s('svg', {viewBox: '0 0 100 8', preserveAspectRatio: 'none', class: 'bar', 'aria-hidden': 'true'},
      s('rect', {width: (100 * item.value) / max, height: 8, fill: PALETTE[(item.color ?? 0) % PALETTE.length]}));
    return h('li', {dataset: {index: i}}, h('span', {class: 'bar-label'}, item.label), bar,
      h('span', {class: 'bar-value num'}, item.note || String(item.value)));
  }));
}

/** One bar as long as `fraction` (0…1) of its box: a table row's bar (e.g. a source's share of its currency). */
export function bar(fraction, title) {
  return s('svg', {viewBox: '0 0 100 8', preserveAspectRatio: 'none', class: 'bar', role: 'img'}, s('title', null, title),
    s('rect', {width: Math.max(0, Math.min(1, fraction)) * 100, height: 8, fill: PALETTE[0]}));
}

/** A small line of `values` (e.g. a segment's size over 30 days) with its last value marked. */
export function sparkline(values, title) {
  const w = 120;
  const hgt = 28;
  const max = Math.max(...values, 1);
  const min = Math.min(...values, 0);
  const px = (i) => (values.length > 1 ? (i * (w - 4)) / (values.length - 1) + 2 : w / 2);
  const py = (v) => hgt - 3 - ((v - min) / (max - min || 1)) * (hgt - 6);
  const svg = s('svg', {viewBox: `0 0 ${w} ${hgt}`, class: 'sparkline', role: 'img'}, s('title', null, title));
  if (values.length) {
    svg.append(s('polyline', {points: values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(' '),
      fill: 'none', stroke: PALETTE[0], 'stroke-width': 1.5}));
    svg.append(s('circle', {cx: px(values.length - 1), cy: py(values[values.length - 1]), r: 2, fill: PALETTE[3]}));
  }
  return svg;
}

/**
 * The RFM heat grid: rows r = 5…1, columns f = 1…5; each cell a link (`href(cell)`) showing its customers and
 * revenue, shaded by its share of the largest cell.
 */
export function heatGrid({title, cells, href, rowLabel, columnLabel, cellText, cellTitle}) {
  const max = Math.max(1, ...cells.map((c) => c.customers));
  const at = (r, f) => cells.find((c) => c.r === r && c.f === f) || {r, f, customers: 0, revenue: '0'};
  return h('table', {class: 'heat', id: 'rfm-grid'},
    h('caption', null, title),
    h('thead', null, h('tr', null, h('th', {scope: 'col'}, `${rowLabel} \\ ${columnLabel}`),
      [1, 2, 3, 4, 5].map((f) => h('th', {scope: 'col'}, `F${f}`)))),
    h('tbody', null, [5, 4, 3, 2, 1].map((r) => h('tr', null, h('th', {scope: 'row'}, `R${r}`),
      [1, 2, 3, 4, 5].map((f) => {
        const cell = at(r, f);
        const level = cell.customers ? Math.min(5, 1 + Math.floor((4 * cell.customers) / max)) : 0;
        const content = cellText(cell);
        return h('td', {class: 'heat-' + level},
          cell.customers ? h('a', {href: href(cell), title: cellTitle(cell), dataset: {r, f, customers: cell.customers}}, content)
            : h('span', {title: cellTitle(cell), dataset: {r, f, customers: 0}}, content));
      })))));
}
