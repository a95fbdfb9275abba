// What a refund records, for a return and for a void alike: the reason, a note (required when
// the reason is "Other") and how the money goes back (by default as the sale was paid).

import { field, setFieldError } from '../../dom.js';

export const REFUND_REASONS = [
  { value: 'damaged', label: 'Damaged' },
  { value: 'wrong_item', label: 'Wrong item' },
  { value: 'changed_mind', label: 'Changed mind' },
  { value: 'faulty_warranty', label: 'Faulty (under warranty)' },
  { value: 'other', label: 'Other' },
];

const METHODS = [{ value: 'cash', label: 'Cash' }, { value: 'card', label: 'Card' }, { value: 'other', label: 'Other' }];

/**
 * The reason, note and refund method fields of a refund of `sale` (ids `<prefix>-reason`,
 * `<prefix>-note`, `<prefix>-refund-method`; names `reason`, `note`, `refund_method`):
 * `{wraps, read(form), focus()}`. `read` answers the request's fields, or null after marking
 * what is missing in `form`.
 */
export function refundFields(prefix, sale) {
  const reason = field('Reason', { id: `${prefix}-reason`, name: 'reason', type: 'select', options: REFUND_REASONS, value: 'changed_mind' });
  const note = field('Note', { id: `${prefix}-note`, name: 'note', type: 'textarea', rows: 2, maxlength: 500, hint: 'Required when the reason is Other.' });
  const method = field('Refund by', { id: `${prefix}-refund-method`, name: 'refund_method', type: 'select', options: METHODS, value: defaultMethod(sale) });
  // aria-required rather than `required`: in the confirmation dialog a required field would
  // keep its Cancel button from closing it.
  const mark = () => note.input.setAttribute('aria-required', String(reason.input.value === 'other'));
  reason.input.addEventListener('change', mark);
  mark();

  function read(form) {
    const fields = { reason: reason.input.value, refund_method: method.input.value };
    const text = note.input.value.trim();
    if (text) fields.note = text;
    else if (fields.reason === 'other') {
      setFieldError(form, 'note', 'Say what happened when the reason is Other.');
      note.input.focus();
      return null;
    }
    return fields;
  }

  return { wraps: [reason.wrap, note.wrap, method.wrap], read, focus: () => reason.input.focus() };
}

/** How the sale was paid, when the money can go back that way; else "other". */
function defaultMethod(sale) {
  const paid = sale.payment_method || (sale.payments || [])[0]?.method;
  return METHODS.some((m) => m.value === paid) ? paid : 'other';
}
