// The supplier form (managers): a new supplier, or the changes to one. The API's field errors
// show next to their fields; a change sends only what changed (blank text clears a field).

import { post, patch, seg, isQuiet } from '../../api.js';
import { h, replace, field, clearErrors, setFieldError, showFormError, formAlert, flash } from '../../dom.js';
import { parseIntStrict } from '../../format.js';

const TEXT_FIELDS = ['name', 'contact', 'email', 'phone', 'notes'];

/**
 * Opens the form in `box` for `supplier` (null: a new one). `onSaved(saved, created)` after
 * saving; `onClose()` when the form goes away (saved or cancelled).
 */
export function openSupplierForm(ctx, box, supplier, { onSaved, onClose }) {
  const editing = !!supplier;
  const f = {
    name: field('Name', { name: 'name', required: true, maxlength: 200, autocomplete: 'off', value: supplier?.name ?? '' }),
    contact: field('Contact', { name: 'contact', maxlength: 200, autocomplete: 'off', value: supplier?.contact ?? '', hint: 'The person to talk to.' }),
    email: field('Email', { name: 'email', type: 'email', maxlength: 254, autocomplete: 'off', value: supplier?.email ?? '' }),
    phone: field('Phone', { name: 'phone', type: 'tel', maxlength: 40, autocomplete: 'off', value: supplier?.phone ?? '' }),
    lead_time_days: field('Lead time (days)', { name: 'lead_time_days', type: 'number', min: 0, max: 365, step: 1, value: supplier ? supplier.lead_time_days : '7', hint: 'Days from ordering to delivery, 0 to 365.' }),
    notes: field('Notes', { name: 'notes', type: 'textarea', maxlength: 1000, wrapClass: 'wide', value: supplier?.notes ?? '' }),
  };
  const save = h('button', { type: 'submit', id: 'supplier-save', class: 'primary', text: editing ? 'Save changes' : 'Add supplier' });
  const form = h('form', { id: 'supplier-form', class: 'panel form-grid', novalidate: true, 'aria-labelledby': 'supplier-form-title' },
    h('h2', { id: 'supplier-form-title', class: 'wide', text: editing ? `Edit ${supplier.name}` : 'New supplier' }),
    Object.values(f).map((x) => x.wrap),
    h('div', { class: 'actions wide' }, save, h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: close })));
  formAlert(form);
  form.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (save.disabled) return;
    clearErrors(form);
    const values = Object.fromEntries(Object.entries(f).map(([k, x]) => [k, x.input.value.trim()]));
    if (!values.name) setFieldError(form, 'name', 'A supplier needs a name.');
    const days = parseIntStrict(values.lead_time_days);
    if (Number.isNaN(days) || (days !== null && (days < 0 || days > 365))) setFieldError(form, 'lead_time_days', 'Enter a whole number of days from 0 to 365.');
    const invalid = form.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); return; }
    save.disabled = true;
    try {
      let saved;
      if (editing) {
        const body = changes(supplier, values, days);
        if (!Object.keys(body).length) { flash('Nothing changed.'); close(); return; }
        saved = await patch(`/suppliers/${seg(supplier.id)}`, body, { signal: ctx.signal });
        flash(`${saved.name} saved.`, 'success');
      } else {
        const body = { name: values.name };
        for (const k of TEXT_FIELDS) if (k !== 'name' && values[k]) body[k] = values[k];
        if (days !== null) body.lead_time_days = days;
        saved = await post('/suppliers', body, { signal: ctx.signal });
        flash(`Supplier ${saved.name} added.`, 'success');
      }
      close();
      onSaved(saved, !editing);
    } catch (e) {
      if (!isQuiet(e)) showFormError(form, e);
    } finally {
      save.disabled = false;
    }
  });
  replace(box, form);
  box.scrollIntoView?.({ block: 'nearest' });
  f.name.input.focus();

  function close() {
    box.replaceChildren();
    onClose?.();
  }
}

/** The patch from `supplier` to the form's values: changed fields only, blank clears. */
function changes(supplier, values, days) {
  const body = {};
  for (const k of TEXT_FIELDS) {
    if (values[k] !== (supplier[k] ?? '')) body[k] = values[k];
  }
  if (days !== null && days !== supplier.lead_time_days) body.lead_time_days = days;
  return body;
}
