// The reports' charts, drawn as inline SVG like the overview's (the dashboard carries no
// third-party code; a trend and bars need no library): net sales over time with units as a
// line, or net sales by group as horizontal bars, with each product's running share of the
// period's sales (a Pareto chart: the A items are the few that make 80 %).

import { h, svg } from '../../dom.js';
import { money, int, day, utcDay } from '../../format.js';

const BARS = 15;

/** Net sales (bars) and units (line) per day, week or month. */
export function trendChart(report) {
  if (!report.rows.length) return h('p', { class: 'muted', text: 'No sales in this period.' });
  const rows = everySlot(report);
  const W = 760, H = 260, left = 64, right = 44, top = 14, bottom = 30;
  const plotW = W - left - right, plotH = H - top - bottom;
  const maxNet = nice(Math.max(...rows.map((r) => r.kept_net_cents), 1));
  const maxUnits = nice(Math.max(...rows.map((r) => r.units), 1));
  const slot = plotW / rows.length;
  const barW = Math.max(2, slot * 0.7);
  const root = svg('svg', { id: 'report-trend', class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'report-trend-title' },
    svg('title', { id: 'report-trend-title', text: `Net sales and units by ${report.by}, ${day(report.period.from)} to ${day(report.period.to)}` }));
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    root.append(svg('line', { x1: left, x2: W - right, y1: y, y2: y, class: 'grid' }),
      svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis', text: money((maxNet * i) / 4) }),
      svg('text', { x: W - right + 6, y: y + 4, class: 'axis units-axis', text: int((maxUnits * i) / 4) }));
  }
  const every = Math.ceil(rows.length / 8);
  rows.forEach((r, i) => {
    const bh = (Math.max(0, r.kept_net_cents) / maxNet) * plotH;
    const bar = svg('rect', { x: (left + i * slot + (slot - barW) / 2).toFixed(1), y: (top + plotH - bh).toFixed(1),
      width: barW.toFixed(1), height: bh.toFixed(1), class: 'bar', 'data-key': r.key });
    bar.append(svg('title', { text: `${r.label}: ${money(r.kept_net_cents)} net, ${int(r.units)} units, ${int(r.sales)} sales` }));
    root.append(bar);
    if (i % every === 0) {
      root.append(svg('text', { x: (left + i * slot + slot / 2).toFixed(1), y: H - 10, 'text-anchor': 'middle', class: 'axis',
        text: report.by === 'month' ? r.key : day(r.key) }));
    }
  });
  const points = rows.map((r, i) => `${(left + i * slot + slot / 2).toFixed(1)},${(top + plotH - (r.units / maxUnits) * plotH).toFixed(1)}`);
  root.append(svg('polyline', { points: points.join(' '), class: 'units-line', fill: 'none' }),
    svg('line', { x1: left, x2: W - right, y1: top + plotH, y2: top + plotH, class: 'baseline' }));
  return h('div', {},
    h('p', { class: 'legend' }, h('span', { class: 'swatch swatch-revenue', 'aria-hidden': 'true' }), ' Net sales (bars) ',
      h('span', { class: 'swatch swatch-units', 'aria-hidden': 'true' }), ' Units (line)'),
    root);
}

/** The report's rows with an empty one for every day, week or month of the period without sales. */
function everySlot(report) {
  const byKey = new Map(report.rows.map((r) => [r.key, r]));
  const keys = [];
  const start = new Date(`${report.period.from}T00:00:00Z`);
  const end = new Date(`${report.period.to}T00:00:00Z`);
  if (report.by === 'month') {
    for (let d = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), 1)); d <= end; d.setUTCMonth(d.getUTCMonth() + 1)) {
      keys.push(utcDay(d).slice(0, 7));
    }
  } else {
    const step = report.by === 'week' ? 7 : 1;
    const first = new Date(start);
    if (step === 7) first.setUTCDate(first.getUTCDate() - ((first.getUTCDay() + 6) % 7));
    for (let d = first; d <= end; d.setUTCDate(d.getUTCDate() + step)) keys.push(utcDay(d));
  }
  return keys.map((key) => byKey.get(key) || { key, label: key, sales: 0, units: 0, kept_net_cents: 0 });
}

/** Net sales of the largest groups as bars; for products, the running share as a line. */
export function groupChart(report) {
  const all = report.rows.filter((r) => r.kept_net_cents > 0);
  if (!all.length) return h('p', { class: 'muted', text: 'No sales in this period.' });
  const total = all.reduce((s, r) => s + r.kept_net_cents, 0);
  const rows = all.slice(0, BARS);
  const pareto = report.by === 'product';
  const W = 760, rowH = 24, left = 190, right = pareto ? 150 : 110, top = 8;
  const H = top + rows.length * rowH + 8;
  const plotW = W - left - right;
  const max = Math.max(...rows.map((r) => r.kept_net_cents));
  const root = svg('svg', { id: 'report-bars', class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'report-bars-title' },
    svg('title', { id: 'report-bars-title', text: `Net sales by ${report.by}, the ${rows.length} largest` }));
  let running = 0;
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const w = (r.kept_net_cents / max) * plotW;
    running += r.kept_net_cents;
    const share = (running / total) * 100;
    const bar = svg('rect', { x: left, y: y + 4, width: w.toFixed(1), height: rowH - 8, class: ['bar', pareto ? `abc-${abc(share, r.kept_net_cents / total * 100)}` : null].filter(Boolean).join(' '), 'data-key': r.key });
    bar.append(svg('title', { text: `${r.label}: ${money(r.kept_net_cents)} (${((r.kept_net_cents / total) * 100).toFixed(1)} %)` }));
    root.append(
      svg('text', { x: left - 8, y: y + rowH / 2 + 4, 'text-anchor': 'end', class: 'axis label', text: shorten(r.label, 28) }),
      bar,
      svg('text', { x: left + w + 6, y: y + rowH / 2 + 4, class: 'axis', text: money(r.kept_net_cents) }));
    if (pareto) {
      root.append(svg('text', { x: W - 8, y: y + rowH / 2 + 4, 'text-anchor': 'end', class: 'axis share', text: `${share.toFixed(1)} % · ${abc(share, (r.kept_net_cents / total) * 100)}` }));
    }
  });
  const legend = pareto
    ? h('p', { class: 'legend small muted', text: 'Right: the running share of the period\'s net sales and the ABC class (A: the items that make the first 80 %, B: up to 95 %, C: the rest).' })
    : null;
  return h('div', {}, root, legend);
}

/** The ABC class of an item whose running share reaches `running` % with its own `own` %. */
export function abc(running, own) {
  const before = running - own;
  if (before < 80) return 'A';
  if (before < 95) return 'B';
  return 'C';
}

/** A round axis top at or above `value`: 1, 2 or 5 times a power of ten, times four steps. */
function nice(value) {
  const step = value / 4;
  const power = 10 ** Math.floor(Math.log10(step));
  const top = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= step);
  return top * 4;
}

function shorten(text, max) {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
