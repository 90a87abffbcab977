// Server-Sent Events read with fetch, because EventSource cannot send the Authorization header (and the token must
// never go into a URL). Resuming sends `Last-Event-ID` with the last `id:` received, as EventSource would, so a
// paused or dropped stream picks up after its last record: no gap, no duplicate. As in EventSource, a block with an
// `id:` and no `data:` sets the last id without dispatching a record: `/v1/events/live` and `/v1/feed` start with
// one (their starting cursor), so a stream dropped before its first record resumes where it began, not "from now".

import {headers, ApiError, signOut} from './api.js';

/**
 * Reads `path` as an event stream until `signal` aborts or the server ends it.
 * `onOpen()` is called once the server has accepted the request (from then on nothing is missed);
 * `onMessage({id, event, data})` is called per record; `lastEventId` (when not null) is sent to resume.
 * `onId(id)` is called whenever a block sets the last event id (before that block's record, if it has one), also
 * by a block without data: what to send as `lastEventId` when reconnecting.
 * Resolves when the stream ends; rejects with an ApiError for a refused request (a 401 returns to the sign-in page).
 */
export async function readEvents(path, {lastEventId = null, signal, onOpen = () => {}, onId = () => {}, onMessage}) {
  const extra = {Accept: 'text/event-stream'};
  if (lastEventId !== null && lastEventId !== undefined) extra['Last-Event-ID'] = String(lastEventId);
  const response = await fetch(path, {headers: headers(extra), signal});
  if (!response.ok) {
    let error = null;
    try { error = (await response.json()).error; } catch { error = null; }
    if (response.status === 401) {
      signOut();
      location.hash = '#/signin';
    }
    throw new ApiError(response.status, error);
  }
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let record = {id: null, event: 'message', data: []};
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).replace(/\r$/, '');
      buffer = buffer.slice(end + 1);
      if (line === '') {
        if (record.id !== null) onId(record.id);
        if (record.data.length) onMessage({id: record.id, event: record.event, data: record.data.join('\n')});
        record = {id: null, event: 'message', data: []};
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') record.data.push(val);
      else if (field === 'id') record.id = val;
      else if (field === 'event') record.event = val;
    }
  }
}
