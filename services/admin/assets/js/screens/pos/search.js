// Finding products at the till, keyboard only. Scanning comes first: Enter on an exact barcode
// or SKU adds that product at once, and a unit's serial number adds that unit (codes scanned
// fast are looked up one after another, in order). Typing shows the matching products by name, brand, SKU or barcode; the arrow keys
// choose one and Enter adds it.

import { get, seg, isQuiet } from '../../api.js';
import { h, field } from '../../dom.js';
import { money } from '../../format.js';
import { combobox } from '../../combobox.js';

/**
 * The search input. `onProduct(product)` for each product to add (archived ones are refused
 * here); `onUnit(product, serial)` for a unit scanned by its serial number (on the shelf at
 * `location()`); `onError(content)` / `onClearError()` for the till's message box.
 */
export function productSearch(ctx, { onProduct, onUnit, onError, onClearError, location }) {
  const search = field('Search products, or scan a barcode or serial number', {
    id: 'pos-search', type: 'search', autocapitalize: 'characters', spellcheck: 'false', autofocus: true, enterkeyhint: 'enter',
    placeholder: 'Name, brand, SKU, barcode or serial number', hint: 'Enter adds a scanned or typed barcode, SKU or serial number; ↑ and ↓ choose from the matches.',
  });
  const input = search.input;
  let lookups = Promise.resolve();

  const combo = combobox({
    input, wrap: search.wrap, listId: 'pos-search-list', signal: ctx.signal,
    empty: 'No product matches.',
    fetchItems: async (q, signal) => (await get('/products', { q, active: 'true', limit: 8 }, signal)).items || [],
    optionContent: (p) => [
      h('span', { class: 'option-main', text: p.name }),
      h('span', { class: 'option-price', text: money(p.price_cents) }),
      h('small', { class: 'muted' }, h('span', { class: 'mono', text: p.sku }), p.brand ? ` · ${p.brand}` : '', p.barcode ? ` · ${p.barcode}` : ''),
    ],
    onPick: (p) => {
      input.value = '';
      onClearError();
      add(p);
      input.focus();
    },
  });

  // Registered after the combobox's own listener: a chosen match has taken the Enter already.
  input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || event.defaultPrevented) return;
    event.preventDefault();
    const code = input.value.trim();
    input.value = '';
    combo.cancel();
    if (!code) return;
    lookups = lookups.then(() => addCode(code)).catch(() => {});
  });

  function add(product) {
    if (!product.active) {
      onError(`${product.sku} ${product.name} is archived and cannot be sold.`);
      return;
    }
    onProduct(product);
  }

  async function addCode(code) {
    onClearError();
    try {
      const product = await lookup(code);
      if (product) { add(product); return; }
      const unit = await unitOnShelf(code);
      if (unit) { await addUnit(unit); return; }
      // Typed rather than scanned: offer what matches the text instead.
      if (!input.value && !ctx.signal.aborted) {
        input.value = code;
        await combo.searchNow();
        if (combo.isOpen()) {
          onError(`No product has the barcode or SKU “${code}”. Choose one of the matches with ↑ and ↓, then press Enter.`);
          return;
        }
        input.value = '';
      }
      onError(`Nothing found for “${code}”: no product has this barcode or SKU.`);
    } catch (e) {
      if (!isQuiet(e)) onError(`Could not look up “${code}”: ${e.message}`);
    }
  }

  /** The unit with serial number `code`: on the shelf here, or a message why it cannot be sold. */
  async function unitOnShelf(code) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._/:-]{2,63}$/.test(code)) return null;
    let found;
    try {
      found = await get(`/serials/${seg(code.toUpperCase())}`, {}, ctx.signal);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
    const here = location();
    const unit = found.units.find((u) => u.state === 'in_stock' && u.location === here && !u.held);
    if (unit) return unit;
    const u = found.units[0];
    const where = u.state === 'in_stock' ? (u.held ? 'held by another till’s sale' : `on the shelf at ${u.location}, not here`) : u.state.replace(/_/g, ' ');
    return { refused: `${u.serial} (${u.name}) cannot be sold here: it is ${where}.` };
  }

  async function addUnit(unit) {
    if (unit.refused) { onError(unit.refused); return; }
    const product = await get(`/products/${seg(unit.sku)}`, {}, ctx.signal);
    if (!product.active) { onError(`${product.sku} ${product.name} is archived and cannot be sold.`); return; }
    onUnit(product, unit.serial);
  }

  async function lookup(code) {
    if (/^\d{6,14}$/.test(code)) {
      const page = await get('/products', { barcode: code, active: 'any', limit: 1 }, ctx.signal);
      if (page.items && page.items.length) return page.items[0];
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(code)) return null;
    try {
      return await get(`/products/${seg(code.toUpperCase())}`, {}, ctx.signal);
    } catch (e) {
      if (e.status === 404) return null;
      throw e;
    }
  }

  return {
    wrap: search.wrap,
    input,
    /** Settles once every code entered so far was looked up. */
    settled: () => lookups,
  };
}
