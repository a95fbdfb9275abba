// Importing products from CSV (managers, on the Products screen): choose a file, check it (a
// dry run: nothing changes), see what it would create and update and every error by line and
// column, then apply it — only when the check found no error; all or nothing. A template to
// start from is made here.
// Selectors: `#import-file`, `#import-check`, `#import-template`, `#import-preview`
// (`[data-figure]` counts), `#import-errors tr`, `#import-apply`, `#import-result[data-state]`.

import { request, isQuiet } from '../../api.js';
import { h, replace, field, formAlert, showFormError, clearErrors, statusLine } from '../../dom.js';
import { int } from '../../format.js';
import { fileLink } from '../../exports.js';
import { loadLocations } from '../stock/forms.js';
import { COLUMNS, templateCsv } from './template.js';

/** Opens the wizard in `box`; `onImported()` after a real run changed the catalog. */
export async function openImport(ctx, box, { onImported, onClose }) {
  const file = field('CSV file', { id: 'import-file', name: 'file', type: 'file', accept: '.csv,text/csv', required: true,
    hint: 'UTF-8, comma or semicolon separated, a header row naming the columns.' });
  const check = h('button', { type: 'submit', id: 'import-check', class: 'primary', text: 'Check file' });
  const templateBox = h('span', { class: 'import-template' });
  const preview = h('div', { id: 'import-preview', 'aria-live': 'polite' });
  const form = h('form', { id: 'import-form', class: 'panel', novalidate: true, 'aria-labelledby': 'import-title' },
    h('h2', { id: 'import-title', text: 'Import products from CSV' }),
    h('ol', { class: 'steps' }, h('li', { text: 'Choose a file' }), h('li', { text: 'Check it: nothing changes yet' }), h('li', { text: 'Apply it when no error is found' })),
    h('div', { class: 'form-grid' }, file.wrap),
    h('details', { class: 'import-columns' }, h('summary', { text: 'Columns' }),
      h('dl', {}, COLUMNS.map(([name, what]) => [h('dt', { class: 'mono', text: name }), h('dd', { text: what })]))),
    h('div', { class: 'actions' }, check, templateBox, h('button', { type: 'button', class: 'secondary', text: 'Close', onclick: close })),
    preview);
  formAlert(form);
  replace(box, form);
  file.input.focus();

  let chosen = null;
  file.input.addEventListener('change', () => {
    chosen = file.input.files?.[0] || null;
    clearErrors(form);
    preview.replaceChildren();
  });
  form.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (check.disabled) return;
    clearErrors(form);
    if (!chosen) {
      showFormError(form, { message: 'Choose a CSV file first.', errors: [] });
      file.input.focus();
      return;
    }
    check.disabled = true;
    replace(preview, statusLine(`Checking ${chosen.name}…`));
    try {
      showPreview(chosen, await send(chosen, true));
    } catch (e) {
      if (isQuiet(e)) return;
      showProblem(e);
    } finally {
      check.disabled = false;
    }
  });

  async function send(f, dryRun) {
    return (await request('/imports/products', { method: 'POST', raw: f, contentType: 'text/csv', query: { dry_run: dryRun ? 'true' : '' }, signal: ctx.signal })).data;
  }

  function showPreview(f, r) {
    const errors = r.errors || [];
    const apply = h('button', { type: 'button', id: 'import-apply', class: 'primary', text: 'Apply import',
      disabled: errors.length > 0 || !r.rows, onclick: () => applyImport(f, apply) });
    replace(preview, h('section', { class: 'import-preview', 'aria-labelledby': 'import-preview-title', dataset: { state: errors.length ? 'errors' : 'ok' } },
      h('h3', { id: 'import-preview-title', text: `Check of ${f.name}` }),
      counts(r, false),
      errors.length
        ? [h('p', { class: 'error', role: 'alert', text: `${int(errors.length)} error${errors.length === 1 ? '' : 's'}: correct the file, choose it again and check it. Nothing is imported while an error remains.` }), errorTable(errors)]
        : h('p', { class: 'ok-text', text: r.rows ? 'No errors found. Apply the import to make these changes.' : 'The file has no rows to import.' }),
      h('div', { class: 'actions' }, apply)));
    if (!errors.length && r.rows) apply.focus();
  }

  async function applyImport(f, btn) {
    btn.disabled = true;
    check.disabled = true;
    btn.textContent = 'Importing…';
    try {
      const r = await send(f, false);
      replace(preview, h('section', { id: 'import-result', class: 'import-result', role: 'status', tabindex: '-1', dataset: { state: 'success' } },
        h('h3', { text: 'Imported' }), counts(r, true)));
      document.getElementById('import-result').focus();
      onImported();
    } catch (e) {
      if (isQuiet(e)) return;
      btn.textContent = 'Apply import';
      showProblem(e);
    } finally {
      check.disabled = false;
    }
  }

  /** A refusal: row errors as a table (nothing was imported), anything else in the alert. */
  function showProblem(e) {
    // The API names each bad cell in the problem's `rows` ({line, column, reason}).
    const rowErrors = Array.isArray(e.problem?.rows) ? e.problem.rows : [];
    if (!rowErrors.length) {
      preview.replaceChildren();
      showFormError(form, e);
      return;
    }
    replace(preview, h('section', { id: 'import-result', dataset: { state: 'refused' }, 'aria-labelledby': 'import-refused-title' },
      h('h3', { id: 'import-refused-title', text: 'Nothing was imported' }),
      h('p', { class: 'error', role: 'alert', text: `${e.detail || e.title} Correct the file, choose it again and check it.` }),
      errorTable(rowErrors)));
  }

  function close() {
    box.replaceChildren();
    onClose?.();
  }

  const locations = await loadLocations(ctx.signal).catch((e) => { if (isQuiet(e)) throw e; return []; });
  replace(templateBox, fileLink({ id: 'import-template', filename: 'products-template.csv', label: 'Download a template',
    text: templateCsv(locations.filter((l) => l.active).map((l) => l.code)), onCleanup: ctx.onCleanup }));
}

function counts(r, done) {
  const fig = (term, n, figure) => [h('dt', { text: term }), h('dd', { class: 'num', dataset: { figure, count: n ?? 0 }, text: int(n ?? 0) })];
  return h('dl', { class: 'facts import-counts' },
    fig('Rows read', r.rows, 'rows'),
    fig(done ? 'Products created' : 'Products to create', r.created, 'created'),
    fig(done ? 'Products updated' : 'Products to update', r.updated, 'updated'),
    fig(done ? 'Opening stock rows recorded' : 'Opening stock rows', r.stock_rows, 'stock_rows'));
}

function errorTable(errors) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'data', id: 'import-errors' },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num', text: 'Line' }), h('th', { scope: 'col', text: 'Column' }), h('th', { scope: 'col', text: 'Reason' }))),
    h('tbody', {}, errors.map((e) => h('tr', { dataset: { line: e.line ?? '' } },
      h('td', { class: 'num', text: e.line ?? '' }), h('td', { class: 'mono', text: e.column ?? '' }), h('td', { text: e.reason ?? e.message ?? '' }))))));
}
