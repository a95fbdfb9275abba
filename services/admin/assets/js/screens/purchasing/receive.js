// Receiving a delivery by scanning (/purchasing/<id>/receive, managers), for an order sent and
// not yet fully received. Each scan counts one unit of its line (scan.js, receive-lines.js);
// counts can be typed too. A product with serial numbers is counted by scanning each unit's
// serial number (after its barcode, or straight away when it is the only one still open). "Receive" posts the receipt with an Idempotency-Key: the same key
// when retrying after a failure that may have gone through, a new one after a success or a
// definite refusal; then the updated order shows.
//
// Selectors for browser tests:
//   scan input          #receive-scan            (name="scan"; type a code, press Enter)
//   scan message        #receive-scan-message    (data-state="ok" | "error")
//   a line              #receive-lines tr[data-sku="<SKU>"]  (data-state="open" | "complete" | "over")
//   its count           #receive-lines tr[data-sku="<SKU>"] input.receive-qty
//   its remaining       #receive-lines tr[data-sku="<SKU>"] td[data-field="remaining"] (after this delivery; data-remaining)
//   delivery note       #receive-reference
//   submit              #receive-submit
//   success             #receive-result[data-state="success"] (lines: #receive-result-lines tr[data-sku] td[data-field="remaining"])

import { get, post, seg, newKey, isQuiet, refusedOutright } from '../../api.js';
import { h, replace, field, clearErrors, showFormError, formAlert, flash, statusLine } from '../../dom.js';
import { int, label } from '../../format.js';
import { poNumber, poBadge, isOpen } from './common.js';
import { scanBox } from './scan.js';
import { receiveLines } from './receive-lines.js';
import { linesTable } from './view.js';

