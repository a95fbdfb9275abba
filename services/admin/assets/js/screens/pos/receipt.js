// The receipt of a sale, after completing it at the till and as a reprint from the sales
// history: the shop, the sale's lines (with each unit's serial number and the last day of its
// warranty), discounts, tax per rate, payments and change. Printed
// on an 80 mm roll (app.css) or, when chosen, on A4: the body then prints on app.css's named
// page `a4`. The paper chosen is remembered by the device.

import { h, field } from '../../dom.js';
import { money, int, dateTime, fullDay, label, warrantyEnd } from '../../format.js';

const PAPER_KEY = 'receipt.paper';
const percentFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 4 });

/** "20 %", "8.875 %" of a `rate_bp`. */
export function ratePercent(rateBp) {
  return `${percentFmt.format(Number(rateBp) / 100)} %`;
}

/**
 * The receipt (`section#receipt`) of `sale` for the shop `shop` (the settings, or null), with
 * the paper choice, Print, and `actions` (buttons) below it, none of which is printed.
 */
export function receiptView(sale, shop, actions = []) {
  const a4 = field('A4 paper', { id: 'receipt-a4', type: 'checkbox', checked: paper() === 'a4' });
  const print = h('button', { type: 'button', id: 'receipt-print', class: 'primary', text: 'Print' });
  const lines = h('table', { class: 'receipt-lines' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Item' }), h('th', { scope: 'col', class: 'num', text: 'Total' }))),
    h('tbody', {}, (sale.lines || []).map((l) => lineRows(l, sale))));
  const taxes = (sale.taxes || []).filter((t) => t.tax_cents || t.rate_bp);
  const receipt = h('section', { id: 'receipt', class: ['receipt', paper() === 'a4' ? 'a4' : null], 'aria-labelledby': 'receipt-title', dataset: { receiptNumber: sale.receipt_number, saleId: sale.id } },
    h('header', { class: 'receipt-head' },
      h('h2', { id: 'receipt-title', text: shop?.name || 'Receipt' }),
      (shop?.address || []).length ? h('p', { class: 'receipt-address' }, shop.address.map((l, i) => [i ? h('br') : null, l])) : null,
      shop?.tax_id ? h('p', { class: 'receipt-tax-id', text: `Tax ID ${shop.tax_id}` }) : null),
    h('dl', { class: 'receipt-meta' },
      h('dt', { text: 'Receipt' }), h('dd', { class: 'receipt-number', text: `#${sale.receipt_number}` }),
      h('dt', { text: 'Date' }), h('dd', {}, h('time', { datetime: sale.created_at, text: dateTime(sale.created_at) })),
      sale.recorded_by ? [h('dt', { text: 'Cashier' }), h('dd', { class: 'receipt-cashier', text: sale.recorded_by })] : null,
      sale.approved_by ? [h('dt', { text: 'Approved by' }), h('dd', { class: 'receipt-approved-by', text: sale.approved_by })] : null,
      sale.customer ? [h('dt', { text: 'Customer' }), h('dd', { class: 'receipt-customer', text: sale.customer })] : null,
      sale.status && sale.status !== 'completed' ? [h('dt', { text: 'Status' }), h('dd', { class: 'strong', text: label(sale.status) })] : null),
    lines,
    h('dl', { class: 'receipt-totals' },
      sale.discount_cents ? [h('dt', { text: 'Discounts' }), h('dd', { class: 'receipt-discount', text: `−${money(sale.discount_cents)}` })] : null,
      h('dt', { text: 'Subtotal (excl. tax)' }), h('dd', { class: 'receipt-subtotal', text: money(sale.subtotal_cents) })),
    taxes.length ? h('table', { class: 'receipt-taxes' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Tax' }), h('th', { scope: 'col', class: 'num', text: 'Net' }), h('th', { scope: 'col', class: 'num', text: 'Tax' }))),
      h('tbody', {}, taxes.map((t) => h('tr', {},
        h('td', { text: `${t.code ? `${t.code} ` : ''}${ratePercent(t.rate_bp)}` }),
        h('td', { class: 'num', text: money(t.net_cents) }),
        h('td', { class: 'num', text: money(t.tax_cents) }))))) : null,
    h('dl', { class: 'receipt-totals' },
      h('dt', { text: 'Tax' }), h('dd', { class: 'receipt-tax', text: money(sale.tax_cents) }),
      h('dt', { class: 'grand', text: 'Total' }), h('dd', { class: 'grand receipt-total', text: money(sale.total_cents) }),
      (sale.payments || []).map((p) => [h('dt', { text: `Paid by ${label(p.method).toLowerCase()}` }), h('dd', { dataset: { method: p.method }, text: money(p.amount_cents) })]),
      sale.tendered_cents || sale.change_due_cents ? [h('dt', { text: 'Change' }), h('dd', { class: 'receipt-change', text: money(sale.change_due_cents) })] : null,
      sale.refunded_cents ? [h('dt', { text: 'Refunded' }), h('dd', { text: money(sale.refunded_cents) })] : null),
    h('p', { class: 'receipt-footer', text: shop?.receipt_footer || 'Thank you for your purchase!' }),
    h('div', { class: 'receipt-actions no-print' }, a4.wrap, h('div', { class: 'actions' }, print, actions)));

  a4.input.addEventListener('change', () => {
    const chosen = a4.input.checked ? 'a4' : 'roll';
    try { localStorage.setItem(PAPER_KEY, chosen); } catch { /* the choice is then not remembered */ }
    receipt.classList.toggle('a4', a4.input.checked);
    syncPrintPage();
  });
  print.addEventListener('click', () => { syncPrintPage(); window.print(); });
  queueMicrotask(syncPrintPage);
  return receipt;
}

function lineRows(l, sale) {
  return [
    h('tr', { class: 'receipt-line', dataset: { sku: l.sku } },
      h('td', {}, h('span', { class: 'receipt-item', text: l.name }), h('br'),
        h('small', { text: `${int(l.quantity)} × ${money(l.unit_price_cents)}` }), ' ', h('small', { class: 'mono', text: l.sku })),
      h('td', { class: 'num', text: money(l.line_total_cents) })),
    l.discount_cents ? h('tr', { class: 'receipt-line-discount' },
      h('td', { text: 'Discount' }), h('td', { class: 'num', text: `−${money(l.discount_cents)}` })) : null,
    (l.serials || []).length ? h('tr', { class: 'receipt-line-serials' },
      h('td', { colspan: 2 }, l.serials.map((s, i) => [i ? h('br') : null, h('small', { class: 'mono receipt-serial', text: `S/N ${s}` })]),
        l.warranty_months ? [h('br'), h('small', { class: 'receipt-warranty', text: `Warranty until ${fullDay(warrantyEnd(sale.created_at, l.warranty_months))}` })] : null)) : null,
  ];
}

function paper() {
  try { return localStorage.getItem(PAPER_KEY) === 'a4' ? 'a4' : 'roll'; } catch { return 'roll'; }
}

/** The printed page is A4 while an A4 receipt is shown, else the 80 mm roll (app.css). */
export function syncPrintPage() {
  document.body.classList.toggle('print-a4', !!document.querySelector('#receipt.a4'));
}

// Printing with the browser's own menu picks the right page too.
window.addEventListener('beforeprint', syncPrintPage);
