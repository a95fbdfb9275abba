// Purchase orders (/purchasing): the orders to suppliers, newest first, filtered by status,
// supplier, location and SKU (the filters live in the address, so links like
// /purchasing?sku=GPU-4070 open a filtered list), with "Load more" and a CSV of what the filters
// select. A row opens the order (`a.po-link`).

import { get } from '../../api.js';
import { h, replace, field, table, pagedList, debounce } from '../../dom.js';
import { money, int, dateTime, label } from '../../format.js';
import { exportLink } from '../../exports.js';
import { loadLocations } from '../stock/forms.js';
import { loadSuppliers, supplierOptions } from '../suppliers/data.js';
import { PO_STATUSES, poNumber, poBadge, remainingUnits, calendarDay, purchasingTabs } from './common.js';

const PAGE = 50;

export async function renderList(ctx) {
  ctx.title('Purchase orders');
  const manager = ctx.can('manager');
  const initial = new URLSearchParams(location.search);
  const status = field('Status', { id: 'po-status', type: 'select', value: initial.get('status') || '',
    options: [{ value: '', label: 'Any' }, ...PO_STATUSES.map((s) => ({ value: s, label: label(s) }))] });
  const supplier = field('Supplier', { id: 'po-supplier', type: 'select', options: [{ value: initial.get('supplier_id') || '', label: 'Any' }] });
  const loc = field('Location', { id: 'po-location', type: 'select', options: [{ value: initial.get('location') || '', label: 'All locations' }] });
  const sku = field('SKU', { id: 'po-sku', autocomplete: 'off', spellcheck: 'false', placeholder: 'e.g. GPU-4070', value: initial.get('sku') || '' });
  const { table: tbl, tbody } = table(['Order', 'Status', 'Supplier', 'Location', 'Expected', { label: 'Lines', class: 'num' },
    { label: 'Remaining', class: 'num' }, manager ? { label: 'Total', class: 'num' } : null, 'Created'].filter(Boolean));
  tbl.id = 'po-list';
  tbl.classList.add('clickable');
  const listStatus = h('div', { class: 'list-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', id: 'po-more', class: 'secondary', hidden: true, text: 'Load more' });
  const filters = () => ({ status: status.input.value, supplier_id: supplier.input.value, location: loc.input.value, sku: sku.input.value.trim().toUpperCase() });
  const csv = exportLink({ id: 'po-export', path: '/purchase-orders/export.csv', params: filters });
  const form = h('form', { class: 'filters', role: 'search', id: 'po-filters' },
    status.wrap, supplier.wrap, loc.wrap, sku.wrap,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary', text: 'Apply' }),
      h('button', { type: 'reset', class: 'link', text: 'Clear' })));

  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Purchasing' }),
      h('div', { class: 'actions' }, csv, manager ? h('a', { href: '/purchasing/new', id: 'po-new', class: 'button primary', text: 'New order' }) : null)),
    purchasingTabs(ctx, 'orders'),
    form, h('div', { class: 'table-wrap' }, tbl), listStatus, h('div', { class: 'actions' }, more));

  const list = pagedList({
    tbody, status: listStatus, more, noun: 'purchase orders', empty: 'No purchase orders match.',
    fetchPage: (cursor) => get('/purchase-orders', { ...filters(), limit: PAGE, cursor }, ctx.signal),
    render: row,
  });

  function reload() {
    // The filters in the address: reloading or coming back shows the same list.
    const query = new URLSearchParams(Object.entries(filters()).filter(([, v]) => v)).toString();
    history.replaceState(null, '', `/purchasing${query ? `?${query}` : ''}`);
    csv.sync();
    return list.reload();
  }

  function row(o) {
    const href = `/purchasing/${encodeURIComponent(o.id)}`;
    return h('tr', { dataset: { poId: o.id, status: o.status, number: o.number } },
      h('td', {}, h('a', { href, class: 'po-link mono', text: poNumber(o.number) })),
      h('td', {}, poBadge(o.status)),
      h('td', { text: o.supplier_name }),
      h('td', { text: o.location }),
      h('td', { text: calendarDay(o.expected_at) }),
      h('td', { class: 'num', text: int(o.lines.length) }),
      h('td', { class: 'num', dataset: { field: 'remaining' }, text: o.status === 'cancelled' ? '' : int(remainingUnits(o)) }),
      manager ? h('td', { class: 'num', text: money(o.total_cost_cents) }) : null,
      h('td', { text: dateTime(o.created_at) }));
  }

  form.addEventListener('submit', (e) => { e.preventDefault(); reload(); });
  form.addEventListener('reset', () => setTimeout(reload, 0));
  [status, supplier, loc].forEach((f) => f.input.addEventListener('change', () => reload()));
  tbody.addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-po-id]');
    if (!tr || e.target.closest('a, button')) return;
    ctx.navigate(`/purchasing/${encodeURIComponent(tr.dataset.poId)}`);
  });

  const [suppliers, locations] = await Promise.all([loadSuppliers(ctx.signal, { archived: true }), loadLocations(ctx.signal)]);
  const chosenSupplier = supplier.input.value;
  replace(supplier.input, supplierOptions(suppliers, chosenSupplier, { blank: 'Any' }).map((o) => h('option', { value: o.value, text: o.label })));
  supplier.input.value = chosenSupplier;
  const chosenLoc = loc.input.value;
  replace(loc.input, h('option', { value: '', text: 'All locations' }), locations.map((l) => h('option', { value: l.code, text: l.name || l.code })));
  loc.input.value = chosenLoc;

  const refresh = debounce(() => { if (!list.hasMore() || tbody.children.length <= PAGE) list.reload(); }, 800);
  ctx.onCleanup(refresh.cancel);
  ctx.live(['RestockReceived', 'resync'], (type, env) => { if (type === 'resync' || env.data?.purchase_order_id) refresh(); });
  return reload();
}