export async function renderReceive(ctx) {
  const id = ctx.params[0];
  const manager = ctx.can('manager');
  const href = `/purchasing/${encodeURIComponent(id)}`;
  ctx.title('Receive delivery');
  const title = h('h1', { id: 'receive-title', tabindex: '-1', text: 'Receive delivery' });
  const body = h('div', {}, statusLine('Loading the order…'));
  replace(ctx.main, h('p', { class: 'breadcrumb' }, h('a', { href, id: 'receive-back', text: '← The order' })),
    h('div', { class: 'page-head' }, title), body);

  async function load() {
    try {
      return await get(`/purchase-orders/${seg(id)}`, {}, ctx.signal);
    } catch (e) {
      if (!isQuiet(e)) replace(body, statusLine(e.status === 404 ? 'There is no such purchase order.' : `Could not load the order. ${e.message}`, 'error'));
      return null;
    }
  }

  function showForm(order) {
    const number = poNumber(order.number);
    ctx.title(`Receive ${number}`);
    title.textContent = `Receive ${number} from ${order.supplier_name}`;
    if (!isOpen(order)) {
      replace(body, h('p', { class: 'notice', id: 'receive-closed' }, order.status === 'draft'
        ? 'This order is still a draft: send it to the supplier before receiving a delivery.'
        : `This order is ${label(order.status).toLowerCase()}: nothing more can be received against it.`),
      h('p', {}, h('a', { href, text: 'Back to the order' })));
      return;
    }
    let key = newKey();
    const lines = receiveLines(order, { manager, serialized });
    const scan = scanBox(ctx, () => order.lines, (line) => lines.bump(line), (code) => lines.serial(code));
    const reference = field('Delivery note', { id: 'receive-reference', name: 'reference', maxlength: 100, autocomplete: 'off', hint: 'The supplier’s delivery note or invoice number.' });
    const note = field('Note', { id: 'receive-note', name: 'note', type: 'textarea', rows: 2, maxlength: 500 });
    const submit = h('button', { type: 'submit', id: 'receive-submit', class: 'primary big', text: 'Receive' });
    const form = h('form', { id: 'receive-form', class: 'panel', novalidate: true, 'aria-labelledby': 'receive-title' },
      h('p', { class: 'muted' }, 'Into ', h('strong', { text: order.location }), ' · status ', poBadge(order.status, 'receive-order-status')),
      scan.el,
      lines.el,
      h('div', { class: 'form-grid receive-fields' }, reference.wrap, note.wrap),
      h('div', { class: 'actions' }, submit, h('a', { href, class: 'button secondary', text: 'Cancel' })));
    formAlert(form);
    // Enter in the scan box counts a unit; in any other input it must not send the receipt.
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && e.target instanceof HTMLInputElement && e.target !== scan.input) e.preventDefault();
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (submit.disabled) return;
      await scan.settled();
      clearErrors(form);
      const { lines: posted, fieldMap } = lines.read(form);
      const invalid = form.querySelector('[aria-invalid="true"]:not(#receive-scan)');
      if (invalid) { invalid.focus(); return; }
      if (!posted.length) {
        showFormError(form, { message: 'Nothing counted yet: scan the items or type how many arrived.', errors: [] });
        scan.input.focus();
        return;
      }
      const body = { lines: posted };
      if (reference.input.value.trim()) body.reference = reference.input.value.trim();
      if (note.input.value.trim()) body.note = note.input.value.trim();
      submit.disabled = true;
      submit.textContent = 'Receiving…';
      try {
        const result = await post(`/purchase-orders/${seg(order.id)}/receipts`, body, { headers: { 'Idempotency-Key': key }, signal: ctx.signal });
        key = newKey();
        showResult(result, posted);
      } catch (e) {
        if (isQuiet(e)) return;
        // A definite refusal recorded nothing: the next try is a new attempt. Otherwise (network,
        // 5xx, key in use) the same key makes a retry safe: it is recorded at most once.
        if (refusedOutright(e)) key = newKey();
        if (e.slug === 'idempotency-key-reused') {
          showFormError(form, { message: 'An earlier try with other counts may have been received. Check the order before receiving again.', errors: [] });
          replace(form.querySelector('.form-alert'), form.querySelector('.form-alert').firstChild, h('a', { href, text: 'Open the order' }));
        } else if (e.status === 409 && e.slug !== 'idempotency-key-in-use') {
          showFormError(form, { message: `Not received: ${e.detail || 'the order is no longer open'}. Open the order to see its state.`, errors: [] });
        } else if (e.status === 0 || e.status >= 500 || e.slug === 'idempotency-key-in-use') {
          showFormError(form, { message: `${e.message} Press “Receive” again: the delivery will not be recorded twice.`, errors: [] });
        } else showFormError(form, e, fieldMap);
      } finally {
        submit.disabled = false;
        submit.textContent = 'Receive';
      }
    });
    replace(body, form);
    scan.input.focus();
  }

  function showResult({ receipt, purchase_order: order }, posted) {
    const units = posted.reduce((n, l) => n + l.quantity, 0);
    const number = poNumber(order.number);
    flash(`Received ${int(units)} units on ${number}.`, 'success');
    const again = isOpen(order)
      ? h('button', { type: 'button', id: 'receive-again', class: 'secondary', text: 'Receive another delivery', onclick: () => showForm(order) }) : null;
    replace(body, h('section', { id: 'receive-result', class: 'panel receive-result', role: 'status', tabindex: '-1', dataset: { state: 'success', receiptId: receipt?.id, status: order.status } },
      h('h2', { text: 'Delivery received' }),
      h('p', {}, `${int(units)} unit${units === 1 ? '' : 's'} of ${int(posted.length)} product${posted.length === 1 ? '' : 's'} went into stock at ${order.location}`,
        receipt?.reference ? ` (delivery note ${receipt.reference})` : '', '. The order is now ', poBadge(order.status, 'receive-result-status'), '.'),
      linesTable(order, { id: 'receive-result-lines', manager }),
      h('div', { class: 'actions' }, h('a', { href, id: 'receive-view-order', class: 'button primary', text: 'View order' }), again)));
    document.getElementById('receive-result').focus();
  }

  /** SKUs of the order whose units carry serial numbers. */
  let serialized = new Set();
  async function serializedOf(order) {
    const views = await Promise.all(order.lines.map((l) => get(`/inventory/${seg(l.sku)}`, {}, ctx.signal).catch(() => null)));
    return new Set(views.filter((v) => v && v.serialized).map((v) => v.sku));
  }

  const order = await load();
  if (order) {
    serialized = await serializedOf(order);
    showForm(order);
  }
}
