// Overview (/): today's sales, stock value, low-stock count, a 30-day revenue/units chart
// (inline SVG), top sellers and the live event feed. Figures refetch (debounced) on events.
//
// The chart and the top sellers come from the reports' daily rollups (UTC days, returns on
// the day they happened), which read a few rows per day however many sales there were.
// Today's count and revenue come from the sales service itself: they follow the shop's local
// midnight, which the reports' UTC days do not, and they are exact the moment a sale is made.

import { get, isQuiet } from '../api.js';
import { h, svg, replace, debounce } from '../dom.js';
import { money, majorUnits, int, day, time, startOfLocalDay, utcDay } from '../format.js';
import { recentEvents, describe } from '../live.js';

const REFRESH_ON = ['SaleCreated', 'SaleUpdated', 'StockLevelsChanged', 'RestockReceived', 'StockAdjusted',
  'StockTransferred', 'StockLevelWarning', 'ProductCreated', 'ProductUpdated', 'ProductArchived', 'resync'];
const DAYS = 30;
const FEED_MAX = 50;
const TOP_SELLERS = 10;
const REPORTS_CATCH_UP_MS = 5000;

export function render(ctx) {
  ctx.title('Overview');
  const card = (id, label, extra) => h('div', { class: 'card' },
    h('h2', { class: 'card-label', text: label }),
    h('p', { class: 'card-value', id, 'aria-busy': 'true', text: '…' }),
    extra || null);

  const chartBox = h('div', { class: 'chart-box' }, h('p', { class: 'loading', text: 'Loading chart…' }));
  const topBox = h('div', { id: 'top-sellers', class: 'top-sellers' }, h('p', { class: 'loading', text: 'Loading…' }));
  const feed = h('ul', { id: 'event-feed', class: 'event-feed', 'aria-live': 'polite' });
  const updated = h('p', { class: 'muted small', 'aria-live': 'off' });

  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Overview' }), updated),
    h('section', { class: 'cards', 'aria-label': 'Key figures' },
      card('today-count', "Today's sales"),
      card('today-revenue', "Today's revenue"),
      ctx.can('manager') ? card('stock-value-cost', 'Stock value at cost') : null,
      card('stock-value-price', 'Stock value at price'),
      card('low-stock-count', 'Low-stock SKUs', h('a', { href: '/alerts', class: 'small', text: 'See alerts' }))),
    h('div', { class: 'overview-grid' },
      h('section', { class: 'panel chart-panel', 'aria-labelledby': 'chart-title' },
        h('h2', { id: 'chart-title', text: `Revenue and units, last ${DAYS} days` }),
        h('p', { class: 'legend' },
          h('span', { class: 'swatch swatch-revenue', 'aria-hidden': 'true' }), ' Revenue (bars) ',
          h('span', { class: 'swatch swatch-units', 'aria-hidden': 'true' }), ' Units (line)'),
        chartBox),
      h('section', { class: 'panel', 'aria-labelledby': 'top-title' },
        h('h2', { id: 'top-title', text: `Top sellers, last ${DAYS} days` }), topBox),
      h('section', { class: 'panel feed-panel', 'aria-labelledby': 'feed-title' },
        h('h2', { id: 'feed-title', text: 'Live events' }), feed)));

  // Live feed: what arrived before this screen opened, then each new event on top.
  const recent = recentEvents();
  if (recent.length) recent.forEach((e) => feed.append(feedItem(e.type, e.envelope, e.receivedAt)));
  else feed.append(h('li', { class: 'muted empty', text: 'No events yet. They appear here as they happen.' }));
  ctx.live(null, (type, env) => {
    if (type === 'resync') return;
    feed.querySelector('.empty')?.remove();
    feed.prepend(feedItem(type, env, new Date()));
    while (feed.children.length > FEED_MAX) feed.lastElementChild.remove();
  });

  const load = () => loadFigures(ctx, { chartBox, topBox, updated });
  const refresh = debounce(load, 1200);
  // The reports apply the same events a moment later: look again once they have.
  const again = debounce(load, REPORTS_CATCH_UP_MS);
  ctx.onCleanup(() => { refresh.cancel(); again.cancel(); });
  ctx.live(REFRESH_ON, () => { refresh(); again(); });
  return load();
}

