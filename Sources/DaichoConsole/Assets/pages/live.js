// Live: the segment enter/exit feed (`GET /v1/feed`, all segments or one) and the incoming events
// (`GET /v1/events/live`) as they happen. Pause stops both streams and keeps each one's last cursor; resume sends
// it as `Last-Event-ID`, so nothing that happened while paused is missed and nothing is shown twice. Choosing
// another segment restarts the feed from the same cursor (the feed's cursors count every segment's records).

import {h, replace} from '../dom.js';
import {t} from '../i18n.js';
import {allSegments, withQuery, ApiError} from '../api.js';
import {readEvents} from '../sse.js';
import {card, customerLink} from '../ui.js';
import {item} from '../events.js';
import * as fmt from '../format.js';

const KEEP = 200;

export async function render(main, route) {
  const pause = h('button', {type: 'button', id: 'pause'}, t('live.pause'));
  const state = h('span', {class: 'live-status', id: 'live-state', 'aria-live': 'polite'});
  const segment = h('select', {id: 'feed-segment', 'aria-label': t('live.segment')}, h('option', {value: ''}, t('live.all_segments')));
  const feed = stream('feed', () => withQuery('/v1/feed', {segment: segment.value}), (record) => {
    const data = JSON.parse(record.data);
    return h('li', {class: 'change ' + data.change, dataset: {cursor: data.cursor}},
      h('time', {datetime: data.at, title: data.at}, fmt.time(data.at)),
      h('span', {class: 'badge ' + data.change}, t('live.' + data.change)),
      h('a', {href: '#/segment/' + encodeURIComponent(data.segment)}, data.segment), ' ',
      customerLink(data.profile));
  }, route.signal);
  const events = stream('events', () => '/v1/events/live', (record) => item(JSON.parse(record.data), {fresh: true}), route.signal);
  let paused = false;

  const showState = () => {
    state.textContent = paused ? t('live.paused') : t('live.following');
    state.className = 'live-status ' + (paused ? 'off' : 'on');
    pause.textContent = paused ? t('live.resume') : t('live.pause');
  };
  pause.addEventListener('click', () => {
    paused = !paused;
    for (const s of [feed, events]) { if (paused) s.stop(); else s.start(); }
    showState();
  });
  segment.addEventListener('change', () => {
    if (paused) return;
    feed.stop();
    feed.start();
  });

  main.append(h('div', {class: 'page-head'}, h('h1', null, t('live.title')), h('div', {class: 'toolbar'}, state, pause)),
    h('div', {class: 'grid two'},
      card('feed-card', t('live.feed'), h('div', {class: 'toolbar'}, segment), feed.status, feed.list),
      card('events-card', t('live.events'), events.status, events.list)));
  feed.start();
  events.start();
  showState();
  const segments = await allSegments(route.signal);
  segment.append(...segments.map((s) => h('option', {value: s.name}, s.name)));
}

/**
 * One SSE stream drawn as a list, newest on top: `start()` reads `path()` from the last id received, `stop()` ends
 * the request; both the page leaving (`pageSignal`) and `stop()` abort it.
 */
function stream(id, path, draw, pageSignal) {
  const list = h('ol', {class: 'live-list', id: id + '-list'});
  const status = h('p', {class: 'muted small', id: id + '-status'}, t('live.waiting'));
  let last = null;
  let received = 0;
  let controller = null;
  const run = async (signal) => {
    while (!signal.aborted) {
      try {
        await readEvents(path(), {lastEventId: last, signal, onOpen: () => { list.dataset.connected = 'true'; },
          onId: (id) => { last = id; }, onMessage: (record) => {
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
        if (error instanceof ApiError && error.status >= 400 && error.status < 500) { delete list.dataset.connected; return; }
      }
      delete list.dataset.connected;
      await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  };
  const stop = () => {
    if (controller) controller.abort();
    delete list.dataset.connected;
  };
  pageSignal.addEventListener('abort', stop, {once: true});
  return {list, status, stop, start: () => {
    controller = new AbortController();
    run(controller.signal);
  }};
}
