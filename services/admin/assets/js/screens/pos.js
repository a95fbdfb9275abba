// Point of sale (/pos): one input for a typed SKU or a scanned barcode (Enter adds a line or
// +1), editable quantities, total, payment method, "Complete sale" (disabled while in flight
// and protected by one Idempotency-Key per sale), stock shortages shown clearly, and a
// printable receipt with "New sale".

import { get, request, seg, newKey, isQuiet, ApiError, refusedOutright } from '../api.js';
import { h, replace, field, table, flash } from '../dom.js';
import { money, int, dateTime, label } from '../format.js';
import { PAYMENT_METHODS } from '../states.js';


export function render(ctx) {
  ctx.title('Point of sale');
  /** sku → {sku, name, unit_price_cents, quantity} in insertion order. */
  const lines = new Map();
  let saleKey = newKey();
  let inFlight = false;
  let lookups = Promise.resolve();

  const scan = field('Scan a barcode or type a SKU, then press Enter', { id: 'pos-scan', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', autofocus: true, enterkeyhint: 'enter' });
  const errorBox = h('div', { id: 'pos-error', role: 'alert', class: 'pos-error', hidden: true });
  const { table: linesTbl, tbody } = table(['SKU', 'Product', { label: 'Unit price', class: 'num' }, { label: 'Quantity', class: 'num' }, { label: 'Line total', class: 'num' }, { label: 'Remove', class: 'actions-col' }], 'data pos-table');
  linesTbl.id = 'pos-lines';
  const empty = h('p', { class: 'muted empty', text: 'No items yet. Scan a product to start the sale.' });
  const total = h('output', { id: 'pos-total', class: 'pos-total', 'aria-live': 'polite', text: money(0) });
  const payment = field('Payment method', { id: 'pos-payment', type: 'select', options: PAYMENT_METHODS.map((m) => ({ value: m, label: label(m) })) });
  const complete = h('button', { type: 'button', id: 'pos-complete', class: 'primary big', disabled: true, text: 'Complete sale' });
  const clearBtn = h('button', { type: 'button', class: 'secondary', text: 'Clear sale' });
  const receiptBox = h('div', { class: 'receipt-box' });
  const counter = h('div', { class: 'pos' },
    h('form', { class: 'pos-scan', onsubmit: (e) => { e.preventDefault(); } }, scan.wrap, errorBox),
    h('div', { class: 'table-wrap' }, linesTbl), empty,
    h('div', { class: 'pos-footer' },
      h('div', { class: 'pos-total-wrap' }, h('span', { class: 'pos-total-label', text: 'Total' }), total),
      payment.wrap,
      h('div', { class: 'actions' }, clearBtn, complete)));

  replace(ctx.main, h('div', { class: 'page-head no-print' }, h('h1', { text: 'Point of sale' })), counter, receiptBox);

  scan.input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const code = scan.input.value.trim();
    scan.input.value = '';
    if (!code) return;
    // Scanners type fast: handle codes one after another, in order.
    lookups = lookups.then(() => addCode(code)).catch(() => {});
  });
  complete.addEventListener('click', () => { completeSale().catch(() => {}); });
  // A cleared basket is a new sale: a new key, so it can never be taken for the last attempt.
  clearBtn.addEventListener('click', () => { lines.clear(); saleKey = newKey(); hideError(); renderLines(); scan.input.focus(); });

  async function addCode(code) {
    hideError();
    try {
      const product = await lookup(code);
      if (!product) return showError(`Nothing found for “${code}”: no product has this barcode or SKU.`);
      if (!product.active) return showError(`${product.sku} ${product.name} is archived and cannot be sold.`);
      const line = lines.get(product.sku);
      if (line) line.quantity += 1;
      else lines.set(product.sku, { sku: product.sku, name: product.name, unit_price_cents: product.price_cents, quantity: 1 });
      renderLines(product.sku);
    } catch (e) {
      if (!isQuiet(e)) showError(`Could not look up “${code}”: ${e.message}`);
    } finally {
      if (!ctx.signal.aborted && !inFlight) scan.input.focus();
    }
  }

  async function lookup(code) {
    if (/^\d{6,14}$/.test(code)) {
      const page = await get('/products', { barcode: code, active: 'any', limit: 1 }, ctx.signal);
      if (page.items && page.items.length) return page.items[0];
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(code)) return null;
    try {
      return await get(`/products/${seg(code.toUpperCase())}`, {}, ctx.signal);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }

  function renderLines(highlight) {
    tbody.replaceChildren();
    for (const line of lines.values()) {
      const qty = h('input', { type: 'number', class: 'pos-qty', min: 1, step: 1, value: String(line.quantity), inputmode: 'numeric', 'aria-label': `Quantity of ${line.sku}` });
      qty.addEventListener('change', () => {
        const n = Math.floor(Number(qty.value));
        if (!Number.isFinite(n) || n < 1) { qty.value = String(line.quantity); return; }
        line.quantity = n;
        updateTotals();
        tr.querySelector('.line-total').textContent = money(line.unit_price_cents * line.quantity);
      });
      qty.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); qty.dispatchEvent(new Event('change')); scan.input.focus(); } });
      const remove = h('button', { type: 'button', class: 'pos-remove small danger-outline', 'aria-label': `Remove ${line.sku}`, text: '✕' });
      remove.addEventListener('click', () => { lines.delete(line.sku); renderLines(); scan.input.focus(); });
      const tr = h('tr', { dataset: { sku: line.sku }, class: line.sku === highlight ? 'changed' : null },
        h('td', { class: 'mono', text: line.sku }),
        h('td', {}, line.name, line.short ? h('span', { class: 'short-note', text: ` ${line.short}` }) : null),
        h('td', { class: 'num', text: money(line.unit_price_cents) }),
        h('td', { class: 'num' }, qty),
        h('td', { class: 'num line-total', text: money(line.unit_price_cents * line.quantity) }),
        h('td', { class: 'row-actions' }, remove));
      if (line.short) tr.classList.add('short');
      tbody.append(tr);
    }
    updateTotals();
  }

  function updateTotals() {
    let cents = 0;
    let units = 0;
    for (const l of lines.values()) { cents += l.unit_price_cents * l.quantity; units += l.quantity; }
    total.textContent = money(cents);
    total.title = `${units} unit${units === 1 ? '' : 's'}`;
    empty.hidden = lines.size > 0;
    complete.disabled = inFlight || lines.size === 0;
  }

  async function completeSale() {
    if (inFlight) return;
    inFlight = true;
    // Codes scanned just before the click are still being looked up: they belong to this sale.
    await lookups;
    if (lines.size === 0) { inFlight = false; updateTotals(); return; }
    complete.disabled = true;
    complete.textContent = 'Recording…';
    hideError();
    const body = {
      lines: [...lines.values()].map((l) => ({ sku: l.sku, quantity: l.quantity })),
      payment_method: payment.input.value,
    };
    try {
      let res;
      for (let attempt = 0; ; attempt++) {
        try {
          res = await request('/sales', { method: 'POST', body, headers: { 'Idempotency-Key': saleKey }, signal: ctx.signal });
          break;
        } catch (e) {
          // The same sale is still being recorded (an earlier click): wait for its answer.
          if (e.slug === 'idempotency-key-in-use' && attempt < 5) { await sleep(1000); continue; }
          throw e;
        }
      }
      saleKey = newKey();
      showReceipt(res.data, res.headers.get('Idempotent-Replayed') === 'true');
    } catch (e) {
      if (isQuiet(e)) return;
      // A definite refusal (4xx) recorded nothing: the next try is a new attempt. After a
      // network error or a 5xx the outcome is unknown, so the next try keeps the key.
      if (refusedOutright(e)) saleKey = newKey();
      explain(e);
    } finally {
      inFlight = false;
      complete.textContent = 'Complete sale';
      updateTotals();
    }
  }

  function explain(e) {
    for (const l of lines.values()) delete l.short;
    if (!(e instanceof ApiError)) {
      showError([h('strong', { text: 'The sale could not be completed. ' }), String(e && e.message ? e.message : e)]);
      return;
    }
    if (e.slug === 'insufficient-stock') {
      const short = Array.isArray(e.problem.lines) ? e.problem.lines : [];
      for (const s of short) {
        const l = lines.get(s.sku);
        if (l) l.short = `(only ${s.available} available)`;
      }
      renderLines();
      showError([h('strong', { text: 'Not enough stock. Nothing was recorded.' }),
        short.length ? h('ul', {}, short.map((s) => h('li', { text: `${s.sku}${lines.get(s.sku) ? ` ${lines.get(s.sku).name}` : ''}: ${s.requested} wanted, only ${s.available} available` }))) : h('p', { text: e.detail })]);
      return;
    }
    if (e.slug === 'idempotency-key-in-use') {
      // The first attempt has not finished (or died with its process and is not yet given up).
      showError([h('strong', { text: 'This sale is still being recorded. ' }), 'Press “Complete sale” again in a moment: it will not be recorded twice.']);
      return;
    }
    if (e.slug === 'idempotency-key-reused') {
      // This key already recorded a different basket: it may have gone through.
      showError([h('strong', { text: 'This sale may already have been recorded. ' }), 'Check the sales list before trying again; the next try counts as a new sale.']);
      return;
    }
    if (e.errors.length) {
      const list = e.errors.map((fe) => {
        const m = /^lines\[(\d+)\]/.exec(fe.field);
        const sku = m ? [...lines.values()][Number(m[1])]?.sku : null;
        return h('li', { text: sku ? `${sku}: ${fe.reason}` : `${fe.field} ${fe.reason}` });
      });
      showError([h('strong', { text: e.title }), h('ul', {}, list)]);
      return;
    }
    showError([h('strong', { text: e.title }), e.detail ? ` ${e.detail}` : '', e.status === 0 || e.status >= 500 ? ' You can press “Complete sale” again; it will not be recorded twice.' : '']);
  }

  function showError(content) {
    replace(errorBox, content);
    errorBox.hidden = false;
  }
  function hideError() {
    errorBox.hidden = true;
    errorBox.replaceChildren();
  }

  /** Unit prices × quantities, before any discount. */
  function listAmount(sale) {
    return (sale.lines || []).reduce((sum, l) => sum + l.unit_price_cents * l.quantity, 0);
  }

  function showReceipt(sale, replayed) {
    counter.hidden = true;
    const newSale = h('button', { type: 'button', id: 'pos-new-sale', class: 'primary big', text: 'New sale' });
    const print = h('button', { type: 'button', class: 'secondary', text: 'Print receipt', onclick: () => window.print() });
    const { table: t, tbody: rows } = table(['Item', { label: 'Qty', class: 'num' }, { label: 'Price', class: 'num' }, { label: 'Total', class: 'num' }], 'receipt-lines');
    (sale.lines || []).forEach((l) => rows.append(h('tr', {},
      h('td', {}, h('span', { text: l.name }), h('br'), h('small', { class: 'mono', text: l.sku })),
      h('td', { class: 'num', text: int(l.quantity) }),
      h('td', { class: 'num', text: money(l.unit_price_cents) }),
      h('td', { class: 'num', text: money(l.line_total_cents) }))));
    const receipt = h('section', { id: 'receipt', class: 'receipt', 'aria-labelledby': 'receipt-title', dataset: { receiptNumber: sale.receipt_number } },
      h('h2', { id: 'receipt-title', text: 'Receipt' }),
      h('p', { class: 'receipt-meta' },
        h('span', {}, 'No. ', h('strong', { text: String(sale.receipt_number) })), h('br'),
        h('span', { text: dateTime(sale.created_at) }), h('br'),
        sale.recorded_by ? h('span', { text: `Served by ${sale.recorded_by}` }) : null),
      t,
      h('dl', { class: 'receipt-totals' },
        sale.discount_cents ? [h('dt', { text: 'Before discounts' }), h('dd', { text: money(listAmount(sale)) }), h('dt', { text: 'Discount' }), h('dd', { text: `−${money(sale.discount_cents)}` })] : null,
        (sale.taxes || []).filter((t) => t.tax_cents).map((t) => [h('dt', { text: `Tax ${t.rate_bp / 100} %` }), h('dd', { text: money(t.tax_cents) })]),
        h('dt', { text: 'Total' }), h('dd', { class: 'grand', text: money(sale.total_cents) }),
        (sale.payments || []).map((p) => [h('dt', { text: `Paid by ${label(p.method)}` }), h('dd', { text: money(p.amount_cents) })]),
        sale.change_due_cents ? [h('dt', { text: 'Change' }), h('dd', { text: money(sale.change_due_cents) })] : null),
      h('p', { class: 'receipt-thanks', text: 'Thank you for your purchase!' }),
      h('div', { class: 'actions no-print' }, print, newSale));
    replace(receiptBox, receipt);
    // A replay: an earlier attempt whose answer was lost had recorded it; it is not recorded twice.
    flash(replayed
      ? `Sale #${sale.receipt_number} had already been recorded by the earlier attempt; it was not recorded twice.`
      : `Sale #${sale.receipt_number} recorded: ${money(sale.total_cents)}.`, 'success');
    newSale.addEventListener('click', startNewSale);
    newSale.focus();
  }

  function startNewSale() {
    lines.clear();
    saleKey = newKey();
    payment.input.value = 'cash';
    receiptBox.replaceChildren();
    counter.hidden = false;
    hideError();
    renderLines();
    scan.input.focus();
  }

  // Keep the counter ready for the scanner: typing anywhere outside a field goes to the scan input.
  const onKey = (e) => {
    if (counter.hidden || e.ctrlKey || e.metaKey || e.altKey || e.key.length !== 1 || e.key === ' ') return;
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement || t.isContentEditable) return;
    if (t instanceof Element && t.closest('button, a, [tabindex]:not(#main)')) return;
    if (document.querySelector('dialog[open]')) return;
    scan.input.focus();
  };
  document.addEventListener('keydown', onKey);
  ctx.onCleanup(() => document.removeEventListener('keydown', onKey));

  renderLines();
  scan.input.focus();
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
