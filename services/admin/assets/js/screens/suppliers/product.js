// A product's suppliers, on its stock page (`section#product-suppliers`): who sells it, under
// which code, what they charged last (managers only: the API leaves costs out for others),
// their lead time, and the preferred one reorders go to. Managers edit the list: add or remove
// suppliers, change their code and last cost, choose the preferred one (at most one), save.

import { get, put, seg, isQuiet } from '../../api.js';
import { h, replace, table, clearErrors, setFieldError, showFormError, formAlert, flash, statusLine } from '../../dom.js';
import { money, moneyInput, parseMoney } from '../../format.js';
import { loadSuppliers, supplierOptions, leadTime } from './data.js';

export function productSuppliers(ctx, sku) {
  const manager = ctx.can('manager');
  const body = h('div', {}, statusLine('Loading suppliers…'));
  const editBtn = manager ? h('button', { type: 'button', id: 'product-suppliers-edit', class: 'secondary small', text: 'Edit suppliers', hidden: true }) : null;
  const section = h('section', { id: 'product-suppliers', 'aria-labelledby': 'product-suppliers-title' },
    h('div', { class: 'section-head' }, h('h2', { id: 'product-suppliers-title', text: 'Suppliers' }), editBtn), body);
  let items = [];

  async function load() {
    try {
      items = (await get(`/inventory/${seg(sku)}/suppliers`, {}, ctx.signal)).items || [];
      show();
    } catch (e) {
      if (isQuiet(e)) return;
      replace(body, statusLine(`Could not load the suppliers. ${e.message}`, 'error'));
    }
  }

  function show() {
    if (editBtn) editBtn.hidden = false;
    if (!items.length) {
      replace(body, statusLine(manager ? 'No supplier recorded. Use “Edit suppliers” to add one.' : 'No supplier recorded.', 'empty'));
      return;
    }
    const { table: tbl, tbody } = table(['Supplier', 'Their code', manager ? { label: 'Last cost', class: 'num' } : null, { label: 'Lead time', class: 'num' }, 'Preferred'].filter(Boolean));
    items.forEach((it) => tbody.append(h('tr', { dataset: { supplierId: it.supplier_id } },
      h('td', { text: it.supplier_name }),
      h('td', { class: 'mono', text: it.supplier_sku || '' }),
      manager ? h('td', { class: 'num', text: money(it.last_cost_cents) }) : null,
      h('td', { class: 'num', text: leadTime(it.lead_time_days) }),
      h('td', {}, it.preferred ? h('span', { class: 'badge ok', text: 'Preferred' }) : ''))));
    replace(body, h('div', { class: 'table-wrap' }, tbl));
  }

  async function edit() {
    editBtn.hidden = true;
    replace(body, statusLine('Loading suppliers…'));
    const all = await loadSuppliers(ctx.signal);
    const rows = items.map((it) => ({ ...it }));
    const picker = h('select', { id: 'product-supplier-add', 'aria-label': 'Supplier to add' });
    const addBtn = h('button', { type: 'button', class: 'secondary small', id: 'product-supplier-add-btn', text: 'Add' });
    const tbody = h('tbody');
    const save = h('button', { type: 'submit', id: 'product-suppliers-save', class: 'primary', text: 'Save suppliers' });
    const form = h('form', { id: 'product-suppliers-form', class: 'panel', novalidate: true, 'aria-label': `Suppliers of ${sku}` },
      h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Supplier', 'Their code', 'Last cost', 'Preferred', ''].map((t) => h('th', { scope: 'col', text: t })))), tbody)),
      h('div', { class: 'actions' }, h('label', { for: picker.id, text: 'Add a supplier' }), picker, addBtn),
      h('div', { class: 'actions' }, save, h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => show() })));
    formAlert(form);

    function draw() {
      replace(picker, supplierOptions(all.filter((s) => !rows.some((r) => r.supplier_id === s.id)), '', { blank: all.length ? 'Choose…' : 'No suppliers: add them under Suppliers' })
        .map((o) => h('option', { value: o.value, text: o.label })));
      addBtn.disabled = picker.options.length <= 1;
      replace(tbody, rows.map((r, i) => h('tr', { dataset: { supplierId: r.supplier_id } },
        h('td', {}, h('output', { name: `items[${i}].supplier_id`, text: r.supplier_name })),
        h('td', {}, h('div', { class: 'field' }, h('input', { name: `items[${i}].supplier_sku`, id: `ps-sku-${i}`, 'aria-label': `${r.supplier_name}’s code for ${sku}`, maxlength: 64, autocomplete: 'off', value: r.supplier_sku || '', oninput: (e) => { r.supplier_sku = e.target.value; } }))),
        h('td', {}, h('div', { class: 'field' }, h('input', { name: `items[${i}].last_cost_cents`, id: `ps-cost-${i}`, class: 'money-input', inputmode: 'decimal', placeholder: '0.00', 'aria-label': `Last cost from ${r.supplier_name}`, value: r.costText ?? moneyInput(r.last_cost_cents), oninput: (e) => { r.costText = e.target.value; } }))),
        h('td', {}, h('input', { type: 'radio', name: 'preferred', value: r.supplier_id, checked: !!r.preferred, 'aria-label': `${r.supplier_name} is preferred`, onchange: () => rows.forEach((x) => { x.preferred = x === r; }) })),
        h('td', { class: 'row-actions' }, h('button', { type: 'button', class: 'small danger-outline', 'aria-label': `Remove ${r.supplier_name}`, text: 'Remove', onclick: () => { rows.splice(i, 1); draw(); } })))));
    }
    addBtn.addEventListener('click', () => {
      const s = all.find((x) => x.id === picker.value);
      if (!s) { picker.focus(); return; }
      rows.push({ supplier_id: s.id, supplier_name: s.name, supplier_sku: '', last_cost_cents: null, preferred: !rows.length, lead_time_days: s.lead_time_days });
      draw();
      tbody.querySelector('tr:last-child input')?.focus();
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (save.disabled) return;
      clearErrors(form);
      const payload = rows.map((r, i) => {
        const text = r.costText ?? moneyInput(r.last_cost_cents);
        const cost = parseMoney(text);
        if (Number.isNaN(cost) || cost < 0) setFieldError(form, `items[${i}].last_cost_cents`, 'Enter an amount like 12.50.');
        const item = { supplier_id: r.supplier_id, preferred: !!r.preferred };
        if ((r.supplier_sku || '').trim()) item.supplier_sku = r.supplier_sku.trim();
        if (Number.isInteger(cost)) item.last_cost_cents = cost;
        return item;
      });
      const invalid = form.querySelector('[aria-invalid="true"]');
      if (invalid) { invalid.focus(); return; }
      save.disabled = true;
      try {
        items = (await put(`/inventory/${seg(sku)}/suppliers`, { items: payload }, { signal: ctx.signal })).items || [];
        flash(`Suppliers of ${sku} saved.`, 'success');
        show();
        editBtn.focus();
      } catch (e) {
        if (!isQuiet(e)) showFormError(form, e);
      } finally {
        save.disabled = false;
      }
    });
    draw();
    replace(body, form);
    (tbody.querySelector('input') || picker).focus();
  }

  editBtn?.addEventListener('click', () => edit());
  load();
  return section;
}
