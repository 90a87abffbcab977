// Segments: every defined segment with its member count and a sparkline of its size over the last 30 days
// (the segment entry's `history`), each linking to its page; and a link to define a new one.

import {h} from '../dom.js';
import {t} from '../i18n.js';
import {allSegments} from '../api.js';
import {table} from '../ui.js';
import {sparkline} from '../charts.js';
import * as fmt from '../format.js';

export async function render(main, route) {
  main.append(h('div', {class: 'page-head'}, h('h1', null, t('segments.title')),
    h('a', {href: '#/segment', class: 'button', id: 'new-segment'}, t('segments.new'))));
  const segments = await allSegments(route.signal);
  main.append(table([t('segments.name'), t('segments.members'), t('segments.trend'), t('segments.rule'), t('segments.defined_at')],
    segments.map((segment) => [
      h('a', {href: '#/segment/' + encodeURIComponent(segment.name), class: 'segment-name'}, segment.name),
      h('span', {class: 'members', dataset: {segment: segment.name}}, fmt.count(segment.members)),
      Array.isArray(segment.history) && segment.history.length
        ? sparkline(segment.history.map((day) => day.members), t('segments.sparkline', {name: segment.name, days: segment.history.length}))
        : h('span', {class: 'muted'}, '–'),
      h('code', {class: 'rule'}, segment.rule),
      fmt.time(segment.defined_at)]),
    {id: 'segments', numeric: [1], empty: t('segments.empty')}));
}
