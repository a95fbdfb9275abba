// A type-ahead combobox (the WAI-ARIA combobox pattern with a listbox popup): typing fetches
// matches (debounced, the previous request aborted), ArrowUp/ArrowDown move through them,
// Enter or a click picks one, Escape closes the list.

import { isQuiet } from './api.js';
import { h, replace, debounce } from './dom.js';

/**
 * Makes `input` a combobox whose listbox (`#listId`) is added after it in `wrap`.
 * `fetchItems(text, signal)` resolves to the matches; `optionContent(item)` gives an option's
 * children; `onPick(item)` is called with the chosen one. With `activateFirst` the first match
 * is highlighted at once (Enter picks it); otherwise Enter is left to other listeners until an
 * arrow key highlighted a match. Listeners that run after this one see `defaultPrevented` when
 * the combobox used the key.
 */
export function combobox({ input, wrap, listId, fetchItems, optionContent, onPick, signal, delay = 150, minLength = 1, activateFirst = false, empty = 'No matches.' }) {
  const list = h('ul', { id: listId, role: 'listbox', class: 'combo-list', hidden: true });
  const status = h('p', { class: 'combo-status', role: 'status', 'aria-live': 'polite' });
  wrap.classList.add('combo');
  wrap.append(list, status);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', listId);
  input.autocomplete = 'off';

  let items = [];
  let active = -1;
  let request = null;
  let newest = 0;

  async function search() {
    const text = input.value.trim();
    request?.abort();
    if (text.length < minLength) { close(); return; }
    const mine = ++newest;
    request = new AbortController();
    const onAbort = () => request?.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      const found = await fetchItems(text, request.signal);
      if (mine !== newest || signal.aborted) return;
      show(found, text);
    } catch (e) {
      if (isQuiet(e) || mine !== newest) return;
      close();
      status.textContent = `Search failed: ${e.message}`;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
  const searchLater = debounce(search, delay);
  signal.addEventListener('abort', () => { searchLater.cancel(); request?.abort(); }, { once: true });

  function show(found, text) {
    items = found;
    active = activateFirst && items.length ? 0 : -1;
    replace(list, items.map((item, i) => h('li', {
      id: `${listId}-${i}`, role: 'option', class: 'combo-option', 'aria-selected': 'false', dataset: { index: i },
    }, optionContent(item))));
    list.hidden = !items.length;
    input.setAttribute('aria-expanded', String(!list.hidden));
    status.textContent = items.length ? `${items.length} match${items.length === 1 ? '' : 'es'} for “${text}”; use the arrow keys to choose.` : `${empty}`;
    highlight();
  }

  function highlight() {
    list.querySelectorAll('[role="option"]').forEach((li, i) => li.setAttribute('aria-selected', String(i === active)));
    const current = active >= 0 ? document.getElementById(`${listId}-${active}`) : null;
    if (current) {
      input.setAttribute('aria-activedescendant', current.id);
      current.scrollIntoView?.({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  function close() {
    items = [];
    active = -1;
    list.hidden = true;
    list.replaceChildren();
    status.textContent = '';
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
  }

  /** Stops any pending search and closes the list. */
  function cancel() {
    searchLater.cancel();
    newest++;
    request?.abort();
    close();
  }

  function pick(item) {
    cancel();
    onPick(item);
  }

  input.addEventListener('input', () => searchLater());
  input.addEventListener('blur', () => cancel());
  input.addEventListener('keydown', (event) => {
    const open = !list.hidden && items.length > 0;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (!open) {
        if (input.value.trim().length >= minLength) { searchLater.cancel(); search(); }
        event.preventDefault();
        return;
      }
      event.preventDefault();
      const n = items.length;
      active = event.key === 'ArrowDown' ? (active + 1) % n : (active <= 0 ? n - 1 : active - 1);
      highlight();
    } else if (event.key === 'Enter' && open && active >= 0) {
      event.preventDefault();
      pick(items[active]);
    } else if (event.key === 'Escape' && (open || status.textContent)) {
      event.preventDefault();
      cancel();
    }
  });
  // A click picks without taking the focus from the input first (which would close the list).
  list.addEventListener('mousedown', (event) => event.preventDefault());
  list.addEventListener('click', (event) => {
    const li = event.target.closest('[role="option"]');
    if (li) pick(items[Number(li.dataset.index)]);
  });

  return {
    list,
    cancel,
    /** Searches the input's text now (no debounce). */
    searchNow: () => { searchLater.cancel(); return search(); },
    isOpen: () => !list.hidden,
  };
}
