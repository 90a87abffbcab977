// The dashboard: the seven panels of `GET /v1/dashboard` (docs/console.md "The dashboard object") for a chosen
// range, as-of capable, each with its one-line reading in the chosen language. RFM cells link to their customers.

import {h} from '../dom.js';
import {t, language} from '../i18n.js';
import {api, withQuery} from '../api.js';
import {card, facts, table} from '../ui.js';
import {stackedBars, lines, bar, barList, heatGrid} from '../charts.js';
import * as fmt from '../format.js';

export async function render(main, route) {
  const q = route.query;
  const params = {from: q.get('from') || '', to: q.get('to') || '', as_of: q.get('as_of') || ''};
  const form = controls(params);
  main.append(h('h1', null, t('dashboard.title')), form);
  const status = h('p', {class: 'muted', id: 'dashboard-status'}, t('common.loading'));
  main.append(status);
  const d = await api(withQuery('/v1/dashboard', params), {signal: route.signal});
  status.remove();
  const range = {from: d.range.from, to: d.range.to, as_of: params.as_of};
  form.querySelector('#from').value = d.range.from;
  form.querySelector('#to').value = d.range.to;
  main.append(
    facts([[t('dashboard.range'), `${d.range.from} – ${d.range.to}`], [t('dashboard.time_zone'), d.range.time_zone],
      [t('dashboard.as_of'), d.range.as_of || t('dashboard.now')], [t('dashboard.events_in_range'), fmt.count(d.totals.events_in_range)],
      [t('dashboard.events_total'), fmt.count(d.totals.events)], [t('dashboard.profiles'), fmt.count(d.totals.profiles)]],
    'facts inline totals'),
    h('div', {class: 'grid dashboard'},
      eventsPanel(d), revenuePanel(d), buyersPanel(d), rfmPanel(d, range), vocPanel(d), socialPanel(d), identityPanel(d)));
}

function controls(params) {
  const from = h('input', {type: 'date', id: 'from', value: params.from});
  const to = h('input', {type: 'date', id: 'to', value: params.to});
  const asOf = h('input', {type: 'date', id: 'as-of', value: params.as_of.slice(0, 10)});
  const go = (values) => { location.hash = withQuery('#/dashboard', values); };
  const quick = (days) => h('button', {type: 'button', class: 'secondary', onclick: () => {
    const end = to.value ? new Date(to.value + 'T00:00:00Z') : new Date();
    const start = new Date(end.getTime() - (days - 1) * 86400000);
    go({from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10), as_of: asOf.value});
  }}, t('dashboard.last_days', {days}));
  return h('form', {class: 'toolbar range', id: 'range-form', onsubmit: (event) => {
    event.preventDefault();
    go({from: from.value, to: to.value, as_of: asOf.value});
  }},
  h('label', null, t('dashboard.from'), from), h('label', null, t('dashboard.to'), to),
  h('label', null, t('dashboard.as_of'), asOf), h('button', {type: 'submit', id: 'apply'}, t('dashboard.apply')),
  quick(30), quick(90), quick(365));
}

function reading(panel) {
  const text = panel.reading ? panel.reading[language()] || panel.reading.en : '';
  return h('p', {class: 'reading'}, text);
}

function eventsPanel(d) {
  const types = d.events.types;
  return card('panel-events', t('dashboard.events'), reading(d.events),
    stackedBars({title: t('dashboard.events'), labels: d.range.days,
      series: types.map((x) => ({name: t('type.' + x.type, null, x.type), values: x.per_day}))}),
    table([t('dashboard.type'), t('dashboard.total')], types.map((x) => [t('type.' + x.type, null, x.type), fmt.count(x.total)]),
      {numeric: [1]}));
}

function revenuePanel(d) {
  const r = d.revenue;
  return card('panel-revenue', t('dashboard.revenue'), reading(r),
    r.currencies.map((c) => h('div', {class: 'currency'}, h('h3', null, fmt.money(c.total, c.currency)),
      lines({title: t('dashboard.revenue_of', {currency: c.currency}), labels: d.range.days, height: 130,
        series: [{name: c.currency, values: c.per_day.map(Number), labels: c.per_day.map((v) => fmt.money(v, c.currency))}]}))),
    h('h3', null, t('dashboard.by_source')),
    table([t('dashboard.currency'), t('dashboard.source'), t('dashboard.revenue_col'), t('dashboard.orders'), t('dashboard.share')],
      r.by_source.map((x) => {
        const total = Number(r.currencies.find((c) => c.currency === x.currency).total);
        const share = total > 0 ? Number(x.revenue) / total : 0;
        return [x.currency, x.source, fmt.money(x.revenue, x.currency), fmt.count(x.orders),
          h('span', {class: 'share'}, bar(share, fmt.percent(share)), fmt.percent(share))];
      }),
      {id: 'revenue-by-source', numeric: [2, 3]}));
}

