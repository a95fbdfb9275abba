// The shop's suppliers as the other screens need them: the list (for pickers) and a
// supplier's name and contact lines.

import { get, isQuiet } from '../../api.js';

/** Every supplier not archived (with `archived`, every one), in name order; [] when unreadable. */
export async function loadSuppliers(signal, { archived = false } = {}) {
  try {
    return (await get('/suppliers', { archived: archived ? 'true' : '' }, signal)).items || [];
  } catch (e) {
    if (isQuiet(e)) throw e;
    console.warn('suppliers not loaded', e);
    return [];
  }
}

/** `<select>` options of `suppliers`, `chosen` selected; an archived chosen one is marked. */
export function supplierOptions(suppliers, chosen = '', { blank = 'Choose a supplier…' } = {}) {
  const options = suppliers.map((s) => ({ value: s.id, label: s.archived ? `${s.name} (archived)` : s.name, selected: s.id === chosen }));
  return blank === null ? options : [{ value: '', label: blank, selected: !chosen }, ...options];
}

/** "3 days" / "1 day". */
export function leadTime(days) {
  if (days === null || days === undefined) return '—';
  return `${days} day${Number(days) === 1 ? '' : 's'}`;
}
