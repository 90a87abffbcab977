// Numbers, money and times as the console shows them, in the chosen language. Money stays exact: the server's
// decimal strings (and the profile's numbers) are grouped by hand, never rounded through a float format.

import {language} from './i18n.js';

/** A count with digit grouping (`12,345`); `–` for null. */
export function count(n) {
  return n === null || n === undefined ? '–' : new Intl.NumberFormat(language()).format(n);
}

/** A decimal (string or number) grouped, exact: `"1234567.5"` → `1,234,567.5`. */
export function decimal(value) {
  if (value === null || value === undefined) return '–';
  const text = String(value);
  const negative = text.startsWith('-');
  const [whole, fraction] = (negative ? text.slice(1) : text).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (negative ? '-' : '') + grouped + (fraction ? '.' + fraction : '');
}

/** An amount in a currency: `JPY 4,980` (no conversion, no rounding). */
export function money(value, currency) {
  return `${currency} ${decimal(value)}`;
}

/** A share in [0, 1] as a percentage with one decimal. */
export function percent(share) {
  return share === null || share === undefined ? '–'
    : new Intl.NumberFormat(language(), {style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1}).format(share);
}

/** A number with at most `digits` decimals (sentiment means). */
export function fixed(n, digits = 2) {
  return n === null || n === undefined ? '–'
    : new Intl.NumberFormat(language(), {maximumFractionDigits: digits, minimumFractionDigits: digits}).format(n);
}

/** An RFC 3339 time in the browser's time zone as `2026-01-02 09:04:05` (sortable, short, the same in both languages). */
export function time(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** A duration in milliseconds as hours, minutes and seconds (`2 h 05 min 12 s`). */
export function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return (h ? `${h} h ` : '') + (h || m ? `${String(m).padStart(h ? 2 : 1, '0')} min ` : '') + `${s} s`;
}