function feedItem(type, env, at) {
  const when = env && env.occurred_at ? env.occurred_at : at;
  return h('li', { dataset: { type } },
    h('time', { datetime: new Date(when).toISOString(), text: time(when) }), ' ',
    h('span', { class: `event-type type-${type}`, text: type }), ' ',
    h('span', { text: describe(type, env) }));
}

async function loadFigures(ctx, { chartBox, topBox, updated }) {
  const { signal } = ctx;
  const now = new Date();
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (DAYS - 1)));
  const jobs = [
    get('/sales/summary', { from: startOfLocalDay(now) }, signal).then((today) => {
      setValue('today-count', int(today.count));
      setValue('today-revenue', money(today.revenue_cents));
    }, (e) => fail(e, ['today-count', 'today-revenue'])),
    get('/stock-value', {}, signal).then((v) => {
      setValue('stock-value-cost', money(v.at_cost_cents));
      setValue('stock-value-price', money(v.at_price_cents),
        `${count(v.units, 'unit')} in ${count(v.skus, 'SKU')}${v.unpriced_skus ? `; ${int(v.unpriced_skus)} without a price` : ''}`);
    }, (e) => fail(e, ['stock-value-cost', 'stock-value-price'])),
    get('/alerts', {}, signal).then((a) => {
      const skus = new Set((a.items || []).map((i) => i.sku));
      setValue('low-stock-count', int(skus.size));
      document.getElementById('low-stock-count')?.classList.toggle('warn', skus.size > 0);
    }, (e) => fail(e, ['low-stock-count'])),
    Promise.all([
      get('/reports/sales', { from: utcDay(since), to: utcDay(now), by: 'day' }, signal),
      get('/reports/sales', { from: utcDay(since), to: utcDay(now), by: 'product' }, signal),
    ]).then(([byDay, byProduct]) => {
      replace(chartBox, chart(byDay.rows.map(dayFigures), since));
      replace(topBox, topSellers(byProduct.rows.slice(0, TOP_SELLERS).map(productFigures)));
    }, (e) => {
      if (isQuiet(e)) return;
      replace(chartBox, h('p', { class: 'error', role: 'alert', text: e.message }));
      replace(topBox, h('p', { class: 'error', text: e.message }));
    }),
  ];
  await Promise.all(jobs);
  if (!signal.aborted) updated.textContent = `Updated ${time()}`;
}

function setValue(id, text, note) {
  const el = document.getElementById(id);
  if (!el) return;
  el.textContent = text;
  el.removeAttribute('aria-busy');
  el.classList.remove('failed');
  const card = el.closest('.card');
  card.querySelector('.card-error')?.remove();
  let n = card.querySelector('.card-note');
  if (note) {
    if (!n) { n = h('p', { class: 'card-note small muted' }); el.after(n); }
    n.textContent = note;
  } else if (n) n.remove();
}

function fail(e, ids) {
  if (isQuiet(e)) return;
  for (const id of ids) {
    const el = document.getElementById(id);
    if (!el) continue;
    el.textContent = '—';
    el.removeAttribute('aria-busy');
    el.classList.add('failed');
    const card = el.closest('.card');
    card.querySelector('.card-error')?.remove();
    el.after(h('p', { class: 'card-error small', role: 'alert', text: e.title || e.message }));
  }
}

/** What was kept of a day's sales (tax included), its units and sales, less returns and voids. */
function dayFigures(r) {
  return { day: r.key, revenue_cents: kept(r), units: keptUnits(r), count: r.sales - r.voids };
}

function productFigures(r) {
  return { sku: r.key, name: r.label === r.key ? '' : r.label, units: keptUnits(r), revenue_cents: kept(r) };
}

function kept(r) {
  return r.kept_net_cents + r.kept_tax_cents;
}

function keptUnits(r) {
  return r.units - r.returned_units - r.voided_units;
}

function topSellers(items) {
  if (!items.length) return h('p', { class: 'muted', text: 'No sales in this period.' });
  return h('ol', { class: 'top-list' }, items.map((p) => h('li', { dataset: { sku: p.sku } },
    h('a', { href: `/stock/${encodeURIComponent(p.sku)}`, class: 'mono', text: p.sku }), ' ',
    h('span', { class: 'name', text: p.name || '' }),
    h('span', { class: 'figures', text: `${count(p.units, 'unit')} · ${money(p.revenue_cents)}` }))));
}

