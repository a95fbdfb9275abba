// Reports (/reports): sales over a period (UTC days) from the reporting service's rollups,
// grouped by day, week, month, product, category, brand, location, staff member, payment
// method or tax rate, with the period before of the same length beside each total; a chart
// where looking beats reading (a trend over time, bars by group with the running share for
// products), a table sortable by any column, and a CSV of what is shown. Below: tax per rate
// (what the shop files), closed shifts with their over/short per till, and today's stock set
// against the period's sales (value, dead stock, sell-through, days of stock, ABC).

import { get, isQuiet } from '../../api.js';
import { h, replace, field, statusLine } from '../../dom.js';
import { utcDay } from '../../format.js';
import { loadLocations } from '../stock/forms.js';
import { figureCards } from './cards.js';
import { trendChart, groupChart } from './chart.js';
import { salesTable, taxTable, shiftsTable, stockTables } from './tables.js';

const GROUPINGS = [
  ['day', 'Day'], ['week', 'Week'], ['month', 'Month'], ['product', 'Product'], ['category', 'Category'],
  ['brand', 'Brand'], ['location', 'Location'], ['staff', 'Staff member'], ['payment_method', 'Payment method'],
  ['tax_rate', 'Tax rate'],
];
const TIME = new Set(['day', 'week', 'month']);

/** [from, to] of a preset, as UTC days ending today. */
function preset(name, today = new Date()) {
  const d = (y, m, day) => utcDay(new Date(Date.UTC(y, m, day)));
  const y = today.getUTCFullYear(), m = today.getUTCMonth(), day = today.getUTCDate();
  switch (name) {
    case '7': return [d(y, m, day - 6), d(y, m, day)];
    case 'month': return [d(y, m, 1), d(y, m, day)];
    case 'last-month': return [d(y, m - 1, 1), d(y, m, 0)];
    case '365': return [d(y, m, day - 364), d(y, m, day)];
    default: return [d(y, m, day - 29), d(y, m, day)];
  }
}

export async function render(ctx) {
  ctx.title('Reports');
  const [from0, to0] = preset('30');
  const from = field('From', { id: 'report-from', type: 'date', value: from0, required: true });
  const to = field('To', { id: 'report-to', type: 'date', value: to0, required: true });
  const by = field('Group by', { id: 'report-by', type: 'select', options: GROUPINGS.map(([value, label]) => ({ value, label })) });
  const location = field('Location', { id: 'report-location', type: 'select', options: [{ value: '', label: 'All locations' }] });
  const presets = h('div', { class: 'presets', role: 'group', 'aria-label': 'Periods' },
    [['7', 'Last 7 days'], ['30', 'Last 30 days'], ['month', 'This month'], ['last-month', 'Last month'], ['365', 'Last 365 days']]
      .map(([name, label]) => h('button', { type: 'button', class: 'secondary small', dataset: { preset: name }, text: label,
        onclick: () => { [from.input.value, to.input.value] = preset(name); load(); } })));
  const form = h('form', { class: 'filters report-filters', onsubmit: (e) => { e.preventDefault(); load(); } },
    from.wrap, to.wrap, location.wrap, by.wrap, h('div', { class: 'field' }, h('button', { type: 'submit', text: 'Show' })));
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' });
  const cards = h('section', { id: 'report-cards', class: 'cards', 'aria-label': 'Totals of the period' });
  const chartBox = h('div', { class: 'chart-box', id: 'report-chart' });
  const salesBox = h('div', { id: 'report-sales' });
  const taxBox = h('div', { id: 'report-tax' });
  const shiftsBox = h('div', { id: 'report-shifts' });
  const stockBox = h('div', { id: 'report-stock' });

  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Reports' })),
    form, presets, status, cards,
    h('section', { class: 'panel', 'aria-labelledby': 'report-chart-title' },
      h('h2', { id: 'report-chart-title', text: 'Sales' }), chartBox, salesBox),
    h('div', { class: 'report-grid' },
      h('section', { class: 'panel', 'aria-labelledby': 'report-tax-title' },
        h('h2', { id: 'report-tax-title', text: 'Tax per rate' }), taxBox),
      h('section', { class: 'panel', 'aria-labelledby': 'report-shifts-title' },
        h('h2', { id: 'report-shifts-title', text: 'Shifts: over and short' }), shiftsBox)),
    h('section', { class: 'panel', 'aria-labelledby': 'report-stock-title' },
      h('h2', { id: 'report-stock-title', text: 'Stock today, against the period\'s sales' }), stockBox));

  by.input.addEventListener('change', () => load());
  location.input.addEventListener('change', () => load());
  loadLocations(ctx.signal).then((all) => {
    for (const l of all) location.input.append(h('option', { value: l.code, text: l.name ? `${l.name} (${l.code})` : l.code }));
  }, (e) => { if (!isQuiet(e)) throw e; });

  let generation = 0;
  async function load() {
    const mine = ++generation;
    const query = { from: from.input.value, to: to.input.value, location: location.input.value || undefined };
    const grouping = by.input.value;
    replace(status, statusLine('Loading the reports…'));
    try {
      const days = Math.round((Date.parse(query.to) - Date.parse(query.from)) / 86_400_000) + 1;
      // Today's stock comes from the inventory: when it cannot answer, the rest still shows.
      const stock = get('/reports/stock', { to: query.to, days, location: query.location }, ctx.signal)
        .catch((e) => (isQuiet(e) ? null : e));
      const [sales, tax, shifts] = await Promise.all([
        get('/reports/sales', { ...query, by: grouping }, ctx.signal),
        get('/reports/tax', query, ctx.signal),
        get('/reports/shifts', query, ctx.signal),
      ]);
      if (mine !== generation) return;
      status.replaceChildren();
      replace(cards, ...figureCards(sales.totals, sales.previous));
      replace(chartBox, TIME.has(grouping) ? trendChart(sales) : groupChart(sales));
      replace(salesBox, salesTable(sales));
      replace(taxBox, taxTable(tax));
      replace(shiftsBox, shiftsTable(shifts));
      const held = await stock;
      if (mine !== generation || held === null) return;
      replace(stockBox, held instanceof Error
        ? h('p', { class: 'error', role: 'alert', text: held.detail || held.title || held.message })
        : stockTables(held));
    } catch (e) {
      if (isQuiet(e) || mine !== generation) return;
      replace(status, h('p', { class: 'error', role: 'alert', text: e.detail || e.title || e.message }));
    }
  }
  return load();
}