function buyersPanel(d) {
  const b = d.buyers;
  return card('panel-buyers', t('dashboard.buyers'), reading(b),
    facts([[t('dashboard.new'), fmt.count(b.new)], [t('dashboard.returning'), fmt.count(b.returning)],
      [t('dashboard.returning_share'), fmt.percent(b.returning_share)]], 'facts inline'),
    stackedBars({title: t('dashboard.buyers'), labels: d.range.days,
      series: [{name: t('dashboard.new'), values: b.new_per_day}, {name: t('dashboard.returning'), values: b.returning_per_day}]}));
}

function rfmPanel(d, range) {
  const r = d.rfm;
  return card('panel-rfm', t('dashboard.rfm'), reading(r),
    facts([[t('dashboard.rfm_customers'), fmt.count(r.customers)], [t('dashboard.currency'), r.currency],
      [t('dashboard.recency_bounds'), bounds(r.recency_bounds)], [t('dashboard.frequency_bounds'), bounds(r.frequency_bounds)]],
    'facts inline'),
    heatGrid({title: t('dashboard.rfm_grid'), cells: r.cells, rowLabel: t('dashboard.recency'), columnLabel: t('dashboard.frequency'),
      href: (cell) => withQuery('#/rfm', {...range, r: cell.r, f: cell.f}),
      cellText: (cell) => [h('strong', null, fmt.count(cell.customers)), h('br'), h('small', null, fmt.money(cell.revenue, r.currency))],
      cellTitle: (cell) => t('dashboard.cell', {r: cell.r, f: cell.f, customers: fmt.count(cell.customers), revenue: fmt.money(cell.revenue, r.currency)})}),
    h('p', {class: 'muted small'}, t('dashboard.rfm_help')));
}

function vocPanel(d) {
  const v = d.voc;
  return card('panel-voc', t('dashboard.voc'), reading(v),
    facts([[t('dashboard.open_at_end'), h('span', {id: 'open-at-end'}, fmt.count(v.open_at_end))]], 'facts inline'),
    stackedBars({title: t('dashboard.voc_opened'), labels: d.range.weeks,
      series: v.categories.map((c) => ({name: t('category.' + c.category, null, c.category), values: c.opened_per_week}))}),
    lines({title: t('dashboard.voc_open_closed'), labels: d.range.weeks,
      series: [{name: t('dashboard.opened'), values: sumPerIndex(v.categories.map((c) => c.opened_per_week), d.range.weeks.length)},
        {name: t('dashboard.closed'), values: sumPerIndex(v.categories.map((c) => c.closed_per_week), d.range.weeks.length)}]}),
    table([t('customer.category'), t('dashboard.opened'), t('dashboard.closed')],
      v.categories.map((c) => [t('category.' + c.category, null, c.category), fmt.count(c.opened), fmt.count(c.closed)]),
      {numeric: [1, 2]}));
}

function socialPanel(d) {
  const s = d.social;
  return card('panel-social', t('dashboard.social'), reading(s),
    stackedBars({title: t('dashboard.mentions'), labels: d.range.weeks,
      series: s.platforms.map((p) => ({name: p.platform, values: p.mentions_per_week}))}),
    lines({title: t('dashboard.sentiment'), labels: d.range.weeks, min: -1, max: 1,
      series: s.platforms.map((p) => ({name: p.platform, values: p.sentiment_per_week}))}),
    table([t('customer.platform'), t('customer.mentions'), t('customer.sentiment'), t('customer.reach')],
      s.platforms.map((p) => [p.platform, fmt.count(p.mentions), fmt.fixed(p.sentiment),
        fmt.count(p.reach_per_week.reduce((a, b) => a + b, 0))]), {numeric: [1, 2, 3]}));
}

function identityPanel(d) {
  const i = d.identity;
  return card('panel-identity', t('dashboard.identity'), reading(i),
    facts([[t('dashboard.merges'), fmt.count(i.merges)], [t('dashboard.refused'), fmt.count(i.refused)],
      [t('dashboard.new_profiles'), fmt.count(i.new_profiles)]], 'facts inline'),
    lines({title: t('dashboard.identity'), labels: d.range.days,
      series: [{name: t('dashboard.merges'), values: i.merges_per_day}, {name: t('dashboard.refused'), values: i.refused_per_day},
        {name: t('dashboard.new_profiles'), values: i.new_profiles_per_day}]}),
    h('h3', null, t('dashboard.by_kind')),
    barList(Object.entries(i.profiles_by_kind).map(([kind, n]) => ({label: t('kind.' + kind, null, kind), value: n, note: fmt.count(n)})),
      t('dashboard.by_kind')));
}

/** The sum at each index of several equally long arrays. */
function sumPerIndex(arrays, length) {
  return Array.from({length}, (_, i) => arrays.reduce((sum, values) => sum + values[i], 0));
}

/** RFM cut points as `3 / 10 / – / 90` (`–`: a quintile left empty by ties). */
function bounds(values) {
  return values.map((v) => (v === null ? '–' : String(v))).join(' / ');
}
