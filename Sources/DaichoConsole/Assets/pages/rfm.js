// The customers of one RFM cell (`GET /v1/dashboard/rfm`), paged, each linking to the customer's page.

import {h} from '../dom.js';
import {t} from '../i18n.js';
import {api, withQuery} from '../api.js';
import {customerLink} from '../ui.js';

export async function render(main, route) {
  const q = route.query;
  const params = {from: q.get('from') || '', to: q.get('to') || '', as_of: q.get('as_of') || '', r: q.get('r'), f: q.get('f')};
  const back = withQuery('#/dashboard', {from: params.from, to: params.to, as_of: params.as_of});
  const list = h('ol', {class: 'plain columns', id: 'rfm-customers'});
  const more = h('button', {type: 'button', class: 'secondary', id: 'rfm-more', hidden: true}, t('common.more'));
  const note = h('p', {class: 'muted', id: 'rfm-count'});
  main.append(h('p', null, h('a', {href: back}, '← ' + t('dashboard.title'))),
    h('h1', null, t('rfm.title', {r: params.r, f: params.f})),
    h('p', {class: 'muted'}, t('rfm.range', {from: params.from || '…', to: params.to || '…'})), note, list, more);
  let cursor = '';
  const load = async () => {
    more.disabled = true;
    const answer = await api(withQuery('/v1/dashboard/rfm', {...params, cursor, limit: 100}), {signal: route.signal});
    for (const id of answer.profiles) list.append(h('li', null, customerLink(id)));
    cursor = answer.next_cursor;
    more.hidden = !cursor;
    more.disabled = false;
    note.textContent = t('rfm.shown', {count: list.children.length});
  };
  more.addEventListener('click', () => load());
  await load();
}
