// Locations (/locations): where stock is kept (the shop floor, a back room, a second shop).
// Everyone sees the list; managers add locations, rename them, and deactivate (confirmed) or
// reactivate them. `main` always stays active.

import { get, post, patch, seg, isQuiet } from '../api.js';
import { h, replace, field, table, clearErrors, setFieldError, showFormError, formAlert, confirmAction, flash, statusLine } from '../dom.js';

export function render(ctx) {
  ctx.title('Locations');
  const manager = ctx.can('manager');
  const formBox = h('div', { class: 'form-box' });
  const newBtn = manager ? h('button', { type: 'button', id: 'new-location', class: 'primary', text: 'New location' }) : null;
  const { table: tbl, tbody } = table(['Code', 'Name', 'Status', manager ? { label: 'Actions', class: 'actions-col' } : null].filter(Boolean));
  tbl.id = 'location-list';
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' }, statusLine('Loading locations…'));
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Locations' }), newBtn),
    h('p', { class: 'muted small', text: manager
      ? 'Stock is kept per location. An inactive location keeps its history but takes no new stock or sales.'
      : 'Stock is kept per location. Managers add and change locations.' }),
    formBox, h('div', { class: 'table-wrap' }, tbl), status);
  newBtn?.addEventListener('click', openCreate);

  async function load() {
    try {
      const { items } = await get('/locations', {}, ctx.signal);
      tbody.replaceChildren(...items.map(row));
      replace(status, items.length ? null : statusLine('No locations.', 'empty'));
    } catch (e) {
      if (isQuiet(e)) return;
      replace(status, statusLine(`Could not load the locations. ${e.message}`, 'error'),
        h('button', { type: 'button', class: 'secondary small', onclick: load, text: 'Retry' }));
    }
  }

  function row(l) {
    const tr = h('tr', { dataset: { code: l.code }, class: l.active ? null : 'archived' },
      h('td', { class: 'mono', text: l.code }),
      h('td', { text: l.name }),
      h('td', {}, h('span', { class: l.active ? 'badge ok' : 'badge muted', text: l.active ? 'Active' : 'Inactive' })),
      manager ? h('td', { class: 'row-actions' },
        h('button', { type: 'button', class: 'rename-location small secondary', 'aria-label': `Rename ${l.code}`, text: 'Rename', onclick: () => openRename(l) }),
        l.active && l.code !== 'main' ? h('button', { type: 'button', class: 'deactivate-location small danger-outline', 'aria-label': `Deactivate ${l.code}`, text: 'Deactivate', onclick: (e) => setActive(l, false, e.currentTarget) }) : null,
        l.active ? null : h('button', { type: 'button', class: 'reactivate-location small secondary', 'aria-label': `Reactivate ${l.code}`, text: 'Reactivate', onclick: (e) => setActive(l, true, e.currentTarget) })) : null);
    return tr;
  }

  function replaceRow(l) {
    const old = tbody.querySelector(`tr[data-code="${CSS.escape(l.code)}"]`);
    if (old) old.replaceWith(row(l));
    else tbody.append(row(l));
  }

  async function setActive(l, active, btn) {
    if (!active) {
      const ok = await confirmAction(`Deactivate ${l.code} “${l.name}”? It takes no new stock or sales until it is reactivated; its stock and history are kept.`, { title: 'Deactivate location', yes: 'Deactivate' });
      if (!ok) return;
    }
    btn.disabled = true;
    try {
      const updated = await patch(`/locations/${seg(l.code)}`, { active }, { signal: ctx.signal });
      flash(`${l.code} ${updated.active ? 'reactivated' : 'deactivated'}.`, 'success');
      replaceRow(updated);
    } catch (e) {
      if (isQuiet(e)) return;
      btn.disabled = false;
      flash(`Could not ${active ? 'reactivate' : 'deactivate'} ${l.code}: ${e.message}`, 'error');
    }
  }

  /** A form of `fields` titled `title`, saved by `submit(values)`; field errors shown by name. */
  function openForm({ id, title, fields, saveText, submit }) {
    const save = h('button', { type: 'submit', id: `${id}-save`, class: 'primary', text: saveText });
    const form = h('form', { id, class: 'panel form-grid', novalidate: true, 'aria-labelledby': `${id}-title` },
      h('h2', { id: `${id}-title`, class: 'wide', text: title }),
      Object.values(fields).map((f) => f.wrap),
      h('div', { class: 'actions wide' }, save, h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: close })));
    formAlert(form);
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      const values = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input.value.trim()]));
      for (const [k, v] of Object.entries(values)) if (!v) setFieldError(form, k, 'Required.');
      const invalid = form.querySelector('[aria-invalid="true"]');
      if (invalid) { invalid.focus(); return; }
      save.disabled = true;
      try {
        await submit(values);
        close();
      } catch (e) {
        if (!isQuiet(e)) showFormError(form, e);
      } finally {
        save.disabled = false;
      }
    });
    replace(formBox, form);
    Object.values(fields).find((f) => !f.input.readOnly)?.input.focus();
  }

  function openCreate() {
    openForm({
      id: 'location-form', title: 'New location', saveText: 'Add location',
      fields: {
        code: field('Code', { name: 'code', required: true, maxlength: 32, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', hint: 'Letters, digits, “-” and “_”; stored in lower case, e.g. backroom.' }),
        name: field('Name', { name: 'name', required: true, maxlength: 100, autocomplete: 'off', hint: 'e.g. Back room' }),
      },
      submit: async (values) => {
        const created = await post('/locations', values, { signal: ctx.signal });
        flash(`Location ${created.code} added.`, 'success');
        replaceRow(created);
        replace(status, null);
      },
    });
  }

  function openRename(l) {
    openForm({
      id: 'rename-location-form', title: `Rename ${l.code}`, saveText: 'Save name',
      fields: { name: field('Name', { name: 'name', required: true, maxlength: 100, value: l.name, autocomplete: 'off' }) },
      submit: async (values) => {
        if (values.name === l.name) { flash('Nothing changed.'); return; }
        const updated = await patch(`/locations/${seg(l.code)}`, { name: values.name }, { signal: ctx.signal });
        flash(`${l.code} renamed to “${updated.name}”.`, 'success');
        replaceRow(updated);
      },
    });
  }

  function close() {
    formBox.replaceChildren();
    newBtn?.focus();
  }

  return load();
}
