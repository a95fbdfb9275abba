// A shift's report, printed on the till's 80 mm roll like a receipt: the X report (the shift
// still open) or the Z report (closed): the shop, till and shift, the sales with tax per rate,
// payments, returns, voids and refunds by method, paid in and out, and the cash drawer with
// what was expected, counted and over or short. Every figure carries `data-figure` (and, for
// amounts, its minor units in `data-cents`).

import { h } from '../../dom.js';
import { money, int, dateTime, time, label } from '../../format.js';
import { ratePercent, syncPrintPage } from '../pos/receipt.js';

/**
 * The report (`section#receipt.z-report`, so that the print styles print it alone) of
 * `report` for the shop `shop` (the settings, or null), followed by Print and `actions`
 * (buttons), which are not printed.
 */
export function reportView(report, shop, actions = []) {
  const shift = report.shift || {};
  const sales = report.sales || {};
  const cash = report.cash || {};
  const closed = report.kind === 'z';
  const taxes = (report.taxes || []).filter((t) => t.tax_cents || t.net_cents);
  const print = h('button', { type: 'button', id: 'report-print', class: 'primary', text: 'Print' });
  const section = h('section', {
    id: 'receipt', class: ['receipt', 'z-report', closed ? null : 'x-report'], 'aria-labelledby': 'report-title',
    dataset: { kind: report.kind, shiftId: shift.id, zNumber: shift.z_number },
  },
  h('header', { class: 'receipt-head' },
    h('h2', { id: 'report-title', text: shop?.name || 'Shift report' }),
    h('p', { class: 'report-kind', text: closed ? `Z report${shift.z_number ? ` ${shift.z_number}` : ''}` : 'X report: the shift is still open' })),
  h('dl', { class: 'receipt-meta' },
    fact('Till', shift.till, 'till'),
    fact('Location', shift.location, 'location'),
    fact('Shift', shift.number === undefined || shift.number === null ? null : `#${shift.number}`, 'shift_number'),
    closed ? fact('Z number', shift.z_number, 'z_number') : null,
    fact('Opened by', shift.opened_by, 'opened_by'),
    when('Opened', shift.opened_at, 'opened_at'),
    closed ? fact('Closed by', shift.closed_by, 'closed_by') : null,
    closed ? when('Closed', shift.closed_at, 'closed_at') : when('Printed', new Date().toISOString(), 'printed_at'),
    fact('First receipt', receiptNo(sales.first_receipt), 'first_receipt'),
    fact('Last receipt', receiptNo(sales.last_receipt), 'last_receipt')),

  h('h3', { text: 'Sales' }),
  h('dl', { class: 'receipt-totals' },
    count('Sales', sales.count, 'sales_count'),
    amount('Gross (before discounts)', sales.gross_cents, 'gross'),
    amount('Discounts', sales.discount_cents, 'discount', { minus: true }),
    amount('Net (excl. tax)', sales.net_cents, 'net')),
  taxes.length ? h('table', { class: 'receipt-taxes' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Tax' }), h('th', { scope: 'col', class: 'num', text: 'Net' }), h('th', { scope: 'col', class: 'num', text: 'Tax' }))),
    h('tbody', {}, taxes.map((t) => h('tr', { dataset: { taxCode: t.code } },
      h('td', { text: `${t.code ? `${t.code} ` : ''}${ratePercent(t.rate_bp)}` }),
      h('td', { class: 'num', dataset: { cents: t.net_cents }, text: money(t.net_cents) }),
      h('td', { class: 'num', dataset: { cents: t.tax_cents }, text: money(t.tax_cents) }))))) : null,
  h('dl', { class: 'receipt-totals' },
    amount('Tax', sales.tax_cents, 'tax'),
    amount('Total', sales.total_cents, 'total', { cls: 'grand' })),

  h('h3', { text: 'Payments' }),
  byMethod(report.payments, 'payment', 'No payments.'),

  h('h3', { text: 'Returns, voids and refunds' }),
  h('dl', { class: 'receipt-totals' },
    amount(`Returns (${int(report.returns?.count ?? 0)})`, report.returns?.amount_cents ?? 0, 'returns', { count: report.returns?.count ?? 0 }),
    amount(`Voids (${int(report.voids?.count ?? 0)})`, report.voids?.amount_cents ?? 0, 'voids', { count: report.voids?.count ?? 0 })),
  byMethod(report.refunds, 'refund', 'No refunds.', 'Refunded by'),

  h('h3', { text: 'Paid in and out' }),
  movementsTable(report.cash_movements || []),

  h('h3', { text: 'Cash' }),
  h('dl', { class: 'receipt-totals report-cash' },
    amount('Opening float', cash.opening_float_cents, 'opening_float'),
    amount('Cash taken', cash.cash_taken_cents, 'cash_taken'),
    amount('Change given', cash.change_given_cents, 'change_given'),
    amount('Cash refunds', cash.cash_refunds_cents, 'cash_refunds'),
    amount('Paid in', cash.paid_in_cents, 'paid_in'),
    amount('Paid out', cash.paid_out_cents, 'paid_out'),
    amount('Expected', cash.expected_cents, 'expected', { cls: 'grand' }),
    cash.counted_cents === null || cash.counted_cents === undefined ? null : amount('Counted', cash.counted_cents, 'counted', { cls: 'strong' }),
    cash.over_short_cents === null || cash.over_short_cents === undefined ? null : overShort(cash.over_short_cents)),
  shift.note ? h('p', { class: 'report-note' }, h('strong', { text: 'Note: ' }), shift.note) : null,
  h('p', { class: 'receipt-footer', text: closed ? '— End of Z report —' : '— X report: not a closing —' }));

  print.addEventListener('click', () => { syncPrintPage(); window.print(); });
  queueMicrotask(syncPrintPage);
  return h('div', { class: 'report-box' }, section, h('div', { class: 'actions report-actions no-print' }, print, actions));
}

function fact(term, value, figure) {
  if (value === null || value === undefined || value === '') return [h('dt', { text: term }), h('dd', { dataset: { figure }, text: '—' })];
  return [h('dt', { text: term }), h('dd', { dataset: { figure }, text: String(value) })];
}

function when(term, iso, figure) {
  return [h('dt', { text: term }), h('dd', { dataset: { figure } }, iso ? h('time', { datetime: iso, text: dateTime(iso) }) : '—')];
}

function count(term, n, figure) {
  return [h('dt', { text: term }), h('dd', { dataset: { figure, count: n ?? 0 }, text: int(n ?? 0) })];
}

/** A money figure; `minus` shows it as taken off, `cls` marks the row. */
function amount(term, cents, figure, { minus = false, cls = null, count: n = null } = {}) {
  const value = cents ?? 0;
  return [h('dt', { class: cls, text: term }),
    h('dd', { class: cls, dataset: { figure, cents: value, count: n }, text: minus && value ? `−${money(value)}` : money(value) })];
}

/** Over (amber) or short (red) of the count against what was expected. */
function overShort(cents) {
  const state = cents < 0 ? 'short' : cents > 0 ? 'over' : 'even';
  const text = cents < 0 ? `${money(cents)} short` : cents > 0 ? `+${money(cents)} over` : `${money(0)} (exact)`;
  return [h('dt', { class: ['over-short', state], text: 'Over / short' }),
    h('dd', { class: ['over-short', state], dataset: { figure: 'over_short', cents, state }, text })];
}

function byMethod(rows, figure, empty, prefix = '') {
  if (!rows || !rows.length) return h('p', { class: 'muted report-empty', dataset: { figure: `${figure}s` }, text: empty });
  return h('dl', { class: 'receipt-totals' }, rows.map((r) => [
    h('dt', { text: `${prefix ? `${prefix} ${label(r.method).toLowerCase()}` : label(r.method)} (${int(r.count)})` }),
    h('dd', { dataset: { figure, method: r.method, count: r.count, cents: r.amount_cents }, text: money(r.amount_cents) })]));
}

function movementsTable(movements) {
  if (!movements.length) return h('p', { class: 'muted report-empty', dataset: { figure: 'cash_movements' }, text: 'None.' });
  return h('table', { class: 'receipt-lines report-movements' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Paid in / out' }), h('th', { scope: 'col', class: 'num', text: 'Amount' }))),
    h('tbody', {}, movements.map((m) => h('tr', { dataset: { movementId: m.id, kind: m.kind } },
      h('td', {},
        h('span', { class: 'strong', text: label(m.kind) }), ' ', h('time', { datetime: m.at, text: time(m.at) }), h('br'),
        h('span', { text: m.reason }), m.actor ? h('small', { text: ` (${m.actor})` }) : null),
      h('td', { class: 'num', dataset: { cents: m.amount_cents }, text: m.kind === 'paid_out' ? `−${money(m.amount_cents)}` : money(m.amount_cents) })))));
}

function receiptNo(n) {
  return n === null || n === undefined ? null : `#${n}`;
}
