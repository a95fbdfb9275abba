// The app's start: the session is looked up, links inside the app are routed without
// reloading, and the logout button ends the session (see router.js for the screens and
// session.js for who is signed in).

import { api, setAuthHandlers, isQuiet } from './api.js';
import { guard, flash, reportError } from './dom.js';
import { renderHeader } from './header.js';
import { endSession, forgetReturn, navigate, onPasswordChangeRequired, onUnauthorized, route, showUnavailable, startSession } from './router.js';
import { can, loadMe } from './session.js';

async function logout() {
  const btn = document.getElementById('logout');
  btn.disabled = true;
  try {
    await api('/auth/logout', { method: 'POST', skipAuthRedirect: true });
  } catch (e) {
    // Still signed in on the server (network error, 5xx): say so rather than pretend, or the
    // next person at a shared till would find this session open.
    if (e.status !== 401) {
      flash(`Could not log out: ${e.message} Try again.`, 'error');
      return;
    }
  } finally {
    btn.disabled = false;
  }
  forgetReturn();
  endSession();
  navigate('/login');
}

/** Follows a click on a link inside the app without reloading the page. */
function onDocumentClick(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const a = event.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin) return;
  if (/^\/(api|assets|health)(\/|$)/.test(url.pathname)) return;
  event.preventDefault();
  navigate(url.pathname + url.search);
}

async function boot() {
  setAuthHandlers({ unauthorized: onUnauthorized, passwordChangeRequired: onPasswordChangeRequired });
  document.addEventListener('click', onDocumentClick);
  window.addEventListener('popstate', () => route());
  document.getElementById('logout').addEventListener('click', guard(logout));
  window.addEventListener('unhandledrejection', (event) => {
    const e = event.reason;
    if (isQuiet(e)) { event.preventDefault(); return; }
    if (e && e.name === 'ApiError') { event.preventDefault(); reportError(e); }
  });
  let principal;
  try {
    principal = await loadMe();
  } catch (e) {
    showUnavailable(e);
    return;
  }
  if (principal) startSession(principal);
  else renderHeader(null, can);
  route();
}

boot().catch(reportError);
