// The header: the navigation the signed-in role may use, the serial-number lookup (on every
// screen: a unit's page with its warranty), who is signed in, and logout.

import { h, replace } from './dom.js';
import { navigate } from './router.js';

const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/products', label: 'Products' },
  { href: '/stock', label: 'Stock' },
  { href: '/purchasing', label: 'Purchasing' },
  { href: '/suppliers', label: 'Suppliers' },
  { href: '/pos', label: 'Point of sale', role: 'clerk' },
  { href: '/sales', label: 'Sales' },
  { href: '/reports', label: 'Reports' },
  { href: '/customers', label: 'Customers', role: 'clerk' },
  { href: '/shifts', label: 'Shifts', role: 'clerk' },
  { href: '/rmas', label: 'Warranty' },
  { href: '/alerts', label: 'Alerts' },
  { href: '/locations', label: 'Locations', role: 'manager' },
  { href: '/users', label: 'Users', role: 'admin' },
];

/** Shows the header for `me` (null: signed out); `can(role)` tells what its role allows. */
export function renderHeader(me, can) {
  const nav = document.getElementById('app-nav');
  const who = document.getElementById('current-user');
  const logoutBtn = document.getElementById('logout');
  if (!me) {
    nav.replaceChildren();
    who.replaceChildren();
    who.hidden = true;
    logoutBtn.hidden = true;
    document.body.classList.remove('signed-in');
    return;
  }
  document.body.classList.add('signed-in');
  const links = me.user.must_change_password ? [] : NAV.filter((l) => !l.role || can(l.role));
  replace(nav, h('ul', {}, links.map((l) => h('li', {}, h('a', { href: l.href, text: l.label })))),
    me.user.must_change_password ? null : serialLookup());
  const name = me.user.display_name && me.user.display_name !== me.user.username
    ? `${me.user.display_name} (${me.user.username})` : me.user.username;
  replace(who,
    h('a', { href: '/account', class: 'user-name', title: 'Your account and API tokens', text: name }),
    ' ',
    h('span', { class: `role-badge role-${me.role}`, text: me.role }));
  who.hidden = false;
  logoutBtn.hidden = false;
  markActiveLink();
}

/** Marks the navigation link of the current address. */
export function markActiveLink() {
  const path = location.pathname;
  document.querySelectorAll('#app-nav a').forEach((a) => {
    const href = a.getAttribute('href');
    const active = href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`);
    if (active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
}

/** The lookup box: a serial number scanned or typed, then Enter, opens its unit's page. */
function serialLookup() {
  const input = h('input', { type: 'search', id: 'serial-lookup-input', name: 'serial', autocomplete: 'off', autocapitalize: 'characters',
    spellcheck: 'false', placeholder: 'Serial no.', 'aria-label': 'Look a unit up by its serial number', maxlength: 64 });
  const form = h('form', { id: 'serial-lookup', class: 'serial-lookup', role: 'search' }, input);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const serial = input.value.trim().toUpperCase();
    if (!serial) return;
    input.value = '';
    navigate(`/serials/${encodeURIComponent(serial)}`);
  });
  return form;
}
