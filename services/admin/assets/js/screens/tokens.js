// One's own API tokens, on the account and users screens: create one (the token is shown
// once), list them, revoke one. A token's role is at most its owner's.

import { get, post, del, seg, isQuiet } from '../api.js';
import { h, replace, field, table, clearErrors, setFieldError, showFormError, formAlert, confirmAction, flash, statusLine } from '../dom.js';
import { dateTime, label } from '../format.js';

export function tokensSection(ctx) {
  const roles = ctx.me.roles;
  const myRank = roles.indexOf(ctx.me.role);
  const { table: tbl, tbody } = table(['Name', 'Role', 'Created', 'Expires', 'Last used', 'Status', { label: 'Actions', class: 'actions-col' }]);
  tbl.id = 'token-list';
  const status = h('div', { class: 'list-status' }, statusLine('Loading tokens…'));
  const created = h('div', { class: 'new-token-box' });
  const name = field('Token name', { name: 'name', required: true, maxlength: 100, placeholder: 'e.g. accounting export', autocomplete: 'off' });
  const role = field('Role', { name: 'role', type: 'select', options: roles.slice(0, myRank + 1).map((r) => ({ value: r, label: r, selected: r === 'viewer' })) });
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
