// The live event stream: one EventSource on /api/v1/events/stream for the whole app,
// subscribers per event type, the recent-events buffer for the overview feed, and the
// connection indicator #live-status (data-state = connecting | open | closed).

import { money } from './format.js';
import { api } from './api.js';

export const EVENT_TYPES = [
  'ProductCreated', 'ProductUpdated', 'ProductArchived',
  'RestockReceived', 'StockAdjusted', 'StockTransferred', 'StockLevelWarning', 'StockLevelsChanged',
  'SaleCreated', 'SaleUpdated', 'ShiftClosed', 'resync',
];

const MAX_RECENT = 50;
let source = null;
let wanted = false;
let retryTimer = 0;
let retryDelay = 2000;
let lostConnection = false;
const subscribers = new Set();
const recent = [];
const seen = new Set();

/** Opens the stream (idempotent). */
export function connect() {
  wanted = true;
  if (source) return;
  clearTimeout(retryTimer);
  setStatus('connecting');
  let es;
  try {
    es = new EventSource('/api/v1/events/stream', { withCredentials: false });
  } catch {
    setStatus('closed');
    scheduleRetry();
    return;
  }
  source = es;
  es.addEventListener('open', () => {
    if (source !== es) return;
    setStatus('open');
    retryDelay = 2000;
    // A brand-new EventSource cannot resume where the old one stopped: reload everything.
    if (lostConnection) {
      lostConnection = false;
      dispatch('resync', { type: 'resync', data: {} });
    }
  });
  es.addEventListener('error', () => {
    if (source !== es) return;
    if (es.readyState === EventSource.CLOSED) {
      // The browser gave up (a 401 or 5xx answer, which EventSource does not tell apart).
      // Ask who we are: a 401 there sends the shell to the login form (and disconnects);
      // otherwise try again ourselves, slower and slower.
      source = null;
      lostConnection = true;
      setStatus('closed');
      api('/auth/me').then(scheduleRetry, (e) => { if (e.status !== 401) scheduleRetry(); });
    } else {
      setStatus('connecting');
    }
  });
  for (const type of EVENT_TYPES) {
    es.addEventListener(type, (e) => {
      if (source !== es) return;
      onMessage(type, e);
    });
  }
}

/** Closes the stream (on logout). */
export function disconnect() {
  wanted = false;
  clearTimeout(retryTimer);
  retryDelay = 2000;
  if (source) source.close();
  source = null;
  lostConnection = false;
  recent.length = 0;
  seen.clear();
  setStatus('closed');
}

function scheduleRetry() {
  if (!wanted) return;
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => { if (wanted) connect(); }, retryDelay);
  retryDelay = Math.min(retryDelay * 2, 30000);
}

function onMessage(type, e) {
  let envelope;
  try {
    envelope = JSON.parse(e.data || '{}');
  } catch {
    return;
  }
  if (type !== 'resync') {
    if (envelope.id) {
      if (seen.has(envelope.id)) return;
      seen.add(envelope.id);
      if (seen.size > 500) seen.delete(seen.values().next().value);
    }
    recent.unshift({ type, envelope, receivedAt: new Date() });
    if (recent.length > MAX_RECENT) recent.length = MAX_RECENT;
  }
  dispatch(type, envelope);
}

function dispatch(type, envelope) {
  for (const sub of [...subscribers]) {
    if (sub.types && !sub.types.has(type)) continue;
    try {
      const r = sub.fn(type, envelope);
      if (r && typeof r.catch === 'function') r.catch((err) => console.warn('live subscriber failed', err));
    } catch (err) {
      console.warn('live subscriber failed', err);
    }
  }
}

/**
 * Calls `fn(type, envelope)` for each event of `types` (an array, or null for all).
 * Returns the unsubscribe function.
 */
export function subscribe(types, fn) {
  const sub = { types: types ? new Set(types) : null, fn };
  subscribers.add(sub);
  return () => subscribers.delete(sub);
}

/** The most recent events, newest first: [{type, envelope, receivedAt}]. */
export function recentEvents() {
  return recent.slice();
}

/** Notifies `fn(state)` whenever the connection state changes; returns unsubscribe. */
const statusListeners = new Set();
export function onStatus(fn) {
  statusListeners.add(fn);
  return () => statusListeners.delete(fn);
}

const LABELS = { open: 'Live', connecting: 'Connecting…', closed: 'Offline' };
function setStatus(state) {
  const el = document.getElementById('live-status');
  if (el) {
    el.dataset.state = state;
    el.title = `Live updates: ${LABELS[state]}`;
    const label = el.querySelector('.live-label');
    if (label) label.textContent = LABELS[state];
  }
  statusListeners.forEach((fn) => fn(state));
}

/** One-line description of an event for the feed. */
export function describe(type, env) {
  const d = (env && env.data) || {};
  switch (type) {
    case 'ProductCreated': return `New product ${d.product?.sku ?? ''} ${d.product?.name ?? ''}`.trim();
    case 'ProductUpdated': return `Product ${d.product?.sku ?? ''} changed${Array.isArray(d.changed) && d.changed.length ? ` (${d.changed.join(', ')})` : ''}`;
    case 'ProductArchived': return `Product ${d.sku ?? ''} archived`;
    case 'RestockReceived': return `Restock: +${d.quantity} ${d.sku} at ${d.location} (now ${d.on_hand_after})`;
    case 'StockAdjusted': return `Adjustment: ${d.delta > 0 ? '+' : ''}${d.delta} ${d.sku} at ${d.location} (${String(d.reason ?? '').replace(/_/g, ' ')})`;
    case 'StockTransferred': return `Transfer: ${d.quantity} ${d.sku} from ${d.from} to ${d.to}`;
    case 'StockLevelWarning': return `Low stock: ${d.sku} at ${d.location}, ${d.available} available (threshold ${d.low_stock_threshold})`;
    case 'StockLevelsChanged': return `Stock changed at ${d.location ?? '?'} (${d.cause ?? 'update'}): ${(d.levels || []).map((l) => `${l.sku} ${l.available}`).join(', ')}`;
    case 'SaleCreated': return `Sale #${d.receipt_number}: ${(d.lines || []).reduce((n, l) => n + (l.quantity || 0), 0)} units, ${money(d.total_cents)} (${d.payment_method})`;
    case 'SaleUpdated': return `Sale #${d.receipt_number} ${d.change === 'voided' ? 'voided' : 'items returned'} (${String(d.status ?? '').replace(/_/g, ' ')})`;
    case 'ShiftClosed': return `Shift of ${d.till} closed: Z ${d.z_number}, ${money(d.total_cents)} taken, drawer ${d.over_short_cents < 0 ? `${money(-d.over_short_cents)} short` : d.over_short_cents > 0 ? `${money(d.over_short_cents)} over` : 'exact'}`;
    default: return type;
  }
}

