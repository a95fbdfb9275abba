// The app shell: the session (who is signed in, with which role), the header (nav, current
// user, logout, live indicator), and the History-API router that renders one screen at a time.

import { api, setAuthHandlers, isQuiet, csrfToken } from './api.js';
import { h, replace, guard, flash, reportError } from './dom.js';
import * as live from './live.js';
import * as overview from './screens/overview.js';
import * as products from './screens/products.js';
import * as stock from './screens/stock.js';
import * as pos from './screens/pos.js';
import * as sales from './screens/sales.js';
import * as alerts from './screens/alerts.js';
import * as users from './screens/users.js';
import * as login from './screens/login.js';

const RANK = { viewer: 0, clerk: 1, manager: 2, admin: 3 };
const APP_NAME = 'Inventory Tracker';

/** The signed-in principal (the `/auth/me` answer) or null. */
let me = null;
/** Where to go after logging in. */
let returnTo = '/';
/** Cleanup of the current screen (unsubscribe, timers, aborting its requests). */
let current = null;

const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/products', label: 'Products' },
  { href: '/stock', label: 'Stock' },
  { href: '/pos', label: 'Point of sale', role: 'clerk' },
  { href: '/sales', label: 'Sales' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/users', label: 'Users', role: 'admin' },
];

const ROUTES = [
  { re: /^\/$/, screen: overview.render },
  { re: /^\/products$/, screen: products.render },
  { re: /^\/stock$/, screen: stock.renderList },
  { re: /^\/stock\/([^/]+)$/, screen: stock.renderDetail },
  { re: /^\/pos$/, screen: pos.render, role: 'clerk' },
  { re: /^\/sales$/, screen: sales.renderList },
  { re: /^\/sales\/([^/]+)$/, screen: sales.renderDetail },
  { re: /^\/alerts$/, screen: alerts.render },
  { re: /^\/users$/, screen: users.render, role: 'admin' },
  { re: /^\/account$/, screen: users.renderAccount },
];

/** Whether the signed-in credential has at least `role`. */
export function can(role) {
  return !!me && RANK[me.role] >= RANK[role];
}

export function currentUser() {
  return me;
}

/** Goes to `path` inside the app without reloading. */
export function navigate(path, { replace: replaceState = false } = {}) {
  if (replaceState) history.replaceState(null, '', path);
  else if (path !== location.pathname + location.search) history.pushState(null, '', path);
  route();
}

function setTitle(screen) {
  document.title = `${screen} · ${APP_NAME}`;
}

// ---- session ----

async function loadMe() {
  // Without the readable CSRF cookie there is no browser session: skip the request (and the
  // 401 the browser would log) and show the login form at once.
  if (!csrfToken()) return null;
  try {
    return await api('/auth/me', { skipAuthRedirect: true });
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}

function startSession(principal) {
  me = principal;
  renderHeader();
  if (!me.user.must_change_password) live.connect();
}

function endSession() {
  me = null;
  live.disconnect();
  renderHeader();
}

function onUnauthorized() {
  if (!me && location.pathname === '/login') return;
  if (location.pathname !== '/login') returnTo = location.pathname + location.search;
  endSession();
  flash('Your session has ended. Please log in again.', 'info');
  navigate('/login', { replace: true });
}

function onPasswordChangeRequired() {
  if (me) me.user.must_change_password = true;
  live.disconnect();
  renderHeader();
  route();
}

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
  returnTo = '/';
  endSession();
  navigate('/login');
}

// ---- header ----

function renderHeader() {
  const nav = document.getElementById('app-nav');
  const who = document.getElementById('current-user');
  const logoutBtn = document.getElementById('logout');
  if (!me) {
    nav.replaceChildren();
    who.replaceChildren();
    who.hidden = true;
    logoutBtn.hidden = true;
    document.body.classList.remove('signed-in');
    return;
  }
  document.body.classList.add('signed-in');
  const links = me.user.must_change_password ? [] : NAV.filter((l) => !l.role || can(l.role));
  replace(nav, h('ul', {}, links.map((l) => h('li', {}, h('a', { href: l.href, text: l.label })))));
  const name = me.user.display_name && me.user.display_name !== me.user.username
    ? `${me.user.display_name} (${me.user.username})` : me.user.username;
  replace(who,
    h('a', { href: '/account', class: 'user-name', title: 'Your account and API tokens', text: name }),
    ' ',
    h('span', { class: `role-badge role-${me.role}`, text: me.role }));
  who.hidden = false;
  logoutBtn.hidden = false;
  markActiveLink();
}

