// The reports' tables: sortable by any column (a click on its header, again to reverse), each
// with a CSV download of exactly what it shows, in the order it shows it (money in cents, as
// the API's CSV has it).

import { h } from '../../dom.js';
import { money, int, day, dateTime, label } from '../../format.js';
import { csvText } from '../../exports.js';

const SALES_COLUMNS = [
  { key: 'label', title: 'Group', text: (r) => r.label, sort: (r) => r.label.toLowerCase() },
  { key: 'sales', title: 'Sales', text: (r) => int(r.sales), num: true },
  { key: 'units', title: 'Units', text: (r) => int(r.units), num: true },
  { key: 'discount_cents', title: 'Discounts', text: (r) => money(r.discount_cents), num: true },
  { key: 'total_cents', title: 'Taken (incl. tax)', text: (r) => money(r.total_cents), num: true },
  { key: 'refund_cents', title: 'Returns', text: (r) => money(r.refund_cents), num: true },
  { key: 'void_cents', title: 'Voids', text: (r) => money(r.void_cents), num: true },
  { key: 'kept_tax_cents', title: 'Tax', text: (r) => money(r.kept_tax_cents), num: true },
  { key: 'kept_net_cents', title: 'Net sales', text: (r) => money(r.kept_net_cents), num: true },
  { key: 'cost_cents', title: 'Cost of goods', text: (r) => money(r.cost_cents), num: true, costs: true },
  { key: 'gross_margin_cents', title: 'Gross margin', text: (r) => money(r.gross_margin_cents), num: true, costs: true },
  { key: 'margin_percent', title: 'Margin', text: (r) => percent(marginPercent(r)), num: true, costs: true,
    sort: (r) => marginPercent(r) ?? -Infinity },
];

/** Gross margin as a share of net sales; none without net sales. */
function marginPercent(r) {
  return r.kept_net_cents ? (r.gross_margin_cents / r.kept_net_cents) * 100 : null;
}

function percent(value) {
  return value === null ? '–' : `${value.toFixed(1)} %`;
}

const APPROVALS = { key: 'approvals', title: 'Approvals given', text: (r) => int(r.approvals), num: true };

const TIME = new Set(['day', 'week', 'month']);

/** The sales report's rows. */
export function salesTable(report) {
  const first = TIME.has(report.by)
    ? { ...SALES_COLUMNS[0], title: label(report.by), text: (r) => (report.by === 'month' ? r.key : day(r.key)), sort: (r) => r.key }
    : { ...SALES_COLUMNS[0], title: label(report.by) };
  // Costs and margins are there for managers only (the API leaves them out for the rest).
  const costs = report.rows.length ? 'cost_cents' in report.rows[0] : 'cost_cents' in report.totals;
  const columns = [first, ...SALES_COLUMNS.slice(1).filter((c) => costs || !c.costs)];
  if (report.by === 'staff') columns.push(APPROVALS);
  const name = `sales-by-${report.by}-${report.period.from}-${report.period.to}.csv`;
  return sortable({ id: 'report-sales-table', columns, rows: report.rows, filename: name,
    empty: 'No sales in this period.', csvKey: (r) => r.key });
}

/** Tax per rate. */
export function taxTable(report) {
  const columns = [
    { key: 'rate', title: 'Rate', text: (r) => (r.code ? `${r.code} ${r.rate_percent} %` : `${r.rate_percent} %`), sort: (r) => Number(r.rate_percent) },
    { key: 'net_cents', title: 'Net sold', text: (r) => money(r.net_cents), num: true },
    { key: 'tax_cents', title: 'Tax collected', text: (r) => money(r.tax_cents), num: true },
    { key: 'refunded_tax_cents', title: 'Tax given back', text: (r) => money(r.refunded_tax_cents), num: true },
    { key: 'kept_net_cents', title: 'Net to declare', text: (r) => money(r.kept_net_cents), num: true },
    { key: 'kept_tax_cents', title: 'Tax to declare', text: (r) => money(r.kept_tax_cents), num: true },
  ];
  return sortable({ id: 'report-tax-table', columns, rows: report.rates, filename: `tax-${report.period.from}-${report.period.to}.csv`,
    empty: 'No taxed sales in this period.' });
}

/** Closed shifts and their cash counts. */
export function shiftsTable(report) {
  const columns = [
    { key: 'closed_at', title: 'Closed', text: (s) => dateTime(s.closed_at), sort: (s) => s.closed_at },
    { key: 'till', title: 'Till', text: (s) => `${s.till} · Z${s.z_number}`, sort: (s) => s.till },
    { key: 'closed_by', title: 'By', text: (s) => s.closed_by || '' },
    { key: 'sales', title: 'Sales', text: (s) => int(s.sales), num: true },
    { key: 'expected_cash_cents', title: 'Cash expected', text: (s) => money(s.expected_cash_cents), num: true },
    { key: 'counted_cash_cents', title: 'Cash counted', text: (s) => money(s.counted_cash_cents), num: true },
    { key: 'over_short_cents', title: 'Over / short', text: (s) => money(s.over_short_cents), num: true,
      cls: (s) => (s.over_short_cents < 0 ? 'short' : s.over_short_cents > 0 ? 'over' : null) },
  ];
  const tills = report.tills.length
    ? h('p', { class: 'small', id: 'report-tills' }, report.tills.map((t, i) => [i ? ' · ' : '',
      h('strong', { text: t.till }), `: ${int(t.shifts)} shift${t.shifts === 1 ? '' : 's'}, net ${money(t.net_over_short_cents)}`]))
    : null;
  return h('div', {}, tills, sortable({ id: 'report-shifts-table', columns, rows: report.shifts,
    filename: `shifts-${report.period.from}-${report.period.to}.csv`, empty: 'No shift closed in this period.' }));
}

