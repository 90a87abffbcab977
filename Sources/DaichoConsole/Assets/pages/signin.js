// Sign-in: the read token (`daicho serve keys` prints it), checked against the server before it is kept in
// sessionStorage for this tab; it never appears in a URL.

import {h} from '../dom.js';
import {t} from '../i18n.js';
import {signIn, signOut} from '../api.js';

export function render(main, route) {
  const input = h('input', {type: 'password', id: 'token', name: 'token', autocomplete: 'off', required: true,
    spellcheck: 'false', placeholder: 'drt_…'});
  const message = h('p', {class: 'error', role: 'alert', hidden: true});
  const button = h('button', {type: 'submit'}, t('signin.submit'));
  const form = h('form', {class: 'card signin', onsubmit: async (event) => {
    event.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    button.disabled = true;
    message.hidden = true;
    try {
      const response = await fetch('/v1/segments', {headers: {Authorization: 'Bearer ' + value, Accept: 'application/json'},
        signal: route.signal});
      if (response.ok) {
        signIn(value);
        const next = route.query.get('next');
        location.hash = next && next.startsWith('#/') && !next.startsWith('#/signin') ? next : '#/search';
        return;
      }
      signOut();
      message.textContent = response.status === 401 ? t('signin.refused') : t('signin.failed', {status: response.status});
    } catch (error) {
      if (error.name === 'AbortError') return;
      message.textContent = t('signin.unreachable');
    }
    message.hidden = false;
    button.disabled = false;
  }},
  h('h1', null, t('signin.title')),
  h('p', {class: 'muted'}, t('signin.help')),
  h('label', {for: 'token'}, t('signin.token')),
  input, button, message);
  main.append(form);
  input.focus();
}
