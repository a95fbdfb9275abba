// Products (/products): search and filter the catalog, page with "Load more", create and
// edit products (field errors from the API next to each field, 412 conflicts explained),
// archive with confirmation, restore. Rows follow product events live.

import { get, request, del, seg, isQuiet } from '../api.js';
import { h, replace, field, table, clearErrors, setFieldError, showFormError, formAlert, confirmAction, flash, debounce, pagedList } from '../dom.js';
import { money, moneyInput, parseMoney } from '../format.js';
import { exportLink } from '../exports.js';
import { openImport } from './import/wizard.js';

const PAGE = 50;
/** API field → form input name. */
const FIELD_MAP = { price_cents: 'price', cost_cents: 'cost' };

export function render(ctx) {
  ctx.title('Products');
  const manager = ctx.can('manager');
  const state = { editing: null };

  const search = field('Search', { id: 'product-search', type: 'search', placeholder: 'SKU, name, brand…', autocomplete: 'off' });
  const category = field('Category', { id: 'product-category', type: 'select', options: [{ value: '', label: 'All categories' }] });
  const active = field('Status', { id: 'product-active', type: 'select', options: [
    { value: 'true', label: 'Active' }, { value: 'false', label: 'Archived' }, { value: 'any', label: 'All' }] });
  const categoryList = h('datalist', { id: 'category-options' });
  const newBtn = manager ? h('button', { type: 'button', id: 'new-product', class: 'primary', text: 'New product' }) : null;
  const importBtn = manager ? h('button', { type: 'button', id: 'import-products', class: 'secondary', text: 'Import CSV',
    onclick: () => openImport(ctx, formBox, { onImported: () => { reload(); loadCategories(); }, onClose: () => importBtn.focus() }) }) : null;
  const csv = exportLink({ id: 'products-export', path: '/products/export.csv', params: () => ({
    q: search.input.value.trim(), category: category.input.value, active: active.input.value }) });
  const formBox = h('div', { class: 'form-box' });
  // Costs are for managers: the API leaves them out for clerks and viewers.
  const { table: tbl, tbody } = table(['SKU', 'Name', 'Category', 'Brand', { label: 'Price', class: 'num' }, manager ? { label: 'Cost', class: 'num' } : null, 'Barcode', 'Status', { label: 'Actions', class: 'actions-col' }].filter(Boolean));
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, text: 'Load more' });

  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Products' }), h('div', { class: 'actions' }, csv, importBtn, newBtn)),
    formBox,
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); reload(); } },
      search.wrap, category.wrap, active.wrap),
    categoryList,
    h('div', { class: 'table-wrap' }, tbl),
    status,
    h('div', { class: 'actions' }, more));

  const list = pagedList({
    tbody, status, more, noun: 'products', empty: 'No products match.',
    fetchPage: (cursor) => get('/products', {
      q: search.input.value.trim(), category: category.input.value, active: active.input.value,
      limit: PAGE, cursor,
    }, ctx.signal),
    render: row,
  });
  const reload = () => list.reload();
  const searchLater = debounce(reload, 300);
  ctx.onCleanup(searchLater.cancel);
  search.input.addEventListener('input', () => searchLater());
  category.input.addEventListener('change', () => reload());
  active.input.addEventListener('change', () => reload());
  newBtn?.addEventListener('click', () => openForm(null));

  /** The shop's tax rates, for the product form; loaded once per visit of the screen. */
  let rates = null;
  function loadRates() {
    rates ??= get('/tax-rates', {}, ctx.signal).then((r) => r.items || [], (e) => {
      if (!isQuiet(e)) console.warn('tax rates not loaded', e);
      return [];
    });
    return rates;
  }

  /** Fills the form's tax-rate list once the rates are known, keeping the product's choice. */
  async function fillRates(select, chosen) {
    const list = await loadRates();
    replace(select,
      h('option', { value: '', text: 'Shop default' }),
      list.map((r) => h('option', { value: r.code, text: `${r.name} (${r.rate_bp / 100} %)` })));
    select.value = chosen;
  }

  async function loadCategories() {
    try {
      const { items } = await get('/categories', {}, ctx.signal);
      const chosen = category.input.value;
      replace(category.input, h('option', { value: '', text: 'All categories' }),
        items.map((c) => h('option', { value: c.name, text: `${c.name} (${c.product_count})` })));
      category.input.value = chosen;
      replace(categoryList, items.map((c) => h('option', { value: c.name })));
    } catch (e) {
      if (!isQuiet(e)) category.input.title = `Categories could not be loaded: ${e.message}`;
    }
  }

  function row(p) {
    const tr = h('tr', { dataset: { sku: p.sku }, class: p.active ? null : 'archived' },
      h('td', {}, h('a', { href: `/stock/${encodeURIComponent(p.sku)}`, class: 'mono', title: 'Stock and movements', text: p.sku })),
      h('td', { text: p.name }),
      h('td', { text: p.category }),
      h('td', { text: p.brand || '' }),
      h('td', { class: 'num', text: money(p.price_cents) }),
      manager ? h('td', { class: 'num', text: money(p.cost_cents) }) : null,
      h('td', { class: 'mono', text: p.barcode || '' }),
      h('td', {}, h('span', { class: p.active ? 'badge ok' : 'badge muted', text: p.active ? 'Active' : 'Archived' })),
      h('td', { class: 'row-actions' },
        manager ? h('button', { type: 'button', class: 'edit-product small secondary', 'aria-label': `Edit ${p.sku}`, text: 'Edit', onclick: () => openForm(p) }) : null,
        manager && p.active ? h('button', { type: 'button', class: 'archive-product small danger-outline', 'aria-label': `Archive ${p.sku}`, text: 'Archive', onclick: () => archive(p) }) : null,
        manager && !p.active ? h('button', { type: 'button', class: 'restore-product small secondary', 'aria-label': `Restore ${p.sku}`, text: 'Restore', onclick: () => restore(p) }) : null));
    tr.product = p;
    return tr;
  }

  function replaceRow(p) {
    const old = tbody.querySelector(`tr[data-sku="${CSS.escape(p.sku)}"]`);
    const filter = active.input.value;
    const visible = filter === 'any' || (filter === 'true') === p.active;
    if (old && visible) old.replaceWith(row(p));
    else if (old) old.remove();
  }

  async function archive(p) {
    const ok = await confirmAction(`Archive ${p.sku} “${p.name}”? It disappears from listings and can no longer be sold; its history is kept.`, { title: 'Archive product', yes: 'Archive' });
    if (!ok) return;
    try {
      await del(`/products/${seg(p.sku)}`, { headers: { 'If-Match': `"v${p.version}"` }, signal: ctx.signal });
      flash(`${p.sku} archived.`, 'success');
      replaceRow({ ...p, active: false, version: p.version + 1 });
    } catch (e) {
      if (isQuiet(e)) return;
      if (e.status === 412) {
        flash(`${p.sku} was changed by someone else since this list was loaded. The list has been reloaded; check the product and try again.`, 'error');
        reload();
      } else flash(`Could not archive ${p.sku}: ${e.message}`, 'error');
    }
  }

  /** Brings an archived product back: it can be sold again and shows in listings. */
  async function restore(p) {
    try {
      const restored = (await request(`/products/${seg(p.sku)}`, { method: 'PATCH', body: { active: true }, headers: { 'If-Match': `"v${p.version}"` }, signal: ctx.signal })).data;
      flash(`${p.sku} restored.`, 'success');
      replaceRow(restored);
    } catch (e) {
      if (isQuiet(e)) return;
      if (e.status === 412) {
        flash(`${p.sku} was changed by someone else since this list was loaded. The list has been reloaded; check the product and try again.`, 'error');
        reload();
      } else flash(`Could not restore ${p.sku}: ${e.message}`, 'error');
    }
  }

  /** Opens the create form (`p` null) or the edit form for product `p`. */
  function openForm(p) {
    state.editing = p;
    const editing = !!p;
    const f = {
      sku: field('SKU', { name: 'sku', required: true, value: p?.sku ?? '', readOnly: editing, autocomplete: 'off', hint: editing ? 'The SKU cannot be changed.' : 'Letters, digits, “.”, “_”, “-”; stored in upper case.' }),
      name: field('Name', { name: 'name', required: true, value: p?.name ?? '', maxlength: 200 }),
      category: field('Category', { name: 'category', required: true, value: p?.category ?? '', list: 'category-options', maxlength: 100, autocomplete: 'off' }),
      price: field('Price', { name: 'price', required: true, inputmode: 'decimal', value: p ? moneyInput(p.price_cents) : '', placeholder: '0.00', hint: 'Selling price, e.g. 449.00' }),
      cost: field('Cost', { name: 'cost', required: true, inputmode: 'decimal', value: p ? moneyInput(p.cost_cents) : '', placeholder: '0.00', hint: 'Purchase cost, e.g. 365.00' }),
      barcode: field('Barcode', { name: 'barcode', inputmode: 'numeric', value: p?.barcode ?? '', autocomplete: 'off', hint: 'EAN-13 or UPC-A; optional.' }),
      brand: field('Brand', { name: 'brand', value: p?.brand ?? '', maxlength: 100 }),
      tax_rate: field('Tax rate', { name: 'tax_rate', type: 'select', hint: 'The shop’s default unless the product needs another.', options: [
        { value: p?.tax_rate ?? '', label: p?.tax_rate ?? 'Shop default' }] }),
      serialized: field('Serial numbers', { name: 'serialized', type: 'select', value: String(p?.serialized ?? false),
        hint: 'Each unit is scanned by its serial number when received and sold.', options: [
          { value: 'false', label: 'No' }, { value: 'true', label: 'Yes, one per unit' }] }),
      warranty_months: field('Warranty (months)', { name: 'warranty_months', inputmode: 'numeric', value: String(p?.warranty_months ?? 0),
        hint: '0 for none; at most 120.' }),
      description: field('Description', { name: 'description', type: 'textarea', value: p?.description ?? '', maxlength: 5000, wrapClass: 'wide' }),
    };
    const save = h('button', { type: 'submit', id: 'product-save', class: 'primary', text: editing ? 'Save changes' : 'Create product' });
    const cancel = h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: close });
    const form = h('form', { id: 'product-form', class: 'panel form-grid', novalidate: true, 'aria-labelledby': 'product-form-title' },
      h('h2', { id: 'product-form-title', class: 'wide', text: editing ? `Edit ${p.sku}` : 'New product' }),
      Object.values(f).map((x) => x.wrap),
      h('div', { class: 'actions wide' }, save, cancel));
    fillRates(f.tax_rate.input, p?.tax_rate ?? '');
    formAlert(form);
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      const values = Object.fromEntries(Object.entries(f).map(([k, x]) => [k, x.input.value.trim()]));
      const price = parseMoney(values.price);
      const cost = parseMoney(values.cost);
      let bad = false;
      for (const [name, cents] of [['price', price], ['cost', cost]]) {
        if (Number.isNaN(cents)) { setFieldError(form, name, 'Enter an amount like 12.50.'); bad = true; }
      }
      const warranty = /^\d{1,3}$/.test(values.warranty_months || '0') ? Number(values.warranty_months || '0') : NaN;
      if (!(warranty >= 0 && warranty <= 120)) { setFieldError(form, 'warranty_months', 'Enter 0 to 120 months.'); bad = true; }
      if (bad) { form.querySelector('[aria-invalid="true"]').focus(); return; }
      const full = {
        name: values.name || null, category: values.category || null,
        price_cents: price, cost_cents: cost,
        barcode: values.barcode || null, brand: values.brand || null, description: values.description || null,
        tax_rate: values.tax_rate || null,
        serialized: values.serialized === 'true', warranty_months: warranty,
      };
      save.disabled = true;
      try {
        let saved;
        if (!editing) {
          const body = { sku: values.sku, ...dropNulls(full) };
          saved = (await request('/products', { method: 'POST', body, signal: ctx.signal })).data;
          flash(`${saved.sku} created.`, 'success');
          close();
          reload();
          loadCategories();
  if (manager) loadRates();
        } else {
          const current = state.editing;
          const patch = changes(current, full);
          if (!Object.keys(patch).length) { close(); flash('Nothing changed.'); return; }
          saved = (await request(`/products/${seg(current.sku)}`, { method: 'PATCH', body: patch, headers: { 'If-Match': `"v${current.version}"` }, signal: ctx.signal })).data;
          flash(`${saved.sku} saved.`, 'success');
          replaceRow(saved);
          close();
          if (patch.category) loadCategories();
        }
      } catch (e) {
        if (isQuiet(e)) return;
        if (e.status === 412) conflict(form, p.sku, f);
        else showFormError(form, e, FIELD_MAP);
      } finally {
        save.disabled = false;
      }
    });
    replace(formBox, form);
    (editing ? f.name.input : f.sku.input).focus();
  }

  /** 412: someone else saved first. Explain, and offer to load their version. */
  function conflict(form, sku, f) {
    const alert = formAlert(form);
    const reloadBtn = h('button', { type: 'button', class: 'secondary small', text: 'Load their version' });
    replace(alert,
      h('p', {}, h('strong', { text: 'Someone else changed this product while you were editing it. ' }),
        'Your changes were not saved. Load the current version, then apply your changes again.'),
      reloadBtn);
    alert.hidden = false;
    alert.focus();
    reloadBtn.addEventListener('click', async () => {
      reloadBtn.disabled = true;
      try {
        const fresh = await get(`/products/${seg(sku)}`, {}, ctx.signal);
        replaceRow(fresh);
        openForm(fresh);
        flash(`Loaded version ${fresh.version} of ${sku}.`);
      } catch (e) {
        if (!isQuiet(e)) flash(e.message, 'error');
        reloadBtn.disabled = false;
      }
    });
    void f;
  }

  function close() {
    state.editing = null;
    formBox.replaceChildren();
    newBtn?.focus();
  }

  // Live: update rows in place; new products appear on the next (debounced) reload.
  const reloadLater = debounce(() => { if (!list.hasMore() || tbody.children.length < PAGE) reload(); }, 800);
  ctx.onCleanup(reloadLater.cancel);
  ctx.live(['ProductCreated', 'ProductUpdated', 'ProductArchived', 'resync'], (type, env) => {
    const d = env.data || {};
    if (type === 'ProductUpdated' && d.product) {
      const tr = tbody.querySelector(`tr[data-sku="${CSS.escape(d.product.sku)}"]`);
      if (tr && tr.product && tr.product.version < d.product.version) {
        // The stream carries no costs: a manager's row takes the product from the API.
        const merged = { ...tr.product, ...d.product };
        if (manager) get(`/products/${seg(d.product.sku)}`, {}, ctx.signal).then(replaceRow, (e) => { if (!isQuiet(e)) replaceRow(merged); });
        else replaceRow(merged);
      }
      else if (!tr) reloadLater();
    } else if (type === 'ProductArchived') {
      const tr = tbody.querySelector(`tr[data-sku="${CSS.escape(d.sku)}"]`);
      if (tr && tr.product && tr.product.version < d.version) replaceRow({ ...tr.product, active: false, version: d.version });
    } else {
      reloadLater();
      if (type === 'ProductCreated') loadCategories();
    }
  });

  loadCategories();
  return list.reload();
}

function dropNulls(o) {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
}

/** The merge patch from product `p` to the form values `full` (only changed fields). */
function changes(p, full) {
  const patch = {};
  for (const [k, v] of Object.entries(full)) {
    const old = p[k] ?? null;
    if (v !== old) patch[k] = v;
  }
  return patch;
}
