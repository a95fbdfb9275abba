// Stock (/stock and /stock/<SKU>): levels per location with live low-stock highlighting;
// restock, adjustment, stock count, transfer and low-stock settings (manager+); a SKU's
// movement history. StockLevelsChanged events update the matching rows' cells in place.

import { get, post, put, seg, newKey, isQuiet, refusedOutright } from '../api.js';
import { h, replace, field, table, clearErrors, setFieldError, showFormError, formAlert, flash, debounce, statusLine } from '../dom.js';
import { int, dateTime, label, parseMoney, parseIntStrict } from '../format.js';

const PAGE = 50;
const REASONS = ['damaged', 'lost', 'found', 'returned', 'other', 'count_correction'];
const FIELD_MAP = { delta: 'quantity', unit_cost_cents: 'unit_cost' };
const STOCK_EVENTS = ['RestockReceived', 'StockAdjusted', 'StockTransferred', 'StockLevelWarning'];

// ---- shared row rendering and live updates ----

const COLUMNS = ['SKU', 'Name', 'Location', { label: 'On hand', class: 'num' }, { label: 'Reserved', class: 'num' },
  { label: 'Available', class: 'num' }, { label: 'Low at', class: 'num' }, { label: 'Reorder qty', class: 'num' }];

function levelRow(item, level, actions) {
  const tr = h('tr', { dataset: { sku: item.sku, location: level ? level.location : '' } },
    h('td', {}, h('a', { href: `/stock/${encodeURIComponent(item.sku)}`, class: 'mono', text: item.sku })),
    h('td', {}, item.name, item.active === false ? h('span', { class: 'badge muted', text: 'Archived' }) : null),
    h('td', { text: level ? level.location : '—' }),
    h('td', { class: 'num', dataset: { field: 'on_hand' }, text: level ? int(level.on_hand) : '0' }),
    h('td', { class: 'num', dataset: { field: 'reserved' }, text: level ? int(level.reserved) : '0' }),
    h('td', { class: 'num', dataset: { field: 'available' }, text: level ? int(level.available) : '0' }),
    h('td', { class: 'num', dataset: { field: 'low_stock_threshold' }, text: level ? int(level.low_stock_threshold) : '—' }),
    h('td', { class: 'num', dataset: { field: 'reorder_quantity' }, text: level ? int(level.reorder_quantity) : '—' }),
    actions ? h('td', { class: 'row-actions' }, actions(item, level)) : null);
  tr.item = item;
  tr.level = level ? { ...level } : null;
  if (level) tr.classList.toggle('low', level.available <= level.low_stock_threshold);
  return tr;
}

/** Updates the cells of every row of `sku` at `location` under `root` (no re-render). */
function applyLevel(root, sku, location, values) {
  const rows = root.querySelectorAll(`tr[data-sku="${CSS.escape(sku)}"][data-location="${CSS.escape(location)}"]`);
  rows.forEach((tr) => {
    const level = { ...(tr.level || {}), ...values };
    tr.level = level;
    for (const f of ['on_hand', 'reserved', 'available', 'low_stock_threshold', 'reorder_quantity']) {
      const td = tr.querySelector(`td[data-field="${f}"]`);
      if (td && values[f] !== undefined && values[f] !== null) td.textContent = int(values[f]);
    }
    const low = typeof level.low === 'boolean' && values.low !== undefined
      ? level.low : Number(level.available) <= Number(level.low_stock_threshold ?? -Infinity);
    tr.classList.toggle('low', low);
    tr.classList.remove('changed');
    void tr.offsetWidth; // restart the highlight animation
    tr.classList.add('changed');
  });
  return rows.length;
}

