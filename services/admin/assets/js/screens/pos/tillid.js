// The till's id ("till-1", "front-2"), typed once and remembered by the device; the shift is
// opened and closed per till.

import { h, field } from '../../dom.js';
import { TILL_ID, tillId, rememberTillId } from '../shifts/till.js';

/** The "Till" input; `onChange(id)` after a valid new id. `id()` is the current one. */
export function tillIdField({ onChange }) {
  let id = tillId();
  // Remembered from the first visit on, so that the sale page finds this till's shift.
  rememberTillId(id);
  const f = field('Till', {
    id: 'pos-till', value: id, maxlength: 32, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false',
    wrapClass: 'till-id', title: 'Lower-case letters, digits, “-” and “_”, e.g. till-1',
  });
  const error = h('p', { class: 'field-error', id: 'pos-till-error', role: 'alert', hidden: true });
  f.wrap.append(error);

  f.input.addEventListener('change', () => {
    const typed = f.input.value.trim().toLowerCase();
    if (!TILL_ID.test(typed)) {
      error.textContent = 'Use 1 to 32 lower-case letters, digits, “-” or “_”, e.g. till-1.';
      error.hidden = false;
      f.input.setAttribute('aria-invalid', 'true');
      f.input.setAttribute('aria-describedby', error.id);
      return;
    }
    error.hidden = true;
    f.input.removeAttribute('aria-invalid');
    f.input.removeAttribute('aria-describedby');
    f.input.value = typed;
    if (typed === id) return;
    id = typed;
    rememberTillId(id);
    onChange(id);
  });
  f.input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); f.input.blur(); } });

  return { wrap: f.wrap, input: f.input, id: () => id };
}
