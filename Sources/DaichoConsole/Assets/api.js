// The API routes the console reads (docs/http-api.md). The read token lives in sessionStorage only — never in a
// URL — and goes with every request as `Authorization: Bearer`; a 401 forgets it and returns to the sign-in page.

const TOKEN_KEY = 'daicho.token';

/** The read token of this browser tab's session, or null. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps the read token for this tab's session. */
export function signIn(value) {
  sessionStorage.setItem(TOKEN_KEY, value);
}

/** Forgets the read token. */
export function signOut() {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** A refused request: `status` and the server's `{"error":{…}}` object (`code`, `message`, maybe `line`…). */
export class ApiError extends Error {
  constructor(status, error) {
    super(error && error.message ? error.message : `HTTP ${status}`);
    this.status = status;
    this.error = error || {};
  }
}

function returnToSignIn() {
  signOut();
  const here = location.hash.startsWith('#/signin') ? '' : location.hash;
  location.hash = '#/signin' + (here ? '?next=' + encodeURIComponent(here) : '');
}

/** The headers of every request: the bearer token, plus `extra`. */
export function headers(extra) {
  return Object.assign({Authorization: 'Bearer ' + (token() || '')}, extra || {});
}

/**
 * Calls a route and returns its JSON. `options`: `method`, `body` (sent as JSON), `signal`.
 * Throws an ApiError for a non-2xx answer (after a 401, the page is already on its way to the sign-in page).
 */
export async function api(path, options = {}) {
  const init = {method: options.method || 'GET', headers: headers({Accept: 'application/json'}), signal: options.signal};
  if (options.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (response.status === 401) {
    returnToSignIn();
    throw new ApiError(401, json && json.error);
  }
  if (!response.ok) throw new ApiError(response.status, (json && json.error) || {message: text.slice(0, 300)});
  return json;
}

/** `path?k=v&…` with the entries of `params` whose value is not empty. */
export function withQuery(path, params) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== null && v !== undefined && v !== '') query.set(k, String(v));
  const q = query.toString();
  return q ? `${path}?${q}` : path;
}

/** The path segment of a selector (`email:taro@example.jp` → `email:taro%40example.jp`; a profile id as is). */
export function selectorPath(kind, value) {
  return kind === 'id' ? encodeURIComponent(value) : `${kind}:${encodeURIComponent(value)}`;
}

/** Every defined segment (`GET /v1/segments`, page after page). */
export async function allSegments(signal) {
  const segments = [];
  let next = '';
  do {
    const answer = await api(withQuery('/v1/segments', {cursor: next}), {signal});
    segments.push(...answer.data);
    next = answer.next;
  } while (next);
  return segments;
}
