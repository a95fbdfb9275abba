// The sale's customer at the till: picked from the shop's customers by typing (name, phone,
// email), or created on the spot (name, phone, email); shown with the basket and removable.

import { get, post, isQuiet } from '../../api.js';
import { h, replace, field, clearErrors, setFieldError, showFormError, formAlert, flash } from '../../dom.js';
import { combobox } from '../../combobox.js';

/** The customer panel; `onChange()` after the basket's customer was set or removed. */
export function customerPicker(ctx, { basket, onChange }) {
  const search = field('Customer', { id: 'pos-customer-search', type: 'search', placeholder: 'Name, phone or email', hint: 'Optional.' });
  combobox({
    input: search.input, wrap: search.wrap, listId: 'pos-customer-list', signal: ctx.signal, activateFirst: true,
    empty: 'No customer matches. Use “New customer” to add one.',
    fetchItems: async (q, signal) => (await get('/customers', { q, limit: 8 }, signal)).items || [],
    optionContent: (c) => [h('span', { class: 'option-main', text: c.name }),
      h('small', { class: 'muted', text: [c.phone, c.email].filter(Boolean).join(' · ') })],
    onPick: (c) => choose(c),
  });
  const newBtn = h('button', { type: 'button', id: 'pos-customer-new', class: 'secondary small', text: 'New customer', 'aria-expanded': 'false', 'aria-controls': 'pos-customer-form' });
  const chosen = h('p', { id: 'pos-customer', class: 'pos-customer', 'aria-live': 'polite' });
  const formBox = h('div', { class: 'form-box' });
  const el = h('section', { class: 'pos-customer-panel', 'aria-label': 'Customer' },
    chosen, h('div', { class: 'pos-customer-pick' }, search.wrap, newBtn), formBox);
  newBtn.addEventListener('click', () => (formBox.firstChild ? closeForm() : openForm()));

  function choose(c) {
    basket.customer = { id: c.id, name: c.name };
    basket.save();
    search.input.value = '';
    closeForm();
    render();
    onChange();
  }

  function render() {
    const c = basket.customer;
    search.wrap.hidden = !!c;
    newBtn.hidden = !!c;
    if (!c) { replace(chosen, h('span', { class: 'muted', text: 'No customer' })); return; }
    const remove = h('button', { type: 'button', id: 'pos-customer-remove', class: 'link', 'aria-label': `Remove the customer ${c.name} from the sale`, text: 'Remove' });
    remove.addEventListener('click', () => {
      basket.customer = null;
      basket.save();
      render();
      onChange();
      search.input.focus();
    });
    replace(chosen, 'Customer: ', h('strong', { text: c.name }), ' ', remove);
  }

  function openForm() {
    const f = {
      name: field('Name', { id: 'pos-customer-name', name: 'name', required: true, maxlength: 200, autocomplete: 'off' }),
      phone: field('Phone', { id: 'pos-customer-phone', name: 'phone', type: 'tel', autocomplete: 'off' }),
      email: field('Email', { id: 'pos-customer-email', name: 'email', type: 'email', autocomplete: 'off' }),
    };
    const save = h('button', { type: 'submit', id: 'pos-customer-save', class: 'primary small', text: 'Add customer' });
    const form = h('form', { id: 'pos-customer-form', class: 'panel form-grid', novalidate: true, 'aria-labelledby': 'pos-customer-form-title' },
      h('h2', { id: 'pos-customer-form-title', class: 'wide', text: 'New customer' }),
      Object.values(f).map((x) => x.wrap),
      h('div', { class: 'actions wide' }, save, h('button', { type: 'button', class: 'secondary small', text: 'Cancel', onclick: closeForm })));
    formAlert(form);
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') { e.stopPropagation(); closeForm(); } });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      const body = { name: f.name.input.value.trim() };
      for (const k of ['phone', 'email']) { const v = f[k].input.value.trim(); if (v) body[k] = v; }
      if (!body.name) { setFieldError(form, 'name', 'Enter the customer’s name.'); f.name.input.focus(); return; }
      save.disabled = true;
      try {
        const created = await post('/customers', body, { signal: ctx.signal });
        flash(`Customer ${created.name} added.`, 'success');
        choose(created);
      } catch (e) {
        if (!isQuiet(e)) showFormError(form, e);
      } finally {
        save.disabled = false;
      }
    });
    replace(formBox, form);
    newBtn.setAttribute('aria-expanded', 'true');
    const typed = search.input.value.trim();
    if (typed && !/[@\d]/.test(typed)) f.name.input.value = typed;
    f.name.input.focus();
  }

  function closeForm() {
    formBox.replaceChildren();
    newBtn.setAttribute('aria-expanded', 'false');
  }

  render();
  return { el, render };
}
