// Suppliers (/suppliers): who the shop buys from, found by any field, archived ones on demand.
// Managers add and change suppliers and archive them (confirmed; an archived supplier keeps its
// orders but takes no new ones). Each row links to the supplier's purchase orders.

import { get, del, seg, isQuiet } from '../../api.js';
import { h, replace, field, table, confirmAction, flash, statusLine, debounce } from '../../dom.js';
import { dateTime } from '../../format.js';
import { openSupplierForm } from './form.js';
import { leadTime } from './data.js';

export function render(ctx) {
  ctx.title('Suppliers');
  const manager = ctx.can('manager');
  const search = field('Search', { id: 'supplier-search', type: 'search', placeholder: 'Name, contact, email, phone…', autocomplete: 'off' });
  const archived = field('Show archived', { id: 'supplier-archived', type: 'checkbox' });
  const newBtn = manager ? h('button', { type: 'button', id: 'new-supplier', class: 'primary', text: 'New supplier' }) : null;
  const formBox = h('div', { class: 'form-box' });
  const { table: tbl, tbody } = table(['Name', 'Contact', 'Email', 'Phone', { label: 'Lead time', class: 'num' }, 'Status', { label: 'Actions', class: 'actions-col' }]);
  tbl.id = 'supplier-list';
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' }, statusLine('Loading suppliers…'));

  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Suppliers' }), newBtn),
    h('p', { class: 'muted small', text: manager
      ? 'Who the shop buys from. Each product names its suppliers on its stock page; reorders go to the preferred one.'
      : 'Who the shop buys from. Managers add and change suppliers.' }),
    formBox,
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); load(); } }, search.wrap, archived.wrap),
    h('div', { class: 'table-wrap' }, tbl), status);

  let newest = 0;
  async function load() {
    const mine = ++newest;
    replace(status, statusLine('Loading suppliers…'));
    try {
      const { items } = await get('/suppliers', { q: search.input.value.trim(), archived: archived.input.checked ? 'true' : '' }, ctx.signal);
      if (mine !== newest) return;
      tbody.replaceChildren(...items.map(row));
      replace(status, items.length ? null : statusLine(search.input.value.trim() ? 'No supplier matches.' : 'No suppliers yet.', 'empty'));
    } catch (e) {
      if (isQuiet(e) || mine !== newest) return;
      replace(status, statusLine(`Could not load the suppliers. ${e.message}`, 'error'),
        h('button', { type: 'button', class: 'secondary small', onclick: load, text: 'Retry' }));
    }
  }

  function row(s) {
    return h('tr', { dataset: { supplierId: s.id }, class: s.archived ? 'archived' : null },
      h('td', {}, h('strong', { text: s.name }), s.notes ? h('small', { class: 'muted block', title: s.notes, text: truncate(s.notes, 80) }) : null),
      h('td', { text: s.contact || '' }),
      h('td', {}, s.email ? h('a', { href: `mailto:${s.email}`, text: s.email }) : ''),
      h('td', {}, s.phone ? h('a', { href: `tel:${s.phone.replace(/\s/g, '')}`, text: s.phone }) : ''),
      h('td', { class: 'num', text: leadTime(s.lead_time_days) }),
      h('td', {}, h('span', { class: s.archived ? 'badge muted' : 'badge ok', title: `Since ${dateTime(s.updated_at)}`, text: s.archived ? 'Archived' : 'Active' })),
      h('td', { class: 'row-actions' },
        h('a', { href: `/purchasing?supplier_id=${encodeURIComponent(s.id)}`, class: 'button small secondary', 'aria-label': `Purchase orders to ${s.name}`, text: 'Orders' }),
        manager ? h('button', { type: 'button', class: 'edit-supplier small secondary', 'aria-label': `Edit ${s.name}`, text: 'Edit', onclick: () => openForm(s) }) : null,
        manager && !s.archived ? h('button', { type: 'button', class: 'archive-supplier small danger-outline', 'aria-label': `Archive ${s.name}`, text: 'Archive', onclick: (e) => archive(s, e.currentTarget) }) : null));
  }

  function openForm(s) {
    openSupplierForm(ctx, formBox, s, {
      onSaved: (saved, created) => {
        const old = tbody.querySelector(`tr[data-supplier-id="${CSS.escape(saved.id)}"]`);
        if (old) old.replaceWith(row(saved));
        else if (created) load();
      },
      onClose: () => newBtn?.focus(),
    });
  }

  async function archive(s, btn) {
    const ok = await confirmAction(`Archive ${s.name}? It keeps its orders and history but can no longer be chosen for new orders or products.`, { title: 'Archive supplier', yes: 'Archive' });
    if (!ok) return;
    btn.disabled = true;
    try {
      await del(`/suppliers/${seg(s.id)}`, { signal: ctx.signal });
      flash(`${s.name} archived.`, 'success');
      load();
    } catch (e) {
      if (isQuiet(e)) return;
      btn.disabled = false;
      flash(`Could not archive ${s.name}: ${e.message}`, 'error');
    }
  }

  newBtn?.addEventListener('click', () => openForm(null));
  const searchLater = debounce(load, 300);
  ctx.onCleanup(searchLater.cancel);
  search.input.addEventListener('input', () => searchLater());
  archived.input.addEventListener('change', () => load());
  return load();
}

function truncate(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
