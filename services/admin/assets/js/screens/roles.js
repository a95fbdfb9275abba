// What each role may do, in words, for the screens that show or choose roles. The roles
// themselves and their order come from the server (`/auth/me`'s \`roles\`, lowest first).

const HELP = {
  viewer: 'reads everything',
  clerk: '+ records sales and returns',
  manager: '+ products, stock, voids, locations',
  admin: '+ users',
};

/** `role` with what it may do, e.g. "clerk (+ records sales and returns)". */
export function roleWithHelp(role) {
  return HELP[role] ? `${role} (${HELP[role]})` : role;
}

/** Every role with what it may do, on one line. */
export function rolesHelp(roles) {
  return roles.map((r) => (HELP[r] ? `${r}: ${HELP[r]}` : r)).join(' · ');
}
