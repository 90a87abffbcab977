// Live: the segment enter/exit feed (`GET /v1/feed`) and the incoming events (`GET /v1/events/live`) as they
// happen. Pause stops both streams and keeps each one's last cursor; resume sends it as `Last-Event-ID`, so
// nothing that happened while paused is missed and nothing is shown twice.

import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import {ApiError} from '../api.js';
import {readEvents} from '../sse.js';
import {card, customerLink} from '../ui.js';
import {item} from '../events.js';
import * as fmt from '../format.js';

const KEEP = 200;

export function render(main, route) {
  const pause = h('button', {type: 'button', id: 'pause'}, t('live.pause'));
  const state = h('span', {class: 'live-status', id: 'live-state', 'aria-live': 'polite'});
  const feed = stream('feed', '/v1/feed', (record) => {
    const data = JSON.parse(record.data);
    return h('li', {class: 'change ' + data.change, dataset: {cursor: data.cursor}},
      h('time', {datetime: data.at, title: data.at}, fmt.time(data.at)),
      h('span', {class: 'badge ' + data.change}, t('live.' + data.change)),
      h('a', {href: '#/segment/' + encodeURIComponent(data.segment)}, data.segment), ' ',
      customerLink(data.profile));
  });
  const events = stream('events', '/v1/events/live', (record) => item(JSON.parse(record.data), {fresh: true}));
  let paused = false;
  let controller = null;

  const start = () => {
    controller = new AbortController();
    const stop = () => controller.abort();
    route.signal.addEventListener('abort', stop, {once: true});
    feed.run(controller.signal);
    events.run(controller.signal);
    state.textContent = t('live.following');
    state.className = 'live-status on';
  };
  pause.addEventListener('click', () => {
    paused = !paused;
    if (paused) {
      controller.abort();
      state.textContent = t('live.paused');
      state.className = 'live-status off';
    } else {
      start();
    }
    pause.textContent = paused ? t('live.resume') : t('live.pause');
  });

  main.append(h('div', {class: 'page-head'}, h('h1', null, t('live.title')), h('div', {class: 'toolbar'}, state, pause)),
    h('div', {class: 'grid two'},
      card('feed-card', t('live.feed'), feed.status, feed.list),
      card('events-card', t('live.events'), events.status, events.list)));
  start();
}

/** One SSE stream drawn as a list, newest on top; keeps the last id it received across pauses. */
function stream(id, path, draw) {
  const list = h('ol', {class: 'live-list', id: id + '-list'});
  const status = h('p', {class: 'muted small', id: id + '-status'}, t('live.waiting'));
  let last = null;
  let received = 0;
  const run = async (signal) => {
    while (!signal.aborted) {
      try {
        await readEvents(path, {lastEventId: last, signal, onMessage: (record) => {
          if (record.id !== null) last = record.id;
          received += 1;
          list.prepend(draw(record));
          while (list.children.length > KEEP) list.lastChild.remove();
          status.textContent = t('live.received', {count: fmt.count(received), cursor: last ?? '–'});
        }});
      } catch (error) {
        if (error.name === 'AbortError') return;
        if (error instanceof ApiError && error.status === 410 && error.error.oldest_cursor !== undefined) {
          // The server no longer holds the records after our cursor: say so, and go on from the oldest it holds.
          last = String(error.error.oldest_cursor);
          list.prepend(h('li', {class: 'gap error'}, t('live.gap', {cursor: last})));
          continue;
        }
        replace(status, h('span', {class: 'error'}, t('live.off', {message: error.message})));
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  return {list, status, run};
}
