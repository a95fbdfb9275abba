// The till's running totals: before discounts, the discounts, the subtotal without tax, the
// tax (included in the prices or added to them, as the shop prices) and the total to pay.

import { h } from '../../dom.js';
import { money } from '../../format.js';

export function totalsView({ pricesIncludeTax }) {
  const dd = (id, cls) => h('dd', { id, class: cls });
  const cells = {
    list: dd('pos-list-total'),
    discount: dd('pos-discount-total'),
    subtotal: dd('pos-subtotal'),
    tax: dd('pos-tax'),
  };
  const total = h('output', { id: 'pos-total', class: 'pos-total', 'aria-live': 'polite', text: money(0) });
  const listRow = h('div', { hidden: true }, h('dt', { text: 'Before discounts' }), cells.list);
  const discountRow = h('div', { hidden: true }, h('dt', { text: 'Discounts' }), cells.discount);
  const el = h('dl', { id: 'pos-totals', class: 'pos-totals' },
    listRow, discountRow,
    h('div', {}, h('dt', { text: 'Subtotal (excl. tax)' }), cells.subtotal),
    h('div', {}, h('dt', { text: pricesIncludeTax ? 'Tax included' : 'Tax' }), cells.tax),
    h('div', { class: 'pos-total-wrap' }, h('dt', { class: 'pos-total-label', text: 'Total' }), h('dd', {}, total)));

  function update(t) {
    listRow.hidden = !t.discount;
    discountRow.hidden = !t.discount;
    cells.list.textContent = money(t.list);
    cells.discount.textContent = `−${money(t.discount)}`;
    cells.subtotal.textContent = money(t.subtotal);
    cells.tax.textContent = money(t.tax);
    total.textContent = money(t.total);
    total.title = `${t.units} unit${t.units === 1 ? '' : 's'}`;
  }

  return { el, update };
}
