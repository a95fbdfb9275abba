// CSV downloads of the listings: a link to the API's `export.csv` with the listing's current
// filters, kept up to date as they change (the session cookie authenticates the download), and
// files made in the browser (the import template).

import { qs } from './api.js';
import { h } from './dom.js';

/**
 * An `<a download>` to `/api/v1<path>` with the query `params()` answers at the moment it is
 * used (so the filters the listing shows are the ones exported). `id` and `label` name it.
 */
export function exportLink({ id, path, params = () => ({}), label = 'Export CSV', title = 'Download what this list shows as a CSV file' }) {
  const a = h('a', { id, class: 'button secondary export-csv', download: '', title, text: label });
  const sync = () => { a.href = `/api/v1${path}${qs(params())}`; };
  sync();
  // Before the browser follows it (by mouse, keyboard or touch), and whenever a filter changes,
  // so that its address always shows the listing's filters.
  for (const type of ['pointerdown', 'focus', 'mouseenter', 'click']) a.addEventListener(type, sync);
  let shown = false;
  const onFilter = () => {
    if (a.isConnected) { shown = true; sync(); return; }
    if (shown) for (const type of ['input', 'change']) document.removeEventListener(type, onFilter, true);
  };
  for (const type of ['input', 'change']) document.addEventListener(type, onFilter, true);
  a.sync = sync;
  return a;
}

/** CSV text of `rows` (arrays of cells): quoted where needed, CRLF line ends, a BOM for Excel. */
export function csvText(rows) {
  const cell = (v) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",;\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return `\uFEFF${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}

/**
 * A download link for a file made here (`text`), named `filename`. The object URL is freed
 * by `onCleanup` (the screen's cleanup).
 */
export function fileLink({ id, filename, text, type = 'text/csv;charset=utf-8', label, onCleanup }) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  onCleanup?.(() => URL.revokeObjectURL(url));
  return h('a', { id, href: url, download: filename, text: label || filename });
}
