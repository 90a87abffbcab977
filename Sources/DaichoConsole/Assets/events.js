// One event (as `daicho timeline` and `daicho export` print it) as a line a person reads, and expandable to its JSON.

import {h} from './dom.js';
import {t} from './i18n.js';
import * as fmt from './format.js';

/** The event types of docs/ingest.md, in the order of the log's type codes. */
export const EVENT_TYPES = ['page_view', 'purchase', 'inquiry', 'social_mention', 'identify', 'link', 'track'];

/** A one-line summary of what the event says. */
export function summary(event) {
  const p = event.props || {};
  switch (event.type) {
    case 'page_view': return [p.title, p.path].filter(Boolean).join(' — ');
    case 'purchase': return t('event.purchase', {amount: fmt.money(p.amount, p.currency || ''), order: p.order_id || ''});
    case 'inquiry': return [t('category.' + p.category, null, p.category), p.channel, p.status, p.text].filter(Boolean).join(' · ');
    case 'social_mention': return [p.platform, p.text, p.sentiment !== undefined ? t('event.sentiment', {value: p.sentiment}) : null]
      .filter(Boolean).join(' · ');
    case 'identify': return Object.entries(p.traits || {}).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
    case 'link': return Object.entries(event.ids || {}).map(([k, v]) => `${k}: ${v}`).join(' ↔ ');
    case 'track': return p.event || '';
    default: return '';
  }
}

/** An `<li>` for the event: time, type, source, summary; opening it shows the whole JSON. */
export function item(event, {fresh = false} = {}) {
  return h('li', {class: 'event' + (fresh ? ' fresh' : ''), dataset: {offset: event.offset, type: event.type}},
    h('details', null,
      h('summary', null,
        h('time', {datetime: event.at, title: event.at}, fmt.time(event.at)),
        h('span', {class: 'badge type-' + event.type}, t('type.' + event.type, null, event.type)),
        event.source ? h('span', {class: 'source'}, event.source) : null,
        h('span', {class: 'what'}, summary(event))),
      h('pre', {class: 'json'}, JSON.stringify(event, null, 2))));
}
