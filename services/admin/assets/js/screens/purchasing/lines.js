// The lines of a draft order: products found as at the till (type to search by name, brand,
// SKU or barcode and choose with ↑ ↓ Enter; or scan / type an exact barcode or SKU and press
// Enter), each with a quantity, a unit cost (blank: the supplier's last cost, else the catalog
// cost) and whether more than ordered may be received. The inputs carry the API's field names
// (`lines[0].quantity`), so its errors show next to them. Rows: `#po-lines tr[data-sku]`.

import { get, isQuiet } from '../../api.js';
import { h, replace, field } from '../../dom.js';
import { money, moneyInput, parseMoney } from '../../format.js';
import { combobox } from '../../combobox.js';
import { lookupProduct } from './common.js';

/** The editor of `lines` (an order's lines, or []); `{el, read(), count()}`. */
export function lineEditor(ctx, lines = []) {
  const rows = lines.map((l) => ({
    sku: l.sku, name: l.name, quantity: String(l.quantity), costText: moneyInput(l.unit_cost_cents), allow: !!l.allow_over_receipt,
  }));
  const search = field('Add a product', {
    id: 'po-line-search', type: 'search', autocapitalize: 'characters', spellcheck: 'false', enterkeyhint: 'enter',
    placeholder: 'Name, brand, SKU or barcode', hint: 'Enter adds a scanned or typed barcode or SKU; ↑ and ↓ choose from the matches.',
  });
  const message = h('p', { id: 'po-line-message', class: 'field-error', role: 'alert', hidden: true });
  search.wrap.append(message);
  const tbody = h('tbody');
  const empty = h('p', { class: 'empty', id: 'po-lines-empty', text: 'No lines yet: add the products to order.' });
  const el = h('fieldset', { class: 'po-lines-editor' }, h('legend', { text: 'Lines' }),
    search.wrap,
    h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'po-lines' },
      h('thead', {}, h('tr', {}, ['Product', { t: 'Quantity', c: 'num' }, { t: 'Unit cost', c: 'num' }, 'Over-receipt', { t: 'Line total', c: 'num' }, ''].map((c) => (typeof c === 'string'
        ? h('th', { scope: 'col', text: c }) : h('th', { scope: 'col', class: c.c, text: c.t }))))),
      tbody)),
    empty,
    h('p', { class: 'muted small', text: 'A blank unit cost takes the supplier’s last cost for the product, else the catalog cost. “Over-receipt” lets a delivery bring more than ordered.' }));

  const combo = combobox({
    input: search.input, wrap: search.wrap, listId: 'po-line-search-list', signal: ctx.signal, empty: 'No product matches.',
    fetchItems: async (q, signal) => (await get('/products', { q, active: 'true', limit: 8 }, signal)).items || [],
    optionContent: (p) => [
      h('span', { class: 'option-main', text: p.name }),
      h('span', { class: 'option-price', text: money(p.cost_cents) }),
      h('small', { class: 'muted' }, h('span', { class: 'mono', text: p.sku }), p.brand ? ` · ${p.brand}` : '', p.barcode ? ` · ${p.barcode}` : ''),
    ],
    onPick: (p) => { search.input.value = ''; add(p); search.input.focus(); },
  });
  let lookups = Promise.resolve();
  // After the combobox's own listener: a chosen match has taken the Enter already.
  search.input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.defaultPrevented) return;
    event.preventDefault();
    const code = search.input.value.trim();
    search.input.value = '';
    combo.cancel();
    if (code) lookups = lookups.then(() => addCode(code)).catch(() => {});
  });

  async function addCode(code) {
    say('');
    try {
      const p = await lookupProduct(code, ctx.signal);
      if (p) { add(p); return; }
      if (!search.input.value && !ctx.signal.aborted) {
        search.input.value = code;
        await combo.searchNow();
        if (combo.isOpen()) { say(`No product has the barcode or SKU “${code}”. Choose one of the matches with ↑ and ↓, then press Enter.`); return; }
        search.input.value = '';
      }
      say(`Nothing found for “${code}”: no product has this barcode or SKU.`);
    } catch (e) {
      if (!isQuiet(e)) say(`Could not look up “${code}”: ${e.message}`);
    }
  }

  function add(p) {
    say('');
    if (p.active === false) { say(`${p.sku} ${p.name} is archived and cannot be ordered.`); return; }
    const existing = rows.find((r) => r.sku === p.sku);
    if (existing) existing.quantity = String((Number(existing.quantity) || 0) + 1);
    else rows.push({ sku: p.sku, name: p.name, quantity: '1', costText: '', allow: false });
    draw();
    const tr = tbody.querySelector(`tr[data-sku="${CSS.escape(p.sku)}"]`);
    tr?.classList.add('changed');
  }

  function say(text) {
    message.textContent = text;
    message.hidden = !text;
  }

  function draw() {
    replace(tbody, rows.map((r, i) => {
      const total = h('td', { class: 'num', dataset: { field: 'line_total' } });
      const showTotal = () => {
        const cost = parseMoney(r.costText);
        const n = Number(r.quantity);
        total.textContent = Number.isInteger(cost) && Number.isInteger(n) ? money(cost * n) : 'default cost';
        total.classList.toggle('muted', !Number.isInteger(cost));
      };
      showTotal();
      return h('tr', { dataset: { sku: r.sku } },
        h('td', {}, h('output', { name: `lines[${i}].sku`, class: 'mono', text: r.sku }), ' ', h('span', { text: r.name })),
        h('td', { class: 'num' }, h('div', { class: 'field' }, h('input', {
          type: 'number', name: `lines[${i}].quantity`, id: `po-qty-${i}`, class: 'qty-input', min: 1, step: 1, required: true, value: r.quantity,
          'aria-label': `Quantity of ${r.sku}`, oninput: (e) => { r.quantity = e.target.value; showTotal(); },
        }))),
        h('td', { class: 'num' }, h('div', { class: 'field' }, h('input', {
          name: `lines[${i}].unit_cost_cents`, id: `po-cost-${i}`, class: 'money-input', inputmode: 'decimal', placeholder: 'Default', value: r.costText,
          'aria-label': `Unit cost of ${r.sku} (blank: the supplier’s or catalog cost)`, oninput: (e) => { r.costText = e.target.value; showTotal(); },
        }))),
        h('td', {}, h('input', { type: 'checkbox', name: `lines[${i}].allow_over_receipt`, id: `po-over-${i}`, checked: r.allow,
          'aria-label': `Allow receiving more than ordered of ${r.sku}`, onchange: (e) => { r.allow = e.target.checked; } })),
        total,
        h('td', { class: 'row-actions' }, h('button', { type: 'button', class: 'small danger-outline', 'aria-label': `Remove ${r.sku}`, text: 'Remove',
          onclick: () => { rows.splice(i, 1); draw(); search.input.focus(); } })));
    }));
    empty.hidden = rows.length > 0;
  }

  /** The lines for the API, or null after marking what is wrong in `form` (via `mark(name, text)`). */
  function read(mark) {
    let ok = true;
    const out = rows.map((r, i) => {
      const quantity = Number(r.quantity);
      if (!/^\d+$/.test(String(r.quantity).trim()) || quantity < 1) { mark(`lines[${i}].quantity`, 'Enter a whole number of at least 1.'); ok = false; }
      const cost = parseMoney(r.costText);
      if (Number.isNaN(cost) || cost < 0) { mark(`lines[${i}].unit_cost_cents`, 'Enter an amount like 12.50, or leave it blank.'); ok = false; }
      const line = { sku: r.sku, quantity };
      if (Number.isInteger(cost)) line.unit_cost_cents = cost;
      if (r.allow) line.allow_over_receipt = true;
      return line;
    });
    return ok ? out : null;
  }

  draw();
  return { el, read, count: () => rows.length, focus: () => search.input.focus() };
}
