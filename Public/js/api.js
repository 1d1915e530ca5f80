// Shared by every console page: the API key (sessionStorage), a fetch wrapper that sends it and
// turns any failure into a sentence a person can act on, and a few DOM helpers.

const KEY_STORAGE = 'facestream.apiKey';
const NOTICE_STORAGE = 'facestream.signinNotice';

export function getKey() {
  try { return sessionStorage.getItem(KEY_STORAGE) || null; } catch { return null; }
}

export function setKey(key) {
  try { sessionStorage.setItem(KEY_STORAGE, key); } catch { /* private mode: key lives for this page only */ }
}

export function clearKey() {
  try { sessionStorage.removeItem(KEY_STORAGE); } catch { /* nothing stored */ }
}

/** A failed call. `message` is written for people; `code` and `status` are for the code. */
export class ApiError extends Error {
  constructor(status, code, message, body = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

// Used only when the server's body has no message of its own (a proxy's error page, say).
const STATUS_MESSAGES = {
  400: 'The server did not accept the request. Check the values you entered.',
  401: 'Your API key was not accepted. Please sign in again.',
  403: 'Your API key is not allowed to do this. Sign in with an admin key.',
  404: 'That item no longer exists. It may have been deleted.',
  409: 'That conflicts with something that already exists.',
  413: 'That upload is too large.',
  422: 'The server could not use what was sent.',
  429: 'Too many requests. Wait a moment and try again.',
  503: 'The server is temporarily unavailable. Try again in a moment.',
};

function plainMessage(status, serverMessage) {
  if (serverMessage && typeof serverMessage === 'string') return serverMessage;
  if (STATUS_MESSAGES[status]) return STATUS_MESSAGES[status];
  if (status >= 500) return `The server hit a problem (HTTP ${status}). Try again; if it keeps happening, check the server log.`;
  return `The request failed (HTTP ${status}).`;
}

/** Sends the user to sign-in and back here afterwards. `notice` is shown on the sign-in page. */
export function goToSignIn(notice) {
  if (notice) {
    try { sessionStorage.setItem(NOTICE_STORAGE, notice); } catch { /* shown without it */ }
  }
  const here = location.pathname + location.search + location.hash;
  location.assign('/?next=' + encodeURIComponent(here));
}

/** The notice left by `goToSignIn`, once. */
export function takeSignInNotice() {
  try {
    const notice = sessionStorage.getItem(NOTICE_STORAGE);
    sessionStorage.removeItem(NOTICE_STORAGE);
    return notice;
  } catch { return null; }
}

/** The stored key, or a redirect to sign-in (returns null then). */
export function requireKey() {
  const key = getKey();
  if (!key) goToSignIn('Sign in to continue.');
  return key;
}

/**
 * Calls the API. Returns the parsed JSON (null for 204). Throws ApiError with a plain `message`.
 * On 401 the key is forgotten and the user sent to sign-in unless `redirectOn401` is false.
 * options: method, query (object; empty values are left out), json (body), body (FormData …),
 * key (defaults to the stored one).
 */
export async function api(path, options = {}) {
  const { method = 'GET', query, json, body, key = getKey(), redirectOn401 = true } = options;
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== '') url.searchParams.set(name, String(value));
  }
  const headers = { Accept: 'application/json' };
  if (key) headers['X-API-Key'] = key;
  let payload = body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    payload = JSON.stringify(json);
  }

  let response;
  try {
    response = await fetch(url, { method, headers, body: payload, cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'Could not reach the FaceStream server. Check that it is running and that you are online, then try again.');
  }
  if (response.status === 204) return null;

  let data = null;
  const text = await response.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (response.ok) return data;

  const error = data && typeof data === 'object' ? data.error : null;
  const failure = new ApiError(
    response.status,
    (error && error.code) || `http_${response.status}`,
    plainMessage(response.status, error && error.message),
    data,
  );
  if (response.status === 401 && redirectOn401) {
    clearKey();
    goToSignIn(`${failure.message} Please sign in again.`);
  }
  throw failure;
}

/**
 * Every person, fetched 100 at a time up to `maxPages` pages (lists for filters and pickers).
 * Throws ApiError like `api`.
 */
export async function allPeople(maxPages) {
  const people = [];
  for (let page = 1; page <= maxPages; page += 1) {
    const data = await api('/api/users', { query: { page, per_page: 100 } });
    people.push(...(data.items || []));
    if (people.length >= (data.total || 0) || !(data.items || []).length) break;
  }
  return people;
}

/**
 * Asks in the page's `#confirm-dialog` (with `#confirm-text` and `#confirm-button`); resolves to
 * whether the user confirmed.
 */
export function confirmAction(text, confirmLabel) {
  const dialog = document.getElementById('confirm-dialog');
  document.getElementById('confirm-text').textContent = text;
  document.getElementById('confirm-button').textContent = confirmLabel;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'confirm'), { once: true });
  });
}

/** Message for anything caught: ApiError's plain message, or a generic one for bugs. */
export function describe(error) {
  if (error instanceof ApiError) return error.message;
  console.error(error);
  return 'Something went wrong in this page. Reload it and try again.';
}

// --- DOM helpers ----------------------------------------------------------------------------------

/** Creates an element. Text is always set as text, never parsed as HTML. */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else if (name === 'text') node.textContent = value;
    else if (name === 'dataset') Object.assign(node.dataset, value);
    else if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, '');
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/**
 * An <img> of a key-protected image (a sighting's face): fetched with the key and shown from a
 * blob URL, since an <img src> can't send headers. A missing image becomes a dash.
 */
export function protectedImage(path, alt) {
  const img = el('img', { alt, class: 'face-thumb', width: 56, height: 56, decoding: 'async' });
  const key = getKey();
  fetch(new URL(path, location.origin), { headers: key ? { 'X-API-Key': key } : {}, cache: 'no-store' })
    .then((response) => (response.ok ? response.blob() : null))
    .then((blob) => {
      if (!blob) { img.replaceWith(el('span', { class: 'muted', text: '–' })); return; }
      img.addEventListener('load', () => URL.revokeObjectURL(img.src), { once: true });
      img.src = URL.createObjectURL(blob);
    })
    .catch(() => img.replaceWith(el('span', { class: 'muted', text: '–' })));
  return img;
}

/** Shows a message in a `.message` element; `kind` is 'error', 'ok' or '' (neutral). */
export function showMessage(node, text, kind = 'error') {
  node.textContent = text || '';
  node.className = `message ${text ? kind : ''}`.trim();
}

export function formatTime(iso) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function percent(value) {
  if (typeof value !== 'number' || Number.isNaN(value)) return '–';
  return `${Math.round(value * 100)}%`;
}

/** ISO 8601 without fractional seconds (what the server's date parser accepts). */
export function toISO(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Wires the shared header: the sign-out button. */
export function initHeader() {
  const signOut = document.getElementById('sign-out');
  if (!signOut) return;
  signOut.hidden = !getKey();
  signOut.addEventListener('click', () => {
    clearKey();
    location.assign('/');
  });
}