/** Applies a StockView to `tbody`: updates rows, adds rows for new locations of a shown SKU. */
function applyStockView(tbody, view, actions, locationFilter) {
  const root = tbody;
  for (const level of view.locations) {
    const n = applyLevel(root, view.sku, level.location, level);
    if (n) continue;
    if (locationFilter && level.location !== locationFilter) continue;
    const sameSku = root.querySelectorAll(`tr[data-sku="${CSS.escape(view.sku)}"]`);
    if (!sameSku.length) continue;
    const placeholder = [...sameSku].find((tr) => tr.dataset.location === '');
    const tr = levelRow(view, level, actions);
    if (placeholder) placeholder.replaceWith(tr);
    else sameSku[sameSku.length - 1].after(tr);
  }
}

// ---- operation forms ----

function opForms(ctx, formBox, locations, onDone) {
  const opts = (selected, exclude) => locations.filter((l) => l.active && l.code !== exclude)
    .map((l) => ({ value: l.code, label: l.name && l.name !== l.code ? `${l.name} (${l.code})` : l.code, selected: l.code === selected }));

  function open(kind, item, level) {
    const loc = level ? level.location : 'main';
    let key = newKey();
    let fields;
    let title;
    let submitId;
    let path;
    let build;
    if (kind === 'restock') {
      title = `Restock ${item.sku}`;
      submitId = 'restock-save';
      path = 'restock';
      fields = {
        quantity: field('Quantity received', { name: 'quantity', type: 'number', min: 1, step: 1, required: true }),
        location: field('Location', { name: 'location', type: 'select', options: opts(loc) }),
        unit_cost: field('Unit cost', { name: 'unit_cost', inputmode: 'decimal', placeholder: '0.00', hint: 'Optional, e.g. 365.00' }),
        supplier: field('Supplier', { name: 'supplier', maxlength: 100 }),
        reference: field('Reference', { name: 'reference', maxlength: 100, hint: 'Delivery note or invoice number' }),
        note: field('Note', { name: 'note', maxlength: 500 }),
      };
      build = (v, form) => {
        const cost = parseMoney(v.unit_cost);
        if (Number.isNaN(cost)) { setFieldError(form, 'unit_cost', 'Enter an amount like 12.50.'); return null; }
        return { quantity: parseIntStrict(v.quantity), location: v.location, unit_cost_cents: cost, supplier: v.supplier, reference: v.reference, note: v.note };
      };
    } else if (kind === 'adjust') {
      title = `Adjust ${item.sku}`;
      submitId = 'adjust-save';
      path = 'adjustments';
      fields = {
        quantity: field('Change (+/−)', { name: 'quantity', type: 'number', step: 1, required: true, hint: 'Negative to remove units, positive to add.' }),
        reason: field('Reason', { name: 'reason', type: 'select', options: [{ value: '', label: 'Choose a reason…' }, ...REASONS.map((r) => ({ value: r, label: label(r) }))], required: true }),
        location: field('Location', { name: 'location', type: 'select', options: opts(loc) }),
        note: field('Note', { name: 'note', maxlength: 500 }),
      };
      build = (v, form) => {
        if (!v.reason) { setFieldError(form, 'reason', 'Choose a reason.'); return null; }
        return { delta: parseIntStrict(v.quantity), reason: v.reason, location: v.location, note: v.note };
      };
    } else if (kind === 'count') {
      title = `Stock count of ${item.sku}`;
      submitId = 'count-save';
      path = 'count';
      fields = {
        counted: field('Counted on the shelf', { name: 'counted', type: 'number', min: 0, step: 1, required: true, hint: level ? `The system says ${level.on_hand} on hand.` : null }),
        location: field('Location', { name: 'location', type: 'select', options: opts(loc) }),
        note: field('Note', { name: 'note', maxlength: 500 }),
      };
      build = (v) => ({ counted: parseIntStrict(v.counted), location: v.location, note: v.note });
    } else if (kind === 'transfer') {
      title = `Transfer ${item.sku}`;
      submitId = 'transfer-save';
      path = 'transfers';
      fields = {
        from: field('From', { name: 'from', type: 'select', options: opts(loc) }),
        to: field('To', { name: 'to', type: 'select', options: [{ value: '', label: 'Choose a location…' }, ...opts(null, loc)], required: true }),
        quantity: field('Quantity', { name: 'quantity', type: 'number', min: 1, step: 1, required: true }),
        note: field('Note', { name: 'note', maxlength: 500 }),
      };
      build = (v, form) => {
        if (!v.to) { setFieldError(form, 'to', 'Choose where the stock goes.'); return null; }
        return { from: v.from, to: v.to, quantity: parseIntStrict(v.quantity), note: v.note };
      };
    } else {
      title = `Low-stock settings of ${item.sku}`;
      submitId = 'settings-save';
      path = 'settings';
      fields = {
        low_stock_threshold: field('Low at or below', { name: 'low_stock_threshold', type: 'number', min: 0, step: 1, required: true, value: level ? level.low_stock_threshold : '' }),
        reorder_quantity: field('Reorder quantity', { name: 'reorder_quantity', type: 'number', min: 0, step: 1, required: true, value: level ? level.reorder_quantity : '' }),
        location: field('Location', { name: 'location', type: 'select', options: opts(loc) }),
      };
      build = (v) => ({ low_stock_threshold: parseIntStrict(v.low_stock_threshold), reorder_quantity: parseIntStrict(v.reorder_quantity), location: v.location });
    }
    const save = h('button', { type: 'submit', id: submitId, class: 'primary', text: kind === 'settings' ? 'Save settings' : 'Save' });
    const form = h('form', { id: `${kind}-form`, class: 'panel form-grid', novalidate: true, 'aria-labelledby': `${kind}-form-title` },
      h('h2', { id: `${kind}-form-title`, class: 'wide', text: title }),
      h('p', { class: 'wide muted', text: item.name }),
      Object.values(fields).map((f) => f.wrap),
      h('div', { class: 'actions wide' }, save, h('button', { type: 'button', class: 'secondary', text: 'Cancel', onclick: close })));
    formAlert(form);
    form.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (save.disabled) return;
      clearErrors(form);
      const values = Object.fromEntries(Object.entries(fields).map(([k, f]) => [k, f.input.value.trim()]));
      for (const name of ['quantity', 'counted', 'low_stock_threshold', 'reorder_quantity']) {
        if (name in values && Number.isNaN(parseIntStrict(values[name]))) setFieldError(form, name, 'Enter a whole number.');
      }
      const body = form.querySelector('[aria-invalid="true"]') ? null : build(values, form);
      if (!body) { form.querySelector('[aria-invalid="true"]')?.focus(); return; }
      for (const k of Object.keys(body)) if (body[k] === '' || body[k] === null) delete body[k];
      save.disabled = true;
      try {
        const url = `/inventory/${seg(item.sku)}/${path}`;
        const result = kind === 'settings'
          ? await put(url, body, { signal: ctx.signal })
          : await post(url, body, { headers: { 'Idempotency-Key': key }, signal: ctx.signal });
        close();
        flash(doneMessage(kind, item, body), 'success');
        onDone(item.sku, result, kind, body);
      } catch (e) {
        if (isQuiet(e)) return;
        // A definite refusal recorded nothing: the next try is a new attempt.
        if (refusedOutright(e)) key = newKey();
        if (e.slug === 'idempotency-key-reused') {
          showFormError(form, { message: 'An earlier try with other values may have been recorded. Check the movements below before saving again.', errors: [] });
        } else showFormError(form, e, FIELD_MAP);
      } finally {
        save.disabled = false;
      }
    });
    replace(formBox, form);
    formBox.scrollIntoView?.({ block: 'nearest' });
    Object.values(fields)[0].input.focus();
  }

  function close() {
    formBox.replaceChildren();
  }

  return { open, close };
}

