// A draft order (managers): new (/purchasing/new) or changed while still a draft
// (/purchasing/<id>/edit): the supplier, where the goods go, the day promised, a note, and the
// lines (lines.js). Saving answers the draft's page; the API's field errors show by their fields.

import { get, post, patch, seg, isQuiet } from '../../api.js';
import { h, replace, field, clearErrors, setFieldError, showFormError, formAlert, flash, statusLine } from '../../dom.js';
import { loadLocations } from '../stock/forms.js';
import { loadSuppliers, supplierOptions } from '../suppliers/data.js';
import { poNumber, purchasingTabs } from './common.js';
import { lineEditor } from './lines.js';

export function renderNew(ctx) {
  ctx.title('New purchase order');
  return renderForm(ctx, null);
}

export async function renderEdit(ctx) {
  const id = ctx.params[0];
  ctx.title('Edit purchase order');
  replace(ctx.main, statusLine('Loading the order…'));
  let order;
  try {
    order = await get(`/purchase-orders/${seg(id)}`, {}, ctx.signal);
  } catch (e) {
    if (isQuiet(e)) return;
    replace(ctx.main, statusLine(e.status === 404 ? 'There is no such purchase order.' : `Could not load the order. ${e.message}`, 'error'));
    return;
  }
  if (order.status !== 'draft') {
    replace(ctx.main, h('h1', { text: poNumber(order.number) }),
      h('p', { class: 'notice', text: 'This order was sent to the supplier already: only a draft can be changed.' }),
      h('p', {}, h('a', { href: `/purchasing/${encodeURIComponent(order.id)}`, text: 'Back to the order' })));
    return;
  }
  return renderForm(ctx, order);
}

async function renderForm(ctx, order) {
  const editing = !!order;
  const [suppliers, locations] = await Promise.all([loadSuppliers(ctx.signal, { archived: editing }), loadLocations(ctx.signal)]);
  const offered = suppliers.filter((s) => !s.archived || s.id === order?.supplier_id);
  const params = new URLSearchParams(location.search);
  const supplier = field('Supplier', { name: 'supplier_id', id: 'po-form-supplier', type: 'select', required: true,
    options: supplierOptions(offered, order?.supplier_id ?? params.get('supplier_id') ?? ''),
    hint: offered.length ? null : 'No suppliers yet: add one under Suppliers first.' });
  const loc = field('Deliver to', { name: 'location', id: 'po-form-location', type: 'select',
    options: locations.filter((l) => l.active || l.code === order?.location).map((l) => ({ value: l.code, label: l.name && l.name !== l.code ? `${l.name} (${l.code})` : l.code })),
    value: order?.location ?? 'main' });
  const expected = field('Expected on', { name: 'expected_at', id: 'po-form-expected', type: 'date', value: order?.expected_at ?? '', hint: 'The day the supplier promised; optional.' });
  const note = field('Note', { name: 'note', id: 'po-form-note', type: 'textarea', rows: 2, maxlength: 1000, value: order?.note ?? '', wrapClass: 'wide' });
  const lines = lineEditor(ctx, order?.lines ?? []);
  const save = h('button', { type: 'submit', id: 'po-save', class: 'primary', text: editing ? 'Save draft' : 'Create draft' });
  const back = editing ? `/purchasing/${encodeURIComponent(order.id)}` : '/purchasing';
  const title = editing ? `Edit ${poNumber(order.number)}` : 'New purchase order';
  const form = h('form', { id: 'po-form', class: 'panel', novalidate: true, 'aria-labelledby': 'po-form-title' },
    h('h2', { id: 'po-form-title', class: 'sr-only', text: title }),
    h('div', { class: 'form-grid' }, supplier.wrap, loc.wrap, expected.wrap, note.wrap),
    lines.el,
    h('div', { class: 'actions' }, save, h('a', { href: back, class: 'button secondary', text: 'Cancel' })));
  formAlert(form);

  replace(ctx.main,
    h('p', { class: 'breadcrumb' }, h('a', { href: back, text: editing ? `← ${poNumber(order.number)}` : '← All purchase orders' })),
    h('div', { class: 'page-head' }, h('h1', { text: title })),
    editing ? null : purchasingTabs(ctx, 'new'),
    form);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (save.disabled) return;
    clearErrors(form);
    const mark = (name, text) => setFieldError(form, name, text);
    if (!supplier.input.value) mark('supplier_id', 'Choose the supplier.');
    const body = {
      supplier_id: supplier.input.value,
      location: loc.input.value,
      expected_at: expected.input.value,
      note: note.input.value.trim(),
      lines: lines.read(mark),
    };
    if (!lines.count()) {
      showFormError(form, { message: 'Add at least one product to order.', errors: [] });
      lines.focus();
      return;
    }
    const invalid = form.querySelector('[aria-invalid="true"]');
    if (invalid || !body.lines) { (invalid || form).focus(); return; }
    if (!editing) {
      // A new order leaves out what is not given; a change sends blanks, which clear.
      if (!body.expected_at) delete body.expected_at;
      if (!body.note) delete body.note;
    }
    save.disabled = true;
    try {
      const saved = editing
        ? await patch(`/purchase-orders/${seg(order.id)}`, body, { signal: ctx.signal })
        : await post('/purchase-orders', body, { signal: ctx.signal });
      flash(`${poNumber(saved.number)} ${editing ? 'saved' : 'created as a draft'}.`, 'success');
      ctx.navigate(`/purchasing/${encodeURIComponent(saved.id)}`);
    } catch (e) {
      if (isQuiet(e)) return;
      if (e.status === 409) {
        showFormError(form, { message: 'This order was sent to the supplier meanwhile: a sent order cannot be changed. Open the order to see it.', errors: [] });
      } else showFormError(form, e);
    } finally {
      save.disabled = false;
    }
  });
  (editing ? lines : { focus: () => supplier.input.focus() }).focus();
}