function markActiveLink() {
  const path = location.pathname;
  document.querySelectorAll('#app-nav a').forEach((a) => {
    const href = a.getAttribute('href');
    const active = href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

// ---- router ----

function cleanupCurrent() {
  // A confirmation asked by the screen being left must not outlive it.
  const dialog = document.getElementById('confirm-dialog');
  if (dialog && dialog.open) dialog.close('');
  if (!current) return;
  const { controller, cleanups } = current;
  current = null;
  controller.abort();
  for (const fn of cleanups) {
    try { fn(); } catch (e) { console.warn('cleanup failed', e); }
  }
}

function route() {
  cleanupCurrent();
  const main = document.getElementById('main');
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const controller = new AbortController();
  const cleanups = [];
  current = { controller, cleanups };
  const ctx = {
    main,
    signal: controller.signal,
    params: [],
    me,
    can,
    navigate,
    title: setTitle,
    onCleanup: (fn) => cleanups.push(fn),
    live: (types, fn) => cleanups.push(live.subscribe(types, fn)),
  };
  main.replaceChildren();
  markActiveLink();

  if (!me) {
    if (path !== '/login') {
      returnTo = location.pathname + location.search;
      history.replaceState(null, '', '/login');
    }
    return run(login.renderLogin, ctx, { onLoggedIn: afterLogin });
  }
  if (me.user.must_change_password) {
    return run(login.renderPasswordChange, ctx, { forced: true, onChanged: afterPasswordChange });
  }
  if (path === '/login') {
    history.replaceState(null, '', '/');
    return route();
  }
  for (const r of ROUTES) {
    const m = r.re.exec(path);
    if (!m) continue;
    if (r.role && !can(r.role)) return notAllowed(ctx, r.role);
    ctx.params = m.slice(1).map((p) => decodeURIComponent(p));
    return run(r.screen, ctx);
  }
  return notFound(ctx);
}

function run(screen, ctx, extra) {
  try {
    const result = screen(ctx, extra);
    if (result && typeof result.catch === 'function') {
      result.catch((e) => { if (!isQuiet(e) && !ctx.signal.aborted) showScreenError(ctx, e); });
    }
  } catch (e) {
    if (!ctx.signal.aborted) showScreenError(ctx, e);
  }
  focusMain(ctx.main);
}

function focusMain(main) {
  if (main.contains(document.activeElement)) return;
  const auto = main.querySelector('[autofocus]');
  if (auto) auto.focus();
  else main.focus({ preventScroll: true });
}

function showScreenError(ctx, e) {
  console.warn(e);
  ctx.main.append(h('p', { class: 'error', role: 'alert', text: e.message || String(e) }));
}

function notFound(ctx) {
  ctx.title('Not found');
  replace(ctx.main, h('h1', { text: 'Page not found' }),
    h('p', {}, 'There is no page at this address. ', h('a', { href: '/', text: 'Go to the overview' }), '.'));
}

function notAllowed(ctx, role) {
  ctx.title('Not allowed');
  replace(ctx.main, h('h1', { text: 'Not allowed' }),
    h('p', { text: `This page needs the ${role} role; you are signed in as ${me.role}.` }),
    h('p', {}, h('a', { href: '/', text: 'Go to the overview' })));
}

async function afterLogin() {
  const principal = await loadMe();
  if (!principal) throw new Error('Logged in, but the session was not accepted. Are cookies enabled?');
  startSession(principal);
  const target = returnTo && returnTo !== '/login' ? returnTo : '/';
  returnTo = '/';
  navigate(target, { replace: true });
}

async function afterPasswordChange() {
  const principal = await loadMe();
  if (!principal) return onUnauthorized();
  startSession(principal);
  flash('Password changed.', 'success');
  const target = location.pathname === '/login' ? '/' : location.pathname + location.search;
  navigate(target, { replace: true });
}

// ---- links ----

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

// ---- boot ----

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
  const main = document.getElementById('main');
  let principal;
  try {
    principal = await loadMe();
  } catch (e) {
    setTitle('Unavailable');
    replace(main, h('h1', { text: 'Cannot reach the server' }),
      h('p', { class: 'error', role: 'alert', text: e.message }),
      h('button', { type: 'button', onclick: () => location.reload(), text: 'Try again' }));
    return;
  }
  if (principal) startSession(principal);
  else renderHeader();
  route();
}

boot().catch(reportError);