function doneMessage(kind, item, body) {
  switch (kind) {
    case 'restock': return `Received ${body.quantity} × ${item.sku}.`;
    case 'adjust': return `Adjusted ${item.sku} by ${body.delta > 0 ? '+' : ''}${body.delta}.`;
    case 'count': return `Count of ${item.sku} recorded.`;
    case 'transfer': return `Moved ${body.quantity} × ${item.sku} from ${body.from} to ${body.to}.`;
    default: return `Settings of ${item.sku} saved.`;
  }
}

function actionButtons(ctx, forms) {
  if (!ctx.can('manager')) return null;
  return (item, level) => {
    const b = (cls, text, kind) => h('button', { type: 'button', class: `${cls} small secondary`, 'aria-label': `${text} ${item.sku}${level ? ` at ${level.location}` : ''}`, text, onclick: () => forms.open(kind, item, level) });
    return [b('restock', 'Restock', 'restock'),
      level ? b('adjust', 'Adjust', 'adjust') : null,
      level ? b('count', 'Count', 'count') : null,
      level ? b('transfer', 'Transfer', 'transfer') : null,
      level ? b('settings', 'Settings', 'settings') : null];
  };
}

async function loadLocations(signal) {
  try {
    return (await get('/locations', {}, signal)).items || [];
  } catch (e) {
    if (isQuiet(e)) throw e;
    return [{ code: 'main', name: 'main', active: true }];
  }
}

