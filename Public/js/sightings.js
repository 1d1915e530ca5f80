// Sightings: the recognition log with filters (person, unknown only, session, time range) and
// paging, each row with the face that decided it; and search by photo within the same filters.
// Filters live in the address (?user_id=…&page=…) so a filtered view can be bookmarked.
import { api, requireKey, describe, el, showMessage, formatTime, percent, toISO, initHeader, protectedImage, allPeople } from './api.js';

const PER_PAGE = 25;
const PEOPLE_MAX_PAGES = 20; // × 100 people offered in the person filter

const $ = (id) => document.getElementById(id);
const FIELDS = ['user_id', 'session_id', 'from', 'to', 'is_unknown'];
let filters = {};
let page = 1;

// --- filters ----------------------------------------------------------------------------------

function readAddress() {
  const params = new URLSearchParams(location.search);
  filters = {};
  for (const name of FIELDS) {
    const value = params.get(name);
    if (value) filters[name] = value;
  }
  page = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
}

function writeAddress(push) {
  const params = new URLSearchParams();
  for (const name of FIELDS) if (filters[name]) params.set(name, filters[name]);
  if (page > 1) params.set('page', String(page));
  const query = params.toString();
  const url = location.pathname + (query ? `?${query}` : '');
  if (push) history.pushState(null, '', url); else history.replaceState(null, '', url);
}

function fillForm() {
  ensurePersonOption(filters.user_id);
  $('filter-person').value = filters.user_id || '';
  $('filter-session').value = filters.session_id || '';
  $('filter-from').value = filters.from || '';
  $('filter-to').value = filters.to || '';
  $('filter-unknown').checked = filters.is_unknown === 'true';
  $('filter-person').disabled = $('filter-unknown').checked;
}

function readForm() {
  const unknown = $('filter-unknown').checked;
  filters = {
    user_id: unknown ? '' : $('filter-person').value,
    session_id: $('filter-session').value.trim(),
    from: $('filter-from').value,
    to: $('filter-to').value,
    is_unknown: unknown ? 'true' : '',
  };
}

/** datetime-local (this device's zone) → ISO 8601 UTC; '' for empty or invalid. */
function localToISO(value) {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : toISO(date);
}

/** The filters as the API's query parameters (times in UTC). */
function filterQuery() {
  return {
    user_id: filters.user_id,
    session_id: filters.session_id,
    is_unknown: filters.is_unknown,
    from: localToISO(filters.from),
    to: localToISO(filters.to),
  };
}

// --- person filter ----------------------------------------------------------------------------

function ensurePersonOption(id) {
  if (!id) return;
  const select = $('filter-person');
  if ([...select.options].some((o) => o.value === id)) return;
  select.append(el('option', { value: id, text: `Person #${id}` }));
}

async function loadPeople() {
  const select = $('filter-person');
  let people;
  try {
    people = await allPeople(PEOPLE_MAX_PAGES);
  } catch {
    return; // the log itself reports any problem; the filter just stays short
  }
  people.sort((a, b) => a.name.localeCompare(b.name));
  select.replaceChildren(el('option', { value: '', text: 'Anyone' }),
    ...people.map((u) => el('option', { value: String(u.id), text: u.is_active ? u.name : `${u.name} (inactive)` })));
  ensurePersonOption(filters.user_id);
  select.value = filters.user_id || '';
}

// --- log --------------------------------------------------------------------------------------

async function loadLog() {
  showMessage($('log-message'), '');
  if (filters.from && filters.to && new Date(filters.from) > new Date(filters.to)) {
    showMessage($('log-message'), '"From" is after "To": no sighting can match. Swap or clear them.');
    return;
  }
  const table = $('log-table');
  table.setAttribute('aria-busy', 'true'); // also tells tests the rows are being replaced
  let data;
  try {
    data = await api('/api/logs', {
      query: { ...filterQuery(), page, per_page: PER_PAGE },
    });
  } catch (error) {
    showMessage($('log-message'), describe(error));
    return;
  } finally {
    table.removeAttribute('aria-busy');
  }
  const items = data.items || [];
  const total = data.total || 0;
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  $('log-rows').replaceChildren(...items.map(row));
  $('log-empty').hidden = items.length > 0;
  $('page-info').textContent = `Page ${page} of ${pages} · ${total} ${total === 1 ? 'sighting' : 'sightings'}`;
  $('prev-page').disabled = page <= 1;
  $('next-page').disabled = page >= pages;
}

function personCell(entry) {
  if (entry.user_id === null || entry.user_id === undefined) {
    return el('span', { class: 'badge warn', text: 'Unknown' });
  }
  return el('a', { href: `/people#user-${entry.user_id}`, text: entry.user_name || `Person #${entry.user_id}` });
}