/** A table of `rows` by `columns`, sorted by a click on a header, and its CSV download. */
function sortable({ id, columns, rows, filename, empty, csvKey }) {
  if (!rows.length) return h('p', { class: 'muted', text: empty });
  let order = rows.slice();
  let sortedBy = null;
  let descending = false;
  const tbody = h('tbody');
  const headers = columns.map((c) => {
    const button = h('button', { type: 'button', class: 'sort', text: c.title, onclick: () => sortBy(c) });
    return h('th', { scope: 'col', class: c.num ? 'num' : null, 'aria-sort': 'none', dataset: { key: c.key } }, button);
  });
  const draw = () => tbody.replaceChildren(...order.map((r) => h('tr', { dataset: { key: csvKey ? csvKey(r) : '' } },
    columns.map((c) => h('td', { class: [c.num ? 'num' : null, c.cls ? c.cls(r) : null], text: c.text(r) })))));
  function sortBy(column) {
    descending = sortedBy === column ? !descending : Boolean(column.num);
    sortedBy = column;
    const value = column.sort || ((r) => r[column.key]);
    order = rows.slice().sort((a, b) => {
      const x = value(a), y = value(b);
      const cmp = x < y ? -1 : x > y ? 1 : 0;
      return descending ? -cmp : cmp;
    });
    headers.forEach((th, i) => th.setAttribute('aria-sort', columns[i] === column ? (descending ? 'descending' : 'ascending') : 'none'));
    draw();
  }
  draw();
  const download = h('button', { type: 'button', class: 'secondary small', id: `${id}-csv`, text: 'Download CSV',
    onclick: () => {
      const text = csvText([
        (csvKey ? ['key'] : []).concat(columns.map((c) => c.key)),
        ...order.map((r) => (csvKey ? [csvKey(r)] : []).concat(columns.map((c) => (c.num && c.key in r ? String(r[c.key]) : c.text(r))))),
      ]);
      const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
      const a = h('a', { href: url, download: filename, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } });
  return h('div', {},
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id }, h('thead', {}, h('tr', {}, headers)), tbody)),
    h('div', { class: 'actions' }, download));
}

/** Stock by location and category, and the products against their sales. */
export function stockTables(report) {
  const costs = report.totals.at_cost_cents !== undefined;
  const valuation = [
    { key: 'location', title: 'Location', text: (r) => r.location },
    { key: 'category', title: 'Category', text: (r) => r.category || '(none)' },
    { key: 'skus', title: 'Products', text: (r) => int(r.skus), num: true },
    { key: 'units', title: 'Units', text: (r) => int(r.units), num: true },
    ...(costs ? [{ key: 'at_cost_cents', title: 'At cost', text: (r) => money(r.at_cost_cents), num: true }] : []),
    { key: 'at_retail_cents', title: 'At retail', text: (r) => money(r.at_retail_cents), num: true },
  ];
  const items = [
    { key: 'name', title: 'Product', text: (i) => i.name, sort: (i) => i.name.toLowerCase() },
    { key: 'category', title: 'Category', text: (i) => i.category },
    { key: 'on_hand', title: 'On hand', text: (i) => int(i.on_hand), num: true },
    ...(costs ? [{ key: 'value_at_cost_cents', title: 'Value at cost', text: (i) => money(i.value_at_cost_cents), num: true, sort: (i) => i.value_at_cost_cents ?? -1 }] : []),
    { key: 'sold_units', title: 'Sold', text: (i) => int(i.sold_units), num: true },
    { key: 'sell_through_percent', title: 'Sell-through', text: (i) => (i.sell_through_percent === null ? '—' : `${i.sell_through_percent} %`), num: true, sort: (i) => i.sell_through_percent ?? -1 },
    { key: 'days_of_inventory', title: 'Days of stock', text: (i) => (i.days_of_inventory === null ? '—' : int(i.days_of_inventory)), num: true, sort: (i) => i.days_of_inventory ?? Infinity },
    { key: 'last_sold', title: 'Last sold', text: (i) => (i.last_sold ? day(i.last_sold) : 'never'), sort: (i) => i.last_sold || '' },
    { key: 'abc', title: 'ABC', text: (i) => i.abc, cls: (i) => (i.dead ? 'short' : null) },
  ];
  const t = report.totals;
  const summary = h('p', { class: 'small', id: 'report-stock-summary' },
    `${int(t.units)} units of ${int(t.skus)} products, ${money(t.at_retail_cents)} at retail`,
    costs ? `, ${money(t.at_cost_cents)} at cost` : '', '. ',
    h('strong', { text: `Dead stock (no sale in the period): ${int(t.dead_skus)} products, ${int(t.dead_units)} units` }),
    costs ? `, ${money(t.dead_at_cost_cents)} tied up.` : '.');
  return h('div', {}, summary,
    sortable({ id: 'report-valuation-table', columns: valuation, rows: report.valuation, filename: `stock-value-${report.period.to}.csv`, empty: 'No stock on hand.' }),
    h('h3', { text: 'Products: stock against sales' }),
    sortable({ id: 'report-stock-table', columns: items, rows: report.items, filename: `stock-${report.period.to}.csv`, empty: 'No stock and no sales.', csvKey: (i) => i.sku }));
}
