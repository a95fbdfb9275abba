// The till's shift at the point of sale: the shift open at this till (since when, with what
// float) with "Paid in / out" and "Close shift" (a blind count, then the Z report), or the
// form that opens one with its float. When the shop sells only during a shift, the till waits
// for one (`canSell()`).

import { get, post, seg, isQuiet } from '../../api.js';
import { h, replace, field, clearErrors, setFieldError, showFormError, formAlert, flash, statusLine } from '../../dom.js';
import { money, parseMoney, dateTime } from '../../format.js';
import { findOpenShift } from '../shifts/till.js';
import { cashMovementDialog } from './movement.js';
import { closeShiftForm } from './close.js';

/**
 * The shift bar (`el`). `till()` is the till's id and `location()` its location; `onChange()`
 * after what the till may do changed (a shift found, opened or closed); `onClosed(report)`
 * with the Z report of a shift closed here; `beforeClose()` may resolve false to keep the
 * shift open. `load()` reads the till's open shift (again).
 */
export function shiftBar(ctx, { shop, till, location, onChange, onClosed, beforeClose }) {
  const required = shop?.require_shift === true;
  /** 'loading' | 'open' | 'none' | 'error' */
  let state = 'loading';
  let shift = null;
  let newest = 0;
  const status = h('div', { class: 'shift-status' });
  const formBox = h('div', { class: 'form-box' });
  const el = h('section', { id: 'shift-bar', class: 'shift-bar no-print', 'aria-label': 'Shift', dataset: { state } }, status, formBox);
  const movement = cashMovementDialog(ctx, { onShiftClosed: () => load() });

  function setState(next, openShift = null) {
    state = next;
    shift = next === 'open' ? openShift : null;
    el.dataset.state = next;
    if (shift) el.dataset.shiftId = shift.id;
    else delete el.dataset.shiftId;
    onChange();
  }

  async function load() {
    const mine = ++newest;
    const at = till();
    closeForm();
    replace(status, statusLine(`Checking the shift of ${at}…`));
    setState('loading');
    try {
      const found = await findOpenShift(at, ctx.signal);
      if (mine !== newest) return;
      show(found);
    } catch (e) {
      if (isQuiet(e) || mine !== newest) return;
      replace(status, h('p', { class: 'error', role: 'alert', text: `Could not check the shift of ${at}. ${e.message}` }),
        h('button', { type: 'button', id: 'shift-retry', class: 'secondary small', text: 'Retry', onclick: () => load() }));
      setState('error');
    }
  }

  /** Shows `openShift`, or the form that opens one when it is null. */
  function show(openShift) {
    closeForm();
    if (openShift) showOpen(openShift);
    else showNone();
  }

  function showOpen(s) {
    const paid = h('button', { type: 'button', id: 'shift-cash-movement', class: 'secondary', text: 'Paid in / out' });
    const close = h('button', { type: 'button', id: 'shift-close', class: 'secondary', text: 'Close shift', 'aria-expanded': 'false', 'aria-controls': 'shift-close-form' });
    paid.addEventListener('click', () => movement.open(s));
    close.addEventListener('click', () => openClose(s, close));
    replace(status,
      h('div', { class: 'shift-text' },
        h('p', { id: 'shift-status', class: 'strong' }, 'Shift open since ', h('time', { datetime: s.opened_at, text: dateTime(s.opened_at) }),
          ` (float ${money(s.opening_float_cents)})`),
        h('p', { class: 'muted small' }, `Shift #${s.number} of ${s.till}${s.opened_by ? `, opened by ${s.opened_by}` : ''} · `,
          h('a', { href: `/shifts/${encodeURIComponent(s.id)}`, id: 'shift-link', text: 'Details' }))),
      h('div', { class: 'actions' }, paid, close));
    setState('open', s);
  }

  function showNone() {
    const at = till();
    const float = field('Opening float', { id: 'shift-float', name: 'opening_float', inputmode: 'decimal', autocomplete: 'off', placeholder: '0.00', required: true, wrapClass: 'shift-float' });
    const submit = h('button', { type: 'submit', id: 'shift-open-submit', class: 'primary', text: 'Open shift' });
    const form = h('form', { id: 'shift-open-form', class: 'shift-open-form', novalidate: true, 'aria-labelledby': 'shift-open-title' },
      h('div', { class: 'shift-text' },
        h('p', { id: 'shift-open-title', class: 'strong', text: `No shift is open at ${at}.` }),
        required
          ? h('p', { id: 'shift-required', class: 'notice', text: 'This shop sells only during an open shift: count the float into the drawer and open one to start selling.' })
          : h('p', { class: 'muted small', text: 'Sales can be made without a shift; a shift counts the cash drawer.' })),
      h('div', { class: 'shift-open-fields' }, float.wrap, submit));
    formAlert(form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (submit.disabled) return;
      clearErrors(form);
      const cents = parseMoney(float.input.value);
      if (cents === null || Number.isNaN(cents) || cents < 0) {
        setFieldError(form, 'opening_float', 'Enter the cash in the drawer, like 100.00 (0 for none).');
        float.input.focus();
        return;
      }
      submit.disabled = true;
      try {
        const opened = await post('/shifts', { till: at, location: location(), opening_float_cents: cents }, { signal: ctx.signal });
        flash(`Shift #${opened.number} opened at ${opened.till} with a float of ${money(opened.opening_float_cents)}.`, 'success');
        show(opened);
      } catch (e) {
        if (isQuiet(e)) return;
        if (e.slug === 'shift-already-open' && e.problem.shift_id) {
          // Opened meanwhile (another device at this till): the till carries on with it.
          try {
            show(await get(`/shifts/${seg(e.problem.shift_id)}`, {}, ctx.signal));
            flash(`A shift was already open at ${at}; the till carries on with it.`, 'info');
            return;
          } catch (e2) {
            if (isQuiet(e2)) return;
          }
        }
        showFormError(form, e, { opening_float_cents: 'opening_float' });
      } finally {
        submit.disabled = false;
      }
    });
    replace(status, form);
    setState('none');
  }

  async function openClose(s, btn) {
    if (formBox.firstChild) { closeForm(); return; }
    if (beforeClose && !(await beforeClose())) return;
    const { form, focus } = closeShiftForm(ctx, {
      shift: s, currency: shop?.currency,
      onClosed: (report) => {
        closeForm();
        const z = report.shift?.z_number;
        flash(`Shift #${s.number} closed${z ? `: Z report ${z}` : ''}.`, 'success');
        show(null);
        onClosed(report);
      },
      onCancel: () => { closeForm(); btn.focus(); },
    });
    replace(formBox, form);
    btn.setAttribute('aria-expanded', 'true');
    focus();
  }

  function closeForm() {
    formBox.replaceChildren();
    document.getElementById('shift-close')?.setAttribute('aria-expanded', 'false');
  }

  return {
    el,
    load,
    /** The open shift of the till, or null. */
    current: () => (state === 'open' ? shift : null),
    /** Whether the till may sell now (always, unless the shop sells only during a shift). */
    canSell: () => !required || state === 'open',
    required,
  };
}
