// Warranty cases (/rmas): a board with a column per stage — taken in, at the supplier, an
// outcome to hand back or close, closed lately — each case a card with its unit, whose it is
// and how long it has waited.
//
// Selectors for browser tests:
//   a column   #rma-board section.rma-column[data-stage="received"|"sent_to_supplier"|"outcome"|"closed"]
//   a card     .rma-card[data-state][data-reference]

import { get, isQuiet } from '../../api.js';
import { h, replace, statusLine } from '../../dom.js';
import { label } from '../../format.js';

const STAGES = [
  { stage: 'received', title: 'Taken in', states: ['received'] },
  { stage: 'sent_to_supplier', title: 'At the supplier', states: ['sent_to_supplier'] },
  { stage: 'outcome', title: 'Outcome: hand back, then close', states: ['replaced', 'repaired', 'refunded', 'rejected'] },
  { stage: 'closed', title: 'Closed lately', states: ['closed'] },
];

export async function render(ctx) {
  ctx.title('Warranty cases');
  const board = h('div', { id: 'rma-board', class: 'rma-board' }, statusLine('Loading the cases…'));
  replace(ctx.main,
    h('div', { class: 'page-head' }, h('h1', { text: 'Warranty cases' }),
      h('p', { class: 'muted', text: 'Open a case from a unit’s page: look its serial number up in the box at the top.' })),
    board);
  let cases;
  try {
    cases = (await get('/rmas', { limit: 200 }, ctx.signal)).items;
  } catch (e) {
    if (!isQuiet(e)) replace(board, statusLine(`Could not load the cases. ${e.message}`, 'error'));
    return;
  }
  replace(board, STAGES.map(({ stage, title, states }) => {
    const here = cases.filter((c) => states.includes(c.state));
    return h('section', { class: 'rma-column', dataset: { stage }, 'aria-label': title },
      h('h2', {}, title, ' ', h('span', { class: 'count', text: String(here.length) })),
      here.length ? h('ul', { class: 'rma-cards' }, here.map(card)) : h('p', { class: 'muted empty', text: 'None' }));
  }));
}

function card(c) {
  const days = Math.floor((Date.now() - new Date(c.created_at).getTime()) / 86_400_000);
  return h('li', { class: 'rma-card', dataset: { state: c.state, reference: c.reference } },
    h('a', { href: `/rmas/${encodeURIComponent(c.id)}` },
      h('strong', { class: 'mono', text: c.reference }), ' ', h('span', { class: `badge rma-${c.state}`, text: label(c.state) }),
      h('span', { class: 'block', text: c.name }),
      h('small', { class: 'block mono', text: `S/N ${c.serial}` }),
      h('small', { class: 'block muted', text: `${c.customer_case ? 'Customer’s unit' : 'Shop’s unit'}${c.supplier_name ? ` · ${c.supplier_name}` : ''} · ${days ? `${days} day${days === 1 ? '' : 's'}` : 'today'}` })));
}
