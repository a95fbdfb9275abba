// Reorder suggestions (/purchasing/suggestions): what to order now at a location for a service
// level, per product grouped by its preferred supplier, with the forecast behind it. Managers
// tick the lines to order (those with a suggestion are ticked), change the quantities, name a
// supplier for products without a preferred one, and create the draft orders (one per
// supplier), then go to them. Rows: `.reorder-group tr[data-sku]`; `#reorder-create`.

import { get, post, isQuiet } from '../../api.js';
import { h, replace, field, clearErrors, setFieldError, showFormError, formAlert, flash, statusLine } from '../../dom.js';
import { int, parseIntStrict } from '../../format.js';
import { loadLocations } from '../stock/forms.js';
import { loadSuppliers, supplierOptions } from '../suppliers/data.js';
import { purchasingTabs } from './common.js';
import { suggestionGroup } from './suggestion-rows.js';

const LEVELS = [80, 85, 90, 95, 97, 98, 99];

export async function renderSuggestions(ctx) {
  ctx.title('Reorder suggestions');
  const manager = ctx.can('manager');
  const loc = field('Location', { id: 'reorder-location', type: 'select', options: [{ value: 'main', label: 'main' }] });
  const level = field('Service level', { id: 'reorder-service-level', type: 'select', value: '95',
    options: LEVELS.map((l) => ({ value: String(l), label: `${l} %` })), hint: 'The chance of not running out before the delivery comes.' });
  const all = field('Every product, not only those to order', { id: 'reorder-all', type: 'checkbox' });
  const info = h('p', { class: 'muted small', id: 'reorder-info' });
  const groupsBox = h('div', { id: 'reorder-groups' }, statusLine('Loading suggestions…'));
  const create = manager ? h('button', { type: 'submit', id: 'reorder-create', class: 'primary', text: 'Create draft orders' }) : null;
  const form = h('form', { id: 'reorder-form', novalidate: true, 'aria-label': 'Reorder suggestions' },
    groupsBox, create ? h('div', { class: 'actions sticky-actions' }, create, h('span', { id: 'reorder-picked', class: 'muted', 'aria-live': 'polite' })) : null);
  formAlert(form);
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Purchasing' })),
    purchasingTabs(ctx, 'suggestions'),
    h('form', { class: 'filters', role: 'search', id: 'reorder-filters', onsubmit: (e) => { e.preventDefault(); load(); } }, loc.wrap, level.wrap, all.wrap),
    info, form);

  const [locations, suppliers] = await Promise.all([loadLocations(ctx.signal), manager ? loadSuppliers(ctx.signal) : []]);
  replace(loc.input, locations.filter((l) => l.active).map((l) => h('option', { value: l.code, text: l.name && l.name !== l.code ? `${l.name} (${l.code})` : l.code })));
  loc.input.value = 'main';
  [loc, level, all].forEach((f) => f.input.addEventListener('change', () => load()));

  let rows = [];
  let newest = 0;
  async function load() {
    const mine = ++newest;
    clearErrors(form);
    replace(groupsBox, statusLine('Loading suggestions…'));
    try {
      const s = await get('/reorder-suggestions', { location: loc.input.value, service_level: level.input.value, all: all.input.checked ? 'true' : '' }, ctx.signal);
      if (mine !== newest) return;
      info.textContent = `Forecasts from the last ${int(s.history_days)} days of sales at ${s.location}, for a ${s.service_level} % service level. Incoming: ordered and not yet received.`;
      rows = [];
      const options = supplierOptions(suppliers, '', { blank: 'Choose a supplier…' });
      const groups = s.groups.filter((g) => g.lines.length).map((g) => suggestionGroup(g, { manager, rows, options, onChange: counted }));
      replace(groupsBox, groups.length ? groups : statusLine(all.input.checked ? 'No products at this location.' : 'Nothing to order now: every product is above its reorder point.', 'empty'));
      counted();
    } catch (e) {
      if (isQuiet(e) || mine !== newest) return;
      replace(groupsBox, statusLine(`Could not load the suggestions. ${e.message}`, 'error'),
        h('button', { type: 'button', class: 'secondary small', text: 'Retry', onclick: load }));
    }
  }

  function counted() {
    if (!create) return;
    const n = rows.filter((r) => r.pick.checked).length;
    create.disabled = n === 0;
    document.getElementById('reorder-picked').textContent = n ? `${n} line${n === 1 ? '' : 's'} chosen` : 'Tick the lines to order.';
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!create || create.disabled) return;
    clearErrors(form);
    const lines = [];
    const fieldMap = {};
    for (const r of rows.filter((x) => x.pick.checked)) {
      const n = parseIntStrict(r.qty.value);
      if (!Number.isInteger(n) || n < 1) { setFieldError(form, r.qty.name, 'Enter a whole number of at least 1.'); continue; }
      const line = { sku: r.line.sku, quantity: n };
      if (r.supplier) {
        if (!r.supplier.value) { setFieldError(form, r.supplier.name, 'Choose who to order it from.'); continue; }
        line.supplier_id = r.supplier.value;
      }
      const j = lines.length;
      fieldMap[`lines[${j}].quantity`] = r.qty.name;
      fieldMap[`lines[${j}].sku`] = r.qty.name;
      fieldMap[`lines[${j}].supplier_id`] = r.supplier ? r.supplier.name : r.qty.name;
      lines.push(line);
    }
    const invalid = form.querySelector('[aria-invalid="true"]');
    if (invalid) { invalid.focus(); return; }
    create.disabled = true;
    try {
      const { items } = await post('/reorder-suggestions/purchase-orders', { location: loc.input.value, lines }, { signal: ctx.signal });
      flash(`${items.length} draft order${items.length === 1 ? '' : 's'} created. Check and send ${items.length === 1 ? 'it' : 'them'} to the supplier${items.length === 1 ? '' : 's'}.`, 'success');
      ctx.navigate(items.length === 1 ? `/purchasing/${encodeURIComponent(items[0].id)}` : `/purchasing?status=draft&location=${encodeURIComponent(loc.input.value)}`);
    } catch (e) {
      if (isQuiet(e)) return;
      showFormError(form, e, fieldMap);
    } finally {
      if (!ctx.signal.aborted) counted();
    }
  });

  return load();
}
