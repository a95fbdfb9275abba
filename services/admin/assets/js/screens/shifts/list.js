// Shifts (/shifts): the tills' shifts, newest first, filtered by till and status, with what
// each closed shift expected in the drawer, what was counted and the difference; "Load more"
// pages on, and a shift closed anywhere shows at once. A row opens the shift.

import { get, seg, isQuiet } from '../../api.js';
import { h, replace, field, table, pagedList, debounce } from '../../dom.js';
import { money, dateTime, label } from '../../format.js';
import { TILL_ID } from './till.js';

const PAGE = 25;

export function renderList(ctx) {
  ctx.title('Shifts');
  const till = field('Till', { id: 'shifts-till', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', placeholder: 'e.g. till-1', maxlength: 32 });
  const status = field('Status', { id: 'shifts-status', type: 'select', options: [{ value: '', label: 'Any' }, { value: 'open', label: 'Open' }, { value: 'closed', label: 'Closed' }] });
  const { table: tbl, tbody } = table(['Till', { label: 'Shift', class: 'num' }, 'Status', 'Opened', 'Closed', { label: 'Z number', class: 'num' },
    { label: 'Expected', class: 'num' }, { label: 'Counted', class: 'num' }, { label: 'Over / short', class: 'num' }]);
  tbl.id = 'shift-list';
  tbl.classList.add('clickable');
  const listStatus = h('div', { class: 'list-status', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', id: 'shifts-more', class: 'secondary', hidden: true, text: 'Load more' });
  const tillError = h('p', { class: 'field-error', id: 'shifts-till-error', hidden: true, text: 'A till is 1 to 32 lower-case letters, digits, “-” or “_”.' });
  till.wrap.append(tillError);
  const filters = h('form', { class: 'filters', role: 'search', id: 'shift-filters' },
    till.wrap, status.wrap,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary', text: 'Apply' }),
      h('button', { type: 'reset', class: 'link', text: 'Clear' })));
  replace(ctx.main, h('div', { class: 'page-head' }, h('h1', { text: 'Shifts' }),
    h('a', { href: '/pos', class: 'button secondary', text: 'Point of sale' })),
  filters, h('div', { class: 'table-wrap' }, tbl), listStatus, h('div', { class: 'actions' }, more));

  filters.addEventListener('submit', (e) => { e.preventDefault(); reload(); });
  filters.addEventListener('reset', () => setTimeout(reload, 0));
  status.input.addEventListener('change', () => reload());
  tbody.addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-shift-id]');
    if (!tr || e.target.closest('a, button')) return;
    ctx.navigate(`/shifts/${encodeURIComponent(tr.dataset.shiftId)}`);
  });

  const list = pagedList({
    tbody, status: listStatus, more, noun: 'shifts', empty: 'No shifts match.',
    fetchPage: async (cursor) => {
      const page = await get('/shifts', { till: tillFilter(), status: status.input.value, limit: PAGE, cursor }, ctx.signal);
      await withCash(page.items || []);
      return page;
    },
    render: shiftRow,
  });

  function reload() {
    const typed = till.input.value.trim().toLowerCase();
    const bad = typed !== '' && !TILL_ID.test(typed);
    tillError.hidden = !bad;
    if (bad) {
      till.input.setAttribute('aria-invalid', 'true');
      till.input.setAttribute('aria-describedby', tillError.id);
      till.input.focus();
      return;
    }
    till.input.removeAttribute('aria-invalid');
    till.input.removeAttribute('aria-describedby');
    till.input.value = typed;
    return list.reload();
  }

  function tillFilter() {
    const typed = till.input.value.trim().toLowerCase();
    return TILL_ID.test(typed) ? typed : '';
  }

  /**
   * A closed shift's expected cash and difference come with it (`expected_cash_cents`,
   * `over_short_cents`); when the API leaves them out, its Z report says them.
   */
  async function withCash(items) {
    await Promise.all(items.filter((s) => s.status === 'closed' && s.expected_cash_cents === undefined).map(async (s) => {
      try {
        const { cash } = await get(`/shifts/${seg(s.id)}/report`, {}, ctx.signal);
        s.expected_cash_cents = cash?.expected_cents ?? null;
        s.over_short_cents = cash?.over_short_cents ?? null;
      } catch (e) {
        if (isQuiet(e)) throw e;
        s.expected_cash_cents = null;
      }
    }));
  }

  function shiftRow(s) {
    const diff = s.over_short_cents ?? (s.counted_cash_cents !== null && s.counted_cash_cents !== undefined && Number.isFinite(s.expected_cash_cents)
      ? s.counted_cash_cents - s.expected_cash_cents : null);
    const state = diff === null || diff === undefined ? null : diff < 0 ? 'short' : diff > 0 ? 'over' : 'even';
    return h('tr', { dataset: { shiftId: s.id, status: s.status, till: s.till } },
      h('td', { class: 'mono', text: s.till }),
      h('td', { class: 'num' }, h('a', { href: `/shifts/${encodeURIComponent(s.id)}`, text: `#${s.number}` })),
      h('td', {}, h('span', { class: `badge ${s.status === 'open' ? 'ok' : 'muted'}`, text: label(s.status) })),
      h('td', { text: dateTime(s.opened_at) }),
      h('td', { text: s.closed_at ? dateTime(s.closed_at) : '' }),
      h('td', { class: 'num', dataset: { field: 'z_number' }, text: s.z_number ?? '' }),
      h('td', { class: 'num', dataset: { field: 'expected' }, text: cents(s.expected_cash_cents) }),
      h('td', { class: 'num', dataset: { field: 'counted' }, text: cents(s.counted_cash_cents) }),
      h('td', { class: ['num', 'over-short', state], dataset: { field: 'over_short', cents: state ? diff : null },
        text: state === null ? '' : diff < 0 ? `${money(diff)} short` : diff > 0 ? `+${money(diff)} over` : money(0) }));
  }

  const refresh = debounce(() => { if (!list.hasMore() || tbody.children.length <= PAGE) list.reload(); }, 800);
  ctx.onCleanup(refresh.cancel);
  ctx.live(['ShiftClosed', 'resync'], () => refresh());
  return reload();
}

function cents(value) {
  return value === null || value === undefined ? '' : money(value);
}
