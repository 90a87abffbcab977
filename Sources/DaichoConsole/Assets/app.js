// The console's router: the page is chosen by `location.hash` (`#/customer/email:…`, `#/segments`, …), so every
// view has an address that can be bookmarked and the server serves one index.html. A page module exports
// `render(main, route)`; `route.signal` aborts when the user leaves the page (its requests and streams stop).

import {h, replace} from './dom.js';
import {t, language, setLanguage} from './i18n.js';
import {token, signOut} from './api.js';
import * as signin from './pages/signin.js';
import * as search from './pages/search.js';
import * as customer from './pages/customer.js';
import * as segments from './pages/segments.js';
import * as segment from './pages/segment.js';
import * as live from './pages/live.js';
import * as dashboard from './pages/dashboard.js';
import * as rfm from './pages/rfm.js';

const pages = {signin, search, customer, segments, segment, live, dashboard, rfm};
const navItems = [['search', 'nav.search'], ['segments', 'nav.segments'], ['live', 'nav.live'], ['dashboard', 'nav.dashboard']];

let current = null;

/** `#/customer/email%3Aa%40b?x=1` → {page: 'customer', args: ['email:a@b'], query: URLSearchParams}. */
function parse(hash) {
  const raw = hash.replace(/^#\/?/, '');
  const mark = raw.indexOf('?');
  const path = mark < 0 ? raw : raw.slice(0, mark);
  const queryString = mark < 0 ? '' : raw.slice(mark + 1);
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return {page: parts[0] || 'search', args: parts.slice(1), query: new URLSearchParams(queryString || '')};
}

function renderNav(active) {
  const nav = document.getElementById('nav');
  replace(nav, token() ? navItems.map(([page, key]) =>
    h('a', {href: `#/${page}`, class: page === active ? 'active' : null, 'aria-current': page === active ? 'page' : null}, t(key))) : []);
  const out = document.getElementById('signout');
  out.textContent = t('nav.signout');
  out.hidden = !token();
  document.documentElement.lang = language();
  document.getElementById('lang').value = language();
  document.getElementById('lang-label').textContent = t('nav.language');
}

function show() {
  if (current) current.controller.abort();
  let route = parse(location.hash);
  if (!token() && route.page !== 'signin') {
    location.replace('#/signin?next=' + encodeURIComponent(location.hash || '#/search'));
    return;
  }
  if (!pages[route.page]) route = {page: 'search', args: [], query: new URLSearchParams()};
  const controller = new AbortController();
  current = {controller};
  const nav = route.page === 'segment' || route.page === 'segments' ? 'segments'
    : route.page === 'rfm' ? 'dashboard' : route.page === 'customer' ? 'search' : route.page;
  renderNav(nav);
  const main = document.getElementById('app');
  main.replaceChildren();
  main.dataset.page = route.page;
  Promise.resolve(pages[route.page].render(main, {...route, signal: controller.signal})).catch((error) => {
    if (error && error.name === 'AbortError') return;
    if (error && error.status === 401) return;
    main.append(h('p', {class: 'error', role: 'alert'}, t('error.page', {message: error && error.message ? error.message : String(error)})));
  });
}

function start() {
  document.getElementById('lang').addEventListener('change', (e) => {
    setLanguage(e.target.value);
    show();
  });
  document.getElementById('signout').addEventListener('click', () => {
    signOut();
    location.hash = '#/signin';
  });
  window.addEventListener('hashchange', show);
  // A page kept in the back/forward cache keeps its open streams (live events, the feed), and a browser opens at
  // most 6 connections to a server: a few such pages would stall every later request to it. So the streams end
  // when the page is hidden, and the page is drawn again (streams resumed) when it is shown from the cache.
  window.addEventListener('pagehide', () => { if (current) current.controller.abort(); });
  window.addEventListener('pageshow', (event) => { if (event.persisted) show(); });
  show();
}

start();
