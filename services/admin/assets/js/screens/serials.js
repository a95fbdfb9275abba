// A unit found by its serial number (/serials/<serial>, from the lookup box in the header):
// the product, where the unit is, its sale and customer, the last day of its warranty, its
// warranty cases and everything that happened to it; and, for a sold or faulty unit without
// an open case, "Open warranty case".
//
// Selectors for browser tests:
//   a unit          #serial-units article.serial-unit[data-sku][data-state]
//   warranty        .serial-unit [data-field="warranty"] (data-under-warranty="true"|"false")
//   history         .serial-unit table.serial-history tbody tr[data-change]
//   open a case     #rma-open (fault: #rma-fault; submit: #rma-open-submit)

import { get, post, seg, isQuiet } from '../api.js';
import { h, replace, field, statusLine, showFormError, clearErrors, formAlert, table } from '../dom.js';
import { dateTime, fullDay, label } from '../format.js';

export async function render(ctx) {
  const serial = ctx.params[0].toUpperCase();
  ctx.title(`Serial ${serial}`);
  const body = h('div', { id: 'serial-units' }, statusLine('Looking the unit up…'));
  replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: 'Serial number ' }, h('span', { class: 'mono', text: serial }))), body);
  let found;
  try {
    found = await get(`/serials/${seg(serial)}`, {}, ctx.signal);
  } catch (e) {
    if (isQuiet(e)) return;
    replace(body, statusLine(e.status === 404 ? `The shop has never had a unit with serial number ${serial}.` : `Could not look the unit up. ${e.message}`, e.status === 404 ? 'empty' : 'error'));
    return;
  }
  replace(body, found.units.map((u) => unitView(ctx, u)));
}

function unitView(ctx, u) {
  const cases = u.cases || [];
  const open = cases.some((c) => c.state !== 'closed');
  const canOpen = ctx.can('clerk') && !open && (u.state === 'sold' || u.state === 'faulty');
  const warranty = u.warranty_ends_on
    ? h('span', { dataset: { field: 'warranty', underWarranty: String(u.under_warranty) } },
      h('span', { class: ['badge', u.under_warranty ? 'ok' : 'status-voided'], text: u.under_warranty ? 'Under warranty' : 'Warranty ended' }),
      ` until ${fullDay(u.warranty_ends_on)} (${u.warranty_months} months)`)
    : h('span', { class: 'muted', dataset: { field: 'warranty', underWarranty: 'false' }, text: u.sold_at ? 'No warranty' : 'Not sold yet' });
  const { table: history, tbody } = table(['When', 'What', 'State after', 'Where', 'Reference', 'By'], 'data serial-history');
  tbody.append(...(u.history || []).map((s) => h('tr', { dataset: { change: s.change } },
    h('td', {}, h('time', { datetime: s.at, text: dateTime(s.at) })),
    h('td', { text: label(s.change) }),
    h('td', {}, h('span', { class: `badge unit-${s.state_after}`, text: label(s.state_after) })),
    h('td', { text: s.location }),
    h('td', { class: 'mono', text: s.reference || '' }),
    h('td', { text: s.actor || '' }))));
  const article = h('article', { class: 'panel serial-unit', dataset: { sku: u.sku, state: u.state } },
    h('h2', {}, u.name, ' ', h('small', {}, h('a', { href: `/stock/${encodeURIComponent(u.sku)}`, class: 'mono', text: u.sku }))),
    h('dl', { class: 'facts' },
      h('dt', { text: 'State' }), h('dd', {}, h('span', { class: `badge unit-${u.state}`, dataset: { field: 'state' }, text: label(u.state) }),
        u.held ? h('span', { class: 'muted', text: ' · held by a sale being recorded' }) : null),
      h('dt', { text: u.state === 'in_stock' ? 'At' : 'Last at' }), h('dd', { text: u.location }),
      h('dt', { text: 'Sold' }), h('dd', {}, u.sold_at
        ? [h('time', { datetime: u.sold_at, text: dateTime(u.sold_at) }), ' · ', h('a', { href: `/sales/${encodeURIComponent(u.sale_id)}`, dataset: { field: 'sale' }, text: 'the sale' }),
          u.customer_id ? [' · to ', customerName(ctx, u.customer_id)] : '']
        : '—'),
      h('dt', { text: 'Warranty' }), h('dd', {}, warranty),
      h('dt', { text: 'Received' }), h('dd', {}, h('time', { datetime: u.received_at, text: dateTime(u.received_at) }),
        u.supplier ? ` from ${u.supplier}` : '',
        u.purchase_order_id ? [' · ', h('a', { href: `/purchasing/${encodeURIComponent(u.purchase_order_id)}`, text: 'its purchase order' })] : ''),
      cases.length ? [h('dt', { text: 'Warranty cases' }), h('dd', {}, cases.map((c, i) => [i ? ', ' : '',
        h('a', { href: `/rmas/${encodeURIComponent(c.id)}`, class: 'mono', dataset: { rmaState: c.state }, text: c.reference }), ` (${label(c.state).toLowerCase()})`]))] : null),
    h('h3', { text: 'History' }), h('div', { class: 'table-wrap' }, history),
    canOpen ? openForm(ctx, u) : null);
  return article;
}

/** "Open warranty case": what is wrong, then the new case. */
function openForm(ctx, u) {
  const fault = field('What is wrong with it?', { id: 'rma-fault', name: 'fault', type: 'textarea', rows: 2, maxlength: 500, required: true,
    hint: u.state === 'sold' ? 'The customer’s words. The unit is taken back from the customer.' : 'The shop’s own faulty unit goes to its supplier.' });
  const submit = h('button', { type: 'submit', id: 'rma-open-submit', class: 'primary', text: 'Open warranty case' });
  const form = h('form', { id: 'rma-open', class: 'rma-open', novalidate: true }, h('h3', { text: 'Warranty case' }), fault.wrap, h('div', { class: 'actions' }, submit));
  formAlert(form);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    submit.disabled = true;
    try {
      const opened = await post('/rmas', { serial: u.serial, sku: u.sku, fault: fault.input.value }, { signal: ctx.signal });
      ctx.navigate(`/rmas/${encodeURIComponent(opened.id)}`);
    } catch (err) {
      if (!isQuiet(err)) showFormError(form, err);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** The customer's name where the role may read customers (clerks and up), else "a customer". */
function customerName(ctx, id) {
  const el = h('span', { dataset: { field: 'customer' }, text: 'a customer of the shop' });
  if (ctx.can('clerk')) {
    get(`/customers/${seg(id)}`, {}, ctx.signal).then((c) => { el.textContent = c.name; }).catch(() => {});
  }
  return el;
}
