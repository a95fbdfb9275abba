// Account (/account, everyone): one's own details, password change, and API tokens.

import { h, replace, flash } from '../dom.js';
import { dateTime } from '../format.js';
import { passwordForm } from './login.js';
import { roleWithHelp } from './roles.js';
import { tokensSection } from './tokens.js';

export function renderAccount(ctx) {
  ctx.title('Your account');
  const u = ctx.me.user;
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Your account' })),
    h('dl', { class: 'facts' },
      h('dt', { text: 'Username' }), h('dd', { class: 'mono', text: u.username }),
      h('dt', { text: 'Display name' }), h('dd', { text: u.display_name || '—' }),
      h('dt', { text: 'Role' }), h('dd', { text: roleWithHelp(ctx.me.role) }),
      h('dt', { text: 'Last login' }), h('dd', { text: u.last_login_at ? dateTime(u.last_login_at) : '—' })),
    h('section', { class: 'panel narrow', 'aria-labelledby': 'pw-title' },
      h('h2', { id: 'pw-title', text: 'Change your password' }),
      h('p', { class: 'muted small', text: 'Your other sessions end when you change it.' }),
      passwordForm({ forced: false, onChanged: async () => flash('Password changed.', 'success') })),
    tokensSection(ctx));
}
