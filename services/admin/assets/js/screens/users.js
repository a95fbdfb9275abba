// Users (/users, admins): create users, change roles, disable/enable, reset passwords; with
// the admin's own API tokens below.

import { get, post, patch, seg, isQuiet } from '../api.js';
import { h, replace, field, table, clearErrors, setFieldError, showFormError, formAlert, confirmAction, flash, statusLine } from '../dom.js';
import { dateTime } from '../format.js';
import { rolesHelp, roleWithHelp } from './roles.js';
import { tokensSection } from './tokens.js';

export function render(ctx) {
  ctx.title('Users');
  const myId = ctx.me.user.id;
  const formBox = h('div', { class: 'form-box' });
  const newBtn = h('button', { type: 'button', id: 'new-user', class: 'primary', text: 'New user' });
  const { table: tbl, tbody } = table(['Username', 'Display name', 'Role', 'Status', 'Last login', { label: 'Actions', class: 'actions-col' }]);
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' }, statusLine('Loading users…'));
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Users' }), newBtn),
    h('p', { class: 'muted small', text: rolesHelp(ctx.me.roles) }),
    formBox,
    h('div', { class: 'table-wrap' }, tbl), status,
    tokensSection(ctx));
  newBtn.addEventListener('click', openCreate);

  async function load() {
    try {
      const users = await get('/users', {}, ctx.signal);
      tbody.replaceChildren(...users.map(row));
      replace(status, users.length ? null : statusLine('No users.', 'empty'));
    } catch (e) {
      if (isQuiet(e)) return;
      replace(status, statusLine(`Could not load users. ${e.message}`, 'error'),
        h('button', { type: 'button', class: 'secondary small', onclick: load, text: 'Retry' }));
    }
  }

  function row(u) {
    const self = u.id === myId;
    const role = h('select', { class: 'user-role', 'aria-label': `Role of ${u.username}`, disabled: self, title: self ? 'You cannot change your own role' : null },
      ctx.me.roles.map((r) => h('option', { value: r, text: r, selected: r === u.role })));
    role.value = u.role;
    role.addEventListener('change', async () => {
      // A keyboard arrow on a closed select already fires `change`: confirm before acting.
      const ok = await confirmAction(`Make ${u.username} ${role.value}? It takes effect on their next request.`, { title: 'Change role', yes: 'Change role', danger: false });
      if (!ok) { role.value = u.role; role.focus(); return; }
      role.disabled = true;
      try {
        const updated = await patch(`/users/${seg(u.id)}`, { role: role.value }, { signal: ctx.signal });
        flash(`${u.username} is now ${updated.role}.`, 'success');
        tr.replaceWith(row(updated));
      } catch (e) {
        if (isQuiet(e)) return;
        role.value = u.role;
        role.disabled = false;
        flash(`Could not change the role: ${e.message}`, 'error');
      }
    });
    const disable = h('button', { type: 'button', class: `user-disable small ${u.disabled ? 'secondary' : 'danger-outline'}`, disabled: self, text: u.disabled ? 'Enable' : 'Disable', 'aria-label': `${u.disabled ? 'Enable' : 'Disable'} ${u.username}` });
    disable.addEventListener('click', async () => {
      if (!u.disabled) {
        const ok = await confirmAction(`Disable ${u.username}? They are logged out at once and can no longer log in; their API tokens stop working.`, { title: 'Disable user', yes: 'Disable' });
        if (!ok) return;
      }
      disable.disabled = true;
      try {
        const updated = await patch(`/users/${seg(u.id)}`, { disabled: !u.disabled }, { signal: ctx.signal });
        flash(`${u.username} ${updated.disabled ? 'disabled' : 'enabled'}.`, 'success');
        tr.replaceWith(row(updated));
      } catch (e) {
        if (isQuiet(e)) return;
        disable.disabled = false;
        flash(`Could not change ${u.username}: ${e.message}`, 'error');
      }
    });
    const reset = h('button', { type: 'button', class: 'user-reset small secondary', text: 'Reset password', 'aria-label': `Reset the password of ${u.username}`, onclick: () => openReset(u) });
    const tr = h('tr', { dataset: { username: u.username, userId: u.id }, class: u.disabled ? 'disabled-user' : null },
      h('td', { class: 'mono', text: u.username }),
      h('td', { text: u.display_name || '' }),
      h('td', {}, role),
      h('td', {}, u.disabled ? h('span', { class: 'badge muted', text: 'Disabled' }) : h('span', { class: 'badge ok', text: 'Active' }),
        u.must_change_password ? h('span', { class: 'badge warn', text: 'Must change password' }) : null),
      h('td', { text: u.last_login_at ? dateTime(u.last_login_at) : 'Never' }),
      h('td', { class: 'row-actions' }, disable, reset));
    return tr;
  }

  function openCreate() {
    const f = {
      username: field('Username', { name: 'username', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' }),
      display_name: field('Display name', { name: 'display_name', autocomplete: 'off', hint: 'Optional; defaults to the username.' }),
      role: field('Role', { name: 'role', type: 'select', options: ctx.me.roles.map((r) => ({ value: r, label: roleWithHelp(r), selected: r === 'clerk' })) }),
      password: field('First password', { name: 'password', type: 'password', required: true, autocomplete: 'new-password', hint: 'Give it to the user; they choose their own at first login.' }),
      must_change_password: field('Must change the password at first login', { name: 'must_change_password', type: 'checkbox', checked: true }),
    };
    const save = h('button', { type: 'submit', id: 'user-save', class: 'primary', text: 'Create user' });
    const form = h('form', { id: 'user-form', class: 'panel form-grid', novalidate: true, 'aria-labelledby': 'user-form-title' },
      h('h2', { id: 'user-form-title', class: 'wide', text: 'New user' }),
      Object.values(f).map((x) => x.wrap),
      h('div', { class: 'actions wide' }, save, h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: close })));
    formAlert(form);
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      const body = {
        username: f.username.input.value.trim(),
        role: f.role.input.value,
        password: f.password.input.value,
        must_change_password: f.must_change_password.input.checked,
      };
      const dn = f.display_name.input.value.trim();
      if (dn) body.display_name = dn;
      if (!body.username) setFieldError(form, 'username', 'Enter a username.');
      if (!body.password) setFieldError(form, 'password', 'Enter a first password.');
      if (form.querySelector('[aria-invalid="true"]')) { form.querySelector('[aria-invalid="true"]').focus(); return; }
      save.disabled = true;
      try {
        const user = await post('/users', body, { signal: ctx.signal });
        flash(`User ${user.username} created.`, 'success');
        close();
        load();
      } catch (e) {
        if (isQuiet(e)) return;
        if (e.slug === 'username-taken') { clearErrors(form); setFieldError(form, 'username', 'This username is already taken.'); f.username.input.focus(); } else showFormError(form, e);
      } finally {
        save.disabled = false;
      }
    });
    replace(formBox, form);
    f.username.input.focus();
  }

  function openReset(u) {
    const pw = field(`New password for ${u.username}`, { name: 'password', type: 'password', required: true, autocomplete: 'new-password', hint: 'They must choose their own at next login; their sessions end now.' });
    const save = h('button', { type: 'submit', id: 'reset-save', class: 'primary', text: 'Reset password' });
    const form = h('form', { id: 'reset-form', class: 'panel form-grid', novalidate: true },
      h('h2', { class: 'wide', text: `Reset the password of ${u.username}` }), pw.wrap,
      h('div', { class: 'actions wide' }, save, h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: close })));
    formAlert(form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      clearErrors(form);
      if (!pw.input.value) { setFieldError(form, 'password', 'Enter a new password.'); pw.input.focus(); return; }
      save.disabled = true;
      try {
        await post(`/users/${seg(u.id)}/password`, { password: pw.input.value }, { signal: ctx.signal });
        flash(`Password of ${u.username} reset; they must change it at next login.`, 'success');
        close();
        load();
      } catch (e) {
        if (isQuiet(e)) return;
        showFormError(form, e);
      } finally {
        save.disabled = false;
      }
    });
    replace(formBox, form);
    pw.input.focus();
  }

  function close() {
    formBox.replaceChildren();
    newBtn.focus();
  }

  return load();
}
