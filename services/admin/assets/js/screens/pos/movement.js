// Cash paid into or out of the till's drawer during a shift (change brought in, milk bought
// from the till): a dialog with the kind, the amount and the reason, recorded on the shift.

import { post, seg, newKey, isQuiet, refusedOutright } from '../../api.js';
import { h, field, clearErrors, setFieldError, showFormError, formAlert, flash } from '../../dom.js';
import { money, parseMoney, label } from '../../format.js';

const KINDS = [{ value: 'paid_in', label: 'Paid in' }, { value: 'paid_out', label: 'Paid out' }];

/**
 * The paid in / out dialog of the screen `ctx`: `open(shift)`. `onShiftClosed()` when the
 * server says the shift has been closed meanwhile.
 */
export function cashMovementDialog(ctx, { onShiftClosed }) {
  const radios = KINDS.map((k) => {
    const input = h('input', { type: 'radio', name: 'kind', id: `cash-kind-${k.value}`, value: k.value, required: true });
    return h('div', { class: 'field check' }, input, h('label', { for: input.id, text: k.label }));
  });
  const amount = field('Amount', { id: 'cash-amount', name: 'amount', inputmode: 'decimal', autocomplete: 'off', placeholder: '0.00', required: true });
  const reason = field('Reason', { id: 'cash-reason', name: 'reason', maxlength: 200, autocomplete: 'off', required: true, hint: 'e.g. Change from the bank, window cleaner' });
  const submit = h('button', { type: 'submit', id: 'cash-movement-submit', class: 'primary', text: 'Record' });
  const cancel = h('button', { type: 'button', id: 'cash-movement-cancel', class: 'secondary', text: 'Cancel' });
  const title = h('h2', { id: 'cash-movement-title', text: 'Paid in / out' });
  const form = h('form', { id: 'cash-movement-form', class: 'stack', novalidate: true },
    title,
    h('fieldset', { class: 'cash-kinds' }, h('legend', { text: 'Cash' }), radios),
    amount.wrap, reason.wrap,
    h('div', { class: 'actions' }, cancel, submit));
  const dialog = h('dialog', { id: 'cash-movement-dialog', 'aria-labelledby': 'cash-movement-title' }, form);
  formAlert(form);

  let shift = null;
  let key = newKey();

  function close() {
    shift = null;
    if (dialog.open) dialog.close();
  }
  cancel.addEventListener('click', close);
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); close(); });
  ctx.onCleanup(close);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!shift || submit.disabled) return;
    clearErrors(form);
    const kind = form.elements.namedItem('kind').value;
    if (!kind) {
      showFormError(form, { message: 'Choose whether the cash is paid in or paid out.', errors: [] });
      form.querySelector('#cash-kind-paid_in').focus();
      return;
    }
    const cents = parseMoney(amount.input.value);
    const why = reason.input.value.trim();
    if (cents === null || Number.isNaN(cents) || cents < 1) setFieldError(form, 'amount', 'Enter an amount like 20.00.');
    if (!why) setFieldError(form, 'reason', 'Say what the cash is for.');
    const invalid = form.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); return; }
    submit.disabled = true;
    try {
      await post(`/shifts/${seg(shift.id)}/cash-movements`, { kind, amount_cents: cents, reason: why },
        { headers: { 'Idempotency-Key': key }, signal: ctx.signal });
      flash(`${label(kind)}: ${money(cents)} (${why}) recorded.`, 'success');
      close();
    } catch (e) {
      if (isQuiet(e)) return;
      // A definite refusal recorded nothing: the next try is a new attempt.
      if (refusedOutright(e)) key = newKey();
      showFormError(form, e, { amount_cents: 'amount' });
      if (e.slug === 'shift-closed') onShiftClosed();
    } finally {
      submit.disabled = false;
    }
  });

  /** Asks for a paid in / out on `openShift`. */
  function open(openShift) {
    shift = openShift;
    key = newKey();
    form.reset();
    clearErrors(form);
    title.textContent = `Paid in / out: shift #${openShift.number} of ${openShift.till}`;
    if (!dialog.isConnected) ctx.main.append(dialog);
    dialog.showModal();
    amount.input.focus();
  }

  return { open };
}
