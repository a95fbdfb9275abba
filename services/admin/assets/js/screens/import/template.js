// The template of a products CSV import, made in the browser: the columns the importer reads
// (by header name) and two example rows, with an opening-stock column per active location.

import { moneyInput } from '../../format.js';
import { csvText } from '../../exports.js';

/** The columns, what each takes, for the wizard's help. */
export const COLUMNS = [
  ['sku', 'required; letters, digits, “.”, “_”, “-”'],
  ['name', 'required for a new product'],
  ['category', 'required for a new product'],
  ['brand', 'optional'],
  ['price', 'selling price in the shop’s currency, e.g. 449.00 (or price_cents)'],
  ['cost', 'purchase cost, e.g. 365.00 (or cost_cents)'],
  ['barcode', 'EAN-13 or UPC-A; optional'],
  ['tax_rate', 'a tax rate code; blank for the shop’s default'],
  ['description', 'optional'],
  ['active', 'true or false; default true'],
  ['stock:<location>', 'opening stock at that location, e.g. stock:main'],
];

/** The template's text for the location codes `locations` (at least `main`). */
export function templateCsv(locations) {
  const codes = locations.length ? locations : ['main'];
  const header = ['sku', 'name', 'category', 'brand', 'price', 'cost', 'barcode', 'tax_rate', 'description', 'active', ...codes.map((c) => `stock:${c}`)];
  const examples = [
    ['CPU-EXAMPLE-1', 'Example 8-core desktop CPU', 'CPUs', 'ExampleBrand', moneyInput(44900), moneyInput(36500), '4006381333931', '', 'Delete these example rows before importing.', 'true', ...codes.map((c, i) => (i ? '0' : '5'))],
    ['CBL-EXAMPLE-2', 'Example HDMI cable 2 m', 'Cables', '', moneyInput(1299), moneyInput(450), '', '', '', 'true', ...codes.map(() => '')],
  ];
  return csvText([header, ...examples]);
}
