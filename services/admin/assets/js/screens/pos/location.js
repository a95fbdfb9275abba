// The till's location: a choice of the active locations, remembered by the device (the goods
// of its sales leave from there; `main` until another is chosen).

import { h, replace, field } from '../../dom.js';
import { loadLocations } from '../stock/forms.js';

const KEY = 'till.location';

/** The location select; `onChange(code)` after the choice changed (by the clerk or because the
 * remembered location is no longer active). `code()` is the current choice. */
export function tillLocation(ctx, { onChange }) {
  let code = remembered();
  const select = field('Till location', { id: 'pos-location', type: 'select', options: [{ value: code, label: code }] });
  select.input.addEventListener('change', () => choose(select.input.value));

  function choose(value) {
    code = value;
    try { localStorage.setItem(KEY, value); } catch { /* not remembered then */ }
    onChange(value);
  }

  async function load() {
    const active = (await loadLocations(ctx.signal)).filter((l) => l.active);
    if (!active.length) return;
    replace(select.input, active.map((l) => h('option', { value: l.code, text: l.name && l.name !== l.code ? `${l.name} (${l.code})` : l.code })));
    const known = active.some((l) => l.code === code);
    select.input.value = known ? code : (active.find((l) => l.code === 'main') || active[0]).code;
    if (!known) choose(select.input.value);
  }
  load().catch(() => {});

  return { wrap: select.wrap, code: () => code };
}

function remembered() {
  try { return localStorage.getItem(KEY) || 'main'; } catch { return 'main'; }
}
