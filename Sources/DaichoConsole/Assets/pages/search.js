// Search: one box; the kind is recognised (selector.js) or chosen; the server normalizes and finds the customer.
// A match opens the customer's page by profile id (so the URL holds no e-mail or phone). Below, every customer
// can be browsed page by page.

import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import {api, ApiError, selectorPath, withQuery} from '../api.js';
import {card, table, failure, customerLink} from '../ui.js';
import * as fmt from '../format.js';
import {recognise, KINDS} from '../selector.js';

export async function render(main, route) {
  const q = route.query.get('q') || '';
  const kind = KINDS.includes(route.query.get('kind')) ? route.query.get('kind') : 'auto';
  const input = h('input', {type: 'search', id: 'q', name: 'q', value: q, autocomplete: 'off', spellcheck: 'false',
    placeholder: t('search.placeholder'), 'aria-label': t('search.label')});
  const select = h('select', {id: 'kind', name: 'kind', 'aria-label': t('search.kind')},
    KINDS.map((k) => h('option', {value: k, selected: k === kind}, t('kind.' + k))));
  const recognised = h('p', {class: 'muted', id: 'recognised', 'aria-live': 'polite'});
  const showKind = () => {
    const sel = recognise(input.value, select.value);
    recognised.textContent = sel ? t('search.as', {kind: kindName(sel.kind)}) : (input.value.trim() ? t('search.handle_needs_platform') : '');
  };
  input.addEventListener('input', showKind);
  select.addEventListener('change', showKind);
  const result = h('div', {id: 'result', 'aria-live': 'polite'});
  const form = h('form', {class: 'search', role: 'search', onsubmit: (event) => {
    event.preventDefault();
    const params = new URLSearchParams({q: input.value.trim()});
    if (select.value !== 'auto') params.set('kind', select.value);
    const target = '#/search?' + params.toString();
    if (location.hash === target) lookup(); else location.hash = target;
  }}, input, select, h('button', {type: 'submit'}, t('search.submit')));
  const browse = browser(route);
  main.append(h('h1', null, t('search.title')), form, recognised, result,
    h('p', {class: 'muted small'}, t('search.help')), browse.node);
  showKind();
  input.focus();

  async function lookup() {
    const sel = recognise(q, kind);
    if (!sel) return;
    result.replaceChildren(h('p', {class: 'muted'}, t('common.loading')));
    try {
      const profile = await api('/v1/profiles/' + selectorPath(sel.kind, sel.value), {signal: route.signal});
      location.replace('#/customer/' + encodeURIComponent(profile.id));
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 401) throw error;
      if (error.status === 404) {
        result.replaceChildren(h('p', {class: 'notice', id: 'no-match'}, t('search.none', {kind: kindName(sel.kind), value: sel.value})));
      } else {
        result.replaceChildren(h('p', {class: 'error', id: 'search-error'}, t('search.invalid', {message: error.message})));
      }
    }
  }
  if (q) await lookup();
  else await browse.more();
}

/** Every customer, page by page (`GET /v1/profiles`, oldest profile first), for when no identifier is at hand. */
function browser(route) {
  const rows = [];
  const list = h('div', {id: 'browse'});
  const more = h('button', {type: 'button', class: 'secondary', id: 'browse-more', hidden: true}, t('common.more'));
  let next = '';
  const load = async () => {
    more.disabled = true;
    const answer = await api(withQuery('/v1/profiles', {limit: 20, cursor: next}), {signal: route.signal});
    for (const p of answer.data) {
      const name = p.traits && typeof p.traits.name === 'string' ? p.traits.name : '';
      rows.push([customerLink(p.id), name, fmt.count(p.events), fmt.time(p.last_seen), p.channels.join(', ')]);
    }
    next = answer.next;
    replace(list, table([t('search.profile'), t('search.name'), t('customer.events'), t('customer.last_seen'), t('customer.channels')],
      rows, {numeric: [2], empty: t('search.no_profiles')}));
    more.hidden = !next;
    more.disabled = false;
  };
  more.addEventListener('click', () => load().catch((error) => list.append(failure(error))));
  return {node: card('browse-card', t('search.browse'), list, more), more: load};
}

function kindName(kind) {
  return KINDS.includes(kind) ? t('kind.' + kind) : kind;
}
