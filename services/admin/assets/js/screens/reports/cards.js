// The period's totals as cards, each with the change from the period before.

import { h } from '../../dom.js';
import { money, int, day } from '../../format.js';

// Figures that are better lower: their rise is shown as a change for the worse.
const LOWER_IS_BETTER = new Set(['discount_cents', 'refund_cents', 'cost_cents']);

const CARDS = [
  ['kept_net_cents', 'Net sales', money, 'After discounts, returns and voids, without tax'],
  ['kept_tax_cents', 'Tax', money, 'Collected, less the tax given back'],
  ['sales', 'Sales', int, null],
  ['units', 'Units sold', int, null],
  ['discount_cents', 'Discounts', money, null],
  ['refund_cents', 'Returns', money, 'Money given back, tax included'],
  // Managers only: the API leaves costs out for everyone else, and so do the cards.
  ['gross_margin_cents', 'Gross margin', money, 'Net sales less what the goods cost when they were sold'],
  ['cost_cents', 'Cost of goods', money, 'What the goods sold cost, less those back on the shelf'],
];

/** One card per figure of `totals`, compared with `previous.totals`. */
export function figureCards(totals, previous) {
  const before = `${day(previous.period.from)} – ${day(previous.period.to)}`;
  return CARDS.filter(([key]) => key in totals).map(([key, label, format, note]) => {
    const now = totals[key];
    const then = previous.totals[key];
    return h('div', { class: 'card', dataset: { figure: key, value: now } },
      h('h2', { class: 'card-label', text: label, title: note || '' }),
      h('p', { class: 'card-value', text: format(now) }),
      h('p', { class: ['card-note', 'small', trend(now, then, LOWER_IS_BETTER.has(key))], text: change(now, then, format, before) }));
  });
}

function trend(now, then, lowerIsBetter) {
  if (now === then) return 'muted';
  return (now > then) !== lowerIsBetter ? 'better' : 'worse';
}

/** "+12.5 % on Oct 2 – Oct 31 (1,234.00)", or the plain figure when there was none. */
function change(now, then, format, before) {
  if (!then) return now ? `None in ${before}` : `Same as ${before}`;
  const pct = ((now - then) / Math.abs(then)) * 100;
  const sign = pct > 0 ? '+' : pct < 0 ? '−' : '±';
  return `${sign}${Math.abs(pct).toFixed(1)} % on ${before} (${format(then)})`;
}
