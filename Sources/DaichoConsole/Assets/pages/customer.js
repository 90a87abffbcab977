// The customer page: every section of `GET /v1/profiles/{selector}` and the timeline (newest first, paged by
// cursor, filtered by type). It follows `GET /v1/events/live` while open and, when an event reaches this
// customer, re-reads the profile and puts the new events on top of the timeline: no reload. With `?as_of=` it
// shows the customer as of that time instead (profile and timeline), and does not follow.

import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import {api, withQuery, ApiError} from '../api.js';
import {readEvents} from '../sse.js';
import {card, facts, table, failure} from '../ui.js';
import {EVENT_TYPES, item} from '../events.js';
import {barList} from '../charts.js';
import * as fmt from '../format.js';

const PAGE = 20;

export async function render(main, route) {
  const selector = route.args[0];
  if (!selector) { location.replace('#/search'); return; }
  const base = '/v1/profiles/' + encodeURIComponent(selector);
  const asOf = route.query.get('as_of') || '';
  let profile;
  try {
    profile = await api(withQuery(base, {as_of: asOf}), {signal: route.signal});
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) {
      main.append(h('h1', null, t('customer.title')), h('p', {class: 'notice', id: 'no-match'}, t('customer.gone')));
      return;
    }
    throw error;
  }
  let linkTimes = new Map();
  const head = h('div', {id: 'customer-head'});
  const sections = h('div', {class: 'grid', id: 'profile'});
  const status = h('span', {class: 'live-status', id: 'live-status', 'aria-live': 'polite'});
  const drawProfile = () => {
    replace(head, header(profile, status, asOf));
    replace(sections, identity(profile, linkTimes), traits(profile), web(profile), commerce(profile), support(profile),
      social(profile), segments(profile));
  };

  const filter = h('select', {id: 'timeline-type', 'aria-label': t('timeline.filter')},
    h('option', {value: ''}, t('timeline.all')), EVENT_TYPES.map((type) => h('option', {value: type}, t('type.' + type))));
  const list = h('ol', {class: 'timeline', id: 'timeline'});
  const more = h('button', {type: 'button', id: 'timeline-more', class: 'secondary'}, t('timeline.more'));
  const note = h('p', {class: 'muted', id: 'timeline-note'});
  const shown = new Set();
  let next = null;

  async function page(reset) {
    more.disabled = true;
    if (reset) { list.replaceChildren(); shown.clear(); next = null; }
    const answer = await api(withQuery(base + '/timeline', {limit: PAGE, cursor: reset ? '' : next, type: filter.value, as_of: asOf}),
      {signal: route.signal});
    for (const event of answer.data) {
      shown.add(event.offset);
      list.append(item(event));
    }
    next = answer.next;
    more.hidden = !next;
    more.disabled = false;
    note.textContent = list.children.length ? t('timeline.shown', {count: fmt.count(list.children.length)}) : t('timeline.empty');
  }
  filter.addEventListener('change', () => page(true).catch(report));
  more.addEventListener('click', () => page(false).catch(report));
  function report(error) {
    if (error.name !== 'AbortError') note.replaceChildren(failure(error));
  }

  // The link times and the first timeline page are read together; the page is drawn when both are there.
  await Promise.all([linkedTimes(profile.id, route.signal).then((times) => { linkTimes = times; }), page(true)]);
  drawProfile();
  main.append(head, sections,
    card('timeline-card', t('timeline.title'), h('div', {class: 'toolbar'}, filter), list, more, note));
  if (asOf) return;

  // Live: re-read the profile when an event arrives (at most once a second however fast events come, so a busy
  // server costs one request a second per open page); new timeline events go on top.
  let refreshing = false;
  let again = false;
  async function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    try {
      do {
        if (again) await new Promise((resolve) => setTimeout(resolve, 1000));
        again = false;
        const latest = await api(base, {signal: route.signal});
        if (latest.events === profile.events && latest.last_seen === profile.last_seen) continue;
        if (latest.identity.linked_by.length !== profile.identity.linked_by.length || latest.id !== profile.id) {
          linkTimes = await linkedTimes(latest.id, route.signal);
        }
        profile = latest;
        drawProfile();
        // The events not shown yet, newest first: pages until one already shown (at most 10 pages at once).
        const fresh = [];
        let cursor = '';
        for (let pages = 0; pages < 10; pages += 1) {
          const answer = await api(withQuery(base + '/timeline', {limit: PAGE, type: filter.value, cursor}), {signal: route.signal});
          const unseen = answer.data.filter((event) => !shown.has(event.offset));
          fresh.push(...unseen);
          if (unseen.length < answer.data.length || !answer.next) break;
          cursor = answer.next;
        }
        for (const event of fresh.reverse()) {
          shown.add(event.offset);
          list.prepend(item(event, {fresh: true}));
        }
        note.textContent = t('timeline.shown', {count: fmt.count(list.children.length)});
      } while (again);
    } finally {
      refreshing = false;
    }
  }
  follow(route.signal, status, () => refresh().catch(report));
}

