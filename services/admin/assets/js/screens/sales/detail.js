// One sale (/sales/<id>): its lines (with the serial numbers of their units, each a link to the
// unit's page) and history; void (clerk+, confirmed) and returns (clerk+: choose lines and
// quantities — or, sold with serial numbers, the units — restock or write off), each with a reason and how the money goes
// back, counted on the open shift of this device's till, a manager approving a clerk's refund
// above the shop's limit; and the receipt, shown again to reprint.

import { get, post, seg, newKey, isQuiet, refusedOutright } from '../../api.js';
import { h, replace, field, table, showFormError, clearErrors, formAlert, confirmAction, flash, debounce, statusLine } from '../../dom.js';
import { money, int, dateTime, label } from '../../format.js';
import { shopSettings } from '../../session.js';
import { receiptView, syncPrintPage } from '../pos/receipt.js';
import { approvalDialog } from '../pos/approval.js';
import { deviceShift, storedTillId } from '../shifts/till.js';
import { statusBadge } from './badge.js';
import { refundFields, REFUND_REASONS } from './refund.js';

/** API field names of a refund request → the form's inputs. */
const REFUND_FIELDS = { shift_id: 'refund_method' };

export function renderDetail(ctx) {
  const id = ctx.params[0];
  ctx.title('Sale');
  const body = h('div', {}, statusLine('Loading sale…'));
  const formBox = h('div', { class: 'form-box' });
  replace(ctx.main, h('p', { class: 'breadcrumb' }, h('a', { href: '/sales', text: '← All sales' })),
    h('div', { class: 'page-head' }, h('h1', { id: 'sale-title', text: 'Sale' })), formBox, body);
  const approval = approvalDialog(ctx);

  async function load() {
    try {
      show(await get(`/sales/${seg(id)}`, {}, ctx.signal));
    } catch (e) {
      if (isQuiet(e)) return;
      replace(body, statusLine(e.status === 404 ? 'There is no such sale.' : `Could not load the sale. ${e.message}`, 'error'));
    }
  }

  function show(sale) {
    ctx.title(`Sale #${sale.receipt_number}`);
    document.getElementById('sale-title').textContent = `Sale #${sale.receipt_number}`;
    const voidable = sale.status === 'completed' || sale.status === 'partially_returned';
    const returnable = voidable && sale.lines.some((l) => l.quantity - l.returned_quantity > 0);
    const voidBtn = ctx.can('clerk') && voidable ? h('button', { type: 'button', id: 'void-sale', class: 'danger', text: 'Void sale' }) : null;
    const returnBtn = ctx.can('clerk') && returnable ? h('button', { type: 'button', id: 'return-items', class: 'secondary', text: 'Return items' }) : null;
    const reprintBtn = h('button', { type: 'button', id: 'sale-reprint', class: 'secondary', text: 'Reprint receipt' });
    reprintBtn.addEventListener('click', () => showReceipt(sale));
    voidBtn?.addEventListener('click', () => voidSale(sale, voidBtn));
    returnBtn?.addEventListener('click', () => openReturn(sale));

    const { table: lt, tbody: lb } = table(['SKU', 'Product', { label: 'Qty', class: 'num' }, { label: 'Returned', class: 'num' }, { label: 'Unit price', class: 'num' }, { label: 'Discount', class: 'num' }, { label: 'Line total', class: 'num' }]);
    sale.lines.forEach((l) => lb.append(h('tr', { dataset: { sku: l.sku } },
      h('td', {}, h('a', { href: `/stock/${encodeURIComponent(l.sku)}`, class: 'mono', text: l.sku })),
      h('td', {}, l.name, (l.serials || []).length ? h('small', { class: 'block sale-serials' }, l.serials.map((serial, i) => [i ? ', ' : 'S/N ',
        h('a', { href: `/serials/${encodeURIComponent(serial)}`, class: 'mono', dataset: { serial }, text: serial }),
        (l.returned_serials || []).includes(serial) ? ' (returned)' : ''])) : null),
      h('td', { class: 'num', text: int(l.quantity) }),
      h('td', { class: 'num', text: l.returned_quantity ? int(l.returned_quantity) : '' }),
      h('td', { class: 'num', text: money(l.unit_price_cents) }),
      h('td', { class: 'num', text: l.discount_cents ? money(l.discount_cents) : '' }),
      h('td', { class: 'num', text: money(l.line_total_cents) }))));

    replace(body,
      h('dl', { class: 'facts' },
        h('dt', { text: 'Status' }), h('dd', {}, h('span', { id: 'sale-status', class: `badge status-${sale.status}`, dataset: { status: sale.status }, text: label(sale.status) })),
        h('dt', { text: 'Date' }), h('dd', { text: dateTime(sale.created_at) }),
        h('dt', { text: 'Receipt number' }), h('dd', { text: String(sale.receipt_number) }),
        h('dt', { text: 'Location' }), h('dd', { text: sale.location }),
        h('dt', { text: 'Payment' }), h('dd', { text: (sale.payments || []).length > 1
          ? sale.payments.map((p) => `${label(p.method)} ${money(p.amount_cents)}`).join(', ') : label(sale.payment_method) }),
        h('dt', { text: 'Recorded by' }), h('dd', { text: sale.recorded_by || '—' }),
        sale.approved_by ? [h('dt', { text: 'Approved by' }), h('dd', { text: sale.approved_by })] : null,
        sale.customer ? [h('dt', { text: 'Customer' }), h('dd', { text: sale.customer })] : null,
        sale.note ? [h('dt', { text: 'Note' }), h('dd', { text: sale.note })] : null,
        h('dt', { text: 'Total' }), h('dd', { class: 'strong', text: money(sale.total_cents) }),
        sale.discount_cents ? [h('dt', { text: 'Discount' }), h('dd', { text: money(sale.discount_cents) })] : null,
        sale.refunded_cents ? [h('dt', { text: 'Refunded' }), h('dd', { text: money(sale.refunded_cents) })] : null),
      h('div', { class: 'actions' }, reprintBtn, returnBtn, voidBtn),
      h('h2', { text: 'Items' }), h('div', { class: 'table-wrap' }, lt),
      h('h2', { text: 'History' }),
      h('ol', { class: 'history' }, (sale.history || []).map((e) => h('li', {},
        h('time', { datetime: e.at, text: dateTime(e.at) }), ' ',
        statusBadge(e.status),
        e.actor ? h('span', { text: ` by ${e.actor}` }) : null,
        e.approved_by ? h('span', { class: 'approved-by', text: `, approved by ${e.approved_by}` }) : null,
        e.reason ? h('span', { class: 'refund-reason', text: ` (${reasonLabel(e.reason)})` }) : null,
        e.detail ? h('span', { class: 'muted', text: ` — ${e.detail}` }) : null))));
  }

  function showReceipt(sale) {
    const close = h('button', { type: 'button', id: 'receipt-close', class: 'secondary', text: 'Close' });
    close.addEventListener('click', () => {
      closeReceipt();
      document.getElementById('sale-reprint')?.focus();
    });
    replace(formBox, receiptView(sale, shopSettings(), [close]));
    document.getElementById('receipt-print').focus();
  }

  function closeReceipt() {
    formBox.replaceChildren();
    syncPrintPage();
  }

  async function voidSale(sale, btn) {
    const refund = refundFields('void', sale);
    let fields = null;
    const ok = await confirmAction(`Void sale #${sale.receipt_number} (${money(sale.total_cents)})? Every unit not yet returned goes back to stock and what is left of the payment is refunded. This cannot be undone.`, {
      title: 'Void sale', yes: 'Void sale', content: refund.wraps,
      validate: (form) => { clearErrors(form); fields = refund.read(form); return !!fields; },
    });
    if (!ok || !fields) return;
    btn.disabled = true;
    try {
      const shift = await deviceShift(ctx.signal);
      const request = { ...fields, ...(shift ? { shift_id: shift.id } : {}) };
      const updated = await withApproval(request,
        (b) => post(`/sales/${seg(sale.id)}/void`, b, { signal: ctx.signal }));
      if (!updated) {
        btn.disabled = false;
        flash('Not voided: a manager’s approval is needed.', 'error');
        return;
      }
      flash(`Sale #${sale.receipt_number} voided.`, 'success');
      formBox.replaceChildren();
      show(updated);
    } catch (e) {
      if (isQuiet(e)) return;
      btn.disabled = false;
      flash(`Could not void: ${e.message}`, 'error');
      if (e.status === 409) load();
    }
  }

  function openReturn(sale) {
    let key = newKey();
    const rows = sale.lines.filter((l) => l.quantity - l.returned_quantity > 0).map((l, i) => {
      const max = l.quantity - l.returned_quantity;
      const restock = field(`Put ${l.sku} back on the shelf`, { name: `restock-${i}`, type: 'checkbox', checked: true, hint: 'Untick to write off as damaged' });
      // A line sold with serial numbers gives back the units ticked, each by its number.
      const sold = (l.serials || []).filter((s) => !(l.returned_serials || []).includes(s));
      if (sold.length) {
        const units = sold.map((serial, j) => ({ serial, box: field(`Return S/N ${serial}`, { name: `unit-${i}-${j}`, type: 'checkbox', wrapClass: 'compact' }) }));
        return { line: l, max, units, qty: { wrap: h('div', {}, units.map((u) => u.box.wrap)) }, restock };
      }
      const qty = field(`Quantity of ${l.sku} to return (at most ${max})`, { name: `qty-${i}`, type: 'number', min: 0, max, step: 1, value: '0', wrapClass: 'compact' });
      return { line: l, max, qty, restock };
    });
    const refund = refundFields('return', sale);
    const till = storedTillId();
    const save = h('button', { type: 'submit', id: 'return-save', class: 'primary', text: 'Record return' });
    const form = h('form', { id: 'return-form', class: 'panel', novalidate: true, 'aria-labelledby': 'return-title' },
      h('h2', { id: 'return-title', text: `Return items of sale #${sale.receipt_number}` }),
      h('div', { class: 'table-wrap' }, h('table', { class: 'data' },
        h('thead', {}, h('tr', {}, ['Item', 'Return', 'Restock'].map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, rows.map((r) => h('tr', { dataset: { sku: r.line.sku } },
          h('td', {}, h('span', { class: 'mono', text: r.line.sku }), ' ', r.line.name, h('br'), h('small', { class: 'muted', text: `${r.max} of ${r.line.quantity} returnable` })),
          h('td', {}, r.qty.wrap), h('td', {}, r.restock.wrap)))))),
      h('div', { class: 'form-grid refund-fields' }, refund.wraps),
      h('p', { id: 'return-shift', class: 'muted small', text: till
        ? `A cash refund is counted on the open shift of ${till}, this device’s till.`
        : 'This device has no till: a cash refund is counted on no shift.' }),
      h('div', { class: 'actions' }, save, h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: () => formBox.replaceChildren() })));
    formAlert(form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      const lines = [];
      for (const r of rows) {
        if (r.units) {
          const serials = r.units.filter((u) => u.box.input.checked).map((u) => u.serial);
          if (serials.length) lines.push({ sku: r.line.sku, quantity: serials.length, restock: r.restock.input.checked, serials });
          continue;
        }
        const n = Number(r.qty.input.value || 0);
        if (!Number.isInteger(n) || n < 0 || n > r.max) {
          showFormError(form, { message: `Return between 0 and ${r.max} of ${r.line.sku}.`, errors: [] });
          r.qty.input.focus();
          return;
        }
        if (n > 0) lines.push({ sku: r.line.sku, quantity: n, restock: r.restock.input.checked });
      }
      if (!lines.length) {
        showFormError(form, { message: 'Choose at least one item to return.', errors: [] });
        return;
      }
      const fields = refund.read(form);
      if (!fields) return;
      save.disabled = true;
      try {
        const shift = await deviceShift(ctx.signal);
        const request = { lines, ...fields, ...(shift ? { shift_id: shift.id } : {}) };
        // The refused request freed its key: the approved one is the same return, with the same key.
        const updated = await withApproval(request,
          (b) => post(`/sales/${seg(sale.id)}/returns`, b, { headers: { 'Idempotency-Key': key }, signal: ctx.signal }));
        if (!updated) {
          showFormError(form, { message: 'Not recorded: the refund needs a manager’s approval.', errors: [] });
          return;
        }
        formBox.replaceChildren();
        flash(`Return recorded on sale #${sale.receipt_number}.`, 'success');
        show(updated);
      } catch (e) {
        if (isQuiet(e)) return;
        // A definite refusal recorded nothing: the next try is a new attempt.
        if (refusedOutright(e)) key = newKey();
        if (e.slug === 'idempotency-key-reused') {
          showFormError(form, { message: 'An earlier try with other quantities may have been recorded. Check the sale before recording again.', errors: [] });
          load();
        } else showFormError(form, e, REFUND_FIELDS);
      } finally {
        save.disabled = false;
      }
    });
    replace(formBox, form);
    (rows[0]?.units ? rows[0].units[0].box.input : rows[0]?.qty.input)?.focus();
  }

  /**
   * Sends `request` with `send`; when a clerk's refund needs a manager's approval, asks for it
   * and sends again with it. Resolves to the answer, or null when no approval was given.
   */
  async function withApproval(request, send) {
    try {
      return await send(request);
    } catch (e) {
      if (e.slug !== 'approval-required') throw e;
      const limit = shopSettings()?.approval_required_over_cents;
      const why = [h('p', { text: limit
        ? `A clerk’s refund above ${money(limit)} needs a manager’s approval.`
        : 'A clerk’s refunds need a manager’s approval.' }), e.detail ? h('p', { class: 'muted', text: e.detail }) : null];
      return approval.ask(why, (credentials) => send({ ...request, approval: credentials }), { action: 'Approve refund' });
    }
  }

  const refresh = debounce(load, 500);
  ctx.onCleanup(refresh.cancel);
  ctx.onCleanup(closeReceipt);
  ctx.live(['SaleUpdated', 'resync'], (type, env) => {
    if (type === 'resync' || (env.data && env.data.sale_id === id)) {
      if (!formBox.firstChild) refresh();
    }
  });
  return load();
}

function reasonLabel(reason) {
  return REFUND_REASONS.find((r) => r.value === reason)?.label || label(reason);
}
