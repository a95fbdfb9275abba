// A discount input: an amount in the shop's currency or a percentage (chosen beside it, or by
// typing "%"), checked as it is typed.

import { h } from '../../dom.js';
import { currencySymbol, moneyInput, parseMoney } from '../../format.js';

/**
 * `{wrap, input, kind}` for a discount. `id` names the amount input (`<id>-kind` the type);
 * `labelText` labels it, shown or (with `compact`) for screen readers only. `onChange(discount)`
 * gets null, {kind: 'amount', value: cents} or {kind: 'percent', value} on every valid edit.
 */
export function discountInput({ id, labelText, value, onChange, compact = false }) {
  const input = h('input', { type: 'text', id, class: 'discount-value', inputmode: 'decimal', autocomplete: 'off', placeholder: '0', value: textOf(value) });
  const kind = h('select', { id: `${id}-kind`, class: 'discount-kind' },
    h('option', { value: 'amount', text: currencySymbol() }),
    h('option', { value: 'percent', text: '%' }));
  kind.value = value?.kind || 'amount';
  const error = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const labelClass = compact ? 'sr-only' : null;
  const wrap = h('div', { class: ['discount-input', compact ? 'compact' : 'field'] },
    h('label', { for: id, class: labelClass, text: labelText }),
    h('div', { class: 'discount-controls' },
      input,
      h('label', { for: kind.id, class: 'sr-only', text: `${labelText}: amount or percent` }),
      kind),
    error);

  function read() {
    let text = input.value.trim();
    if (text.endsWith('%')) {
      kind.value = 'percent';
      text = text.slice(0, -1).trim();
    }
    if (text === '') return { discount: null };
    if (kind.value === 'percent') {
      const n = Number(text.replace(',', '.'));
      if (!/^\d+([.,]\d{1,2})?$/.test(text) || n > 100) return { error: 'Enter a percentage from 0 to 100, e.g. 10 or 12.5.' };
      return { discount: n > 0 ? { kind: 'percent', value: n } : null };
    }
    const cents = parseMoney(text);
    if (Number.isNaN(cents) || cents < 0) return { error: 'Enter an amount like 5.00.' };
    return { discount: cents > 0 ? { kind: 'amount', value: cents } : null };
  }

  function check() {
    const { discount, error: message } = read();
    error.hidden = !message;
    error.textContent = message || '';
    if (message) {
      input.setAttribute('aria-invalid', 'true');
      input.setAttribute('aria-describedby', error.id);
      return;
    }
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
    onChange(discount);
  }
  input.addEventListener('input', check);
  kind.addEventListener('change', check);
  // Typing "10%" switches the type; the "%" itself need not stay in the box.
  input.addEventListener('change', () => { if (input.value.trim().endsWith('%')) input.value = input.value.trim().slice(0, -1).trim(); });

  return { wrap, input, kind };
}

function textOf(d) {
  if (!d) return '';
  return d.kind === 'percent' ? String(d.value) : moneyInput(d.value);
}
