// Formatting and parsing of money (integer minor units in the API, "12.50" on screen, in the
// shop's currency), numbers, dates and times, and the RFC 3339 instants the API's filters take.

/** Digits of the shop's currency after the decimal point (2 for EUR, 0 for JPY). */
let minorUnits = 2;
let moneyFmt = new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const intFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/** Money from now on is in `code` (ISO 4217), whose minor unit has `minor` digits. */
export function useCurrency(code, minor) {
  minorUnits = minor;
  moneyFmt = new Intl.NumberFormat(undefined, { style: 'currency', currency: code, minimumFractionDigits: minor, maximumFractionDigits: minor });
}

/** 123456 → "$1,234.56" (symbol and grouping per the shop's currency and the browser's locale). */
export function money(cents) {
  if (cents === null || cents === undefined || Number.isNaN(Number(cents))) return '—';
  return moneyFmt.format(Number(cents) / 10 ** minorUnits);
}

/** The shop currency's symbol ("£", "€", "$"), or its code when it has none. */
export function currencySymbol() {
  const part = moneyFmt.formatToParts(0).find((p) => p.type === 'currency');
  return part ? part.value : '¤';
}

/** Minor units as a number of whole currency units: 1250 → 12.5. */
export function majorUnits(cents) {
  return Number(cents) / 10 ** minorUnits;
}

/** Minor units as plain editable text: 1250 → "12.50" (no grouping, no symbol). */
export function moneyInput(cents) {
  if (cents === null || cents === undefined) return '';
  const n = Number(cents);
  const sign = n < 0 ? '-' : '';
  const abs = Math.abs(n);
  const scale = 10 ** minorUnits;
  const whole = Math.floor(abs / scale);
  return minorUnits ? `${sign}${whole}.${String(abs % scale).padStart(minorUnits, '0')}` : `${sign}${whole}`;
}

/**
 * Money text → integer minor units. Accepts "12", "12.5", "12.50", "1,234.50", "12,50" (with
 * at most as many decimals as the currency has). Returns null for empty text and NaN for text
 * that is not an amount.
 */
export function parseMoney(text) {
  let s = String(text ?? '').trim().replace(/\s/g, '');
  if (s === '') return null;
  if (minorUnits && new RegExp(`^\\d+,\\d{1,${minorUnits}}$`).test(s)) s = s.replace(',', '.');
  else s = s.replace(/,(?=\d{3}(\D|$))/g, '');
  const decimals = minorUnits ? `(?:\\.(\\d{1,${minorUnits}}))?` : '';
  const m = new RegExp(`^(-?)(\\d+)${decimals}$`).exec(s);
  if (!m) return NaN;
  const cents = Number(m[2]) * 10 ** minorUnits + Number((m[3] || '0').padEnd(minorUnits, '0') || '0');
  if (!Number.isSafeInteger(cents)) return NaN;
  return m[1] ? -cents : cents;
}

/** Whole-number text → integer, null for empty, NaN for anything else. */
export function parseIntStrict(text) {
  const s = String(text ?? '').trim();
  if (s === '') return null;
  if (!/^[-+]?\d+$/.test(s)) return NaN;
  return Number(s);
}

export function int(n) {
  return n === null || n === undefined ? '—' : intFmt.format(n);
}

const dateTimeFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

export function dateTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTimeFmt.format(d);
}

export function time(iso) {
  const d = iso ? new Date(iso) : new Date();
  return Number.isNaN(d.getTime()) ? '' : timeFmt.format(d);
}

/** "2026-11-25" (a UTC day from the API) → "Nov 25". */
export function day(ymd) {
  const d = new Date(`${ymd}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? ymd : dayFmt.format(d);
}

const fullDayFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });

/** "2028-11-25" (a UTC day from the API) → "Nov 25, 2028": a day that may be years away. */
export function fullDay(ymd) {
  const d = new Date(`${ymd}T00:00:00Z`);
  return Number.isNaN(d.getTime()) ? ymd : fullDayFmt.format(d);
}

/**
 * "YYYY-MM-DD": the last day of a warranty of `months` from the UTC day of `soldAt` (RFC 3339),
 * the same day `months` later or that month's last day when it is shorter — as the inventory
 * counts it (kernel::serial::warranty_end).
 */
export function warrantyEnd(soldAt, months) {
  const sold = new Date(soldAt);
  const index = sold.getUTCFullYear() * 12 + sold.getUTCMonth() + months;
  const year = Math.floor(index / 12);
  const month = index % 12;
  const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const end = new Date(Date.UTC(year, month, Math.min(sold.getUTCDate(), last)));
  return end.toISOString().slice(0, 10);
}

/** The RFC 3339 instant of local midnight at the start of `date` (a Date or "YYYY-MM-DD"). */
export function startOfLocalDay(date = new Date()) {
  const d = typeof date === 'string' ? new Date(`${date}T00:00:00`) : new Date(date);
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

/** The RFC 3339 instant of the local midnight after "YYYY-MM-DD" (an exclusive end). */
export function endOfLocalDay(ymd) {
  const d = new Date(`${ymd}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return d.toISOString();
}

/** "YYYY-MM-DD" of a Date in UTC. */
export function utcDay(d) {
  return d.toISOString().slice(0, 10);
}

/** "completed" / "partially_returned" → "Completed" / "Partially returned". */
export function label(slug) {
  if (!slug) return '';
  const s = String(slug).replace(/_/g, ' ');
  return s[0].toUpperCase() + s.slice(1);
}
