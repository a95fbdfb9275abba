// The printed purchase order: an A4 page with the shop (name, address, tax ID), the supplier,
// the order's number, date, expected day and delivery location, its lines (their code, units,
// unit cost, line total) and the total. It is `section#receipt.a4`, so app.css's print styles
// print it alone on the A4 page (hiding the app); on screen it is not shown (`.po-doc`).

import { h } from '../../dom.js';
import { money, int, dateTime } from '../../format.js';
import { syncPrintPage } from '../pos/receipt.js';
import { poNumber, calendarDay } from './common.js';

/** The document of `order` for `shop` (the settings or null) and `supplier` (or null). */
export function printDocument(order, shop, supplier, locationName) {
  const costs = order.lines.some((l) => l.unit_cost_cents !== undefined);
  const number = poNumber(order.number);
  const contact = supplier ? [supplier.contact, supplier.email, supplier.phone].filter(Boolean) : [];
  return h('section', { id: 'receipt', class: 'a4 po-doc', 'aria-label': `Printable purchase order ${number}`, dataset: { poId: order.id } },
    h('header', { class: 'po-doc-head' },
      h('div', { class: 'po-doc-shop' },
        h('h2', { text: shop?.name || 'Purchase order' }),
        (shop?.address || []).map((line) => h('p', { text: line })),
        shop?.tax_id ? h('p', { text: `Tax ID ${shop.tax_id}` }) : null),
      h('div', { class: 'po-doc-title' },
        h('p', { class: 'po-doc-kind', text: order.status === 'draft' ? 'Purchase order (draft)' : 'Purchase order' }),
        h('p', { class: 'po-doc-number', text: number }),
        h('dl', {},
          h('dt', { text: 'Date' }), h('dd', { text: dateTime(order.ordered_at || order.created_at) }),
          h('dt', { text: 'Expected' }), h('dd', { text: calendarDay(order.expected_at) }),
          h('dt', { text: 'Deliver to' }), h('dd', { text: locationName || order.location }),
          order.created_by ? [h('dt', { text: 'Ordered by' }), h('dd', { text: order.created_by })] : null))),
    h('div', { class: 'po-doc-parties' },
      h('div', {},
        h('h3', { text: 'Supplier' }),
        h('p', { class: 'strong', text: order.supplier_name }),
        contact.map((c) => h('p', { text: c }))),
      h('div', {},
        h('h3', { text: 'Deliver to' }),
        h('p', { class: 'strong', text: shop?.name || '' }),
        h('p', { text: locationName || order.location }))),
    h('table', { class: 'po-doc-lines' },
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', class: 'num', text: '#' }),
        h('th', { scope: 'col', text: 'Our SKU' }),
        h('th', { scope: 'col', text: 'Your code' }),
        h('th', { scope: 'col', text: 'Description' }),
        h('th', { scope: 'col', class: 'num', text: 'Qty' }),
        costs ? h('th', { scope: 'col', class: 'num', text: 'Unit cost' }) : null,
        costs ? h('th', { scope: 'col', class: 'num', text: 'Line total' }) : null)),
      h('tbody', {}, order.lines.map((l, i) => h('tr', { dataset: { sku: l.sku } },
        h('td', { class: 'num', text: String(i + 1) }),
        h('td', { class: 'mono', text: l.sku }),
        h('td', { class: 'mono', text: l.supplier_sku || '' }),
        h('td', { text: l.name }),
        h('td', { class: 'num', text: int(l.quantity) }),
        costs ? h('td', { class: 'num', text: money(l.unit_cost_cents) }) : null,
        costs ? h('td', { class: 'num', text: money(l.unit_cost_cents * l.quantity) }) : null))),
      costs ? h('tfoot', {}, h('tr', {},
        h('th', { scope: 'row', colspan: 6, class: 'num', text: 'Total' }),
        h('td', { class: 'num strong', text: money(order.total_cost_cents) }))) : null),
    order.note ? h('p', { class: 'po-doc-note' }, h('strong', { text: 'Note: ' }), order.note) : null,
    h('p', { class: 'po-doc-footer', text: `Please quote ${number} on your delivery note and invoice.` }));
}

/** Prints the document on A4. */
export function printOrder() {
  syncPrintPage();
  window.print();
}
