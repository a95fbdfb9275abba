// Who is signed in: the `/auth/me` answer, and what its role allows. The role order comes
// from the server (`roles`, lowest first).

import { api, csrfToken } from './api.js';

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

/** The session's principal, or null when there is none. */
export async function loadMe() {
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
