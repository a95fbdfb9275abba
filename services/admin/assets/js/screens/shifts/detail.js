// One shift (/shifts/<id>): its till, who opened and closed it and when, the float and the
// count, and its report, printable on the roll: the Z report once it is closed (for anyone),
// the X report while it is open (managers only: for a clerk the close is blind).

import { get, seg, isQuiet } from '../../api.js';
import { h, replace, statusLine } from '../../dom.js';
import { money, dateTime, label } from '../../format.js';
import { shopSettings } from '../../session.js';
import { syncPrintPage } from '../pos/receipt.js';
import { reportView } from './report.js';

const FOR_MANAGERS = 'The X report is for managers. The Z report shows here once the shift is closed.';

export function renderDetail(ctx) {
  const id = ctx.params[0];
  ctx.title('Shift');
  const body = h('div', {}, statusLine('Loading shift…'));
  const reportBox = h('div', { id: 'shift-report', class: 'shift-report' });
  replace(ctx.main, h('p', { class: 'breadcrumb' }, h('a', { href: '/shifts', text: '← All shifts' })),
    h('div', { class: 'page-head' }, h('h1', { id: 'shift-title', text: 'Shift' })), body, reportBox);

  async function load() {
    try {
      const shift = await get(`/shifts/${seg(id)}`, {}, ctx.signal);
      show(shift);
      await loadReport(shift);
    } catch (e) {
      if (isQuiet(e)) return;
      replace(body, statusLine(e.status === 404 ? 'There is no such shift.' : `Could not load the shift. ${e.message}`, 'error'));
    }
  }

  function show(s) {
    const title = `Shift #${s.number} of ${s.till}`;
    ctx.title(title);
    document.getElementById('shift-title').textContent = title;
    const closed = s.status === 'closed';
    replace(body, h('dl', { class: 'facts', id: 'shift-facts' },
      h('dt', { text: 'Status' }), h('dd', {}, h('span', { id: 'shift-status', class: `badge ${closed ? 'muted' : 'ok'}`, dataset: { status: s.status }, text: label(s.status) })),
      h('dt', { text: 'Till' }), h('dd', { class: 'mono', text: s.till }),
      h('dt', { text: 'Location' }), h('dd', { text: s.location || '—' }),
      h('dt', { text: 'Opened' }), h('dd', { text: `${dateTime(s.opened_at)}${s.opened_by ? ` by ${s.opened_by}` : ''}` }),
      h('dt', { text: 'Opening float' }), h('dd', { dataset: { figure: 'opening_float' }, text: money(s.opening_float_cents) }),
      closed ? [
        h('dt', { text: 'Closed' }), h('dd', { text: `${dateTime(s.closed_at)}${s.closed_by ? ` by ${s.closed_by}` : ''}` }),
        h('dt', { text: 'Counted' }), h('dd', { text: money(s.counted_cash_cents) }),
        h('dt', { text: 'Z number' }), h('dd', { id: 'shift-z-number', text: s.z_number ?? '—' }),
      ] : null,
      s.note ? [h('dt', { text: 'Note' }), h('dd', { text: s.note })] : null));
  }

  async function loadReport(s) {
    if (s.status === 'open' && !ctx.can('manager')) {
      denied();
      return;
    }
    replace(reportBox, statusLine('Loading the report…'));
    try {
      const report = await get(`/shifts/${seg(s.id)}/report`, {}, ctx.signal);
      const again = report.kind === 'z' ? null
        : h('button', { type: 'button', id: 'report-refresh', class: 'secondary', text: 'Refresh', onclick: () => load() });
      replace(reportBox, h('h2', { class: 'no-print', text: report.kind === 'z' ? 'Z report' : 'X report' }), reportView(report, shopSettings(), [again]));
    } catch (e) {
      if (isQuiet(e)) return;
      if (e.status === 403) { denied(); return; }
      replace(reportBox, statusLine(`Could not load the report. ${e.message}`, 'error'),
        h('button', { type: 'button', class: 'secondary small', text: 'Retry', onclick: () => loadReport(s) }));
    }
  }

  function denied() {
    replace(reportBox, h('p', { id: 'report-denied', class: 'notice', text: FOR_MANAGERS }));
  }

  ctx.onCleanup(() => { reportBox.replaceChildren(); syncPrintPage(); });
  ctx.live(['ShiftClosed'], (type, env) => { if (env.data?.shift_id === id) load(); });
  return load();
}