function position(box) {
  if (!Array.isArray(box) || box.length !== 4) return '–';
  const [x, y, w, h] = box.map((n) => Math.round(n));
  return `${x}, ${y}, ${w}×${h}`;
}

function faceCell(entry) {
  const who = entry.user_name || (entry.user_id ? `person #${entry.user_id}` : 'an unknown person');
  return el('td', { 'data-label': 'Face', class: 'face' },
    entry.face_url ? protectedImage(entry.face_url, `Face of ${who} at ${formatTime(entry.created_at)}`) : '–');
}

function row(entry) {
  const session = String(entry.session_id || '');
  return el('tr', { dataset: { logId: entry.id } },
    faceCell(entry),
    el('td', { 'data-label': 'Time' }, el('time', { datetime: entry.created_at, text: formatTime(entry.created_at) })),
    el('td', { 'data-label': 'Person', class: 'person' }, personCell(entry)),
    el('td', { 'data-label': 'Confidence', class: 'num', text: percent(entry.confidence) }),
    el('td', { 'data-label': 'Track', text: String(entry.track_id ?? '–') }),
    el('td', { 'data-label': 'Session' },
      session
        ? el('button', { type: 'button', class: 'link', title: session, 'aria-label': `Only session ${session}`,
          onclick: () => { filters.session_id = session; page = 1; apply(true); },
          text: session.length > 12 ? `${session.slice(0, 8)}…` : session })
        : '–'),
    el('td', { 'data-label': 'Position', text: position(entry.frame_position) }));
}

// --- search by photo --------------------------------------------------------------------------

async function searchByPhoto(event) {
  event.preventDefault();
  const file = $('search-file').files[0];
  if (!file) {
    showMessage($('search-message'), 'Choose a photo first.');
    $('search-file').focus();
    return;
  }
  readForm();
  const form = new FormData();
  form.append('file', file, file.name);
  showMessage($('search-message'), 'Searching…', '');
  $('search-button').disabled = true;
  let data;
  try {
    data = await api('/api/logs/search', {
      method: 'POST',
      body: form,
      query: { ...filterQuery(), limit: 50 },
    });
  } catch (error) {
    showMessage($('search-message'), describe(error));
    return;
  } finally {
    $('search-button').disabled = false;
  }
  const items = data.items || [];
  $('search-rows').replaceChildren(...items.map(({ sighting, distance }) => el('tr', { dataset: { logId: sighting.id } },
    faceCell(sighting),
    el('td', { 'data-label': 'Time' }, el('time', { datetime: sighting.created_at, text: formatTime(sighting.created_at) })),
    el('td', { 'data-label': 'Person', class: 'person' }, personCell(sighting)),
    el('td', { 'data-label': 'Distance', class: 'num', text: distance.toFixed(3) }),
    el('td', { 'data-label': 'Session', text: String(sighting.session_id || '–') }))));
  $('search-wrap').hidden = items.length === 0;
  $('search-clear').hidden = false;
  showMessage($('search-message'), items.length
    ? `${items.length} ${items.length === 1 ? 'sighting matches' : 'sightings match'}, nearest first (of ${data.searched} with a stored face).`
    : `No sighting matches this face (searched ${data.searched} with a stored face).`, items.length ? 'ok' : '');
}

function clearSearch() {
  $('photo-search').reset();
  $('search-rows').replaceChildren();
  $('search-wrap').hidden = true;
  $('search-clear').hidden = true;
  showMessage($('search-message'), '');
}

function apply(push) {
  writeAddress(push);
  fillForm();
  loadLog();
}

// --- start ------------------------------------------------------------------------------------

function start() {
  initHeader();
  if (!requireKey()) return;
  readAddress();
  fillForm();
  $('filter-unknown').addEventListener('change', () => {
    $('filter-person').disabled = $('filter-unknown').checked;
  });
  $('filters').addEventListener('submit', (event) => {
    event.preventDefault();
    readForm();
    page = 1;
    apply(true);
  });
  $('clear-filters').addEventListener('click', () => {
    filters = {};
    page = 1;
    apply(true);
  });
  $('refresh').addEventListener('click', loadLog);
  $('photo-search').addEventListener('submit', searchByPhoto);
  $('search-clear').addEventListener('click', clearSearch);
  $('prev-page').addEventListener('click', () => { page = Math.max(1, page - 1); apply(true); });
  $('next-page').addEventListener('click', () => { page += 1; apply(true); });
  window.addEventListener('popstate', () => { readAddress(); fillForm(); loadLog(); });
  loadLog();
  loadPeople();
}

start();
