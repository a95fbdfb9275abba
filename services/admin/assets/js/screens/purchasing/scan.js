// The scan box of a delivery: a barcode scanner types the code and Enter (a typed SKU works the
// same); codes are resolved one after another, in the order scanned. A code is matched against
// the order's lines by SKU, then by the supplier's code, then as a product barcode (looked up
// once, then remembered). Each scan is confirmed by a short beep and a message; a code that is
// not on the order (or a line that takes no more) sounds a low buzz and shows the error.

import { isQuiet } from '../../api.js';
import { h, field } from '../../dom.js';
import { lookupProduct } from './common.js';

/**
 * The scan box for `lines` (the order's): `onLine(line)` is called for each code that names
 * one; it answers `{ok, text}` (the message to show). A code that names no line goes to
 * `onOther(code)` (a unit's serial number), which answers `{ok, text}` or null when it is not
 * one either. Answers `{el, input, settled(), say()}`.
 */
export function scanBox(ctx, lines, onLine, onOther = () => null) {
  const scan = field('Scan or type a barcode or SKU', {
    id: 'receive-scan', name: 'scan', type: 'search', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false',
    enterkeyhint: 'enter', autofocus: true, placeholder: 'Scan each item as you unpack it',
    hint: 'Each scan counts one unit. Enter after a typed code.',
  });
  const sound = field('Sound', { id: 'receive-sound', type: 'checkbox', checked: true, wrapClass: 'receive-sound' });
  const message = h('p', { id: 'receive-scan-message', class: 'scan-message', role: 'status', 'aria-live': 'assertive' });
  const el = h('div', { class: 'receive-scan' }, scan.wrap, sound.wrap, message);
  const input = scan.input;
  /** code (upper case) → SKU on the order, or null: what a barcode lookup found. */
  const known = new Map();
  let queue = Promise.resolve();

  input.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const code = input.value.trim();
    input.value = '';
    if (code) queue = queue.then(() => resolve(code)).catch(() => {});
  });

  async function resolve(code) {
    let line = match(code);
    if (!line) {
      const key = code.toUpperCase();
      if (!known.has(key)) {
        try {
          const product = await lookupProduct(code, ctx.signal);
          known.set(key, product ? product.sku : null);
        } catch (e) {
          if (isQuiet(e)) return;
          say(false, `Could not look up “${code}”: ${e.message}`);
          return;
        }
      }
      const sku = known.get(key);
      // No product has the code: it may be a unit's serial number.
      const unit = sku ? null : onOther(code);
      if (unit) { say(unit.ok, unit.text); return; }
      line = sku ? lines().find((l) => l.sku === sku) : null;
      if (sku && !line) { say(false, `${sku} (“${code}”) is not on this order.`); return; }
    }
    if (!line) { say(false, `“${code}” is not on this order: no line has this SKU, supplier code or barcode.`); return; }
    const { ok, text } = onLine(line);
    say(ok, text);
  }

  /** The line whose SKU or supplier code is `code` (any case). */
  function match(code) {
    const upper = code.toUpperCase();
    return lines().find((l) => l.sku === upper) || lines().find((l) => l.supplier_sku && l.supplier_sku.toUpperCase() === upper) || null;
  }

  /** Shows `text` as a confirmation (`ok`) or an error, with its sound. */
  function say(ok, text) {
    message.textContent = text;
    message.dataset.state = ok ? 'ok' : 'error';
    el.classList.remove('scan-ok', 'scan-error');
    void el.offsetWidth; // restart the highlight
    el.classList.add(ok ? 'scan-ok' : 'scan-error');
    if (ok) input.removeAttribute('aria-invalid');
    else input.setAttribute('aria-invalid', 'true');
    if (sound.input.checked) beep(ok);
    if (!ok) navigator.vibrate?.([80, 60, 80]);
  }

  return {
    el,
    input,
    /** Settles once every code scanned so far was resolved. */
    settled: () => queue,
    say,
    clear: () => { message.textContent = ''; delete message.dataset.state; input.removeAttribute('aria-invalid'); el.classList.remove('scan-ok', 'scan-error'); },
  };
}

let audio = null;
/** A short high beep (ok) or a low double buzz (error); silent where audio is not allowed. */
function beep(ok) {
  try {
    audio ??= new (window.AudioContext || window.webkitAudioContext)();
    const at = audio.currentTime;
    const tones = ok ? [[1320, 0, 0.08]] : [[220, 0, 0.14], [220, 0.2, 0.14]];
    for (const [hz, start, length] of tones) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = ok ? 'sine' : 'square';
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.12, at + start);
      gain.gain.exponentialRampToValueAtTime(0.001, at + start + length);
      osc.connect(gain).connect(audio.destination);
      osc.start(at + start);
      osc.stop(at + start + length);
    }
  } catch {
    // No audio: the message and the highlight still show.
  }
}
