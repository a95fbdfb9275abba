// Customers (/customers, clerks and up: personal data): the shop's customers found by name,
// phone, email or notes, page by page, and a CSV of what the search finds. Customers are added
// at the till.

import { get } from '../api.js';
import { h, replace, field, table, debounce, pagedList } from '../dom.js';
import { dateTime } from '../format.js';
import { exportLink } from '../exports.js';

const PAGE = 50;

export function render(ctx) {
  ctx.title('Customers');
  const search = field('Search', { id: 'customer-search', type: 'search', placeholder: 'Name, phone, email…', autocomplete: 'off' });
  const { table: tbl, tbody } = table(['Name', 'Phone', 'Email', 'Notes', 'Since']);
  tbl.id = 'customer-list';
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, text: 'Load more' });
  const csv = exportLink({ id: 'customers-export', path: '/customers/export.csv', params: () => ({ q: search.input.value.trim() }) });

  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Customers' }), csv),
    h('p', { class: 'muted small', text: 'Customers are added at the point of sale.' }),
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); list.reload(); } }, search.wrap),
    h('div', { class: 'table-wrap' }, tbl), status, h('div', { class: 'actions' }, more));

  const list = pagedList({
    tbody, status, more, noun: 'customers', empty: 'No customer matches.',
    fetchPage: (cursor) => get('/customers', { q: search.input.value.trim(), limit: PAGE, cursor }, ctx.signal),
    render: (c) => h('tr', { dataset: { customerId: c.id }, class: c.archived ? 'archived' : null },
      h('td', {}, c.name, c.archived ? h('span', { class: 'badge muted', text: 'Archived' }) : null),
      h('td', {}, c.phone ? h('a', { href: `tel:${c.phone.replace(/\s/g, '')}`, text: c.phone }) : ''),
      h('td', {}, c.email ? h('a', { href: `mailto:${c.email}`, text: c.email }) : ''),
      h('td', { class: 'small', text: c.notes || '' }),
      h('td', { text: dateTime(c.created_at) })),
  });
  const searchLater = debounce(() => list.reload(), 300);
  ctx.onCleanup(searchLater.cancel);
  search.input.addEventListener('input', () => searchLater());
  return list.reload();
}
