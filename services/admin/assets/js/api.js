// The fetch wrapper for `/api/v1`: JSON in and out, the CSRF header on every state-changing
// request, problem+json errors turned into ApiError, and 401 / forced password change handed
// to the app shell (which goes to /login or shows the password form).

const BASE = '/api/v1';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/** An error answer of the API (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(status, problem = {}) {
    const title = problem.title || (status ? `Request failed (${status})` : 'Network error');
    const detail = problem.detail || '';
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
    this.status = status;
    this.problem = problem;
    this.title = title;
    this.detail = detail;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.slug = String(problem.type || '').split(':').pop();
    /** True when the shell already reacted (401 → login); screens need not show it. */
    this.handled = false;
  }
}

const handlers = { unauthorized: null, passwordChangeRequired: null };

/** The shell registers what to do on 401 and on 403 password-change-required. */
export function setAuthHandlers({ unauthorized, passwordChangeRequired }) {
  handlers.unauthorized = unauthorized;
  handlers.passwordChangeRequired = passwordChangeRequired;
}

/** The value of the readable `it_csrf` cookie. */
export function csrfToken() {
  for (const part of document.cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === 'it_csrf') return decodeURIComponent(v.join('='));
  }
  return '';
}

/** Builds `?a=1&b=2`, leaving out empty values. */
export function qs(params = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/**
 * Sends a request; resolves to `{status, data, headers}` or rejects with ApiError.
 * opts: method, body (JSON-encoded), or raw (a Blob or text sent as it is, with
 * `contentType`), query, headers, signal, skipAuthRedirect.
 */
export async function request(path, opts = {}) {
  const method = (opts.method || 'GET').toUpperCase();
  const headers = { Accept: 'application/json, application/problem+json', ...(opts.headers || {}) };
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  else if (opts.raw !== undefined) headers['Content-Type'] = opts.contentType || 'application/octet-stream';
  if (!SAFE.has(method)) {
    const csrf = csrfToken();
    if (csrf) headers['X-CSRF-Token'] = csrf;
  }
  let res;
  try {
    res = await fetch(BASE + path + qs(opts.query), {
      method,
      headers,
      body: opts.body !== undefined ? JSON.stringify(opts.body) : opts.raw,
      credentials: 'same-origin',
      signal: opts.signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, { title: 'Network error', detail: 'The server could not be reached. Check the connection and try again.' });
  }
  const data = await readBody(res);
  if (res.ok) return { status: res.status, data, headers: res.headers };

  const problem = data && typeof data === 'object' ? data : { title: res.statusText || `HTTP ${res.status}`, detail: typeof data === 'string' ? data.slice(0, 300) : undefined };
  const error = new ApiError(res.status, problem);
  if (res.status === 401 && !opts.skipAuthRedirect && handlers.unauthorized) {
    error.handled = true;
    handlers.unauthorized();
  } else if (res.status === 403 && error.slug === 'password-change-required' && handlers.passwordChangeRequired) {
    error.handled = true;
    handlers.passwordChangeRequired();
  }
  throw error;
}

async function readBody(res) {
  if (res.status === 204) return null;
  const type = res.headers.get('Content-Type') || '';
  try {
    if (type.includes('json')) return await res.json();
    const text = await res.text();
    return text || null;
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    return null;
  }
}

/** `request` that resolves to the body only. */
export async function api(path, opts) {
  return (await request(path, opts)).data;
}

export const get = (path, query, signal) => api(path, { query, signal });
export const post = (path, body, opts = {}) => api(path, { ...opts, method: 'POST', body });
export const patch = (path, body, opts = {}) => api(path, { ...opts, method: 'PATCH', body });
export const put = (path, body, opts = {}) => api(path, { ...opts, method: 'PUT', body });
export const del = (path, opts = {}) => api(path, { ...opts, method: 'DELETE' });

/** A path segment, escaped. */
export const seg = (s) => encodeURIComponent(String(s));

/** A fresh idempotency key (crypto.randomUUID needs a secure context; fall back otherwise). */
export function newKey() {
  if (globalThis.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = [...b].map((n) => n.toString(16).padStart(2, '0')).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * True when the server refused a request outright (a 4xx): nothing was done, so a new attempt
 * may take a new idempotency key. Not for 409 idempotency-key-in-use: the first attempt with
 * the key may still be running and succeed, and a new key would then record it twice.
 */
export function refusedOutright(e) {
  return !!e && e.status >= 400 && e.status < 500 && e.slug !== 'idempotency-key-in-use';
}

/** True for errors a screen should not show (aborted on navigation, or 401 already handled). */
export function isQuiet(e) {
  return !e || e.name === 'AbortError' || e.handled === true;
}
