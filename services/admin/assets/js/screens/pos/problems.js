// Why a sale was not recorded, in the till's words: stock shortages (the short lines marked),
// a sale still being recorded or perhaps already recorded, a closed or missing shift, field
// errors named by line, anything else from the problem's title and detail.

import { h } from '../../dom.js';
import { ApiError } from '../../api.js';

/**
 * The message for error `e` of `POST /sales` about `basket`. A stock shortage also sets the
 * short lines' `available`. Answers the content for the till's message box.
 */
export function explainSaleError(e, basket) {
  if (!(e instanceof ApiError)) {
    return [h('strong', { text: 'The sale could not be completed. ' }), String(e && e.message ? e.message : e)];
  }
  if (e.slug === 'insufficient-stock') {
    const short = Array.isArray(e.problem.lines) ? e.problem.lines : [];
    for (const s of short) {
      const line = basket.lines.get(s.sku);
      if (line && Number.isFinite(s.available)) line.available = s.available;
    }
    return [h('strong', { text: 'Not enough stock. Nothing was recorded.' }),
      short.length ? h('ul', {}, short.map((s) => h('li', { text: `${s.sku}${basket.lines.get(s.sku) ? ` ${basket.lines.get(s.sku).name}` : ''}: ${s.requested} wanted, only ${s.available} available` }))) : h('p', { text: e.detail })];
  }
  if (e.slug === 'idempotency-key-in-use') {
    // The first attempt has not finished (or died with its process and is not yet given up).
    return [h('strong', { text: 'This sale is still being recorded. ' }), 'Press “Complete sale” again in a moment: it will not be recorded twice.'];
  }
  if (e.slug === 'idempotency-key-reused') {
    // This key already recorded a different basket: it may have gone through.
    return [h('strong', { text: 'This sale may already have been recorded. ' }), 'Check the sales list before trying again; the next try counts as a new sale.'];
  }
  if (e.slug === 'approval-required') {
    return [h('strong', { text: 'Not recorded: the discounts need a manager’s approval. ' }), e.detail || ''];
  }
  if (e.slug === 'serial-unavailable') {
    // Sold meanwhile at another till, not here, or not in the shop at all: take it out of the sale.
    return [h('strong', { text: 'Not recorded: a unit scanned cannot be sold. ' }), 'Take it out of the sale (✕ next to its serial number) and scan another unit.',
      h('ul', {}, e.errors.map((fe) => h('li', { text: fe.reason ?? '' })))];
  }
  if (e.slug === 'shift-closed') {
    return [h('strong', { text: 'Not recorded: this till’s shift has been closed. ' }), 'Open a new shift, then press “Complete sale” again.'];
  }
  if (e.errors.some((fe) => fe.field === 'shift_id')) {
    return [h('strong', { text: 'Not recorded: no shift is open at this till. ' }), 'This shop sells only during an open shift: open one, then press “Complete sale” again.'];
  }
  if (e.errors.length) {
    return [h('strong', { text: e.title }), e.detail ? ` ${e.detail}` : '', h('ul', {}, e.errors.map((fe) => h('li', { text: fieldText(fe, basket) })))];
  }
  return [h('strong', { text: e.title }), e.detail ? ` ${e.detail}` : '',
    e.status === 0 || e.status >= 500 ? ' You can press “Complete sale” again; it will not be recorded twice.' : ''];
}

/** A field error of the sale request, its line named by SKU: "CPU-1: must be at most …". */
export function fieldText(fe, basket) {
  const m = /^lines\[(\d+)\]/.exec(fe.field || '');
  const sku = m ? [...basket.lines.keys()][Number(m[1])] : null;
  const reason = fe.reason ?? fe.message ?? '';
  return sku ? `${sku}: ${reason}` : `${fe.field} ${reason}`;
}
