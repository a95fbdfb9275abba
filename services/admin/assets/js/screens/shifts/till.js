// The device's till: its id, remembered by the device (`till-1` until another is typed at the
// point of sale), and the open shift of a till.

import { get } from '../../api.js';

const KEY = 'till.id';
export const DEFAULT_TILL = 'till-1';
/** What the API takes as a till id: 1-32 of a-z, 0-9, '-', '_'. */
export const TILL_ID = /^[a-z0-9_-]{1,32}$/;

/** The till id this device remembers, or null when it has none. */
export function storedTillId() {
  try {
    const id = localStorage.getItem(KEY);
    return id && TILL_ID.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** The device's till id (the default until one is remembered). */
export function tillId() {
  return storedTillId() || DEFAULT_TILL;
}

export function rememberTillId(id) {
  try { localStorage.setItem(KEY, id); } catch { /* not remembered then */ }
}

/** The open shift of `till`, or null when none is open. */
export async function findOpenShift(till, signal) {
  const page = await get('/shifts', { till, status: 'open', limit: 1 }, signal);
  return (page.items || [])[0] || null;
}

/**
 * The open shift of the till this device remembers, for a refund to be counted on; null
 * without a remembered till, without an open shift, or when it cannot be read (the server
 * then says whether the refund needs one).
 */
export async function deviceShift(signal) {
  const till = storedTillId();
  if (!till) return null;
  try {
    return await findOpenShift(till, signal);
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    console.warn(`the open shift of ${till} could not be read`, e);
    return null;
  }
}
