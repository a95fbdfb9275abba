// Stock (/stock): levels per SKU and location with live low-stock highlighting, filtered by
// location, text or low stock, with the operations for managers. StockLevelsChanged events
// update the matching rows' cells in place.

import { get, seg, isQuiet } from '../../api.js';
import { h, replace, field, table, debounce, pagedList } from '../../dom.js';
import { COLUMNS, PAGE, STOCK_EVENTS, levelRow, applyLevel, applyStockView } from './rows.js';
import { opForms, actionButtons, loadLocations, viewOf } from './forms.js';
import { exportLink } from '../../exports.js';

export async function renderList(ctx) {
  ctx.title('Stock');
  const formBox = h('div', { class: 'form-box' });
  const locSelect = field('Location', { id: 'stock-location', type: 'select', options: [{ value: '', label: 'All locations' }] });
  const search = field('Search', { id: 'stock-search', type: 'search', placeholder: 'SKU or name', autocomplete: 'off' });
  const lowOnly = field('Low stock only', { id: 'stock-low', type: 'checkbox' });
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, text: 'Load more' });
  const manager = ctx.can('manager');
  const { table: tbl, tbody } = table(manager ? [...COLUMNS, { label: 'Actions', class: 'actions-col' }] : COLUMNS);
  tbl.classList.add('stock-table');

  const csv = exportLink({ id: 'stock-export', path: '/inventory/export.csv', params: () => ({
    location: locSelect.input.value, q: search.input.value.trim(), below_threshold: lowOnly.input.checked ? 'true' : '',
  }) });

  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Stock' }),
      h('p', { class: 'muted small', text: 'Rows at or below their low-stock threshold are highlighted. Incoming: ordered from suppliers, not yet received.' }), csv),
    formBox,
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); reload(); } }, search.wrap, locSelect.wrap, lowOnly.wrap),
    h('div', { class: 'table-wrap' }, tbl), status, h('div', { class: 'actions' }, more));

  const locations = await loadLocations(ctx.signal);
  locations.forEach((l) => locSelect.input.append(h('option', { value: l.code, text: l.active ? l.name || l.code : `${l.name || l.code} (inactive)` })));

  const refetchSku = async (sku) => {
    if (!tbody.querySelector(`tr[data-sku="${CSS.escape(sku)}"]`)) return;
    try {
      applyStockView(tbody, await get(`/inventory/${seg(sku)}`, {}, ctx.signal), actions, locSelect.input.value);
    } catch (e) {
      if (!isQuiet(e)) console.warn('stock refresh failed', e);
    }
  };
  const forms = opForms(ctx, formBox, locations, (sku, result) => {
    const view = viewOf(result);
    if (view) applyStockView(tbody, view, actions, locSelect.input.value);
    else refetchSku(sku);
  });
  const actions = actionButtons(ctx, forms);

  /** The rows of one stock item under the chosen location and low-stock filter. */
  const rows = (item) => {
    const loc = locSelect.input.value;
    const levels = item.locations.filter((l) => !loc || l.location === loc)
      .filter((l) => !lowOnly.input.checked || l.low);
    if (levels.length) return levels.map((l) => levelRow(item, l, actions));
    return lowOnly.input.checked ? null : levelRow(item, null, actions);
  };
  const list = pagedList({
    tbody, status, more, noun: 'stock', empty: 'No stock matches.',
    fetchPage: (cursor) => get('/inventory', {
      location: locSelect.input.value, q: search.input.value.trim(),
      below_threshold: lowOnly.input.checked ? 'true' : '', limit: PAGE, cursor,
    }, ctx.signal),
    render: rows,
  });
  const reload = () => list.reload();
  const searchLater = debounce(reload, 300);
  ctx.onCleanup(searchLater.cancel);
  search.input.addEventListener('input', () => searchLater());
  locSelect.input.addEventListener('change', () => reload());
  lowOnly.input.addEventListener('change', () => reload());

  // Events change the shown rows in place; a resync (events were missed) reloads.
  const pending = new Set();
  const flush = debounce(() => { const skus = [...pending]; pending.clear(); skus.forEach(refetchSku); }, 400);
  ctx.onCleanup(flush.cancel);
  ctx.live(['StockLevelsChanged'], (type, env) => {
    const d = env.data || {};
    for (const l of d.levels || []) applyLevel(tbody, l.sku, d.location, { on_hand: l.on_hand, reserved: l.reserved, available: l.available });
  });
  ctx.live(STOCK_EVENTS, (type, env) => {
    const d = env.data || {};
    if (d.sku) { pending.add(d.sku); flush(); }
  });
  ctx.live(['resync'], () => reload());

  return list.reload();
}
