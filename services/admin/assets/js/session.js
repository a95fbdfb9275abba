// Who is signed in: the `/auth/me` answer, and what its role allows. The role order comes
// from the server (`roles`, lowest first).

import { api, csrfToken } from './api.js';
import { useCurrency } from './format.js';

/** The signed-in principal (the `/auth/me` answer) or null. */
let me = null;

export function currentUser() {
  return me;
}

export function setCurrentUser(principal) {
  me = principal;
}

/** Whether the signed-in credential may do what `role` may. */
export function can(role) {
  if (!me) return false;
  const needed = me.roles.indexOf(role);
  return needed >= 0 && me.roles.indexOf(me.role) >= needed;
}

/** The shop's settings (name, currency, …), or null until they could be read. */
let shop = null;

export function shopSettings() {
  return shop;
}

/** The session's principal, or null when there is none; with it, the shop's settings. */
export async function loadMe() {
  // Without the readable CSRF cookie there is no browser session: skip the request (and the
  // 401 the browser would log) and show the login form at once.
  if (!csrfToken()) return null;
  let principal;
  try {
    principal = await api('/auth/me', { skipAuthRedirect: true });
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
  if (!principal.user.must_change_password) await loadShop();
  return principal;
}

/** Reads the shop's settings so that money shows in its currency. Without them (the catalog
 * not answering) amounts show as plain numbers rather than keep anyone from working. */
async function loadShop() {
  try {
    shop = await api('/settings/shop', { skipAuthRedirect: true });
    useCurrency(shop.currency, shop.currency_minor_units);
  } catch (e) {
    console.warn('shop settings not loaded; amounts show without a currency', e);
  }
}
