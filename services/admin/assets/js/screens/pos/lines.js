// The basket's lines at the till: quantity and discount per line, what each line comes to,
// and the stock available at the till's location, with lines that want more marked short.

import { h, table } from '../../dom.js';
import { money, int } from '../../format.js';
import { discountInput } from './discount.js';

/**
 * The lines table of `basket`. `onChange()` after a quantity or discount edit, `onRemove(sku)`,
 * `onSerial(line, serial)` for a serial number typed or scanned into a line of a product with
 * serial numbers, `refocus()` to give the focus back to the search. `render()` rebuilds the rows; `update(priced,
 * location)` refreshes the figures and stock notes in place (keeping the focus where it is).
 */
export function linesView({ basket, onChange, onRemove, onSerial, refocus }) {
  const { table: tbl, tbody } = table(['SKU', 'Product', { label: 'Unit price', class: 'num' }, { label: 'Quantity', class: 'num' },
    'Discount', { label: 'Line total', class: 'num' }, { label: 'Remove', class: 'actions-col' }], 'data pos-table');
  tbl.id = 'pos-lines';
  const empty = h('p', { class: 'muted empty', text: 'No items yet. Search for a product or scan it to start the sale.' });
  const wrap = h('div', { class: 'table-wrap' }, tbl);
  /** sku → the row's live cells. */
  const rows = new Map();

  function row(line) {
    const qtyId = `pos-qty-${line.sku}`;
    const qty = h('input', { type: 'number', id: qtyId, class: 'pos-qty', min: 1, step: 1, value: String(line.quantity), inputmode: 'numeric' });
    qty.addEventListener('change', () => {
      const n = Math.floor(Number(qty.value));
      if (!Number.isFinite(n) || n < 1) { qty.value = String(line.quantity); return; }
      // Fewer units than serial numbers scanned: take a unit out by its ✕ instead.
      if (n < line.serials.length) { qty.value = String(line.quantity); return; }
      line.quantity = n;
      basket.save();
      onChange();
    });
    qty.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); qty.dispatchEvent(new Event('change')); refocus(); } });
    const discount = discountInput({
      id: `pos-discount-${line.sku}`, labelText: `Discount on ${line.sku}`, value: line.discount, compact: true,
      onChange: (d) => { line.discount = d; basket.save(); onChange(); },
    });
    discount.input.classList.add('pos-line-discount');
    discount.input.dataset.sku = line.sku;
    const remove = h('button', { type: 'button', class: 'pos-remove small danger-outline', 'aria-label': `Remove ${line.sku}`, text: '✕' });
    remove.addEventListener('click', () => onRemove(line.sku));
    const cells = {
      name: h('span', { text: line.name }),
      unit: h('td', { class: 'num', text: money(line.unit_price_cents) }),
      stock: h('small', { class: 'stock-note' }),
      off: h('small', { class: 'line-discount muted' }),
      total: h('td', { class: 'num line-total' }),
      qty,
    };
    cells.serials = line.serialized ? serialsCell(line) : null;
    const tr = h('tr', { dataset: { sku: line.sku } },
      h('td', { class: 'mono', text: line.sku }),
      h('td', {}, cells.name, h('br'), cells.stock, cells.serials?.el),
      cells.unit,
      h('td', { class: 'num' }, h('label', { for: qtyId, class: 'sr-only', text: `Quantity of ${line.sku}` }), qty),
      h('td', { class: 'pos-discount-cell' }, discount.wrap, cells.off),
      cells.total,
      h('td', { class: 'row-actions' }, remove));
    rows.set(line.sku, { tr, cells, line });
    return tr;
  }

  /** A serialized line's units: their serial numbers (each removable), how many are scanned, and a box for the next. */
  function serialsCell(line) {
    const id = `pos-serial-${line.sku}`;
    const count = h('small', { class: 'serial-count' });
    const list = h('ul', { class: 'serial-list', 'aria-label': `Serial numbers of ${line.sku}` });
    const input = h('input', { id, class: 'pos-serial', type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false',
      placeholder: 'Scan serial no.', dataset: { sku: line.sku } });
    input.addEventListener('keydown', (e) => {
      if (e.key !== 'Enter') return;
      e.preventDefault();
      const serial = input.value.trim().toUpperCase();
      input.value = '';
      if (serial) onSerial(line, serial);
    });
    const el = h('div', { class: 'pos-serials' }, count, list,
      h('label', { for: id, class: 'sr-only', text: `Serial number of a unit of ${line.sku}` }), input);
    function update() {
      const missing = line.quantity - line.serials.length;
      count.textContent = `Serial numbers: ${int(line.serials.length)} of ${int(line.quantity)} scanned`;
      count.className = missing > 0 ? 'serial-count short-note' : 'serial-count muted';
      count.dataset.missing = String(Math.max(missing, 0));
      input.hidden = missing <= 0;
      list.replaceChildren(...line.serials.map((serial) => h('li', { class: 'serial-chip mono', dataset: { serial } }, serial,
        h('button', { type: 'button', class: 'chip-remove', 'aria-label': `Take ${serial} out of the sale`, text: '✕',
          onclick: () => { basket.removeSerial(line.sku, serial); render(); onChange(); refocus(); } }))));
    }
    return { el, input, update };
  }

  function render(highlight) {
    rows.clear();
    tbody.replaceChildren(...[...basket.lines.values()].map(row));
    empty.hidden = !basket.isEmpty;
    wrap.hidden = basket.isEmpty;
    if (highlight) rows.get(highlight)?.tr.classList.add('changed');
  }

  function update(priced, location) {
    for (const { tr, cells, line } of rows.values()) {
      const figures = priced.lines.get(line.sku);
      if (String(line.quantity) !== cells.qty.value && document.activeElement !== cells.qty) cells.qty.value = String(line.quantity);
      cells.name.textContent = line.name;
      cells.unit.textContent = money(line.unit_price_cents);
      cells.total.textContent = figures ? money(figures.total) : '';
      cells.off.textContent = figures && figures.discount ? `−${money(figures.discount)}${figures.discount !== figures.ownDiscount ? ' with the basket discount' : ''}` : '';
      const short = isShort(line);
      tr.classList.toggle('short', short);
      cells.stock.className = short ? 'stock-note short-note' : 'stock-note muted';
      cells.stock.textContent = stockNote(line, location);
      cells.serials?.update();
    }
  }

  /** Puts the focus in the serial box of `sku`'s line. */
  function focusSerial(sku) {
    rows.get(sku)?.cells.serials?.input.focus();
  }

  return { wrap, empty, render, update, focusSerial };
}

/** Whether a line wants more than its location has available (unknown stock is not short). */
export function isShort(line) {
  return typeof line.available === 'number' && line.quantity > line.available;
}

function stockNote(line, location) {
  if (line.available === undefined) return 'Checking stock…';
  if (line.available === null) return 'Stock unknown';
  if (isShort(line)) return `Only ${int(Math.max(line.available, 0))} available at ${location}`;
  return `${int(line.available)} available at ${location}`;
}
