// One purchase order (/purchasing/<id>): its state, supplier, location and days, its lines with
// what is still to come, and its deliveries. Managers edit a draft, send it (its lines become
// incoming stock), cancel it (a draft, or an order nothing of which arrived) and receive
// deliveries (receive.js). Anyone prints it on A4 (print.js) or downloads it as CSV.
// Selectors: `#po-title`, `#po-status[data-status]`, `#po-send`, `#po-cancel`, `#po-edit`,
// `#po-receive`, `#po-print`, `#po-csv`, lines `#po-detail-lines tr[data-sku]`.

import { get, post, seg, isQuiet } from '../../api.js';
import { h, replace, confirmAction, flash, statusLine, debounce } from '../../dom.js';
import { money, int, dateTime } from '../../format.js';
import { shopSettings } from '../../session.js';
import { syncPrintPage } from '../pos/receipt.js';
import { loadLocations } from '../stock/forms.js';
import { poNumber, poBadge, remainingUnits, isOpen, calendarDay } from './common.js';
import { linesTable, receiptsList } from './view.js';
import { printDocument, printOrder } from './print.js';

export function renderDetail(ctx) {
  const id = ctx.params[0];
  const manager = ctx.can('manager');
  ctx.title('Purchase order');
  const title = h('h1', { id: 'po-title', tabindex: '-1', text: 'Purchase order' });
  const body = h('div', {}, statusLine('Loading the order…'));
  replace(ctx.main, h('p', { class: 'breadcrumb' }, h('a', { href: '/purchasing', text: '← All purchase orders' })),
    h('div', { class: 'page-head' }, title), body);
  let extras = null;

  async function load() {
    try {
      const order = await get(`/purchase-orders/${seg(id)}`, {}, ctx.signal);
      extras ??= await loadExtras(order);
      show(order);
    } catch (e) {
      if (isQuiet(e)) return;
      replace(body, statusLine(e.status === 404 ? 'There is no such purchase order.' : `Could not load the order. ${e.message}`, 'error'));
    }
  }

  /** The supplier's contact lines and the location's name, for the printed order. */
  async function loadExtras(order) {
    const [supplier, locations] = await Promise.all([
      get(`/suppliers/${seg(order.supplier_id)}`, {}, ctx.signal).catch((e) => { if (isQuiet(e)) throw e; return null; }),
      loadLocations(ctx.signal),
    ]);
    return { supplier, locations };
  }

  function show(o) {
    const number = poNumber(o.number);
    ctx.title(number);
    title.textContent = `${number} · ${o.supplier_name}`;
    const loc = extras.locations.find((l) => l.code === o.location);
    const href = `/purchasing/${encodeURIComponent(o.id)}`;
    const nothingReceived = o.lines.every((l) => l.received === 0);
    const actions = [
      manager && o.status === 'draft' ? h('a', { href: `${href}/edit`, id: 'po-edit', class: 'button secondary', text: 'Edit' }) : null,
      manager && o.status === 'draft' ? h('button', { type: 'button', id: 'po-send', class: 'primary', text: 'Send order', onclick: (e) => act(o, 'order', e.currentTarget) }) : null,
      manager && isOpen(o) ? h('a', { href: `${href}/receive`, id: 'po-receive', class: 'button primary', text: 'Receive delivery' }) : null,
      h('button', { type: 'button', id: 'po-print', class: 'secondary', text: 'Print', onclick: printOrder }),
      h('a', { href: `/api/v1/purchase-orders/${encodeURIComponent(o.id)}/export.csv`, id: 'po-csv', class: 'button secondary', download: '', text: 'CSV' }),
      manager && (o.status === 'draft' || (o.status === 'ordered' && nothingReceived))
        ? h('button', { type: 'button', id: 'po-cancel', class: 'danger-outline', text: 'Cancel order', onclick: (e) => act(o, 'cancel', e.currentTarget) }) : null,
    ];
    replace(body,
      h('dl', { class: 'facts', id: 'po-facts' },
        h('dt', { text: 'Status' }), h('dd', {}, poBadge(o.status, 'po-status')),
        h('dt', { text: 'Supplier' }), h('dd', {}, o.supplier_name, extras.supplier?.email ? [' · ', h('a', { href: `mailto:${extras.supplier.email}`, text: extras.supplier.email })] : null),
        h('dt', { text: 'Deliver to' }), h('dd', { text: loc?.name && loc.name !== o.location ? `${loc.name} (${o.location})` : o.location }),
        h('dt', { text: 'Expected' }), h('dd', { text: calendarDay(o.expected_at) }),
        h('dt', { text: 'Created' }), h('dd', { text: `${dateTime(o.created_at)}${o.created_by ? ` by ${o.created_by}` : ''}` }),
        o.ordered_at ? [h('dt', { text: 'Sent' }), h('dd', { text: dateTime(o.ordered_at) })] : null,
        o.received_at ? [h('dt', { text: 'Received' }), h('dd', { text: dateTime(o.received_at) })] : null,
        o.cancelled_at ? [h('dt', { text: 'Cancelled' }), h('dd', { text: dateTime(o.cancelled_at) })] : null,
        o.status === 'cancelled' ? null : [h('dt', { text: 'Still to come' }), h('dd', { id: 'po-remaining', text: `${int(remainingUnits(o))} ${remainingUnits(o) === 1 ? 'unit' : 'units'}` })],
        manager && o.total_cost_cents !== undefined ? [h('dt', { text: 'Total' }), h('dd', { class: 'strong', id: 'po-total', text: money(o.total_cost_cents) })] : null,
        o.note ? [h('dt', { text: 'Note' }), h('dd', { text: o.note })] : null),
      h('div', { class: 'actions no-print', id: 'po-actions' }, actions),
      o.status === 'draft' ? h('p', { class: 'muted small', text: 'A draft is not yet ordered: sending it makes its lines incoming stock and fixes them.' }) : null,
      h('h2', { text: 'Lines' }), linesTable(o, { manager }),
      h('h2', { text: 'Deliveries' }), receiptsList(o, { manager }),
      printDocument(o, shopSettings(), extras.supplier, loc?.name));
    syncPrintPage();
  }

  async function act(o, action, btn) {
    const number = poNumber(o.number);
    const ok = action === 'order'
      ? await confirmAction(`Send ${number} to ${o.supplier_name}? Its lines become incoming stock at ${o.location}, and it can no longer be changed.`, { title: 'Send order', yes: 'Send order', danger: false })
      : await confirmAction(`Cancel ${number}? ${o.status === 'ordered' ? 'Its incoming stock goes away. ' : ''}This cannot be undone.`, { title: 'Cancel order', yes: 'Cancel order' });
    if (!ok) return;
    btn.disabled = true;
    try {
      const updated = await post(`/purchase-orders/${seg(o.id)}/${action}`, undefined, { signal: ctx.signal });
      flash(action === 'order' ? `${number} sent: its lines are now incoming.` : `${number} cancelled.`, 'success');
      show(updated);
      document.getElementById(action === 'order' ? 'po-print' : 'po-title')?.focus();
    } catch (e) {
      if (isQuiet(e)) return;
      btn.disabled = false;
      flash(`Could not ${action === 'order' ? 'send' : 'cancel'} ${number}: ${e.message}`, 'error');
      if (e.status === 409) load();
    }
  }

  const refresh = debounce(load, 500);
  ctx.onCleanup(refresh.cancel);
  ctx.onCleanup(() => { body.replaceChildren(); syncPrintPage(); });
  ctx.live(['RestockReceived', 'resync'], (type, env) => { if (type === 'resync' || env.data?.purchase_order_id === id) refresh(); });
  return load();
}
