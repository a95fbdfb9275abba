// Sending a sale: `POST /sales` under the sale's Idempotency-Key, waiting for an earlier
// attempt with the same key that is still being recorded (a double click, a retry).

import { request } from '../../api.js';

/** Resolves to `{status, data, headers}` of the recorded sale, or rejects with the ApiError. */
export async function postSale(body, key, signal) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request('/sales', { method: 'POST', body, headers: { 'Idempotency-Key': key }, signal });
    } catch (e) {
      if (e.slug === 'idempotency-key-in-use' && attempt < 5) { await sleep(1000); continue; }
      throw e;
    }
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
