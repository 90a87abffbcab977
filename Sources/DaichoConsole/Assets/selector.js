// What a search box value selects, recognised as `daicho profile`'s selectors are (docs/console.md "Search").
// Normalization is left to the server: this only picks the kind.

/** Identifier kinds a social handle can have (docs/identity.md). */
export const PLATFORMS = ['x', 'instagram', 'line', 'youtube', 'facebook', 'tiktok', 'threads', 'linkedin', 'weibo',
  'wechat', 'kakaotalk', 'note'];

/** The kinds the search's override offers, `auto` first. */
export const KINDS = ['auto', 'email', 'phone', 'user_id', 'id', 'handle', 'anonymous_id', 'device_id'];

const OTHER_KINDS = ['user_id', 'email', 'phone', 'anonymous_id', 'device_id'];
// docs/identity.md "phone": digits, a leading +, and the separators it drops (after NFKC).
const PHONE = /^\+?[\s0-9\-.()/\u2010-\u2015\u2212\u30fc]+$/;
const PROFILE_ID = /^p-[0-9a-f]{16}$/;

/**
 * `{kind, value}` for a typed value: `kind` is `id` (a profile id) or an identifier kind (`email`, `phone`,
 * `user_id`, `x`, …). `override` is one of KINDS; `handle` expects `platform:handle`.
 * Returns null when the value is empty or a handle lacks its platform.
 */
export function recognise(text, override = 'auto') {
  const value = text.trim();
  if (!value) return null;
  // Recognised on the NFKC form (full-width ＠, ＋, digits and letters as ASCII); the value goes to the server as typed.
  const plain = value.normalize('NFKC');
  const colon = plain.indexOf(':');
  const prefix = colon > 0 ? plain.slice(0, colon) : '';
  const rest = colon > 0 ? plain.slice(colon + 1) : '';
  if (override === 'handle' || (override === 'auto' && PLATFORMS.includes(prefix))) {
    return PLATFORMS.includes(prefix) && rest ? {kind: prefix, value: rest} : null;
  }
  if (override !== 'auto') return {kind: override, value};
  if (OTHER_KINDS.includes(prefix) && rest) return {kind: prefix, value: rest};
  if (plain.includes('@')) return {kind: 'email', value};
  if (PROFILE_ID.test(plain)) return {kind: 'id', value: plain};
  if (PHONE.test(plain) && /[0-9]/.test(plain)) return {kind: 'phone', value};
  return {kind: 'user_id', value};
}
