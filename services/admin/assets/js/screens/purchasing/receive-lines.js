// The lines of a delivery being received: per line of the order, what was ordered and received
// before, the count of this delivery ("Receiving now", scanned or typed), what will still be to
// come after it (`td[data-field="remaining"]`) and the line's state (`tr[data-state]`: open,
// complete, over). A line that does not allow over-receipt takes no more than remains. A
// product with serial numbers is counted by its units' numbers (`li.serial-chip[data-serial]`),
// one scan each.

import { h, replace, setFieldError } from '../../dom.js';
import { int, money, moneyInput, parseMoney, parseIntStrict } from '../../format.js';

/**
 * The table for `order`'s lines: `{el, bump(line), serial(code), read(form), counted()}`. The
 * lines of products with serial numbers (`serialized`, a set of SKUs) are counted by their
 * units' serial numbers, one scan per unit: `bump(line)` makes such a line the one the next
 * serial numbers go to, `serial(code)` adds a unit to it.
 */
export function receiveLines(order, { manager, serialized = new Set() }) {
  const counts = new Map(order.lines.map((l) => [l.sku, { n: 0 }]));
  const tbody = h('tbody');
  const costs = manager && order.lines.some((l) => l.unit_cost_cents !== undefined);
  const el = h('div', { class: 'table-wrap' }, h('table', { class: 'data receive-table', id: 'receive-lines' },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', text: 'Product' }), h('th', { scope: 'col', class: 'num', text: 'Ordered' }),
      h('th', { scope: 'col', class: 'num', text: 'Received before' }), h('th', { scope: 'col', class: 'num', text: 'Receiving now' }),
      h('th', { scope: 'col', class: 'num', text: 'Remaining' }), h('th', { scope: 'col', text: 'State' }),
      costs ? h('th', { scope: 'col', class: 'num', text: 'Invoice cost' }) : null)),
    tbody));

  const rows = order.lines.map((l, i) => {
    const c = counts.get(l.sku);
    const qty = h('input', { type: 'number', name: `receive-qty-${i}`, id: `receive-qty-${i}`, class: 'receive-qty qty-input', min: 0, step: 1, value: '0', inputmode: 'numeric',
      dataset: { sku: l.sku }, 'aria-label': `Units of ${l.sku} received now` });
    const cost = costs ? h('input', { name: `receive-cost-${i}`, id: `receive-cost-${i}`, class: 'money-input', inputmode: 'decimal', placeholder: moneyInput(l.unit_cost_cents),
      'aria-label': `Invoice unit cost of ${l.sku} if it differs from the order’s ${money(l.unit_cost_cents)}` }) : null;
    const remaining = h('td', { class: 'num remaining', dataset: { field: 'remaining' } });
    const state = h('td', { dataset: { field: 'state' } });
    const units = serialized.has(l.sku) ? serialBox(l, i) : null;
    if (units) { qty.readOnly = true; qty.tabIndex = -1; }
    const tr = h('tr', { dataset: { sku: l.sku, serialized: String(!!units) } },
      h('td', {}, h('span', { class: 'mono', text: l.sku }), ' ', l.name, units?.el,
        l.supplier_sku ? h('small', { class: 'muted block', text: `Their code ${l.supplier_sku}` }) : null,
        l.allow_over_receipt ? h('small', { class: 'muted block', text: 'More than ordered may be received' }) : null),
      h('td', { class: 'num', text: int(l.quantity) }),
      h('td', { class: 'num', text: int(l.received) }),
      h('td', { class: 'num' }, h('div', { class: 'field' }, qty)),
      remaining, state,
      costs ? h('td', { class: 'num' }, h('div', { class: 'field' }, cost)) : null);
    qty.addEventListener('input', () => {
      const n = parseIntStrict(qty.value);
      c.n = Number.isInteger(n) && n >= 0 ? n : 0;
      update();
      // Warned at once: the order takes no more of a line without over-receipt.
      if (!l.allow_over_receipt && c.n > l.remaining && qty.form) setFieldError(qty.form, qty.name, `At most ${int(l.remaining)}: the order takes no more of ${l.sku}.`);
      else clearFieldError(qty);
    });
    const update = () => {
      const left = l.remaining - c.n;
      const over = c.n > l.remaining;
      remaining.textContent = int(Math.max(left, 0));
      remaining.dataset.remaining = String(Math.max(left, 0));
      tr.dataset.state = over ? 'over' : left <= 0 ? 'complete' : 'open';
      tr.classList.toggle('line-complete', !over && left <= 0);
      tr.classList.toggle('line-over', over);
      replace(state, over
        ? h('span', { class: l.allow_over_receipt ? 'badge warn' : 'badge status-voided', text: `${int(c.n - l.remaining)} over` })
        : left <= 0 ? h('span', { class: 'badge ok', text: '✓ Complete' }) : c.n ? h('span', { class: 'muted', text: `${int(left)} to go` }) : '');
    };
    update();
    return { line: l, tr, qty, cost, c, update, index: i, units };
  });

  /** The serial numbers of a serialized line's units: chips (each removable), and a box to type one. */
  function serialBox(line, i) {
    const list = h('ul', { class: 'serial-list', 'aria-label': `Serial numbers of ${line.sku} received` });
    const input = h('input', { id: `receive-serial-${i}`, class: 'pos-serial receive-serial', autocomplete: 'off', autocapitalize: 'characters',
      spellcheck: 'false', placeholder: 'Type a serial no.', 'aria-label': `Serial number of a unit of ${line.sku}`, dataset: { sku: line.sku } });
    const serials = [];
    const el = h('div', { class: 'pos-serials' }, h('small', { class: 'muted serial-count', text: 'Serial numbers: scan each unit’s' }), list, input);
    input.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      const code = input.value.trim();
      input.value = '';
      if (code) add(code);
    });
    function add(code) {
      const serial = code.toUpperCase();
      const r = rows.find((x) => x.line.sku === line.sku);
      if (!/^[A-Z0-9][A-Z0-9._/:-]{2,63}$/.test(serial)) return { ok: false, text: `“${code}” is not a serial number.` };
      if (serials.includes(serial)) return { ok: false, text: `${serial} is counted already.` };
      if (!line.allow_over_receipt && r.c.n + 1 > line.remaining) return { ok: false, text: `All ${int(line.remaining)} remaining of ${line.sku} are counted already.` };
      serials.push(serial);
      show(r);
      return { ok: true, text: `${line.sku} S/N ${serial}: ${int(r.c.n)} now, ${int(Math.max(line.remaining - r.c.n, 0))} still to come.` };
    }
    function show(r) {
      r.c.n = serials.length;
      r.qty.value = String(r.c.n);
      r.update();
      flashRow(r.tr);
      list.replaceChildren(...serials.map((serial) => h('li', { class: 'serial-chip mono', dataset: { serial } }, serial,
        h('button', { type: 'button', class: 'chip-remove', 'aria-label': `Take ${serial} out of the delivery`, text: '✕',
          onclick: () => { serials.splice(serials.indexOf(serial), 1); show(r); } }))));
    }
    return { el, add, serials };
  }

  /** The serialized line the next serial number goes to: the one scanned last, else the only one still open. */
  let awaiting = null;
  function serial(code) {
    const open = rows.filter((r) => r.units && (r.line.allow_over_receipt || r.c.n < r.line.remaining));
    const target = awaiting?.units ? awaiting : open.length === 1 ? open[0] : null;
    if (!target) return null;
    return target.units.add(code);
  }
  tbody.append(...rows.map((r) => r.tr));

  /** One more unit of `line`: `{ok, text}` for the scan box. */
  function bump(line) {
    const r = rows.find((x) => x.line.sku === line.sku);
    if (r.units) {
      awaiting = r;
      flashRow(r.tr);
      return { ok: true, text: `${line.sku} ${line.name} carries serial numbers: now scan each unit’s serial number.` };
    }
    if (!line.allow_over_receipt && r.c.n + 1 > line.remaining) {
      flashRow(r.tr);
      return { ok: false, text: line.remaining === 0
        ? `${line.sku} is complete: nothing of it remains to be received, and the order takes no more.`
        : `All ${int(line.remaining)} remaining of ${line.sku} are counted already; the order takes no more of it.` };
    }
    r.c.n += 1;
    r.qty.value = String(r.c.n);
    clearFieldError(r.qty);
    r.update();
    flashRow(r.tr);
    r.tr.scrollIntoView?.({ block: 'nearest' });
    const over = r.c.n > line.remaining;
    return { ok: true, text: `${line.sku} ${line.name}: ${int(r.c.n)} now${over ? `, ${int(r.c.n - line.remaining)} more than ordered` : `, ${int(Math.max(line.remaining - r.c.n, 0))} still to come`}.` };
  }

  /** The receipt's lines, or null after marking each bad count or cost in `form`. Also the map from the API's `lines[j]` to the inputs. */
  function read(form) {
    const lines = [];
    const fieldMap = {};
    for (const r of rows) {
      const n = parseIntStrict(r.qty.value);
      if (n === null || n === 0) continue;
      if (Number.isNaN(n) || n < 0) { setFieldError(form, r.qty.name, 'Enter a whole number.'); continue; }
      if (!r.line.allow_over_receipt && n > r.line.remaining) { setFieldError(form, r.qty.name, `At most ${int(r.line.remaining)}: the order takes no more of ${r.line.sku}.`); continue; }
      const line = { sku: r.line.sku, quantity: n };
      if (r.units) line.serials = [...r.units.serials];
      const cost = r.cost ? parseMoney(r.cost.value) : null;
      if (Number.isNaN(cost) || cost < 0) { setFieldError(form, r.cost.name, 'Enter an amount like 12.50, or leave it blank.'); continue; }
      if (Number.isInteger(cost)) line.unit_cost_cents = cost;
      const j = lines.length;
      fieldMap[`lines[${j}].quantity`] = r.qty.name;
      fieldMap[`lines[${j}].sku`] = r.qty.name;
      if (r.cost) fieldMap[`lines[${j}].unit_cost_cents`] = r.cost.name;
      lines.push(line);
    }
    return { lines, fieldMap };
  }

  return {
    el,
    bump,
    serial,
    read,
    /** Units counted so far. */
    counted: () => rows.reduce((n, r) => n + r.c.n, 0),
  };
}

/** Takes back the error shown by `input` alone. */
function clearFieldError(input) {
  document.getElementById(`${input.id}-error`)?.remove();
  input.removeAttribute('aria-invalid');
  input.removeAttribute('aria-describedby');
}

function flashRow(tr) {
  tr.classList.remove('changed');
  void tr.offsetWidth; // restart the highlight animation
  tr.classList.add('changed');
}
