// Closing the till's shift: the drawer counted blind (what the system expects is not shown
// until the count is in), an optional note, then the Z report.

import { get, post, seg, isQuiet } from '../../api.js';
import { h, field, clearErrors, showFormError, formAlert, flash } from '../../dom.js';
import { cashCount } from './count.js';

/**
 * The close form of the open `shift`, counted in `currency`: `{form, focus}`.
 * `onClosed(report)` gets the Z report; `onCancel()` when the clerk goes back.
 */
export function closeShiftForm(ctx, { shift, currency, onClosed, onCancel }) {
  const count = cashCount(currency);
  const note = field('Note', { id: 'shift-close-note', name: 'note', type: 'textarea', rows: 2, maxlength: 500, hint: 'Optional, e.g. what explains a difference.' });
  const submit = h('button', { type: 'submit', id: 'shift-close-submit', class: 'primary', text: 'Close shift' });
  const cancel = h('button', { type: 'button', id: 'shift-close-cancel', class: 'secondary', text: 'Cancel' });
  const form = h('form', { id: 'shift-close-form', class: 'panel stack shift-close', novalidate: true, 'aria-labelledby': 'shift-close-title' },
    h('h2', { id: 'shift-close-title', text: `Close shift #${shift.number} of ${shift.till}` }),
    h('p', { class: 'muted', text: 'Count all the cash in the drawer, the float included. What the till expects is shown on the Z report once the shift is closed.' }),
    count.el, note.wrap,
    h('div', { class: 'actions' }, submit, cancel));
  formAlert(form);
  cancel.addEventListener('click', () => onCancel());
  form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); onCancel(); } });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearErrors(form);
    const counted = count.read();
    if (counted.error) {
      showFormError(form, { message: counted.error, errors: [] });
      counted.input.setAttribute('aria-invalid', 'true');
      counted.input.focus();
      return;
    }
    const body = { counted_cash_cents: counted.cents };
    const text = note.input.value.trim();
    if (text) body.note = text;
    submit.disabled = true;
    submit.textContent = 'Closing…';
    try {
      onClosed(await post(`/shifts/${seg(shift.id)}/close`, body, { signal: ctx.signal }));
    } catch (e) {
      if (isQuiet(e)) return;
      if (e.slug === 'shift-closed') {
        // Closed already (on another device, or by an attempt whose answer was lost).
        try {
          const report = await get(`/shifts/${seg(shift.id)}/report`, {}, ctx.signal);
          flash('This shift had already been closed; here is its Z report.', 'info');
          onClosed(report);
          return;
        } catch (e2) {
          if (isQuiet(e2)) return;
        }
      }
      showFormError(form, e, { counted_cash_cents: 'count-amount', note: 'note' });
    } finally {
      submit.disabled = false;
      submit.textContent = 'Close shift';
    }
  });

  return { form, focus: count.focus };
}
