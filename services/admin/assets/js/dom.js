// Small, safe DOM helpers: build elements from data (text is always set as text, never as
// HTML), labelled form fields, field-level error display, the confirm dialog, flash messages,
// paged listings.

import { isQuiet } from './api.js';

/**
 * Creates an element. `attrs`: `class`, `text`, `on<Event>` (listener), `dataset` (object),
 * boolean/string attributes; DOM properties `value`, `checked`, `disabled`, `selected`,
 * `hidden` are set as properties. Children: nodes, strings (as text), arrays, null/false (skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Like `h`, for SVG elements (attributes only; no inline styles). */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') el.textContent = String(v);
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

const PROPS = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'multiple', 'required', 'readOnly']);

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'dataset') Object.entries(v).forEach(([dk, dv]) => { if (dv !== null && dv !== undefined) el.dataset[dk] = String(dv); });
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), guard(v));
    else if (PROPS.has(k)) el[k] = v;
    else if (v === true) el.setAttribute(k, '');
    else if (v === false) continue;
    else el.setAttribute(k, String(v));
  }
}

/** Appends children (nodes, text, arrays; null/false/undefined skipped). */
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Removes every child and appends the given ones. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Wraps an event listener so that a rejected promise is reported, never left unhandled. */
export function guard(fn) {
  return function guarded(event) {
    try {
      const result = fn.call(this, event);
      if (result && typeof result.catch === 'function') result.catch(reportError);
    } catch (e) {
      reportError(e);
    }
  };
}

/** Shows an unexpected error as a flash message (aborts and handled 401s stay silent). */
export function reportError(e) {
  if (!e || e.name === 'AbortError' || e.handled) return;
  flash(e.message || String(e), 'error');
}

let flashTimer = 0;
/** A short message in the shared live region. */
export function flash(message, kind = 'info') {
  const box = document.getElementById('flash');
  if (!box) return;
  box.className = `flash show ${kind}`;
  box.textContent = message;
  clearTimeout(flashTimer);
  flashTimer = setTimeout(() => { box.className = 'flash'; box.textContent = ''; }, kind === 'error' ? 8000 : 4000);
}

let fieldSeq = 0;
/**
 * A labelled field: returns `{wrap, input}`. `opts.type` may be `select` (with `options`:
 * [{value,label}]), `textarea`, or an input type. Other opts become input attributes.
 */
export function field(labelText, opts = {}) {
  const { type = 'text', options = [], hint, wrapClass, ...attrs } = opts;
  const id = attrs.id || `f${++fieldSeq}`;
  let input;
  if (type === 'select') {
    input = h('select', { ...attrs, id }, options.map((o) => h('option', { value: o.value, text: o.label ?? o.value, selected: o.selected })));
    if (attrs.value !== undefined) input.value = attrs.value;
  } else if (type === 'textarea') {
    input = h('textarea', { rows: 3, ...attrs, id });
  } else {
    input = h('input', { type, ...attrs, id });
  }
  const hintEl = hint ? h('small', { class: 'hint', id: `${id}-hint`, text: hint }) : null;
  if (hintEl) input.setAttribute('aria-describedby', hintEl.id);
  const label = h('label', { for: id }, labelText);
  const wrap = type === 'checkbox'
    ? h('div', { class: ['field', 'check', wrapClass] }, input, label, hintEl)
    : h('div', { class: ['field', wrapClass] }, label, input, hintEl);
  return { wrap, input };
}

/** Removes every field error and the form-level alert of `form`. */
export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((e) => e.remove());
  form.querySelectorAll('[aria-invalid="true"]').forEach((input) => {
    input.removeAttribute('aria-invalid');
    const hint = input.id && document.getElementById(`${input.id}-hint`);
    if (hint) input.setAttribute('aria-describedby', hint.id);
    else input.removeAttribute('aria-describedby');
  });
  const alert = form.querySelector('.form-alert');
  if (alert) { alert.hidden = true; alert.replaceChildren(); }
}

/** Shows `message` next to the input named `name` in `form`; returns false if no such input. */
export function setFieldError(form, name, message) {
  const input = form.elements.namedItem(name);
  if (!input || !(input instanceof Element)) return false;
  const id = `${input.id || name}-error`;
  let err = document.getElementById(id);
  if (!err) {
    err = h('p', { class: 'field-error', id });
    (input.closest('.field') || input.parentElement).append(err);
  }
  err.textContent = message;
  input.setAttribute('aria-invalid', 'true');
  const describedBy = new Set((input.getAttribute('aria-describedby') || '').split(' ').filter(Boolean));
  describedBy.add(id);
  input.setAttribute('aria-describedby', [...describedBy].join(' '));
  return true;
}

/**
 * Shows an API error on a form: each `errors[]` entry next to its input (API field names are
 * mapped through `fieldMap`), everything else in the form's `.form-alert` (role="alert").
 */
export function showFormError(form, error, fieldMap = {}) {
  clearErrors(form);
  const leftovers = [];
  for (const fe of error.errors || []) {
    const name = fieldMap[fe.field] ?? fe.field;
    const reason = fe.reason ?? fe.message ?? '';
    const text = `${capitalize(reason)}.`.replace(/\.\.$/, '.');
    if (!setFieldError(form, name, text)) leftovers.push(`${fe.field} ${reason}`);
  }
  const alert = formAlert(form);
  const mainText = error.errors && error.errors.length && !leftovers.length && error.status === 422
    ? 'Please correct the marked fields.'
    : error.message;
  replace(alert, h('p', { text: mainText }), leftovers.length ? h('ul', {}, leftovers.map((l) => h('li', { text: l }))) : null);
  alert.hidden = false;
  const firstInvalid = form.querySelector('[aria-invalid="true"]');
  (firstInvalid || alert).focus?.();
  return alert;
}

