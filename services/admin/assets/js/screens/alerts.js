// Alerts (/alerts): SKUs at or below their low-stock threshold per location, with the
// suggested reorder quantity. Reloads (debounced) when stock changes arrive live.

import { get, isQuiet } from '../api.js';
import { h, replace, field, table, debounce, statusLine } from '../dom.js';
import { int, time } from '../format.js';

const REFRESH_ON = ['StockLevelsChanged', 'StockLevelWarning', 'RestockReceived', 'StockAdjusted', 'StockTransferred',
  'ProductArchived', 'ProductUpdated', 'resync'];

export async function render(ctx) {
  ctx.title('Alerts');
  const loc = field('Location', { id: 'alerts-location', type: 'select', options: [{ value: '', label: 'All locations' }] });
  const { table: tbl, tbody } = table(['SKU', 'Name', 'Location', { label: 'Available', class: 'num' }, { label: 'Low at', class: 'num' },
    { label: 'Deficit', class: 'num' }, { label: 'Suggested reorder', class: 'num' }]);
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' }, statusLine('Loading alerts…'));
  const updated = h('p', { class: 'muted small' });
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Low-stock alerts' }), updated),
    h('form', { class: 'filters', onsubmit: (e) => e.preventDefault() }, loc.wrap),
    h('div', { class: 'table-wrap' }, tbl), status);

  async function load() {
    try {
      const { items } = await get('/alerts', { location: loc.input.value }, ctx.signal);
      tbody.replaceChildren(...items.map((a) => h('tr', { class: 'low', dataset: { sku: a.sku, location: a.location } },
        h('td', {}, h('a', { href: `/stock/${encodeURIComponent(a.sku)}`, class: 'mono', text: a.sku })),
        h('td', { text: a.name }),
        h('td', { text: a.location }),
        h('td', { class: 'num', dataset: { field: 'available' }, text: int(a.available) }),
        h('td', { class: 'num', dataset: { field: 'low_stock_threshold' }, text: int(a.low_stock_threshold) }),
        h('td', { class: 'num', dataset: { field: 'deficit' }, text: int(a.deficit) }),
        h('td', { class: 'num strong', dataset: { field: 'suggested_reorder' }, text: int(a.suggested_reorder) }))));
      replace(status, items.length ? null : statusLine('No low stock right now.', 'empty'));
      updated.textContent = `${items.length} alert${items.length === 1 ? '' : 's'} · updated ${time()}`;
    } catch (e) {
      if (isQuiet(e)) return;
      replace(status, statusLine(`Could not load alerts. ${e.message}`, 'error'),
        h('button', { type: 'button', class: 'secondary small', onclick: load, text: 'Retry' }));
    }
  }

  loc.input.addEventListener('change', () => load());
  const refresh = debounce(load, 700);
  ctx.onCleanup(refresh.cancel);
  ctx.live(REFRESH_ON, () => refresh());

  const first = load();
  try {
    const { items } = await get('/locations', {}, ctx.signal);
    items.forEach((l) => loc.input.append(h('option', { value: l.code, text: l.name || l.code })));
  } catch (e) {
    if (!isQuiet(e)) loc.wrap.hidden = true;
  }
  await first;
}