/** The StockView of a change answer (ChangeView, TransferView) or a level (settings). */
function viewOf(result) {
  return result && result.stock ? result.stock : null;
}

// ---- /stock ----

export async function renderList(ctx) {
  ctx.title('Stock');
  const state = { cursor: null, loading: false };
  const formBox = h('div', { class: 'form-box' });
  const locSelect = field('Location', { id: 'stock-location', type: 'select', options: [{ value: '', label: 'All locations' }] });
  const search = field('Search', { id: 'stock-search', type: 'search', placeholder: 'SKU or name', autocomplete: 'off' });
  const lowOnly = field('Low stock only', { id: 'stock-low', type: 'checkbox' });
  const status = h('div', { class: 'list-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, text: 'Load more' });
  const manager = ctx.can('manager');
  const { table: tbl, tbody } = table(manager ? [...COLUMNS, { label: 'Actions', class: 'actions-col' }] : COLUMNS);
  tbl.classList.add('stock-table');

  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Stock' }),
      h('p', { class: 'muted small', text: 'Rows at or below their low-stock threshold are highlighted.' })),
    formBox,
    h('form', { class: 'filters', role: 'search', onsubmit: (e) => { e.preventDefault(); reload(); } }, search.wrap, locSelect.wrap, lowOnly.wrap),
    h('div', { class: 'table-wrap' }, tbl), status, h('div', { class: 'actions' }, more));

  const locations = await loadLocations(ctx.signal);
  locations.forEach((l) => locSelect.input.append(h('option', { value: l.code, text: l.active ? l.name || l.code : `${l.name || l.code} (inactive)` })));

  const refetchSku = async (sku) => {
    if (!tbody.querySelector(`tr[data-sku="${CSS.escape(sku)}"]`)) return;
    try {
      applyStockView(tbody, await get(`/inventory/${seg(sku)}`, {}, ctx.signal), actions, locSelect.input.value);
    } catch (e) {
      if (!isQuiet(e)) console.warn('stock refresh failed', e);
    }
  };
  const forms = opForms(ctx, formBox, locations, (sku, result) => {
    const view = viewOf(result);
    if (view) applyStockView(tbody, view, actions, locSelect.input.value);
    else refetchSku(sku);
  });
  const actions = actionButtons(ctx, forms);

  const reload = () => { state.cursor = null; return loadPage(true); };
  const searchLater = debounce(reload, 300);
  ctx.onCleanup(searchLater.cancel);
  search.input.addEventListener('input', () => searchLater());
  locSelect.input.addEventListener('change', () => reload());
  lowOnly.input.addEventListener('change', () => reload());
  more.addEventListener('click', () => loadPage(false));

  async function loadPage(fresh) {
    if (state.loading && !fresh) return;
    state.loading = true;
    // Only the newest load may touch the table: an older, slower answer (a previous search)
    // must not land under the new filter.
    const seq = (state.seq = (state.seq || 0) + 1);
    more.disabled = true;
    replace(status, statusLine('Loading stock…'));
    try {
      const page = await get('/inventory', {
        location: locSelect.input.value, q: search.input.value.trim(),
        below_threshold: lowOnly.input.checked ? 'true' : '', limit: PAGE, cursor: fresh ? null : state.cursor,
      }, ctx.signal);
      if (seq !== state.seq) return;
      if (fresh) tbody.replaceChildren();
      const loc = locSelect.input.value;
      for (const item of page.items) {
        const levels = item.locations.filter((l) => !loc || l.location === loc)
          .filter((l) => !lowOnly.input.checked || l.low);
        if (!levels.length) {
          if (!lowOnly.input.checked) tbody.append(levelRow(item, null, actions));
        } else levels.forEach((l) => tbody.append(levelRow(item, l, actions)));
      }
      state.cursor = page.next_cursor || null;
      more.hidden = !state.cursor;
      replace(status, tbody.children.length ? null : statusLine('No stock matches.', 'empty'));
    } catch (e) {
      if (isQuiet(e) || seq !== state.seq) return;
      replace(status, statusLine(`Could not load stock. ${e.message}`, 'error'),
        h('button', { type: 'button', class: 'secondary small', onclick: () => loadPage(fresh), text: 'Retry' }));
    } finally {
      if (seq === state.seq) {
        state.loading = false;
        more.disabled = false;
      }
    }
  }

  // Live updates.
  const pending = new Set();
  const flush = debounce(() => { const skus = [...pending]; pending.clear(); skus.forEach(refetchSku); }, 400);
  ctx.onCleanup(flush.cancel);
  ctx.live(['StockLevelsChanged'], (type, env) => {
    const d = env.data || {};
    for (const l of d.levels || []) applyLevel(tbody, l.sku, d.location, { on_hand: l.on_hand, reserved: l.reserved, available: l.available });
  });
  ctx.live(STOCK_EVENTS, (type, env) => {
    const d = env.data || {};
    if (d.sku) { pending.add(d.sku); flush(); }
  });
  ctx.live(['resync'], () => reload());

  return loadPage(true);
}

