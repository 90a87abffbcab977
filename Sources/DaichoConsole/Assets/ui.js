// The few building blocks every page shares: a titled card, a list of facts, a table, a pager button, a note.

import {h} from './dom.js';
import {t} from './i18n.js';

/** A titled section (`<section class="card">`) with an id for tests and links. */
export function card(id, title, ...children) {
  return h('section', {class: 'card', id, 'aria-labelledby': id + '-title'}, h('h2', {id: id + '-title'}, title), ...children);
}

/** A definition list of `[label, value]` pairs; a value may be a node. */
export function facts(pairs, className = 'facts') {
  return h('dl', {class: className}, pairs.map(([label, value]) => [h('dt', null, label), h('dd', null, value)]));
}

/** A table: `headers` (strings) and `rows` (arrays of strings or nodes); `empty` shown when there are no rows. */
export function table(headers, rows, {id = null, empty = t('common.none'), numeric = []} = {}) {
  if (!rows.length) return h('p', {class: 'muted', id}, empty);
  const cls = (i) => (numeric.includes(i) ? 'num' : null);
  return h('div', {class: 'table-wrap'}, h('table', {id},
    h('thead', null, h('tr', null, headers.map((text, i) => h('th', {scope: 'col', class: cls(i)}, text)))),
    h('tbody', null, rows.map((row) => h('tr', null, row.map((cell, i) => h('td', {class: cls(i)}, cell)))))));
}

/** A paragraph saying a request failed, with the server's message. */
export function failure(error, id = null) {
  return h('p', {class: 'error', role: 'alert', id}, error && error.message ? error.message : String(error));
}

/** A link to a customer's page by profile id. */
export function customerLink(id, label = id) {
  return h('a', {href: '#/customer/' + encodeURIComponent(id), class: 'mono'}, label);
}
