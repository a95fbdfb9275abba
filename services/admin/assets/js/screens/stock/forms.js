// The stock operations (manager+): restock, adjustment, stock count, transfer and low-stock
// settings, each a form for one SKU at one location, and the buttons that open them.

import { get, post, put, seg, newKey, isQuiet, refusedOutright } from '../../api.js';
import { h, replace, field, clearErrors, setFieldError, showFormError, formAlert, flash } from '../../dom.js';
import { label, parseMoney, parseIntStrict } from '../../format.js';
import { ADJUSTMENT_REASONS } from '../../states.js';

const FIELD_MAP = { delta: 'quantity', unit_cost_cents: 'unit_cost' };

export function opForms(ctx, formBox, locations, onDone) {
  const opts = (selected, exclude) => locations.filter((l) => l.active && l.code !== exclude)
    .map((l) => ({ value: l.code, label: l.name && l.name !== l.code ? `${l.name} (${l.code})` : l.code, selected: l.code === selected }));

  function open(kind, item, level) {
    const loc = level ? level.location : 'main';
    let key = newKey();
    let fields;
    let title;
    let submitId;
    let path;
    let build;
    if (kind === 'restock') {
      title = `Restock ${item.sku}`;
      submitId = 'restock-save';
      path = 'restock';
      fields = {
        quantity: field('Quantity received', { name: 'quantity', type: 'number', min: 1, step: 1, required: true }),
        location: field('Location', { name: 'location', type: 'select', options: opts(loc) }),
        unit_cost: field('Unit cost', { name: 'unit_cost', inputmode: 'decimal', placeholder: '0.00', hint: 'Optional, e.g. 365.00' }),
        supplier: field('Supplier', { name: 'supplier', maxlength: 100 }),
        reference: field('Reference', { name: 'reference', maxlength: 100, hint: 'Delivery note or invoice number' }),
        note: field('Note', { name: 'note', maxlength: 500 }),
      };
      build = (v, form) => {
        const cost = parseMoney(v.unit_cost);
        if (Number.isNaN(cost)) { setFieldError(form, 'unit_cost', 'Enter an amount like 12.50.'); return null; }
        return { quantity: parseIntStrict(v.quantity), location: v.location, unit_cost_cents: cost, supplier: v.supplier, reference: v.reference, note: v.note };
      };
    } else if (kind === 'adjust') {
      title = `Adjust ${item.sku}`;
      submitId = 'adjust-save';
      path = 'adjustments';
      fields = {
        quantity: field('Change (+/−)', { name: 'quantity', type: 'number', step: 1, required: true, hint: 'Negative to remove units, positive to add.' }),
        reason: field('Reason', { name: 'reason', type: 'select', options: [{ value: '', label: 'Choose a reason…' }, ...ADJUSTMENT_REASONS.map((r) => ({ value: r, label: label(r) }))], required: true }),
        location: field('Location', { name: 'location', type: 'select', options: opts(loc) }),
        note: field('Note', { name: 'note', maxlength: 500 }),
      };
      build = (v, form) => {
        if (!v.reason) { setFieldError(form, 'reason', 'Choose a reason.'); return null; }
        return { delta: parseIntStrict(v.quantity), reason: v.reason, location: v.location, note: v.note };
      };
    } else if (kind === 'count') {
      title = `Stock count of ${item.sku}`;
      submitId = 'count-save';
      path = 'count';
      fields = {
        counted: field('Counted on the shelf', { name: 'counted', type: 'number', min: 0, step: 1, required: true, hint: level ? `The system says ${level.on_hand} on hand.` : null }),
        location: field('Location', { name: 'location', type: 'select', options: opts(loc) }),
        note: field('Note', { name: 'note', maxlength: 500 }),
      };
      build = (v) => ({ counted: parseIntStrict(v.counted), location: v.location, note: v.note });
    } else if (kind === 'transfer') {
      title = `Transfer ${item.sku}`;
      submitId = 'transfer-save';
      path = 'transfers';
      fields = {
        from: field('From', { name: 'from', type: 'select', options: opts(loc) }),
        to: field('To', { name: 'to', type: 'select', options: [{ value: '', label: 'Choose a location…' }, ...opts(null, loc)], required: true }),
        quantity: field('Quantity', { name: 'quantity', type: 'number', min: 1, step: 1, required: true }),
        note: field('Note', { name: 'note', maxlength: 500 }),
      };
      build = (v, form) => {
        if (!v.to) { setFieldError(form, 'to', 'Choose where the stock goes.'); return null; }
        return { from: v.from, to: v.to, quantity: parseIntStrict(v.quantity), note: v.note };
      };
    } else {
      title = `Low-stock settings of ${item.sku}`;
      submitId = 'settings-save';
      path = 'settings';
      fields = {
        low_stock_threshold: field('Low at or below', { name: 'low_stock_threshold', type: 'number', min: 0, step: 1, required: true, value: level ? level.low_stock_threshold : '' }),
        reorder_quantity: field('Reorder quantity', { name: 'reorder_quantity', type: 'number', min: 0, step: 1, required: true, value: level ? level.reorder_quantity : '' }),
        location: field('Location', { name: 'location', type: 'select', options: opts(loc) }),
      };
      build = (v) => ({ low_stock_threshold: parseIntStrict(v.low_stock_threshold), reorder_quantity: parseIntStrict(v.reorder_quantity), location: v.location });
    }
    const save = h('button', { type: 'submit', id: submitId, class: 'primary', text: kind === 'settings' ? 'Save settings' : 'Save' });
    const form = h('form', { id: `${kind}-form`, class: 'panel form-grid', novalidate: true, 'aria-labelledby': `${kind}-form-title` },
      h('h2', { id: `${kind}-form-title`, class: 'wide', text: title }),
      h('p', { class: 'wide muted', text: item.name }),
      Object.values(fields).map((f) => f.wrap),
      h('div', { class: 'actions wide' }, save, h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: close })));
    formAlert(form);
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (save.disabled) return;
      clearErrors(form);
      const values = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input.value.trim()]));
      for (const name of ['quantity', 'counted', 'low_stock_threshold', 'reorder_quantity']) {
        if (name in values && Number.isNaN(parseIntStrict(values[name]))) setFieldError(form, name, 'Enter a whole number.');
      }
      const body = form.querySelector('[aria-invalid="true"]') ? null : build(values, form);
      if (!body) { form.querySelector('[aria-invalid="true"]')?.focus(); return; }
      for (const k of Object.keys(body)) if (body[k] === '' || body[k] === null) delete body[k];
      save.disabled = true;
      try {
        const url = `/inventory/${seg(item.sku)}/${path}`;
        const result = kind === 'settings'
          ? await put(url, body, { signal: ctx.signal })
          : await post(url, body, { headers: { 'Idempotency-Key': key }, signal: ctx.signal });
        close();
        flash(doneMessage(kind, item, body), 'success');
        onDone(item.sku, result, kind, body);
      } catch (e) {
        if (isQuiet(e)) return;
        // A definite refusal recorded nothing: the next try is a new attempt.
        if (refusedOutright(e)) key = newKey();
        if (e.slug === 'idempotency-key-reused') {
          showFormError(form, { message: 'An earlier try with other values may have been recorded. Check the movements below before saving again.', errors: [] });
        } else showFormError(form, e, FIELD_MAP);
      } finally {
        save.disabled = false;
      }
    });
    replace(formBox, form);
    formBox.scrollIntoView?.({ block: 'nearest' });
    Object.values(fields)[0].input.focus();
  }

  function close() {
    formBox.replaceChildren();
  }

  return { open, close };
}

