// Sign-in: checks the key with a cheap list call, keeps it in sessionStorage, then shows the menu
// (or returns to the page that sent the user here).
import { api, ApiError, getKey, setKey, clearKey, takeSignInNotice, showMessage, initHeader } from './api.js';

const form = document.getElementById('signin-form');
const input = document.getElementById('api-key');
const button = document.getElementById('signin-button');
const errorBox = document.getElementById('signin-error');
const noticeBox = document.getElementById('signin-notice');

/** Where to go after sign-in: only a path on this site (no open redirect). */
function nextPath() {
  const next = new URLSearchParams(location.search).get('next');
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : null;
}

function showHome(role) {
  document.getElementById('signin').hidden = true;
  document.getElementById('home').hidden = false;
  document.getElementById('sign-out').hidden = false;
  showMessage(document.getElementById('home-status'),
    role === 'recognize'
      ? 'Signed in with a recognition key: Live works; People and Sightings need an admin key.'
      : 'Signed in.', 'ok');
}

/** 'admin' if the key may list people, 'recognize' if it is valid but may not; throws otherwise. */
async function checkKey(key) {
  try {
    await api('/api/users', { query: { per_page: 1 }, key, redirectOn401: false });
    return 'admin';
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return 'recognize';
    throw error;
  }
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = input.value.trim();
  showMessage(errorBox, '');
  if (!key) {
    showMessage(errorBox, 'Enter your API key.');
    input.focus();
    return;
  }
  button.disabled = true;
  button.textContent = 'Checking…';
  try {
    const role = await checkKey(key);
    setKey(key);
    input.value = '';
    const next = nextPath();
    if (next) location.assign(next);
    else showHome(role);
  } catch (error) {
    const message = error instanceof ApiError && error.status === 401
      ? 'That API key was not accepted. Check it and try again.'
      : error.message || 'Could not sign in.';
    showMessage(errorBox, message);
    input.focus();
    input.select();
  } finally {
    button.disabled = false;
    button.textContent = 'Sign in';
  }
});

async function start() {
  initHeader();
  const notice = takeSignInNotice();
  if (notice) showMessage(noticeBox, notice, '');
  const key = getKey();
  if (!key) {
    input.focus();
    return;
  }
  // Already signed in in this tab: re-check quietly so a revoked key doesn't look signed in.
  try {
    showHome(await checkKey(key));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) clearKey();
    showMessage(errorBox, error.message);
    input.focus();
  }
}

start();
