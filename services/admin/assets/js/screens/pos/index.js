// Point of sale (/pos): the till. Products found by scanning or typing, quantities and
// discounts per line and for the basket, stock at the till's location, the customer, the
// running totals in the shop's pricing mode, the payment, and "Complete sale" (one
// Idempotency-Key per sale, a manager's approval asked when the discounts need one), then the
// receipt. The basket survives a reload; the till's id and location are remembered by the
// device. The till's shift (opened with a float, paid in / out, closed with a blind count and
// its Z report) is shown above the counter; every sale names the open shift.

import { get, seg, newKey, isQuiet, refusedOutright } from '../../api.js';
import { h, replace, confirmAction, flash } from '../../dom.js';
import { money } from '../../format.js';
import { shopSettings } from '../../session.js';
import { Basket } from './basket.js';
import { price } from './pricing.js';
import { linesView, isShort } from './lines.js';
import { productSearch } from './search.js';
import { discountInput } from './discount.js';
import { customerPicker } from './customer.js';
import { tenderView } from './tender.js';
import { totalsView } from './totals.js';
import { approvalDialog } from './approval.js';
import { explainSaleError, fieldText } from './problems.js';
import { receiptView, syncPrintPage } from './receipt.js';
import { tillLocation } from './location.js';
import { tillIdField } from './tillid.js';
import { shiftBar } from './shift.js';
import { postSale } from './submit.js';
import { reportView } from '../shifts/report.js';

