// The till's basket: its lines (with their discounts), the basket discount and the customer,
// kept in the device's localStorage so that a reload loses nothing. Payments, approvals and
// passwords are never stored.

const KEY = 'till.basket';

/** A discount as the clerk typed it: null, or {kind: 'amount', value: cents} / {kind: 'percent', value}. */
function validDiscount(d) {
  return d && (d.kind === 'amount' || d.kind === 'percent') && Number.isFinite(d.value) && d.value > 0
    ? { kind: d.kind, value: d.value } : null;
}

export class Basket {
  constructor() {
    /** sku → {sku, name, unit_price_cents, tax_rate, quantity, discount, available, serialized, serials} in insertion order. */
    this.lines = new Map();
    this.discount = null;
    /** {id, name} of the shop's customer, or null. */
    this.customer = null;
  }

  /** The basket this device kept, or an empty one. */
  static restore() {
    const basket = new Basket();
    try {
      const saved = JSON.parse(localStorage.getItem(KEY) || 'null');
      if (!saved || !Array.isArray(saved.lines)) return basket;
      for (const l of saved.lines) {
        if (typeof l.sku !== 'string' || !Number.isInteger(l.quantity) || l.quantity < 1) continue;
        basket.lines.set(l.sku, {
          sku: l.sku, name: String(l.name ?? l.sku), unit_price_cents: Number(l.unit_price_cents) || 0,
          tax_rate: l.tax_rate ?? null, quantity: l.quantity, discount: validDiscount(l.discount), available: undefined,
          serialized: l.serialized === true, serials: Array.isArray(l.serials) ? l.serials.filter((s) => typeof s === 'string') : [],
        });
      }
      basket.discount = validDiscount(saved.discount);
      if (saved.customer && typeof saved.customer.id === 'string') basket.customer = { id: saved.customer.id, name: String(saved.customer.name ?? '') };
    } catch (e) {
      console.warn('the saved basket could not be read; starting empty', e);
    }
    return basket;
  }

  get isEmpty() {
    return this.lines.size === 0;
  }

  /**
   * Adds one of `product` (a new line, or +1 on its line); answers the line. With `serial`
   * (a unit scanned by its serial number), that unit: it counts as one of the line's units
   * until there are more serials than units. Answers null when the unit is in the basket already.
   */
  add(product, serial = null) {
    let line = this.lines.get(product.sku);
    if (!line) {
      line = { sku: product.sku, name: product.name, unit_price_cents: product.price_cents, tax_rate: product.tax_rate ?? null,
        quantity: 0, discount: null, available: undefined, serialized: product.serialized === true, serials: [] };
      this.lines.set(product.sku, line);
    }
    if (serial) {
      if (line.serials.includes(serial)) return null;
      line.serials.push(serial);
      line.quantity = Math.max(line.quantity, line.serials.length);
    } else line.quantity += 1;
    this.save();
    return line;
  }

  /** Takes unit `serial` off `sku`'s line, and the unit with it (the line goes with its last unit). */
  removeSerial(sku, serial) {
    const line = this.lines.get(sku);
    if (!line || !line.serials.includes(serial)) return;
    line.serials = line.serials.filter((s) => s !== serial);
    line.quantity -= 1;
    if (line.quantity < 1) this.lines.delete(sku);
    this.save();
  }

  /** Lines of products with serial numbers that still lack some: `{line, missing}`. */
  unscanned() {
    return [...this.lines.values()].filter((l) => l.serialized && l.serials.length < l.quantity)
      .map((line) => ({ line, missing: line.quantity - line.serials.length }));
  }

  /** Takes the catalog's current name, price and tax rate of a line's product. */
  refresh(product) {
    const line = this.lines.get(product.sku);
    if (!line) return;
    Object.assign(line, { name: product.name, unit_price_cents: product.price_cents, tax_rate: product.tax_rate ?? null, serialized: product.serialized === true });
    this.save();
  }

  remove(sku) {
    this.lines.delete(sku);
    this.save();
  }

  clear() {
    this.lines.clear();
    this.discount = null;
    this.customer = null;
    localStorage.removeItem(KEY);
  }

  save() {
    if (this.isEmpty && !this.customer && !this.discount) { localStorage.removeItem(KEY); return; }
    const lines = [...this.lines.values()].map(({ sku, name, unit_price_cents, tax_rate, quantity, discount, serialized, serials }) =>
      ({ sku, name, unit_price_cents, tax_rate, quantity, discount, serialized, serials }));
    try {
      localStorage.setItem(KEY, JSON.stringify({ lines, discount: this.discount, customer: this.customer }));
    } catch (e) {
      console.warn('the basket could not be kept on this device', e);
    }
  }

  /** The `lines` of the sale request. */
  requestLines() {
    return [...this.lines.values()].map((l) => ({ sku: l.sku, quantity: l.quantity, ...discountFields(l.discount), ...(l.serials.length ? { serials: l.serials } : {}) }));
  }

  /** The basket discount's fields of the sale request. */
  requestDiscount() {
    return discountFields(this.discount);
  }
}

function discountFields(d) {
  if (!d || !d.value) return {};
  return d.kind === 'percent' ? { discount_percent: d.value } : { discount_cents: d.value };
}
