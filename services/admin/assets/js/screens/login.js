// Login screen (form#login-form) and the password change form (form#password-form), which is
// forced after the first login or a password reset, and offered on the account page.

import { api } from '../api.js';
import { h, replace, field, clearErrors, setFieldError, showFormError, formAlert } from '../dom.js';

/** The login form; `onLoggedIn()` runs after a successful login. */
export function renderLogin(ctx, { onLoggedIn }) {
  ctx.title('Log in');
  const username = field('Username', { id: 'login-username', name: 'username', autocomplete: 'username', required: true, autofocus: true, autocapitalize: 'none', spellcheck: 'false' });
  const password = field('Password', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary', text: 'Log in' });
  const alert = h('div', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true });
  const form = h('form', { id: 'login-form', class: 'stack', novalidate: true }, alert, username.wrap, password.wrap, h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    alert.hidden = true;
    const user = username.input.value.trim();
    const pass = password.input.value;
    if (!user || !pass) {
      alert.textContent = 'Enter your username and password.';
      alert.hidden = false;
      (user ? password.input : username.input).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Logging in…';
    try {
      await api('/auth/login', { method: 'POST', body: { username: user, password: pass }, skipAuthRedirect: true });
      await onLoggedIn();
    } catch (e) {
      if (e.name === 'AbortError') return;
      alert.textContent = e.status === 401 ? 'Wrong username or password.' : e.message;
      alert.hidden = false;
      password.input.value = '';
      password.input.focus();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Log in';
    }
  });

  replace(ctx.main, h('section', { class: 'auth-card' },
    h('h1', { text: 'Log in' }),
    h('p', { class: 'muted', text: 'Inventory Tracker admin dashboard' }),
    form));
}

/**
 * The password change form. `forced`: the user must change it before anything else.
 * `onChanged()` runs after success. Returns the form (for embedding on the account page).
 */
export function passwordForm({ forced = false, onChanged }) {
  const current = field(forced ? 'Current (one-time) password' : 'Current password', { id: 'current-password', name: 'current_password', type: 'password', autocomplete: 'current-password', required: true, autofocus: forced });
  const next = field('New password', { id: 'new-password', name: 'new_password', type: 'password', autocomplete: 'new-password', required: true, hint: 'Use a long passphrase; it must not contain your username.' });
  const confirm = field('Repeat the new password', { id: 'confirm-password', name: 'confirm_password', type: 'password', autocomplete: 'new-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary', text: 'Change password' });
  const form = h('form', { id: 'password-form', class: 'stack', novalidate: true }, current.wrap, next.wrap, confirm.wrap, h('div', { class: 'actions' }, submit));
  formAlert(form);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(form);
    let bad = false;
    if (!current.input.value) { setFieldError(form, 'current_password', 'Enter your current password.'); bad = true; }
    if (!next.input.value) { setFieldError(form, 'new_password', 'Choose a new password.'); bad = true; }
    if (next.input.value !== confirm.input.value) { setFieldError(form, 'confirm_password', 'The two new passwords differ.'); bad = true; }
    if (bad) { form.querySelector('[aria-invalid="true"]')?.focus(); return; }
    submit.disabled = true;
    try {
      await api('/auth/password', { method: 'POST', body: { current_password: current.input.value, new_password: next.input.value } });
      form.reset();
      await onChanged();
    } catch (e) {
      if (e.name === 'AbortError' || e.handled) return;
      showFormError(form, e);
    } finally {
      submit.disabled = false;
    }
  });
  return form;
}

/** The forced password change screen. */
export function renderPasswordChange(ctx, { forced = true, onChanged }) {
  ctx.title('Change password');
  replace(ctx.main, h('section', { class: 'auth-card' },
    h('h1', { text: 'Choose a new password' }),
    forced ? h('p', { text: 'Before you continue, replace the password you were given with one only you know.' }) : null,
    passwordForm({ forced, onChanged })));
}