/** Bars for revenue per day, a line for units, one slot per UTC day since `since`. */
function chart(byDay, since) {
  const days = [];
  const index = new Map(byDay.map((d) => [d.day, d]));
  for (let i = 0; i < DAYS; i++) {
    const d = new Date(since.getTime() + i * 86_400_000);
    const key = utcDay(d);
    const f = index.get(key);
    days.push({ day: key, revenue: f ? f.revenue_cents : 0, units: f ? f.units : 0, count: f ? f.count : 0 });
  }
  const W = 720, H = 260, left = 56, right = 40, top = 16, bottom = 30;
  const plotW = W - left - right, plotH = H - top - bottom;
  // Axis tops are four "nice" steps, so every label is distinct and round: whole currency
  // units for revenue, whole units for quantities.
  const maxRev = 4 * niceStep(Math.max(...days.map((d) => d.revenue)) / 4, 100);
  const maxUnits = 4 * niceStep(Math.max(...days.map((d) => d.units)) / 4, 1);
  const slot = plotW / DAYS;
  const barW = Math.max(2, slot * 0.7);
  const totalRev = days.reduce((s, d) => s + d.revenue, 0);
  const totalUnits = days.reduce((s, d) => s + d.units, 0);

  const root = svg('svg', { id: 'sales-chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'sales-chart-title sales-chart-desc', class: 'chart' });
  root.append(
    svg('title', { id: 'sales-chart-title', text: `Revenue and units per day, last ${DAYS} days` }),
    svg('desc', { id: 'sales-chart-desc', text: `Total revenue ${money(totalRev)}, ${totalUnits} units. Highest day: ${money(Math.max(...days.map((d) => d.revenue)))}.` }));

  // Grid lines and axis labels.
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    root.append(svg('line', { x1: left, x2: W - right, y1: y, y2: y, class: 'grid' }));
    root.append(svg('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis', text: compactMoney((maxRev * i) / 4) }));
    root.append(svg('text', { x: W - right + 6, y: y + 4, 'text-anchor': 'start', class: 'axis units-axis', text: String((maxUnits * i) / 4) }));
  }
  days.forEach((d, i) => {
    const x = left + i * slot + (slot - barW) / 2;
    const bh = (d.revenue / maxRev) * plotH;
    const bar = svg('rect', { x: x.toFixed(1), y: (top + plotH - bh).toFixed(1), width: barW.toFixed(1), height: Math.max(0, bh).toFixed(1), class: 'bar' });
    bar.setAttribute('data-day', d.day);
    bar.append(svg('title', { text: `${day(d.day)}: ${money(d.revenue)}, ${d.units} units, ${d.count} sales` }));
    root.append(bar);
    if (i % 5 === 0 || i === DAYS - 1) {
      root.append(svg('text', { x: (left + i * slot + slot / 2).toFixed(1), y: H - 10, 'text-anchor': 'middle', class: 'axis', text: day(d.day) }));
    }
  });
  const points = days.map((d, i) => `${(left + i * slot + slot / 2).toFixed(1)},${(top + plotH - (d.units / maxUnits) * plotH).toFixed(1)}`);
  root.append(svg('polyline', { points: points.join(' '), class: 'units-line', fill: 'none' }));
  days.forEach((d, i) => {
    if (!d.units) return;
    const [cx, cy] = points[i].split(',');
    const dot = svg('circle', { cx, cy, r: 3, class: 'units-dot' });
    dot.append(svg('title', { text: `${day(d.day)}: ${d.units} units` }));
    root.append(dot);
  });
  root.append(svg('line', { x1: left, x2: W - right, y1: top + plotH, y2: top + plotH, class: 'baseline' }));
  return root;
}

/** "1 unit", "5 units". */
function count(n, noun) {
  return `${int(n)} ${noun}${n === 1 ? '' : 's'}`;
}

/** The smallest of `min` × 1, 2, 5, 10, 20, 50, … that is at least `raw`. */
function niceStep(raw, min) {
  let step = min;
  for (let i = 0; step < raw; i = (i + 1) % 3) step *= [2, 2.5, 2][i];
  return step;
}

function compactMoney(cents) {
  const v = majorUnits(cents);
  if (v >= 1_000_000) return `${(v / 1_000_000).toFixed(1)}M`;
  if (v >= 10_000) return `${Math.round(v / 1000)}k`;
  if (v >= 1000) return `${(v / 1000).toFixed(1)}k`;
  return String(Math.round(v));
}
