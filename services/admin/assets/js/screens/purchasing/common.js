// What the purchasing screens share: the order number as people read it, the states and their
// badges, the tabs between orders and reorder suggestions, and a product found by a scanned or
// typed code (the till's way: a barcode by `?barcode=`, else the SKU).

import { get, seg } from '../../api.js';
import { h } from '../../dom.js';
import { label } from '../../format.js';

/** The states of an order, in the order they come. */
export const PO_STATUSES = ['draft', 'ordered', 'partially_received', 'received', 'cancelled'];

/** 42 → "PO-000042". */
export function poNumber(n) {
  return `PO-${String(n ?? '').padStart(6, '0')}`;
}

/** The status badge of an order (`.badge.po-<status>`, `data-status`). */
export function poBadge(status, id) {
  return h('span', { id, class: `badge po-status po-${status}`, dataset: { status }, text: label(status) });
}

/** Units still to come of an order's lines. */
export function remainingUnits(order) {
  return (order.lines || []).reduce((n, l) => n + (l.remaining || 0), 0);
}

/** Whether a delivery may still be received against `order`. */
export function isOpen(order) {
  return order.status === 'ordered' || order.status === 'partially_received';
}

/** The tabs above the purchasing screens; `current` is the one shown. */
export function purchasingTabs(ctx, current) {
  const tabs = [
    { href: '/purchasing', label: 'Orders', key: 'orders' },
    { href: '/purchasing/suggestions', label: 'Reorder suggestions', key: 'suggestions' },
    ctx.can('manager') ? { href: '/purchasing/new', label: 'New order', key: 'new' } : null,
  ].filter(Boolean);
  return h('nav', { class: 'tabs', 'aria-label': 'Purchasing' },
    h('ul', {}, tabs.map((t) => h('li', {}, h('a', { href: t.href, 'aria-current': t.key === current ? 'page' : null, text: t.label })))));
}

/**
 * The active product of a scanned or typed `code`, or null when none has it: digits are tried
 * as a barcode first, then the code as a SKU (as at the till).
 */
export async function lookupProduct(code, signal) {
  if (/^\d{6,14}$/.test(code)) {
    const page = await get('/products', { barcode: code, active: 'any', limit: 1 }, signal);
    if (page.items && page.items.length) return page.items[0];
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(code)) return null;
  try {
    return await get(`/products/${seg(code.toUpperCase())}`, {}, signal);
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
}

const dayFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** "2026-12-08" (a calendar day) → a readable date; "—" when none. */
export function calendarDay(ymd) {
  if (!ymd) return '—';
  const d = new Date(`${ymd}T00:00:00`);
  return Number.isNaN(d.getTime()) ? ymd : dayFmt.format(d);
}
