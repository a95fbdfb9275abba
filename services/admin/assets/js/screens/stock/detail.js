// One SKU's stock (/stock/<SKU>): its level at each location, the operations for managers,
// and its movements, newest first, kept current by live events.

import { get, seg, isQuiet } from '../../api.js';
import { h, replace, table, debounce, statusLine, pagedList } from '../../dom.js';
import { int, dateTime, label } from '../../format.js';
import { COLUMNS, PAGE, STOCK_EVENTS, levelRow, applyLevel } from './rows.js';
import { opForms, actionButtons, loadLocations, viewOf } from './forms.js';
import { exportLink } from '../../exports.js';
import { productSuppliers } from '../suppliers/product.js';

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

  let view = null;
  const movCsv = exportLink({ id: 'movements-export', path: '/movements/export.csv', params: () => ({ sku: view ? view.sku : sku }), title: 'Download every movement of this SKU as a CSV file' });
  const orders = h('a', { href: `/purchasing?sku=${encodeURIComponent(sku)}`, id: 'stock-orders', class: 'button secondary', text: 'Purchase orders' });

  replace(ctx.main,
    h('p', { class: 'breadcrumb' }, h('a', { href: '/stock', text: '← All stock' })),
    h('div', { class: 'page-head' }, heading, orders), subtitle, totals, formBox,
    h('section', { 'aria-labelledby': 'levels-title' }, h('h2', { id: 'levels-title', text: 'Per location' }),
      h('div', { class: 'table-wrap' }, levelsTbl), levelsStatus),
    productSuppliers(ctx, sku),
    h('section', { 'aria-labelledby': 'mov-title' }, h('div', { class: 'section-head' }, h('h2', { id: 'mov-title', text: 'Movements' }), movCsv),
      h('div', { class: 'table-wrap' }, movTbl), movStatus, h('div', { class: 'actions' }, more)));

  const locations = await loadLocations(ctx.signal);
  const forms = opForms(ctx, formBox, locations, (s, result) => {
    if (viewOf(result)) showView(viewOf(result));
    else loadStock();
    loadMovements();
  });
  const actions = actionButtons(ctx, forms);

  function showView(v) {
    view = v;
    ctx.title(`Stock ${v.sku}`);
    subtitle.textContent = v.active === false ? `${v.name} (archived)` : v.name;
    totals.textContent = `In total: ${int(v.totals.on_hand)} on hand, ${int(v.totals.reserved)} reserved, ${int(v.totals.available)} available, ${int(v.totals.incoming ?? 0)} incoming.`;
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

  const movements = pagedList({
    tbody: movBody, status: movStatus, more, noun: 'movements', empty: 'No movements yet.',
    fetchPage: (cursor) => get(`/inventory/${seg(sku)}/movements`, { limit: PAGE, cursor }, ctx.signal),
    render: (m) => h('tr', { dataset: { movementId: m.id } },
      h('td', { text: dateTime(m.created_at) }),
      h('td', { text: m.location }),
      h('td', { text: label(m.kind) }),
      h('td', { class: ['num', m.quantity < 0 ? 'neg' : 'pos'], text: `${m.quantity > 0 ? '+' : ''}${int(m.quantity)}` }),
      h('td', { class: 'num', text: `${int(m.on_hand_before)} → ${int(m.on_hand_after)}` }),
      h('td', { text: m.reason ? label(m.reason) : '' }),
      h('td', { text: m.reference || '' }),
      h('td', { text: m.note || '' }),
      h('td', { text: m.actor || '' })),
  });
  const loadMovements = () => movements.reload();

  const refresh = debounce(() => { loadStock(); loadMovements(); }, 400);
  const refreshMovements = debounce(() => loadMovements(), 600);
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

  await Promise.all([loadStock(), loadMovements()]);
}