function doneMessage(kind, item, body) {
  switch (kind) {
    case 'restock': return `Received ${body.quantity} × ${item.sku}.`;
    case 'adjust': return `Adjusted ${item.sku} by ${body.delta > 0 ? '+' : ''}${body.delta}.`;
    case 'count': return `Count of ${item.sku} recorded.`;
    case 'transfer': return `Moved ${body.quantity} × ${item.sku} from ${body.from} to ${body.to}.`;
    default: return `Settings of ${item.sku} saved.`;
  }
}

export function actionButtons(ctx, forms) {
  if (!ctx.can('manager')) return null;
  return (item, level) => {
    const b = (cls, text, kind) => h('button', { type: 'button', class: `${cls} small secondary`, 'aria-label': `${text} ${item.sku}${level ? ` at ${level.location}` : ''}`, text, onclick: () => forms.open(kind, item, level) });
    return [b('restock', 'Restock', 'restock'),
      level ? b('adjust', 'Adjust', 'adjust') : null,
      level ? b('count', 'Count', 'count') : null,
      level ? b('transfer', 'Transfer', 'transfer') : null,
      level ? b('settings', 'Settings', 'settings') : null];
  };
}

export async function loadLocations(signal) {
  try {
    return (await get('/locations', {}, signal)).items || [];
  } catch (e) {
    if (isQuiet(e)) throw e;
    return [{ code: 'main', name: 'main', active: true }];
  }
}

/** The StockView of a change answer (ChangeView, TransferView) or a level (settings). */
export function viewOf(result) {
  return result && result.stock ? result.stock : null;
}
