// How the customer pays: cash (the amount given, quick amounts, the change in large figures),
// card, other, or split (a cash amount and the rest by card). Amounts are typed in the shop's
// currency; the request's payments are built from the total shown.

import { h, field } from '../../dom.js';
import { money, moneyInput, majorUnits, parseMoney } from '../../format.js';
import { PAYMENT_METHODS } from '../../states.js';

const MODES = [
  { value: 'cash', label: 'Cash' },
  { value: 'card', label: 'Card' },
  { value: 'split', label: 'Split: cash and card' },
  { value: 'other', label: 'Other' },
].filter((m) => m.value === 'split' || PAYMENT_METHODS.includes(m.value));

/** Round amounts, in whole currency units, offered after "Exact". */
const STEPS = [1, 5, 10, 20, 50, 100, 500, 1000, 5000, 10000];

/** The tender panel; `onChange()` after any edit (the caller then calls `update(total)`). */
export function tenderView({ onChange }) {
  let total = 0;
  const radios = MODES.map((m) => {
    const input = h('input', { type: 'radio', name: 'pos-tender', id: `pos-tender-${m.value}`, value: m.value, checked: m.value === 'cash' });
    input.addEventListener('change', () => { show(); onChange(); });
    return h('div', { class: 'field check' }, input, h('label', { for: input.id, text: m.label }));
  });
  const given = field('Amount given', { id: 'pos-cash-given', inputmode: 'decimal', autocomplete: 'off', placeholder: 'Exact amount', hint: 'Leave empty for the exact amount.' });
  const quick = h('div', { class: 'actions quick-cash', role: 'group', 'aria-label': 'Quick amounts' });
  const change = h('output', { id: 'pos-change', class: 'pos-change', for: 'pos-cash-given', 'aria-live': 'polite' });
  const changeLabel = h('span', { class: 'pos-change-label', text: 'Change' });
  const cashPanel = h('div', { id: 'pos-cash-panel', class: 'tender-panel' }, given.wrap, quick,
    h('div', { class: 'pos-change-wrap' }, changeLabel, change));
  const splitCash = field('Cash amount', { id: 'pos-split-cash', inputmode: 'decimal', autocomplete: 'off', placeholder: '0.00' });
  const splitCard = h('output', { id: 'pos-split-card', for: 'pos-split-cash', class: 'strong' });
  const splitPanel = h('div', { id: 'pos-split-panel', class: 'tender-panel', hidden: true }, splitCash.wrap,
    h('p', {}, 'The rest by card: ', splitCard));
  const error = h('p', { class: 'field-error', id: 'pos-tender-error', role: 'alert', hidden: true });
  const el = h('fieldset', { class: 'pos-tender', id: 'pos-tender' },
    h('legend', { text: 'Payment' }), h('div', { class: 'tender-modes' }, radios), cashPanel, splitPanel, error);
  [given.input, splitCash.input].forEach((input) => input.addEventListener('input', () => onChange()));

  function mode() {
    return el.querySelector('input[name="pos-tender"]:checked')?.value || 'cash';
  }

  function show() {
    cashPanel.hidden = mode() !== 'cash';
    splitPanel.hidden = mode() !== 'split';
  }

  function quickButtons() {
    const amounts = [total];
    const whole = Math.round(1 / majorUnits(1));
    for (const step of STEPS) {
      const cents = Math.ceil(total / (step * whole)) * step * whole;
      if (cents > total && !amounts.includes(cents)) amounts.push(cents);
      if (amounts.length >= 4) break;
    }
    quick.replaceChildren(...amounts.map((cents, i) => h('button', {
      type: 'button', class: 'secondary small', id: i === 0 ? 'pos-cash-exact' : null, dataset: { amount: cents },
      text: i === 0 ? `Exact ${money(cents)}` : money(cents),
      onclick: () => { given.input.value = moneyInput(cents); onChange(); },
    })));
  }

  /** Shows the change or what is missing for `newTotal`. */
  function update(newTotal) {
    if (newTotal !== total || !quick.firstChild) { total = newTotal; quickButtons(); }
    showError(null);
    const cash = parseMoney(given.input.value);
    const short = Number.isFinite(cash) && cash !== null && cash < total;
    changeLabel.textContent = short ? 'Still due' : 'Change';
    change.textContent = money(short ? total - cash : Number.isFinite(cash) && cash !== null ? cash - total : 0);
    change.classList.toggle('short', short);
    const split = parseMoney(splitCash.input.value);
    splitCard.textContent = money(Number.isFinite(split) && split !== null ? Math.max(total - split, 0) : total);
  }

  /** `{fields}` of the sale request (`payment_method` or `payments`), or `{error, focus}`. */
  function payment() {
    const m = mode();
    if (m === 'card' || m === 'other') return { fields: { payment_method: m } };
    if (m === 'cash') {
      const cash = parseMoney(given.input.value);
      if (cash === null) return { fields: { payment_method: 'cash' } };
      if (Number.isNaN(cash) || cash < 0) return { error: 'Enter the amount given like 50.00.', focus: given.input };
      if (cash < total) return { error: `The amount given is ${money(total - cash)} short of the total.`, focus: given.input };
      return { fields: { payments: [{ method: 'cash', amount_cents: cash }] } };
    }
    const cash = parseMoney(splitCash.input.value);
    if (Number.isNaN(cash) || (cash !== null && cash < 0)) return { error: 'Enter the cash amount like 50.00.', focus: splitCash.input };
    if (!cash) return { fields: { payment_method: 'card' } };
    if (cash >= total) return { fields: { payments: [{ method: 'cash', amount_cents: cash }] } };
    return { fields: { payments: [{ method: 'cash', amount_cents: cash }, { method: 'card', amount_cents: total - cash }] } };
  }

  /** Shows why the payment cannot be taken (null hides it). */
  function showError(message) {
    error.hidden = !message;
    error.textContent = message || '';
  }

  function reset() {
    given.input.value = '';
    splitCash.input.value = '';
    el.querySelector('#pos-tender-cash').checked = true;
    show();
  }

  return { el, update, payment, showError, reset };
}
