// Counting the cash drawer: how many of each note and coin of the shop's currency (GBP, EUR,
// USD), the counted total adding up as it is typed; for any other currency one "Counted
// total" amount.

import { h, field } from '../../dom.js';
import { money, parseMoney, parseIntStrict } from '../../format.js';

/** Notes and coins in minor units, largest first; `notes` is the smallest note. */
const DENOMINATIONS = {
  GBP: { values: [5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1], notes: 500, note: 'notes' },
  EUR: { values: [50000, 20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5, 2, 1], notes: 500, note: 'notes' },
  USD: { values: [10000, 5000, 2000, 1000, 500, 200, 100, 25, 10, 5, 1], notes: 100, note: 'bills' },
};

/**
 * The count of the drawer for the shop's `currency`: `{el, read, focus}`. `read()` answers
 * `{cents}` or `{error, input}` (the input to fix).
 */
export function cashCount(currency) {
  const set = DENOMINATIONS[String(currency || '').toUpperCase()];
  return set ? byDenomination(currency, set) : byTotal();
}

function byDenomination(currency, set) {
  const total = h('output', { id: 'count-total', class: 'count-total', 'aria-live': 'polite', text: money(0) });
  const rows = set.values.map((value) => {
    const input = h('input', { type: 'number', id: `count-${value}`, name: `count-${value}`, class: 'count-input', min: 0, step: 1, inputmode: 'numeric', autocomplete: 'off', placeholder: '0' });
    const sum = h('output', { for: input.id, class: 'count-sum', text: '' });
    const name = `${face(currency, value)} ${value >= set.notes ? set.note : 'coins'}`;
    const tr = h('tr', { dataset: { denomination: value } },
      h('th', { scope: 'row' }, h('label', { for: input.id, text: name })),
      h('td', {}, input),
      h('td', { class: 'num' }, sum));
    input.addEventListener('input', update);
    return { value, input, sum, tr };
  });
  const el = h('div', { class: 'table-wrap count-wrap' }, h('table', { class: 'data count-table', id: 'count-table' },
    h('caption', { class: 'sr-only', text: 'The drawer counted by note and coin' }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Note or coin' }), h('th', { scope: 'col', text: 'How many' }), h('th', { scope: 'col', class: 'num', text: 'Amount' }))),
    h('tbody', {}, rows.map((r) => r.tr)),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row', colspan: 2, text: 'Counted total' }), h('td', { class: 'num strong' }, total)))));

  function update() {
    let cents = 0;
    let valid = true;
    for (const r of rows) {
      const n = parseIntStrict(r.input.value);
      const ok = n === null || (Number.isInteger(n) && n >= 0);
      if (ok) r.input.removeAttribute('aria-invalid');
      else r.input.setAttribute('aria-invalid', 'true');
      r.sum.textContent = ok && n ? money(n * r.value) : '';
      if (!ok) valid = false;
      else cents += (n || 0) * r.value;
    }
    total.textContent = valid ? money(cents) : '—';
  }

  function read() {
    let cents = 0;
    let any = false;
    for (const r of rows) {
      const n = parseIntStrict(r.input.value);
      if (n === null) continue;
      if (!Number.isInteger(n) || n < 0) return { error: 'Enter how many of each note and coin as a whole number (0 or more).', input: r.input };
      any = true;
      cents += n * r.value;
    }
    if (!any) return { error: 'Count the drawer: enter how many of each note and coin there are (0 where there is none).', input: rows[0].input };
    return { cents };
  }

  return { el, read, focus: () => rows[0].input.focus() };
}

function byTotal() {
  const f = field('Counted total', { id: 'count-amount', name: 'count-amount', inputmode: 'decimal', autocomplete: 'off', placeholder: '0.00', required: true, hint: 'All the cash in the drawer, the float included.' });
  function read() {
    const cents = parseMoney(f.input.value);
    if (cents === null || Number.isNaN(cents) || cents < 0) return { error: 'Enter the cash counted, like 250.00.', input: f.input };
    return { cents };
  }
  return { el: f.wrap, read, focus: () => f.input.focus() };
}

/** "£50", "£0.50": the face value without needless decimals. */
function face(currency, value) {
  const fmt = new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: value % 100 ? 2 : 0, maximumFractionDigits: 2 });
  return fmt.format(value / 100);
}
