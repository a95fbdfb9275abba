// Sales (/sales): the history with filters (dates, payment method, status, SKU) and "Load
// more", following sale events live.

import { get } from '../../api.js';
import { h, replace, field, table, debounce, pagedList } from '../../dom.js';
import { money, int, dateTime, label, startOfLocalDay, endOfLocalDay } from '../../format.js';
import { PAYMENT_METHODS, SALE_STATUSES } from '../../states.js';
import { statusBadge } from './badge.js';
import { exportLink } from '../../exports.js';

const PAGE = 50;

export function renderList(ctx) {
  ctx.title('Sales');
  const from = field('From', { id: 'sales-from', type: 'date' });
  const to = field('To', { id: 'sales-to', type: 'date' });
  const method = field('Payment', { id: 'sales-payment', type: 'select', options: [{ value: '', label: 'Any' }, ...PAYMENT_METHODS.map((m) => ({ value: m, label: label(m) }))] });
  const status = field('Status', { id: 'sales-status', type: 'select', options: [{ value: '', label: 'Any' }, ...SALE_STATUSES.map((s) => ({ value: s, label: label(s) }))] });
  const sku = field('SKU', { id: 'sales-sku', autocomplete: 'off', placeholder: 'e.g. CPU-AMD-7800X3D' });
  const { table: tbl, tbody } = table(['Receipt', 'Date', 'Status', 'Payment', { label: 'Units', class: 'num' }, { label: 'Total', class: 'num' }, { label: 'Refunded', class: 'num' }, 'Recorded by']);
  tbl.classList.add('clickable');
  const listStatus = h('div', { class: 'list-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, text: 'Load more' });
  const filters = h('form', { class: 'filters', role: 'search' },
    from.wrap, to.wrap, method.wrap, status.wrap, sku.wrap,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary', text: 'Apply' }),
      h('button', { type: 'reset', class: 'link', text: 'Clear' })));

  const query = () => ({
    from: from.input.value ? startOfLocalDay(from.input.value) : '',
    to: to.input.value ? endOfLocalDay(to.input.value) : '',
    payment_method: method.input.value, status: status.input.value, sku: sku.input.value.trim(),
  });
  const csv = exportLink({ id: 'sales-export', path: '/sales/export.csv', params: query });

  replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: 'Sales' }),
    h('div', { class: 'actions' }, csv, ctx.can('clerk') ? h('a', { href: '/pos', class: 'button primary', text: 'New sale' }) : null)),
  filters, h('div', { class: 'table-wrap' }, tbl), listStatus, h('div', { class: 'actions' }, more));

  filters.addEventListener('submit', (e) => { e.preventDefault(); reload(); });
  filters.addEventListener('reset', () => setTimeout(reload, 0));
  [from, to, method, status].forEach((f) => f.input.addEventListener('change', () => reload()));
  tbody.addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-sale-id]');
    if (!tr || e.target.closest('a, button')) return;
    ctx.navigate(`/sales/${encodeURIComponent(tr.dataset.saleId)}`);
  });

  const list = pagedList({
    tbody, status: listStatus, more, noun: 'sales', empty: 'No sales match.',
    fetchPage: (cursor) => get('/sales', { ...query(), limit: PAGE, cursor }, ctx.signal),
    render: saleRow,
  });
  const reload = () => list.reload();

  function saleRow(s) {
    return h('tr', { dataset: { saleId: s.id } },
      h('td', {}, h('a', { href: `/sales/${encodeURIComponent(s.id)}`, text: `#${s.receipt_number}` })),
      h('td', { text: dateTime(s.created_at) }),
      h('td', {}, statusBadge(s.status)),
      h('td', { text: label(s.payment_method) }),
      h('td', { class: 'num', text: int(s.units) }),
      h('td', { class: 'num', text: money(s.total_cents) }),
      h('td', { class: 'num', text: s.refunded_cents ? money(s.refunded_cents) : '' }),
      h('td', { text: s.recorded_by || '' }));
  }

  const refresh = debounce(() => { if (!list.hasMore() || tbody.children.length <= PAGE) reload(); }, 800);
  ctx.onCleanup(refresh.cancel);
  ctx.live(['SaleCreated', 'SaleUpdated', 'resync'], () => refresh());
  return list.reload();
}
