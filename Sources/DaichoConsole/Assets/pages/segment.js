// One segment: its members (paged, each linking to the customer), its enter/exit history per day, and the rule
// editor, which checks the rule as you type (`POST /v1/segments/check`, debounced) and shows the server's
// line:column message under a caret and the member count the rule would have now; then define or redefine
// (`PUT`) and drop (`DELETE`). `#/segment` without a name defines a new segment.

import {h, replace, debounce} from '../dom.js';
import {t} from '../i18n.js';
import {api, withQuery, ApiError} from '../api.js';
import {card, facts, table, failure, customerLink} from '../ui.js';
import {lines, stackedBars, PALETTE} from '../charts.js';
import * as fmt from '../format.js';

const MEMBERS_PAGE = 50;

export async function render(main, route) {
  const name = route.args[0] || '';
  let segment = null;
  if (name) {
    try {
      segment = await api('/v1/segments/' + encodeURIComponent(name), {signal: route.signal});
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
    }
  }
  const summary = h('div', {id: 'segment-summary'});
  const drawSummary = () => replace(summary, segment
    ? facts([[t('segments.members'), h('span', {id: 'segment-members'}, fmt.count(segment.members))],
      [t('segments.defined_at'), fmt.time(segment.defined_at)], [t('segments.description'), segment.description || '–']], 'facts inline')
    : h('p', {class: 'muted', id: 'segment-new'}, name ? t('segment.undefined', {name}) : t('segment.new_help')));
  drawSummary();
  const members = memberList(name, route);
  const history = historyCard(name, route);
  const details = h('div', {class: 'grid two'}, members.node, history.node);
  main.append(h('p', null, h('a', {href: '#/segments'}, '← ' + t('segments.title'))),
    h('h1', {id: 'segment-title'}, name || t('segments.new')), summary, editor(name, segment, route, (saved) => {
      if (!name) { location.hash = '#/segment/' + encodeURIComponent(saved.name); return; }
      segment = saved;
      drawSummary();
      if (!details.isConnected) main.append(details);
      Promise.all([members.reload(), history.reload()]).catch((error) => details.append(failure(error)));
    }));
  if (segment) {
    main.append(details);
    await Promise.all([members.reload(), history.reload()]);
  }
}

function editor(name, segment, route, onSaved) {
  const nameInput = name ? null : h('input', {id: 'segment-name', required: true, autocomplete: 'off', spellcheck: 'false',
    pattern: '[A-Za-z0-9_\\-]+', placeholder: 'vip_tokyo'});
  const rule = h('textarea', {id: 'rule', rows: 4, spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'rule-check',
    placeholder: 'commerce.orders >= 3 and traits.prefecture == "東京都"'}, segment ? segment.rule : '');
  const description = h('input', {id: 'description', autocomplete: 'off', value: segment ? segment.description : ''});
  const check = h('div', {id: 'rule-check', class: 'rule-check', 'aria-live': 'polite'});
  const save = h('button', {type: 'submit', id: 'save'}, segment ? t('segment.redefine') : t('segment.define'));
  const result = h('div', {id: 'save-result', 'aria-live': 'polite'});
  let generation = 0;

  const runCheck = async () => {
    const mine = ++generation;
    const text = rule.value;
    if (!text.trim()) { check.replaceChildren(); return; }
    check.replaceChildren(h('p', {class: 'muted'}, t('segment.checking')));
    try {
      const answer = await api('/v1/segments/check', {method: 'POST', body: {rule: text}, signal: route.signal});
      if (mine !== generation) return;
      check.replaceChildren(h('p', {class: 'ok', id: 'rule-ok'}, t('segment.valid'), ' ',
        h('strong', {id: 'preview-count', dataset: {members: answer.members}}, fmt.count(answer.members)), ' ', t('segment.would_have')));
    } catch (error) {
      if (mine !== generation || error.name === 'AbortError') return;
      check.replaceChildren(ruleError(error));
    }
  };
  const checkSoon = debounce(runCheck, 350);
  rule.addEventListener('input', checkSoon);
  if (segment) runCheck();

  const form = h('form', {class: 'editor', onsubmit: async (event) => {
    event.preventDefault();
    const target = name || nameInput.value.trim();
    if (!target) return;
    save.disabled = true;
    result.replaceChildren();
    try {
      const saved = await api('/v1/segments/' + encodeURIComponent(target), {method: 'PUT',
        body: {rule: rule.value, description: description.value}, signal: route.signal});
      result.replaceChildren(h('p', {class: 'ok', id: 'saved'}, t('segment.saved', {name: saved.name, count: fmt.count(saved.members)})));
      onSaved(saved);
    } catch (error) {
      if (error.name === 'AbortError') return;
      result.replaceChildren(error instanceof ApiError && error.error.caret ? ruleError(error) : failure(error));
    } finally {
      save.disabled = false;
    }
  }},
  nameInput ? [h('label', {for: 'segment-name'}, t('segments.name')), nameInput] : null,
  h('label', {for: 'rule'}, t('segments.rule')), rule, check,
  h('label', {for: 'description'}, t('segments.description')), description,
  h('div', {class: 'actions'}, save, segment ? dropButton(name, route) : null), result);
  return card('editor-card', t('segment.editor'), form,
    h('p', {class: 'muted small'}, t('segment.rule_help')));
}