/**
 * Follows the incoming events; `onEvent` after each. Reconnects from its last id when the stream ends (the
 * stream's starting cursor until an event came), so no event in between is missed.
 */
function follow(signal, status, onEvent) {
  let last = null;
  const run = async () => {
    while (!signal.aborted) {
      try {
        await readEvents('/v1/events/live', {lastEventId: last, signal, onOpen: () => {
          status.textContent = t('live.following');
          status.className = 'live-status on';
        }, onId: (id) => { last = id; }, onMessage: onEvent});
      } catch (error) {
        if (error.name === 'AbortError') return;
        status.textContent = t('live.off', {message: error.message});
        status.className = 'live-status off';
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  run();
}

/** When each identifier was linked: Segment's Profile API `external_ids` gives the linking event's time. */
async function linkedTimes(id, signal) {
  const times = new Map();
  let next = '';
  do {
    const answer = await api(withQuery(`/v1/spaces/console/collections/users/profiles/${encodeURIComponent(id)}/external_ids`,
      {limit: 100, next}), {signal});
    for (const entry of answer.data) times.set(entry.type + '\u0000' + entry.id, entry.created_at);
    next = answer.cursor && answer.cursor.has_more ? answer.cursor.next : '';
  } while (next);
  return times;
}

function header(p, status, asOf) {
  const name = p.traits && typeof p.traits.name === 'string' ? p.traits.name : null;
  const when = h('input', {type: 'date', id: 'customer-as-of', value: asOf.slice(0, 10), 'aria-label': t('customer.as_of')});
  const pick = h('form', {class: 'toolbar', onsubmit: (event) => {
    event.preventDefault();
    location.hash = withQuery('#/customer/' + encodeURIComponent(p.id), {as_of: when.value});
  }}, h('label', null, t('customer.as_of'), when), h('button', {type: 'submit', class: 'secondary'}, t('customer.show_as_of')),
  asOf ? h('a', {href: '#/customer/' + encodeURIComponent(p.id)}, t('customer.now')) : null);
  return h('div', {class: 'customer-head'},
    h('h1', {id: 'customer-name'}, name || p.id),
    h('p', {class: 'muted'}, h('span', {class: 'mono', id: 'customer-id'}, p.id), ' · ',
      asOf ? h('strong', {id: 'as-of-note'}, t('customer.as_of_note', {time: asOf})) : status),
    facts([
      [t('customer.events'), h('span', {id: 'customer-events'}, fmt.count(p.events))],
      [t('customer.first_seen'), fmt.time(p.first_seen)],
      [t('customer.last_seen'), h('span', {id: 'customer-last-seen'}, fmt.time(p.last_seen))],
      [t('customer.channels'), p.channels.length ? p.channels.join(', ') : t('common.none')],
    ], 'facts inline'), pick);
}

function identity(p, linkTimes) {
  const rows = p.identity.linked_by.map((link) => [
    t('kind.' + link.kind, null, link.kind), h('span', {class: 'mono'}, link.value), String(link.offset),
    fmt.time(linkTimes.get(link.kind + '\u0000' + link.value) || null)]);
  const conflicts = p.identity.conflicts;
  return card('identity', t('customer.identity'),
    table([t('customer.kind'), t('customer.value'), t('customer.linked_offset'), t('customer.linked_at')], rows,
      {id: 'identifiers', numeric: [2]}),
    h('h3', null, t('customer.merged_ids', {count: fmt.count(p.merged_ids.length)})),
    p.merged_ids.length ? h('ul', {class: 'plain', id: 'merged-ids'}, p.merged_ids.map((m) => h('li', {class: 'mono'}, m)))
      : h('p', {class: 'muted'}, t('common.none')),
    h('h3', null, t('customer.refused', {count: fmt.count(conflicts.count)})),
    table([t('customer.linked_offset'), t('customer.at'), t('customer.kinds')],
      conflicts.recent.map((c) => [String(c.offset), fmt.time(c.at), c.kinds.join(', ')]), {id: 'refused', numeric: [0]}));
}

function traits(p) {
  const entries = Object.entries(p.traits || {});
  return card('traits', t('customer.traits'), entries.length
    ? facts(entries.map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]))
    : h('p', {class: 'muted'}, t('common.none')));
}

function web(p) {
  const w = p.web;
  return card('web', t('customer.web'),
    facts([[t('customer.page_views'), fmt.count(w.page_views)], [t('customer.sessions'), fmt.count(w.sessions)],
      [t('customer.dwell'), fmt.duration(w.dwell_ms)], [t('customer.last_page'), w.last_page || '–']]),
    w.top_paths.length ? h('h3', null, t('customer.top_paths')) : null,
    w.top_paths.length ? barList(w.top_paths.map((x) => ({label: x.path, value: x.count})), t('customer.top_paths')) : null);
}

function commerce(p) {
  const c = p.commerce;
  const revenue = Object.entries(c.revenue || {});
  return card('commerce', t('customer.commerce'),
    facts([[t('customer.orders'), fmt.count(c.orders)],
      [t('customer.revenue'), revenue.length ? revenue.map(([cur, v]) => fmt.money(v, cur)).join(' / ') : '–'],
      [t('customer.first_order'), fmt.time(c.first_order_at)], [t('customer.last_order'), fmt.time(c.last_order_at)]]),
    h('h3', null, t('customer.rfm')),
    facts([[t('customer.frequency'), fmt.count(c.frequency)], [t('customer.recency'), fmt.count(c.recency_days)],
      [t('customer.age'), fmt.count(c.age_days)], [t('customer.monetary'), c.monetary === null ? '–' : fmt.decimal(c.monetary)]],
    'facts inline'));
}

function support(p) {
  const s = p.support;
  return card('support', t('customer.support'),
    facts([[t('customer.inquiries'), fmt.count(s.inquiries)], [t('customer.open'), fmt.count(s.open)],
      [t('customer.last_inquiry'), fmt.time(s.last_inquiry_at)]]),
    table([t('customer.category'), t('customer.count')],
      Object.entries(s.by_category).map(([k, v]) => [t('category.' + k, null, k), fmt.count(v)]), {numeric: [1]}),
    table([t('customer.channel'), t('customer.count')],
      Object.entries(s.by_channel).map(([k, v]) => [k, fmt.count(v)]), {numeric: [1], empty: t('customer.no_channel')}));
}

function social(p) {
  const s = p.social;
  return card('social', t('customer.social'),
    facts([[t('customer.mentions'), fmt.count(s.mentions)], [t('customer.sentiment'), fmt.fixed(s.avg_sentiment)],
      [t('customer.reach'), fmt.count(s.reach)], [t('customer.last_mention'), fmt.time(s.last_mention_at)]]),
    table([t('customer.platform'), t('customer.count')],
      Object.entries(s.by_platform).map(([k, v]) => [k, fmt.count(v)]), {numeric: [1], empty: t('customer.no_platform')}));
}

function segments(p) {
  return card('segments', t('customer.segments'),
    table([t('customer.segment'), t('customer.since')],
      p.segments.map((m) => [h('a', {href: '#/segment/' + encodeURIComponent(m.segment)}, m.segment), fmt.time(m.since)]),
      {id: 'customer-segments', empty: t('customer.no_segments')}));
}
