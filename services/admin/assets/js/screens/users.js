// Users (/users, admins): create users, change roles, disable/enable, reset passwords.
// Account (/account, everyone): one's own details, password change, and API tokens
// (create — the token is shown once —, list, revoke). The tokens section is on both pages.

import { get, post, patch, del, seg, isQuiet } from '../api.js';
import { h, replace, field, table, clearErrors, setFieldError, showFormError, formAlert, confirmAction, flash, statusLine } from '../dom.js';
import { dateTime, label } from '../format.js';
import { passwordForm } from './login.js';

const ROLES = ['viewer', 'clerk', 'manager', 'admin'];
const ROLE_HELP = {
  viewer: 'reads everything',
  clerk: '+ records sales and returns',
  manager: '+ products, stock, voids, locations',
  admin: '+ users',
};

// ---- /users ----

export function render(ctx) {
  ctx.title('Users');
  const myId = ctx.me.user.id;
  const formBox = h('div', { class: 'form-box' });
  const newBtn = h('button', { type: 'button', id: 'new-user', class: 'primary', text: 'New user' });
  const { table: tbl, tbody } = table(['Username', 'Display name', 'Role', 'Status', 'Last login', { label: 'Actions', class: 'actions-col' }]);
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' }, statusLine('Loading users…'));
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Users' }), newBtn),
    h('p', { class: 'muted small', text: ROLES.map((r) => `${r}: ${ROLE_HELP[r]}`).join(' · ') }),
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
      ROLES.map((r) => h('option', { value: r, text: r, selected: r === u.role })));
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
      role: field('Role', { name: 'role', type: 'select', options: ROLES.map((r) => ({ value: r, label: `${r} (${ROLE_HELP[r]})`, selected: r === 'clerk' })) }),
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

// ---- /account ----

export function renderAccount(ctx) {
  ctx.title('Your account');
  const u = ctx.me.user;
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Your account' })),
    h('dl', { class: 'facts' },
      h('dt', { text: 'Username' }), h('dd', { class: 'mono', text: u.username }),
      h('dt', { text: 'Display name' }), h('dd', { text: u.display_name || '—' }),
      h('dt', { text: 'Role' }), h('dd', { text: `${ctx.me.role} (${ROLE_HELP[ctx.me.role]})` }),
      h('dt', { text: 'Last login' }), h('dd', { text: u.last_login_at ? dateTime(u.last_login_at) : '—' })),
    h('section', { class: 'panel narrow', 'aria-labelledby': 'pw-title' },
      h('h2', { id: 'pw-title', text: 'Change your password' }),
      h('p', { class: 'muted small', text: 'Your other sessions end when you change it.' }),
      passwordForm({ forced: false, onChanged: async () => flash('Password changed.', 'success') })),
    tokensSection(ctx));
}

// ---- API tokens (own) ----

