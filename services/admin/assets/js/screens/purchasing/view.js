// An order's lines and deliveries as tables, for its page and for the answer after receiving:
// each line's ordered, received and remaining units (`td[data-field="remaining"]`), its cost
// for managers (the API leaves costs out for everyone else), and each receipt with what came.

import { h, table } from '../../dom.js';
import { money, int, dateTime } from '../../format.js';

/** The lines table (`#<id>`, rows `tr[data-sku]`, `data-state` open | complete | over). */
export function linesTable(order, { id = 'po-detail-lines', manager }) {
  const costs = manager && order.lines.some((l) => l.unit_cost_cents !== undefined);
  const { table: tbl, tbody } = table(['SKU', 'Product', 'Their code', { label: 'Ordered', class: 'num' }, { label: 'Received', class: 'num' },
    { label: 'Remaining', class: 'num' }, costs ? { label: 'Unit cost', class: 'num' } : null, costs ? { label: 'Line total', class: 'num' } : null].filter(Boolean));
  tbl.id = id;
  for (const l of order.lines) {
    const state = l.received > l.quantity ? 'over' : l.remaining === 0 ? 'complete' : 'open';
    tbody.append(h('tr', { dataset: { sku: l.sku, state }, class: state === 'open' ? null : `line-${state}` },
      h('td', {}, h('a', { href: `/stock/${encodeURIComponent(l.sku)}`, class: 'mono', text: l.sku })),
      h('td', {}, l.name, l.allow_over_receipt ? h('span', { class: 'badge muted', title: 'More than ordered may be received', text: 'Over-receipt allowed' }) : null),
      h('td', { class: 'mono', text: l.supplier_sku || '' }),
      h('td', { class: 'num', dataset: { field: 'quantity' }, text: int(l.quantity) }),
      h('td', { class: 'num', dataset: { field: 'received' }, text: int(l.received) }),
      h('td', { class: 'num', dataset: { field: 'remaining' }, text: int(l.remaining) }),
      costs ? h('td', { class: 'num', text: money(l.unit_cost_cents) }) : null,
      costs ? h('td', { class: 'num', text: money(l.unit_cost_cents * l.quantity) }) : null));
  }
  if (costs) {
    tbl.append(h('tfoot', {}, h('tr', {},
      h('th', { scope: 'row', colspan: 7, class: 'num', text: 'Total' }),
      h('td', { class: 'num strong', id: `${id}-total`, text: money(order.total_cost_cents) }))));
  }
  return h('div', { class: 'table-wrap' }, tbl);
}

/** The deliveries received, oldest first (`#po-receipts`, items `li[data-receipt-id]`). */
export function receiptsList(order, { manager }) {
  const receipts = order.receipts || [];
  if (!receipts.length) return h('p', { class: 'empty', id: 'po-receipts', text: 'Nothing received yet.' });
  const names = new Map(order.lines.map((l) => [l.sku, l.name]));
  return h('ol', { class: 'history po-receipts', id: 'po-receipts' }, receipts.map((r) => h('li', { dataset: { receiptId: r.id } },
    h('time', { datetime: r.received_at, text: dateTime(r.received_at) }),
    r.reference ? h('span', {}, ' · delivery note ', h('strong', { text: r.reference })) : null,
    r.actor ? h('span', { class: 'muted', text: ` · by ${r.actor}` }) : null,
    r.note ? h('span', { class: 'muted', text: ` — ${r.note}` }) : null,
    h('ul', {}, r.lines.map((l) => h('li', { dataset: { sku: l.sku } },
      h('span', { class: 'mono', text: l.sku }), ` ${names.get(l.sku) || ''}: ${int(l.quantity)}`,
      manager && l.unit_cost_cents !== undefined ? ` × ${money(l.unit_cost_cents)}` : ''))))));
}