/** The form's alert box (created at the top of the form if missing). */
export function formAlert(form) {
  let alert = form.querySelector('.form-alert');
  if (!alert) {
    alert = h('div', { class: 'form-alert', role: 'alert', tabindex: '-1', hidden: true });
    const heading = form.querySelector(':scope > h2');
    if (heading) heading.after(alert);
    else form.prepend(alert);
  }
  return alert;
}

function capitalize(s) {
  return s ? s[0].toUpperCase() + s.slice(1) : s;
}

/**
 * Asks a yes/no question in the shared `<dialog id="confirm-dialog">`; resolves to a boolean.
 * `content` (nodes: labelled fields) is shown below the question, in `#confirm-extra`, until
 * the dialog closes; `validate(form)` may keep it open on "yes" by answering false (after
 * showing why). Give fields in `content` no `<input>` Enter could submit (Enter picks the first
 * button, Cancel): selects and textareas.
 */
export function confirmAction(message, { title = 'Please confirm', yes = 'Confirm', danger = true, content = null, validate = null } = {}) {
  const dialog = document.getElementById('confirm-dialog');
  const form = dialog.querySelector('form');
  const yesBtn = document.getElementById('confirm-yes');
  const messageEl = document.getElementById('confirm-message');
  document.getElementById('confirm-title').textContent = title;
  messageEl.textContent = message;
  yesBtn.textContent = yes;
  yesBtn.className = danger ? 'danger' : 'primary';
  let extra = document.getElementById('confirm-extra');
  if (!extra) {
    extra = h('div', { id: 'confirm-extra', class: 'stack confirm-extra' });
    messageEl.after(extra);
  }
  replace(extra, content);
  extra.hidden = !content;
  return new Promise((resolve) => {
    dialog.returnValue = '';
    const check = (event) => {
      if (validate && event.submitter === yesBtn && !validate(form)) event.preventDefault();
    };
    const done = () => {
      dialog.removeEventListener('close', done);
      form.removeEventListener('submit', check);
      extra.replaceChildren();
      extra.hidden = true;
      resolve(dialog.returnValue === 'yes');
    };
    dialog.addEventListener('close', done);
    form.addEventListener('submit', check);
    dialog.showModal();
    (extra.querySelector('select, textarea, input') || document.getElementById('confirm-no')).focus();
  });
}

/** A loading/error/empty status paragraph. */
export function statusLine(text, kind = 'loading') {
  return h('p', { class: kind, role: kind === 'error' ? 'alert' : null, text });
}

/** Calls `fn` once, `ms` after the last call. */
export function debounce(fn, ms) {
  let t = 0;
  const d = (...args) => { clearTimeout(t); t = setTimeout(() => guard(() => fn(...args))(), ms); };
  d.cancel = () => clearTimeout(t);
  return d;
}

/** A table with a header row; returns `{table, tbody}`. `cols`: [label | {label, class}]. */
export function table(cols, className = 'data') {
  const tbody = h('tbody');
  const table = h('table', { class: className },
    h('thead', {}, h('tr', {}, cols.map((c) => (typeof c === 'string'
      ? h('th', { scope: 'col', text: c })
      : h('th', { scope: 'col', class: c.class, text: c.label }))))),
    tbody);
  return { table, tbody };
}

/**
 * A listing shown page by page in `tbody`: the first page (`load(true)`, also `reload()`) or
 * the next one (`load(false)`, the `more` button), with loading, empty and error states in
 * `status` (an error offers Retry). Only the newest load may touch the table: an older,
 * slower answer (a previous search) never lands under a new filter.
 *
 * `fetchPage(cursor)` answers `{items, next_cursor}`; `render(item)` gives a row, several
 * (an array) or none (null). `noun` names the items in messages; `empty` is shown when no
 * item matches.
 */
export function pagedList({ tbody, status, more, noun, empty, fetchPage, render }) {
  let cursor = null;
  let newest = 0;
  let loading = false;
  async function load(fresh) {
    if (loading && !fresh) return;
    loading = true;
    const mine = ++newest;
    more.disabled = true;
    replace(status, statusLine(`Loading ${noun}…`));
    try {
      const page = await fetchPage(fresh ? null : cursor);
      if (mine !== newest) return;
      if (fresh) tbody.replaceChildren();
      page.items.forEach((item) => append(tbody, [render(item)]));
      cursor = page.next_cursor || null;
      more.hidden = !cursor;
      replace(status, tbody.children.length ? null : statusLine(empty, 'empty'));
    } catch (e) {
      if (isQuiet(e) || mine !== newest) return;
      replace(status, statusLine(`Could not load ${noun}. ${e.message}`, 'error'),
        h('button', { type: 'button', class: 'secondary small', onclick: () => load(fresh), text: 'Retry' }));
    } finally {
      if (mine === newest) {
        loading = false;
        more.disabled = false;
      }
    }
  }
  more.addEventListener('click', () => load(false));
  return {
    load,
    reload: () => load(true),
    /** Whether more pages than those shown exist. */
    hasMore: () => cursor !== null,
  };
}
