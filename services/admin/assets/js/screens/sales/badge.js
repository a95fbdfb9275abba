// How a sale's status looks wherever a sale is shown.

import { h } from '../../dom.js';
import { label } from '../../format.js';

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, text: label(status) });
}
