// One supplier's reorder suggestions (`section.reorder-group[data-supplier-id]`): per product
// its stock, incoming units, forecast (units a day, and the method), lead time, safety stock,
// reorder point, order-up-to level and the suggested quantity; for managers a tick, the quantity
// to order (the suggestion to start with) and, for products without a preferred supplier, the
// supplier to order from.

import { h } from '../../dom.js';
import { int } from '../../format.js';

const METHODS = { holt_winters: 'Holt–Winters', croston_sba: 'Croston (SBA)', average: 'average', zero: 'no sales' };
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

let seq = 0;

/**
 * The section of group `g`. Each manager's row is pushed to `rows` as `{line, pick, qty,
 * supplier}` (`supplier`: the select, only without a preferred supplier); `options` are the
 * supplier choices; `onChange()` after a tick changes.
 */
export function suggestionGroup(g, { manager, rows, options, onChange }) {
  const k = ++seq;
  const titleId = `reorder-group-${k}`;
  const noSupplier = !g.supplier_id;
  const mine = [];
  const all = manager ? h('input', { type: 'checkbox', 'aria-label': `Choose every line of ${g.supplier_name || 'the products without a supplier'}` }) : null;
  const head = [
    manager ? h('th', { scope: 'col', class: 'pick-col' }, all) : null,
    h('th', { scope: 'col', text: 'Product' }),
    ...['On hand', 'Incoming', 'Per day', 'Lead time', 'Safety stock', 'Reorder at', 'Order up to', 'Suggested'].map((t) => h('th', { scope: 'col', class: 'num', text: t })),
    manager ? h('th', { scope: 'col', class: 'num', text: 'Order' }) : null,
    manager && noSupplier ? h('th', { scope: 'col', text: 'From' }) : null,
  ];
  const tbody = h('tbody', {}, g.lines.map((l) => {
    const i = rows.length + mine.length;
    const pick = manager ? h('input', { type: 'checkbox', name: `pick-${i}`, id: `reorder-pick-${i}`, checked: l.suggested_quantity > 0, 'aria-label': `Order ${l.sku}` }) : null;
    const qty = manager ? h('input', { type: 'number', name: `qty-${i}`, id: `reorder-qty-${i}`, class: 'qty-input', min: 1, step: 1, value: String(Math.max(l.suggested_quantity, 1)), 'aria-label': `Units of ${l.sku} to order` }) : null;
    const supplier = manager && noSupplier ? h('select', { name: `supplier-${i}`, id: `reorder-supplier-${i}`, 'aria-label': `Supplier of ${l.sku}` },
      options.map((o) => h('option', { value: o.value, text: o.label }))) : null;
    if (manager) {
      mine.push({ line: l, pick, qty, supplier });
      pick.addEventListener('change', () => { sync(); onChange(); });
      // Changing the quantity means ordering it.
      qty.addEventListener('input', () => { if (!pick.checked) { pick.checked = true; sync(); onChange(); } });
    }
    return h('tr', { dataset: { sku: l.sku }, class: l.suggested_quantity > 0 ? null : 'muted-row' },
      manager ? h('td', { class: 'pick-col' }, pick) : null,
      h('td', {}, h('a', { href: `/stock/${encodeURIComponent(l.sku)}`, class: 'mono', text: l.sku }), ' ', l.name),
      h('td', { class: 'num', text: int(l.on_hand) }),
      h('td', { class: 'num', text: int(l.incoming) }),
      h('td', { class: 'num', title: `Forecast method: ${METHODS[l.method] || l.method}` }, decimal.format(l.forecast_daily), h('small', { class: 'muted block', text: METHODS[l.method] || l.method })),
      h('td', { class: 'num', text: `${int(l.lead_time_days)} d` }),
      h('td', { class: 'num', text: decimal.format(l.safety_stock) }),
      h('td', { class: 'num', text: int(l.reorder_point) }),
      h('td', { class: 'num', text: int(l.order_up_to) }),
      h('td', { class: 'num strong', dataset: { field: 'suggested' }, text: int(l.suggested_quantity) }),
      manager ? h('td', { class: 'num' }, h('div', { class: 'field' }, qty)) : null,
      manager && noSupplier ? h('td', {}, h('div', { class: 'field' }, supplier)) : null);
  }));
  rows.push(...mine);

  function sync() {
    if (!all) return;
    const ticked = mine.filter((r) => r.pick.checked).length;
    all.checked = ticked === mine.length && ticked > 0;
    all.indeterminate = ticked > 0 && ticked < mine.length;
  }
  all?.addEventListener('change', () => { mine.forEach((r) => { r.pick.checked = all.checked; }); onChange(); });
  sync();

  return h('section', { class: 'reorder-group', dataset: { supplierId: g.supplier_id || '' }, 'aria-labelledby': titleId },
    h('h2', { id: titleId, text: g.supplier_name || 'No preferred supplier' }),
    noSupplier ? h('p', { class: 'muted small', text: 'These products name no preferred supplier: choose one per line, or set it on the product’s stock page.' }) : null,
    h('div', { class: 'table-wrap' }, h('table', { class: 'data reorder-table' }, h('thead', {}, h('tr', {}, head)), tbody)));
}
