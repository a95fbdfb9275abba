// The till's running figures, by the sales service's rules (services/sales/src/domain/
// pricing.rs): line discounts, the basket discount spread over the lines by largest
// remainders, then tax per line rounded half away from zero. Only for display: the sale the
// server records is the truth.

/** `amount × num / den` rounded half away from zero (BigInt: cents × rates exceed 2^53). */
export function shareRounded(amount, num, den) {
  const a = BigInt(amount) * BigInt(num);
  const d = BigInt(den);
  const negative = a < 0n;
  const abs = negative ? -a : a;
  const q = (abs * 2n + d) / (2n * d);
  return Number(negative ? -q : q);
}

/** Hundredths of a basis point (parts per million) of a `rate_bp` such as 2000 or 887.5. */
export function ppm(rateBp) {
  return Math.round(Number(rateBp || 0) * 100);
}

/**
 * The amount a discount (`{kind: 'amount', value: cents}` or `{kind: 'percent', value: 12.5}`)
 * takes off `base`, or `{error}` when it takes more than there is.
 */
export function discountOff(discount, base) {
  if (!discount || !discount.value) return { off: 0 };
  const off = discount.kind === 'percent'
    ? shareRounded(base, Math.round(discount.value * 100), 10000)
    : discount.value;
  return off > base ? { off: base, error: 'more than the amount it is taken off' } : { off };
}

/** `total` spread over `amounts` in proportion to them; leftover cents to the largest remainders. */
export function spread(total, amounts) {
  const base = amounts.reduce((s, a) => s + BigInt(a), 0n);
  if (base === 0n || total === 0) return amounts.map(() => 0);
  const t = BigInt(total);
  const exact = amounts.map((a) => ({ share: (t * BigInt(a)) / base, rest: (t * BigInt(a)) % base }));
  const shares = exact.map((e) => e.share);
  let left = t - shares.reduce((s, x) => s + x, 0n);
  const order = exact.map((_, i) => i).sort((a, b) => (exact[b].rest > exact[a].rest ? 1 : exact[b].rest < exact[a].rest ? -1 : a - b));
  for (const i of order) {
    if (left <= 0n) break;
    shares[i] += 1n;
    left -= 1n;
  }
  return shares.map(Number);
}

/**
 * Prices `lines` ([{sku, unit_price_cents, quantity, discount, tax_rate}]) with the basket
 * `discount`. `terms`: {pricesIncludeTax, rateOf(line) → rate_bp}. Answers the figures per
 * line (by SKU) and in total, and `errors` ([{sku | 'basket', message}]).
 */
export function price(lines, discount, terms) {
  const errors = [];
  const rows = lines.map((l) => {
    const list = l.unit_price_cents * l.quantity;
    const own = discountOff(l.discount, list);
    if (own.error) errors.push({ sku: l.sku, message: `The discount on ${l.sku} is ${own.error}.` });
    return { sku: l.sku, list, own: own.off, after: list - own.off };
  });
  const base = rows.reduce((s, r) => s + r.after, 0);
  const basket = discountOff(discount, base);
  if (basket.error) errors.push({ sku: 'basket', message: `The basket discount is ${basket.error}.` });
  const shares = spread(basket.off, rows.map((r) => r.after));
  const totals = { list: 0, discount: 0, subtotal: 0, tax: 0, total: 0, units: 0 };
  const bySku = new Map();
  rows.forEach((r, i) => {
    const line = lines[i];
    const amount = r.after - shares[i];
    const rate = ppm(terms.rateOf(line));
    const tax = terms.pricesIncludeTax ? shareRounded(amount, rate, 1_000_000 + rate) : shareRounded(amount, rate, 1_000_000);
    const figures = {
      list: r.list,
      ownDiscount: r.own,
      discount: r.own + shares[i],
      net: terms.pricesIncludeTax ? amount - tax : amount,
      tax,
      total: terms.pricesIncludeTax ? amount : amount + tax,
    };
    bySku.set(r.sku, figures);
    totals.list += figures.list;
    totals.discount += figures.discount;
    totals.subtotal += figures.net;
    totals.tax += figures.tax;
    totals.total += figures.total;
    totals.units += line.quantity;
  });
  return { lines: bySku, totals, errors };
}