/** The server's refusal of a rule: its `line:column` message and the rule line with the caret under it. */
function ruleError(error) {
  if (!(error instanceof ApiError) || !error.error.caret) return failure(error, 'rule-error');
  return h('div', {class: 'error', role: 'alert', id: 'rule-error'},
    h('pre', {class: 'caret', id: 'rule-caret'}, error.error.caret),
    h('p', {id: 'rule-message'}, error.error.message));
}

function dropButton(name, route) {
  const wrap = h('span', {class: 'drop'});
  const ask = h('button', {type: 'button', class: 'danger secondary', id: 'drop'}, t('segment.drop'));
  ask.addEventListener('click', () => {
    const confirm = h('button', {type: 'button', class: 'danger', id: 'drop-confirm'}, t('segment.drop_confirm', {name}));
    const cancel = h('button', {type: 'button', class: 'secondary'}, t('common.cancel'));
    const message = h('span', {class: 'error'});
    cancel.addEventListener('click', () => replace(wrap, ask));
    confirm.addEventListener('click', async () => {
      confirm.disabled = true;
      try {
        await api('/v1/segments/' + encodeURIComponent(name), {method: 'DELETE', signal: route.signal});
        location.hash = '#/segments';
      } catch (error) {
        if (error.name === 'AbortError') return;
        message.textContent = error.message;
        confirm.disabled = false;
      }
    });
    replace(wrap, confirm, cancel, message);
  });
  wrap.append(ask);
  return wrap;
}

function memberList(name, route) {
  const list = h('div', {id: 'members'});
  const more = h('button', {type: 'button', class: 'secondary', id: 'members-more', hidden: true}, t('common.more'));
  let next = null;
  let rows = [];
  const draw = () => replace(list, table([t('segment.customer'), t('segment.since')], rows, {empty: t('segment.no_members')}));
  const load = async (reset) => {
    if (reset) { rows = []; next = null; }
    const answer = await api(withQuery('/v1/segments/' + encodeURIComponent(name) + '/members',
      {limit: MEMBERS_PAGE, cursor: reset ? '' : next}), {signal: route.signal});
    rows = rows.concat(answer.data.map((m) => [customerLink(m.id), fmt.time(m.since)]));
    next = answer.next;
    more.hidden = !next;
    draw();
  };
  more.addEventListener('click', () => load(false).catch((error) => list.append(failure(error))));
  return {node: card('members-card', t('segment.members'), list, more), reload: () => load(true)};
}

function historyCard(name, route) {
  const body = h('div', {id: 'history'});
  const reload = async () => {
    let history;
    try {
      history = await api('/v1/segments/' + encodeURIComponent(name) + '/history', {signal: route.signal});
    } catch (error) {
      if (error.name === 'AbortError') throw error;
      replace(body, failure(error));
      return;
    }
    const days = history.history;
    const changed = days.filter((d) => d.entered || d.exited).reverse();
    replace(body,
      lines({title: t('segment.history_chart', {name}), labels: days.map((d) => d.day),
        series: [{name: t('segments.members'), values: days.map((d) => d.members)}]}),
      stackedBars({title: t('segment.changes_chart', {name}), labels: days.map((d) => d.day),
        series: [{name: t('segment.entered'), values: days.map((d) => d.entered), color: PALETTE[2]},
          {name: t('segment.exited'), values: days.map((d) => d.exited), color: PALETTE[3]}]}),
      table([t('segment.day'), t('segment.entered'), t('segment.exited'), t('segments.members')],
        changed.map((d) => [d.day, fmt.count(d.entered), fmt.count(d.exited), fmt.count(d.members)]),
        {id: 'history-table', numeric: [1, 2, 3], empty: t('segment.no_changes', {from: history.from, to: history.to})}));
  };
  return {node: card('history-card', t('segment.history'), body), reload};
}
