// One warranty case (/rmas/<id>): the unit, whose it is, the fault, the supplier and the
// replacement, its history with notes; a manager moves it on (each next state a button, with
// the supplier or the replacement's serial number where the step needs one), anyone at the
// counter adds a note.
//
// Selectors for browser tests:
//   the case      #rma[data-state]
//   a step        #rma-steps button[data-to="<state>"]  (supplier: #rma-supplier; replacement: #rma-replacement)
//   a note        #rma-note-form (#rma-note, submit #rma-note-submit)
//   history       #rma-history tbody tr[data-state]

import { get, post, seg, isQuiet } from '../../api.js';
import { h, replace, field, statusLine, showFormError, clearErrors, formAlert, table, flash } from '../../dom.js';
import { dateTime, label } from '../../format.js';

const STEP_TEXT = {
  sent_to_supplier: 'Send to supplier',
  rejected: 'Rejected: hand back as it came',
  repaired: 'Repaired',
  replaced: 'Replaced',
  refunded: 'Supplier refunded it',
  closed: 'Close case',
};

export async function render(ctx) {
  const id = ctx.params[0];
  ctx.title('Warranty case');
  const body = h('div', {}, statusLine('Loading the case…'));
  replace(ctx.main, h('p', { class: 'breadcrumb' }, h('a', { href: '/rmas', text: '← Warranty cases' })), body);
  let suppliers = null;

  async function load() {
    try {
      show(await get(`/rmas/${seg(id)}`, {}, ctx.signal));
    } catch (e) {
      if (!isQuiet(e)) replace(body, statusLine(e.status === 404 ? 'There is no such warranty case.' : `Could not load the case. ${e.message}`, 'error'));
    }
  }

  function show(c) {
    ctx.title(c.reference);
    const { table: history, tbody } = table(['When', 'State', 'Note', 'By'], 'data');
    history.id = 'rma-history';
    tbody.append(...c.history.map((s) => h('tr', { dataset: { state: s.state } },
      h('td', {}, h('time', { datetime: s.at, text: dateTime(s.at) })),
      h('td', {}, h('span', { class: `badge rma-${s.state}`, text: label(s.state) })),
      h('td', { text: s.note || '' }),
      h('td', { text: s.actor || '' }))));
    replace(body, h('article', { id: 'rma', class: 'rma', dataset: { state: c.state } },
      h('div', { class: 'page-head' }, h('h1', {}, h('span', { class: 'mono', text: c.reference }), ' ', h('span', { class: `badge rma-${c.state}`, text: label(c.state) }))),
      h('dl', { class: 'facts panel' },
        h('dt', { text: 'Unit' }), h('dd', {}, c.name, ' · ', h('a', { href: `/serials/${encodeURIComponent(c.serial)}`, class: 'mono', text: `S/N ${c.serial}` })),
        h('dt', { text: 'Whose' }), h('dd', {}, c.customer_case
          ? ['The customer’s, from ', h('a', { href: `/sales/${encodeURIComponent(c.sale_id)}`, text: 'this sale' })]
          : 'The shop’s own stock'),
        h('dt', { text: 'Fault' }), h('dd', { text: c.fault }),
        h('dt', { text: 'Warranty' }), h('dd', { text: c.under_warranty ? 'Under warranty when taken in' : 'Not under warranty when taken in' }),
        h('dt', { text: 'Handled at' }), h('dd', { text: c.location }),
        c.supplier_name ? [h('dt', { text: 'Supplier' }), h('dd', { text: c.supplier_name })] : null,
        c.replacement_serial ? [h('dt', { text: 'Replacement' }), h('dd', {}, h('a', { href: `/serials/${encodeURIComponent(c.replacement_serial)}`, class: 'mono', text: c.replacement_serial }))] : null),
      ctx.can('manager') && c.next.length ? steps(c) : null,
      ctx.can('clerk') ? noteForm(c) : null,
      h('h2', { text: 'History' }), h('div', { class: 'table-wrap' }, history)));
  }

  function steps(c) {
    const supplier = field('Supplier', { id: 'rma-supplier', name: 'supplier_id', type: 'select', options: [{ value: '', label: 'Choose the supplier…' }] });
    const replacement = field('Replacement serial number', { id: 'rma-replacement', name: 'replacement_serial', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false',
      hint: 'Scan the unit that replaces it: from the shelf here, or as it came from the supplier.' });
    const note = field('Note', { id: 'rma-step-note', name: 'note', type: 'textarea', rows: 2, maxlength: 500, hint: 'The supplier’s RMA number, what was done…' });
    supplier.wrap.hidden = !c.next.includes('sent_to_supplier');
    replacement.wrap.hidden = !c.next.includes('replaced');
    if (!supplier.wrap.hidden) loadSuppliers(supplier.input);
    const form = h('form', { id: 'rma-steps', class: 'panel', novalidate: true },
      h('h2', { text: 'Next step' }), h('div', { class: 'form-grid' }, supplier.wrap, replacement.wrap, note.wrap),
      h('div', { class: 'actions' }, c.next.map((to) => h('button', { type: 'submit', class: to === 'closed' ? 'secondary' : 'primary', value: to, dataset: { to }, text: STEP_TEXT[to] || label(to) }))));
    formAlert(form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const to = e.submitter?.value;
      if (!to) return;
      clearErrors(form);
      const step = { to };
      if (note.input.value.trim()) step.note = note.input.value.trim();
      if (to === 'sent_to_supplier') step.supplier_id = supplier.input.value || undefined;
      if (to === 'replaced') step.replacement_serial = replacement.input.value.trim() || undefined;
      const buttons = [...form.querySelectorAll('button[type="submit"]')];
      buttons.forEach((b) => { b.disabled = true; });
      try {
        show(await post(`/rmas/${seg(c.id)}/steps`, step, { signal: ctx.signal }));
        flash(`${c.reference}: ${label(to).toLowerCase()}.`, 'success');
      } catch (err) {
        if (!isQuiet(err)) showFormError(form, err);
      } finally {
        buttons.forEach((b) => { b.disabled = false; });
      }
    });
    return form;
  }

  async function loadSuppliers(select) {
    try {
      suppliers ??= (await get('/suppliers', {}, ctx.signal)).items;
      select.append(...suppliers.map((s) => h('option', { value: s.id, text: s.name })));
    } catch (e) {
      if (!isQuiet(e)) select.append(h('option', { value: '', text: `Suppliers not loaded: ${e.message}` }));
    }
  }

  function noteForm(c) {
    const note = field('Add a note', { id: 'rma-note', name: 'note', type: 'textarea', rows: 2, maxlength: 500 });
    const submit = h('button', { type: 'submit', id: 'rma-note-submit', class: 'secondary', text: 'Add note' });
    const form = h('form', { id: 'rma-note-form', class: 'panel', novalidate: true }, note.wrap, h('div', { class: 'actions' }, submit));
    formAlert(form);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      try {
        show(await post(`/rmas/${seg(c.id)}/notes`, { note: note.input.value }, { signal: ctx.signal }));
      } catch (err) {
        if (!isQuiet(err)) showFormError(form, err);
      }
    });
    return form;
  }

  await load();
}
