// A manager's approval, for discounts beyond the shop's limit at the till and for a clerk's
// refunds (returns, voids) above the shop's limit: a dialog asking for a manager's username
// and password, which go with one request and are then forgotten (never stored; the fields
// are cleared after every try).

import { h, replace, field } from '../../dom.js';

/** The approval dialog of the screen `ctx` (added to its page, closed when it is left). */
export function approvalDialog(ctx) {
  const username = field('Manager’s username', { id: 'approval-username', name: 'username', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', required: true });
  const password = field('Manager’s password', { id: 'approval-password', name: 'password', type: 'password', autocomplete: 'off', required: true });
  const reason = h('div', { id: 'approval-reason' });
  const error = h('p', { id: 'approval-error', class: 'form-alert', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', id: 'approval-submit', class: 'primary', text: 'Approve and complete' });
  const cancel = h('button', { type: 'button', id: 'approval-cancel', class: 'secondary', text: 'Cancel' });
  const form = h('form', { class: 'stack', novalidate: true },
    h('h2', { id: 'approval-title', text: 'Manager approval needed' }), reason, error, username.wrap, password.wrap,
    h('div', { class: 'actions' }, cancel, submit));
  const dialog = h('dialog', { id: 'approval-dialog', 'aria-labelledby': 'approval-title', 'aria-describedby': 'approval-reason' }, form);
  ctx.main.append(dialog);

  let pending = null;
  function forget() {
    username.input.value = '';
    password.input.value = '';
  }
  function finish(result) {
    const done = pending;
    pending = null;
    forget();
    error.hidden = true;
    if (dialog.open) dialog.close();
    done?.resolve(result);
  }
  ctx.onCleanup(() => finish(null));
  cancel.addEventListener('click', () => finish(null));
  dialog.addEventListener('cancel', (e) => { e.preventDefault(); finish(null); });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!pending || submit.disabled) return;
    const credentials = { username: username.input.value.trim(), password: password.input.value };
    password.input.value = '';
    if (!credentials.username || !credentials.password) {
      showError('Enter the manager’s username and password.');
      (credentials.username ? password : username).input.focus();
      return;
    }
    submit.disabled = true;
    try {
      const result = await pending.attempt(credentials);
      finish(result);
    } catch (e) {
      if (e && (e.slug === 'approval-refused' || e.status === 429)) {
        showError(e.status === 429
          ? `Too many wrong tries. ${e.detail || 'Wait a moment before trying again.'}`
          : `Not approved: ${e.detail || 'the username or password is wrong, or that user may not approve this.'}`);
        password.input.focus();
      } else {
        const done = pending;
        pending = null;
        forget();
        if (dialog.open) dialog.close();
        done?.reject(e);
      }
    } finally {
      submit.disabled = false;
    }
  });

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  /**
   * Asks for an approval, explaining `why` (nodes or text). `attempt(credentials)` sends the
   * request with them; a refusal keeps the dialog open for another try. Resolves to what
   * `attempt` answered, or null when cancelled; rejects with any other error of `attempt`.
   * `action` names the submit button.
   */
  function ask(why, attempt, { action = 'Approve and complete' } = {}) {
    replace(reason, why);
    submit.textContent = action;
    error.hidden = true;
    forget();
    return new Promise((resolve, reject) => {
      pending = { attempt, resolve, reject };
      dialog.showModal();
      username.input.focus();
    });
  }

  return { ask };
}
