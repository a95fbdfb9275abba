// The History-API router: one screen at a time, each with its own abort signal and cleanups,
// and the moves between signed out (the login screen), a forced password change and signed
// in.

import { isQuiet } from './api.js';
import { h, replace, flash } from './dom.js';
import { renderHeader, markActiveLink } from './header.js';
import * as live from './live.js';
import { can, currentUser, loadMe, setCurrentUser } from './session.js';
import * as overview from './screens/overview.js';
import * as products from './screens/products.js';
import * as stockList from './screens/stock/list.js';
import * as stockDetail from './screens/stock/detail.js';
import * as pos from './screens/pos/index.js';
import * as salesList from './screens/sales/list.js';
import * as saleDetail from './screens/sales/detail.js';
import * as shiftsList from './screens/shifts/list.js';
import * as shiftDetail from './screens/shifts/detail.js';
import * as suppliers from './screens/suppliers/list.js';
import * as poList from './screens/purchasing/list.js';
import * as poForm from './screens/purchasing/form.js';
import * as poDetail from './screens/purchasing/detail.js';
import * as poReceive from './screens/purchasing/receive.js';
import * as reorder from './screens/purchasing/suggestions.js';
import * as customers from './screens/customers.js';
import * as reports from './screens/reports/index.js';
import * as alerts from './screens/alerts.js';
import * as serials from './screens/serials.js';
import * as rmaBoard from './screens/rmas/board.js';
import * as rmaDetail from './screens/rmas/detail.js';
import * as locations from './screens/locations.js';
import * as users from './screens/users.js';
import * as account from './screens/account.js';
import * as login from './screens/login.js';

const APP_NAME = 'Inventory Tracker';

/**
 * Every screen by its address; `{name}` matches one path segment. The server answers each
 * address with the page (services/admin/src/assets.rs `PAGES`, which a test keeps in step).
 */
const ROUTES = [
  { path: '/', screen: overview.render },
  { path: '/products', screen: products.render },
  { path: '/stock', screen: stockList.renderList },
  { path: '/stock/{sku}', screen: stockDetail.renderDetail },
  { path: '/purchasing', screen: poList.renderList },
  { path: '/purchasing/suggestions', screen: reorder.renderSuggestions },
  { path: '/purchasing/new', screen: poForm.renderNew, role: 'manager' },
  { path: '/purchasing/{id}', screen: poDetail.renderDetail },
  { path: '/purchasing/{id}/edit', screen: poForm.renderEdit, role: 'manager' },
  { path: '/purchasing/{id}/receive', screen: poReceive.renderReceive, role: 'manager' },
  { path: '/suppliers', screen: suppliers.render },
  { path: '/pos', screen: pos.render, role: 'clerk' },
  { path: '/sales', screen: salesList.renderList },
  { path: '/sales/{id}', screen: saleDetail.renderDetail },
  { path: '/customers', screen: customers.render, role: 'clerk' },
  { path: '/reports', screen: reports.render },
  { path: '/shifts', screen: shiftsList.renderList, role: 'clerk' },
  { path: '/shifts/{id}', screen: shiftDetail.renderDetail, role: 'clerk' },
  { path: '/alerts', screen: alerts.render },
  { path: '/serials/{serial}', screen: serials.render },
  { path: '/rmas', screen: rmaBoard.render },
  { path: '/rmas/{id}', screen: rmaDetail.render },
  { path: '/locations', screen: locations.render },
  { path: '/users', screen: users.render, role: 'admin' },
  { path: '/account', screen: account.renderAccount },
].map((r) => ({ ...r, re: new RegExp(`^${r.path.replace(/\{[a-z]+\}/g, '([^/]+)')}$`) }));

/** Where to go after logging in. */
let returnTo = '/';
/** Cleanup of the current screen (unsubscribe, timers, aborting its requests). */
let current = null;

/** Goes to `path` inside the app without reloading. */
export function navigate(path, { replace: replaceState = false } = {}) {
  if (replaceState) history.replaceState(null, '', path);
  else if (path !== location.pathname + location.search) history.pushState(null, '', path);
  route();
}

function setTitle(screen) {
  document.title = `${screen} · ${APP_NAME}`;
}

export function startSession(principal) {
  setCurrentUser(principal);
  renderHeader(principal, can);
  if (!principal.user.must_change_password) live.connect();
}

export function endSession() {
  setCurrentUser(null);
  live.disconnect();
  renderHeader(null, can);
}

/** The server no longer accepts the session: back to the login screen. */
export function onUnauthorized() {
  if (!currentUser() && location.pathname === '/login') return;
  if (location.pathname !== '/login') returnTo = location.pathname + location.search;
  endSession();
  flash('Your session has ended. Please log in again.', 'info');
  navigate('/login', { replace: true });
}

/** The server asks for a new password before anything else. */
export function onPasswordChangeRequired() {
  const me = currentUser();
  if (me) me.user.must_change_password = true;
  live.disconnect();
  renderHeader(me, can);
  route();
}

/** After logging out: the next login starts at the overview. */
export function forgetReturn() {
  returnTo = '/';
}

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

/** Shows the screen of the current address. */
export function route() {
  cleanupCurrent();
  const me = currentUser();
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
    h('p', { text: `This page needs the ${role} role; you are signed in as ${currentUser().role}.` }),
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

/** Shows the screen for the unreachable server, with a way to try again. */
export function showUnavailable(e) {
  setTitle('Unavailable');
  replace(document.getElementById('main'), h('h1', { text: 'Cannot reach the server' }),
    h('p', { class: 'error', role: 'alert', text: e.message }),
    h('button', { type: 'button', onclick: () => location.reload(), text: 'Try again' }));
}