// ---- /stock/<SKU> ----

export async function renderDetail(ctx) {
  const sku = ctx.params[0].toUpperCase();
  ctx.title(`Stock ${sku}`);
  const formBox = h('div', { class: 'form-box' });
  const heading = h('h1', {}, 'Stock of ', h('span', { class: 'mono', text: sku }));
  const subtitle = h('p', { class: 'muted' });
  const totals = h('p', { class: 'totals' });
  const manager = ctx.can('manager');
  const { table: levelsTbl, tbody: levelsBody } = table(manager ? [...COLUMNS, { label: 'Actions', class: 'actions-col' }] : COLUMNS);
  levelsTbl.classList.add('stock-table');
  const levelsStatus = h('div', { class: 'list-status' }, statusLine('Loading stock…'));
  const { table: movTbl, tbody: movBody } = table(['When', 'Location', 'Kind', { label: 'Change', class: 'num' }, { label: 'On hand', class: 'num' }, 'Reason', 'Reference', 'Note', 'By']);
  const movStatus = h('div', { class: 'list-status' }, statusLine('Loading movements…'));
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, text: 'Load older movements' });
  let cursor = null;

  replace(ctx.main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/stock', text: '← All stock' })),
    h('div', { class: 'page-head' }, heading), subtitle, totals, formBox,
    h('section', { 'aria-labelledby': 'levels-title' }, h('h2', { id: 'levels-title', text: 'Per location' }),
      h('div', { class: 'table-wrap' }, levelsTbl), levelsStatus),
    h('section', { 'aria-labelledby': 'mov-title' }, h('h2', { id: 'mov-title', text: 'Movements' }),
      h('div', { class: 'table-wrap' }, movTbl), movStatus, h('div', { class: 'actions' }, more)));

  const locations = await loadLocations(ctx.signal);
  let view = null;
  const forms = opForms(ctx, formBox, locations, (s, result) => {
    if (viewOf(result)) showView(viewOf(result));
    else loadStock();
    loadMovements(true);
  });
  const actions = actionButtons(ctx, forms);

  function showView(v) {
    view = v;
    ctx.title(`Stock ${v.sku}`);
    subtitle.textContent = v.active === false ? `${v.name} (archived)` : v.name;
    totals.textContent = `In total: ${int(v.totals.on_hand)} on hand, ${int(v.totals.reserved)} reserved, ${int(v.totals.available)} available.`;
    levelsBody.replaceChildren();
    if (!v.locations.length) levelsBody.append(levelRow(v, null, actions));
    else v.locations.forEach((l) => levelsBody.append(levelRow(v, l, actions)));
    replace(levelsStatus, v.locations.length ? null : statusLine('No stock recorded yet at any location.', 'empty'));
  }

  async function loadStock() {
    try {
      showView(await get(`/inventory/${seg(sku)}`, {}, ctx.signal));
    } catch (e) {
      if (isQuiet(e)) return;
      replace(levelsStatus, statusLine(e.status === 404 ? `No product with SKU ${sku}.` : `Could not load stock. ${e.message}`, 'error'));
    }
  }

  async function loadMovements(fresh) {
    more.disabled = true;
    try {
      const page = await get(`/inventory/${seg(sku)}/movements`, { limit: PAGE, cursor: fresh ? null : cursor }, ctx.signal);
      if (fresh) movBody.replaceChildren();
      page.items.forEach((m) => movBody.append(h('tr', { dataset: { movementId: m.id } },
        h('td', { text: dateTime(m.created_at) }),
        h('td', { text: m.location }),
        h('td', { text: label(m.kind) }),
        h('td', { class: ['num', m.quantity < 0 ? 'neg' : 'pos'], text: `${m.quantity > 0 ? '+' : ''}${int(m.quantity)}` }),
        h('td', { class: 'num', text: `${int(m.on_hand_before)} → ${int(m.on_hand_after)}` }),
        h('td', { text: m.reason ? label(m.reason) : '' }),
        h('td', { text: m.reference || '' }),
        h('td', { text: m.note || '' }),
        h('td', { text: m.actor || '' }))));
      cursor = page.next_cursor || null;
      more.hidden = !cursor;
      replace(movStatus, movBody.children.length ? null : statusLine('No movements yet.', 'empty'));
    } catch (e) {
      if (isQuiet(e)) return;
      replace(movStatus, statusLine(`Could not load movements. ${e.message}`, 'error'));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => loadMovements(false));

  const refresh = debounce(() => { loadStock(); loadMovements(true); }, 400);
  const refreshMovements = debounce(() => loadMovements(true), 600);
  ctx.onCleanup(refresh.cancel);
  ctx.onCleanup(refreshMovements.cancel);
  ctx.live(['StockLevelsChanged'], (type, env) => {
    const d = env.data || {};
    const mine = (d.levels || []).filter((l) => l.sku === (view ? view.sku : sku));
    if (!mine.length) return;
    mine.forEach((l) => applyLevel(levelsBody, l.sku, d.location, { on_hand: l.on_hand, reserved: l.reserved, available: l.available }));
    refreshMovements();
  });
  ctx.live(STOCK_EVENTS, (type, env) => { if (env.data && env.data.sku === (view ? view.sku : sku)) refresh(); });
  ctx.live(['resync'], () => refresh());

  await Promise.all([loadStock(), loadMovements(true)]);
}