function tokensSection(ctx) {
  const myRank = ROLES.indexOf(ctx.me.role);
  const { table: tbl, tbody } = table(['Name', 'Role', 'Created', 'Expires', 'Last used', 'Status', { label: 'Actions', class: 'actions-col' }]);
  tbl.id = 'token-list';
  const status = h('div', { class: 'list-status' }, statusLine('Loading tokens…'));
  const created = h('div', { class: 'new-token-box' });
  const name = field('Token name', { name: 'name', required: true, maxlength: 100, placeholder: 'e.g. accounting export', autocomplete: 'off' });
  const role = field('Role', { name: 'role', type: 'select', options: ROLES.slice(0, myRank + 1).map((r) => ({ value: r, label: r, selected: r === 'viewer' })) });
  const days = field('Expires after (days)', { name: 'expires_in_days', type: 'number', min: 1, max: 3650, step: 1, placeholder: 'never', hint: 'Empty: never expires (it can be revoked).' });
  const save = h('button', { type: 'submit', id: 'token-save', class: 'primary', text: 'Create token' });
  const form = h('form', { id: 'token-form', class: 'form-grid', novalidate: true }, name.wrap, role.wrap, days.wrap, h('div', { class: 'actions wide' }, save));
  formAlert(form);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = { name: name.input.value.trim(), role: role.input.value };
    if (!body.name) { setFieldError(form, 'name', 'Give the token a name.'); name.input.focus(); return; }
    if (days.input.value.trim()) body.expires_in_days = Number(days.input.value);
    save.disabled = true;
    try {
      const t = await post('/auth/tokens', body, { signal: ctx.signal });
      form.reset();
      const code = h('code', { id: 'new-token', class: 'token-value', text: t.token });
      const copy = h('button', { type: 'button', class: 'secondary small', text: 'Copy' });
      copy.addEventListener('click', async () => {
        try {
          await navigator.clipboard.writeText(t.token);
          flash('Token copied.', 'success');
        } catch {
          const range = document.createRange();
          range.selectNodeContents(code);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
          flash('Press Ctrl+C to copy the selected token.');
        }
      });
      replace(created, h('div', { class: 'notice', role: 'status' },
        h('p', {}, h('strong', { text: `Token “${t.name}” created. ` }), 'Copy it now: it is shown only this once.'),
        h('p', {}, code, ' ', copy),
        h('button', { type: 'button', class: 'link', text: 'Done, hide it', onclick: () => created.replaceChildren() })));
      load();
    } catch (e) {
      if (isQuiet(e)) return;
      showFormError(form, e);
    } finally {
      save.disabled = false;
    }
  });

  async function load() {
    try {
      const tokens = await get('/auth/tokens', {}, ctx.signal);
      tbody.replaceChildren(...tokens.map((t) => {
        const revoked = !!t.revoked_at;
        const expired = t.expires_at && new Date(t.expires_at) < new Date();
        const revoke = revoked ? null : h('button', { type: 'button', class: 'token-revoke small danger-outline', text: 'Revoke', 'aria-label': `Revoke token ${t.name}` });
        revoke?.addEventListener('click', async () => {
          const ok = await confirmAction(`Revoke the token “${t.name}”? Integrations using it stop working at once.`, { title: 'Revoke token', yes: 'Revoke' });
          if (!ok) return;
          revoke.disabled = true;
          try {
            await del(`/auth/tokens/${seg(t.id)}`, { signal: ctx.signal });
            flash(`Token “${t.name}” revoked.`, 'success');
            load();
          } catch (e) {
            if (isQuiet(e)) return;
            revoke.disabled = false;
            flash(`Could not revoke: ${e.message}`, 'error');
          }
        });
        return h('tr', { dataset: { tokenId: t.id }, class: revoked || expired ? 'muted-row' : null },
          h('td', { text: t.name || '' }),
          h('td', { text: t.role }),
          h('td', { text: dateTime(t.created_at) }),
          h('td', { text: t.expires_at ? dateTime(t.expires_at) : 'Never' }),
          h('td', { text: t.last_used_at ? dateTime(t.last_used_at) : 'Never' }),
          h('td', {}, h('span', { class: revoked || expired ? 'badge muted' : 'badge ok', text: revoked ? 'Revoked' : expired ? 'Expired' : 'Active' })),
          h('td', { class: 'row-actions' }, revoke));
      }));
      replace(status, tokens.length ? null : statusLine('You have no API tokens.', 'empty'));
    } catch (e) {
      if (isQuiet(e)) return;
      replace(status, statusLine(`Could not load tokens. ${e.message}`, 'error'));
    }
  }
  load();

  return h('section', { class: 'panel tokens', 'aria-labelledby': 'tokens-title' },
    h('h2', { id: 'tokens-title', text: 'Your API tokens' }),
    h('p', { class: 'muted small', text: `For integrations: send as “Authorization: Bearer <token>”. A token can have at most your role (${label(ctx.me.role)}).` }),
    created, form, h('div', { class: 'table-wrap' }, tbl), status);
}