export function render(ctx) {
  ctx.title('Point of sale');
  const shop = shopSettings();
  const pricesIncludeTax = shop ? shop.prices_include_tax !== false : true;
  const basket = Basket.restore();
  /** Tax rate code → rate_bp. */
  let rates = new Map();
  let saleKey = newKey();
  let inFlight = false;

  const till = tillLocation(ctx, { onChange: stockMoved });
  const tillId = tillIdField({ onChange: () => shift.load() });
  const shift = shiftBar(ctx, {
    shop, till: tillId.id, location: till.code, onChange: shiftChanged, onClosed: showReport,
    beforeClose: () => (basket.isEmpty || counter.hidden ? true
      : confirmAction('The basket still has items. Close the shift anyway? The basket is kept for the next sale.', { title: 'Close shift', yes: 'Close shift anyway', danger: false })),
  });
  const errorBox = h('div', { id: 'pos-error', role: 'alert', class: 'pos-error', hidden: true });
  const search = productSearch(ctx, { onProduct: addProduct, onUnit: addUnit, onError: showError, onClearError: hideError, location: () => till.code() });
  const lines = linesView({ basket, onChange: refresh, onRemove: removeLine, onSerial: serialTyped, refocus: () => search.input.focus() });
  const basketDiscount = discountInput({ id: 'pos-basket-discount', labelText: 'Basket discount', value: basket.discount,
    onChange: (d) => { basket.discount = d; basket.save(); refresh(); } });
  const customer = customerPicker(ctx, { basket, onChange: refresh });
  const totals = totalsView({ pricesIncludeTax });
  const tender = tenderView({ onChange: refresh });
  const complete = h('button', { type: 'button', id: 'pos-complete', class: 'primary big', disabled: true, text: 'Complete sale' });
  const clearBtn = h('button', { type: 'button', id: 'pos-clear', class: 'secondary', text: 'Clear sale' });
  const receiptBox = h('div', { class: 'receipt-box' });
  const counter = h('div', { class: 'pos' },
    h('div', { class: 'pos-main' }, h('div', { class: 'pos-scan' }, search.wrap, errorBox), lines.wrap, lines.empty),
    h('div', { class: 'pos-side' }, customer.el, basketDiscount.wrap, totals.el, tender.el,
      h('div', { class: 'actions pos-actions' }, clearBtn, complete)));
  replace(ctx.main, h('div', { class: 'page-head no-print' }, h('h1', { text: 'Point of sale' }), h('div', { class: 'till-setup' }, tillId.wrap, till.wrap)),
    shift.el, counter, receiptBox);
  const approval = approvalDialog(ctx);

  complete.addEventListener('click', () => { completeSale().catch(() => {}); });
  clearBtn.addEventListener('click', () => { clearSale(); search.input.focus(); });

  function refresh() {
    const closedTill = !shift.canSell();
    search.input.disabled = closedTill;
    const priced = price([...basket.lines.values()], basket.discount, { pricesIncludeTax, rateOf });
    lines.update(priced, till.code());
    totals.update(priced.totals);
    tender.update(priced.totals.total);
    complete.disabled = inFlight || basket.isEmpty || closedTill;
    return priced;
  }

  /** A shift found, opened or closed: the till may sell now, or no longer (`require_shift`). */
  function shiftChanged() {
    const waited = search.input.disabled;
    refresh();
    const idle = !document.activeElement || document.activeElement === document.body || document.activeElement === ctx.main;
    if (waited && !search.input.disabled && !counter.hidden && idle) search.input.focus();
  }

  function rateOf(line) {
    return rates.get(line.tax_rate ?? shop?.default_tax_rate ?? '') ?? 0;
  }

  function addProduct(product) {
    hideError();
    const line = basket.add(product);
    lines.render(product.sku);
    refresh();
    if (line.available === undefined) checkStock([line]);
  }

  /** A unit scanned by its serial number. */
  function addUnit(product, serial) {
    hideError();
    const line = basket.add(product, serial);
    if (!line) { showError(`${serial} is in this sale already.`); return; }
    lines.render(product.sku);
    refresh();
    if (line.available === undefined) checkStock([line]);
  }

  /** A serial number typed into a line: that line's unit, checked against the inventory at the sale. */
  function serialTyped(line, serial) {
    if (!/^[A-Z0-9][A-Z0-9._/:-]{2,63}$/.test(serial)) { showError(`“${serial}” is not a serial number.`); return; }
    if (basket.add(line, serial) === null) { showError(`${serial} is in this sale already.`); return; }
    hideError();
    lines.render(line.sku);
    refresh();
    if (line.serials.length < line.quantity) lines.focusSerial(line.sku);
    else search.input.focus();
  }

  function removeLine(sku) {
    basket.remove(sku);
    lines.render();
    refresh();
    search.input.focus();
  }

  /** Reads what `lineList` have available at the till's location. */
  async function checkStock(lineList) {
    const at = till.code();
    await Promise.all(lineList.map(async (line) => {
      try {
        const view = await get(`/inventory/${seg(line.sku)}`, {}, ctx.signal);
        const level = (view.locations || []).find((l) => l.location === at);
        if (at === till.code()) line.available = level ? level.available : 0;
      } catch (e) {
        if (isQuiet(e)) return;
        if (at === till.code()) line.available = null;
      }
    }));
    if (!ctx.signal.aborted) refresh();
  }

  /** A restored basket takes the catalog's current prices and the current stock. */
  async function refreshRestored() {
    const restored = [...basket.lines.values()];
    await Promise.all(restored.map(async (line) => {
      try {
        basket.refresh(await get(`/products/${seg(line.sku)}`, {}, ctx.signal));
      } catch (e) {
        if (!isQuiet(e)) console.warn(`${line.sku} could not be refreshed`, e);
      }
    }));
    if (!ctx.signal.aborted) checkStock(restored);
  }

  /** Another till location: every line's stock is read again. */
  function stockMoved() {
    for (const line of basket.lines.values()) line.available = undefined;
    refresh();
    checkStock([...basket.lines.values()]);
  }

  async function loadRates() {
    try {
      rates = new Map(((await get('/tax-rates', {}, ctx.signal)).items || []).map((r) => [r.code, r.rate_bp]));
      refresh();
    } catch (e) {
      if (!isQuiet(e)) console.warn('tax rates not loaded; the running total leaves tax out', e);
    }
  }

  async function completeSale() {
    if (inFlight) return;
    inFlight = true;
    complete.disabled = true;
    try {
      // Codes scanned just before the click are still being looked up: they belong to this sale.
      await search.settled();
      if (basket.isEmpty) return;
      if (!shift.canSell()) { showError([h('strong', { text: 'No shift is open. ' }), 'This shop sells only during an open shift: open one first.']); return; }
      hideError();
      const priced = refresh();
      if (priced.errors.length) { showError([h('strong', { text: 'Check the discounts. ' }), priced.errors.map((e) => e.message).join(' ')]); return; }
      const payment = tender.payment();
      if (payment.error) { tender.showError(payment.error); payment.focus?.focus(); return; }
      const unscanned = basket.unscanned();
      if (unscanned.length) {
        const list = unscanned.map(({ line, missing }) => `${line.sku} (${missing} to scan)`).join(', ');
        showError([h('strong', { text: 'Scan the serial numbers. ' }), `Each unit of a product with serial numbers is sold by its number: ${list}.`]);
        lines.focusSerial(unscanned[0].line.sku);
        return;
      }
      const short = [...basket.lines.values()].filter(isShort);
      if (short.length) {
        const list = short.map((l) => `${l.sku}: ${l.quantity} wanted, ${Math.max(l.available, 0)} available`).join('; ');
        const ok = await confirmAction(`Not enough stock at ${till.code()} (${list}). Complete the sale anyway?`, { title: 'Not enough stock', yes: 'Complete anyway' });
        if (!ok) return;
      }
      complete.textContent = 'Recording…';
      const body = { lines: basket.requestLines(), ...basket.requestDiscount(), ...payment.fields, location: till.code() };
      if (basket.customer) body.customer_id = basket.customer.id;
      const open = shift.current();
      if (open) body.shift_id = open.id;
      const res = await record(body);
      if (!res) return;
      saleKey = newKey();
      showReceipt(res.data, res.headers.get('Idempotent-Replayed') === 'true');
    } catch (e) {
      if (isQuiet(e)) return;
      // A definite refusal (4xx) recorded nothing: the next try is a new attempt. After a
      // network error or a 5xx the outcome is unknown, so the next try keeps the key.
      if (refusedOutright(e)) saleKey = newKey();
      showError(explainSaleError(e, basket));
      // The shift was closed elsewhere, or the shop now sells only during one: read it again.
      if (e.slug === 'shift-closed' || (e.errors || []).some((fe) => fe.field === 'shift_id')) shift.load();
    } finally {
      inFlight = false;
      complete.textContent = 'Complete sale';
      if (!ctx.signal.aborted) refresh();
    }
  }

  /** Sends the sale; asks for a manager's approval when its discounts need one (null: not given). */
  async function record(body) {
    try {
      return await send(body);
    } catch (e) {
      if (e.slug !== 'approval-required') throw e;
      // The refused request freed its key: the approved one is the same sale, with the same key.
      const why = [h('p', { text: 'The discounts go beyond the shop’s limit. A manager may approve them for this sale.' }),
        e.errors.length ? h('ul', {}, e.errors.map((fe) => h('li', { text: fieldText(fe, basket) }))) : null];
      const res = await approval.ask(why, (credentials) => send({ ...body, approval: credentials }));
      if (!res && !ctx.signal.aborted) showError([h('strong', { text: 'Not recorded. ' }), 'The discounts need a manager’s approval; change them or ask a manager.']);
      return res;
    }
  }

  function send(body) {
    return postSale(body, saleKey, ctx.signal);
  }

  function showReceipt(sale, replayed) {
    clearSale();
    counter.hidden = true;
    const newSale = h('button', { type: 'button', id: 'pos-new-sale', class: 'secondary big', text: 'New sale' });
    replace(receiptBox, receiptView(sale, shop, [newSale]));
    // A replay: an earlier attempt whose answer was lost had recorded it; it is not recorded twice.
    flash(replayed
      ? `Sale #${sale.receipt_number} had already been recorded by the earlier attempt; it was not recorded twice.`
      : `Sale #${sale.receipt_number} recorded: ${money(sale.total_cents)}.`, 'success');
    newSale.addEventListener('click', startNewSale);
    newSale.focus();
  }

  /** The Z report of the shift just closed here, in place of the counter until "Back to the till". */
  function showReport(report) {
    counter.hidden = true;
    const back = h('button', { type: 'button', id: 'report-done', class: 'secondary', text: 'Back to the till' });
    back.addEventListener('click', startNewSale);
    replace(receiptBox, reportView(report, shop, [back]));
    document.getElementById('report-print')?.focus();
  }

  function startNewSale() {
    receiptBox.replaceChildren();
    syncPrintPage();
    counter.hidden = false;
    search.input.focus();
  }

  /** Empties the basket (also on this device): a new sale, with a new key. */
  function clearSale() {
    basket.clear();
    saleKey = newKey();
    basketDiscount.input.value = '';
    basketDiscount.kind.value = 'amount';
    tender.reset();
    customer.render();
    hideError();
    lines.render();
    refresh();
  }

  function showError(content) {
    replace(errorBox, content);
    errorBox.hidden = false;
  }
  function hideError() {
    errorBox.hidden = true;
    errorBox.replaceChildren();
  }

  // A basket is not lost by closing or reloading the page without a warning.
  window.addEventListener('beforeunload', (e) => {
    if (basket.isEmpty || counter.hidden) return;
    e.preventDefault();
    e.returnValue = '';
  }, { signal: ctx.signal });
  // Keep the till ready for the scanner: typing anywhere outside a field goes to the search.
  document.addEventListener('keydown', (e) => {
    if (counter.hidden || e.ctrlKey || e.metaKey || e.altKey || e.key.length !== 1 || e.key === ' ') return;
    const t = e.target;
    if (t instanceof HTMLInputElement || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement || t.isContentEditable) return;
    if (t instanceof Element && t.closest('button, a, [tabindex]:not(#main)')) return;
    if (document.querySelector('dialog[open]')) return;
    search.input.focus();
  }, { signal: ctx.signal });
  ctx.onCleanup(() => { receiptBox.replaceChildren(); syncPrintPage(); });
  // This till's shift closed on another device: the till learns it at once.
  ctx.live(['ShiftClosed'], (type, env) => {
    if (env.data?.shift_id && env.data.shift_id === shift.current()?.id) shift.load();
  });
  ctx.live(['StockLevelsChanged'], (type, env) => {
    const d = env.data || {};
    if (d.location !== till.code()) return;
    let changed = false;
    for (const l of d.levels || []) {
      const line = basket.lines.get(l.sku);
      if (line && Number.isFinite(l.available)) { line.available = l.available; changed = true; }
    }
    if (changed) refresh();
  });

  lines.render();
  refresh();
  shift.load();
  loadRates();
  if (!basket.isEmpty) refreshRestored();
  search.input.focus();
}
