// Stock rows: a level per SKU and location, updated in place by live events.

import { h } from '../../dom.js';
import { int } from '../../format.js';

/** Listings per page. */
export const PAGE = 50;
/** The events after which a SKU's stock is fetched again. */
export const STOCK_EVENTS = ['RestockReceived', 'StockAdjusted', 'StockTransferred', 'StockLevelWarning'];

export const COLUMNS = ['SKU', 'Name', 'Location', { label: 'On hand', class: 'num' }, { label: 'Reserved', class: 'num' },
  { label: 'Available', class: 'num' }, { label: 'Incoming', class: 'num' }, { label: 'Low at', class: 'num' }, { label: 'Reorder qty', class: 'num' }];

export function levelRow(item, level, actions) {
  const tr = h('tr', { dataset: { sku: item.sku, location: level ? level.location : '' } },
    h('td', {}, h('a', { href: `/stock/${encodeURIComponent(item.sku)}`, class: 'mono', text: item.sku })),
    h('td', {}, item.name, item.active === false ? h('span', { class: 'badge muted', text: 'Archived' }) : null),
    h('td', { text: level ? level.location : '—' }),
    h('td', { class: 'num', dataset: { field: 'on_hand' }, text: level ? int(level.on_hand) : '0' }),
    h('td', { class: 'num', dataset: { field: 'reserved' }, text: level ? int(level.reserved) : '0' }),
    h('td', { class: 'num', dataset: { field: 'available' }, text: level ? int(level.available) : '0' }),
    h('td', { class: 'num incoming', dataset: { field: 'incoming' }, title: 'Ordered from suppliers, not yet received', text: level ? int(level.incoming ?? 0) : '0' }),
    h('td', { class: 'num', dataset: { field: 'low_stock_threshold' }, text: level ? int(level.low_stock_threshold) : '—' }),
    h('td', { class: 'num', dataset: { field: 'reorder_quantity' }, text: level ? int(level.reorder_quantity) : '—' }),
    actions ? h('td', { class: 'row-actions' }, actions(item, level)) : null);
  tr.item = item;
  tr.level = level ? { ...level } : null;
  if (level) tr.classList.toggle('low', level.available <= level.low_stock_threshold);
  return tr;
}

/** Updates the cells of every row of `sku` at `location` under `root` (no re-render). */
export function applyLevel(root, sku, location, values) {
  const rows = root.querySelectorAll(`tr[data-sku="${CSS.escape(sku)}"][data-location="${CSS.escape(location)}"]`);
  rows.forEach((tr) => {
    const level = { ...(tr.level || {}), ...values };
    tr.level = level;
    for (const f of ['on_hand', 'reserved', 'available', 'incoming', 'low_stock_threshold', 'reorder_quantity']) {
      const td = tr.querySelector(`td[data-field="${f}"]`);
      if (td && values[f] !== undefined && values[f] !== null) td.textContent = int(values[f]);
    }
    const low = typeof level.low === 'boolean' && values.low !== undefined
      ? level.low : Number(level.available) <= Number(level.low_stock_threshold ?? -Infinity);
    tr.classList.toggle('low', low);
    tr.classList.remove('changed');
    void tr.offsetWidth; // restart the highlight animation
    tr.classList.add('changed');
  });
  return rows.length;
}

/** Applies a StockView to `tbody`: updates rows, adds rows for new locations of a shown SKU. */
export function applyStockView(tbody, view, actions, locationFilter) {
  const root = tbody;
  for (const level of view.locations) {
    const n = applyLevel(root, view.sku, level.location, level);
    if (n) continue;
    if (locationFilter && level.location !== locationFilter) continue;
    const sameSku = root.querySelectorAll(`tr[data-sku="${CSS.escape(view.sku)}"]`);
    if (!sameSku.length) continue;
    const placeholder = [...sameSku].find((tr) => tr.dataset.location === '');
    const tr = levelRow(view, level, actions);
    if (placeholder) placeholder.replaceWith(tr);
    else sameSku[sameSku.length - 1].after(tr);
  }
}
