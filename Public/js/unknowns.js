// Unknown faces: groups of unknown sightings of the same person (`/api/unknowns`), each with sample
// faces. A group can be named (a new person), assigned to an enrolled person, or forgotten.
import { api, requireKey, describe, el, showMessage, formatTime, initHeader, protectedImage, allPeople, confirmAction } from './api.js';

const PER_PAGE = 10;
const PEOPLE_PAGES = 10; // × 100 people offered in "assign to"

const $ = (id) => document.getElementById(id);
let page = 1;
let people = [];


async function loadPeople() {
  let found;
  try {
    found = await allPeople(PEOPLE_PAGES);
  } catch {
    return; // the list reports problems; "assign to" just stays short
  }
  people = found.sort((a, b) => a.name.localeCompare(b.name));
}

async function loadClusters() {
  let data;
  try {
    data = await api('/api/unknowns', { query: { page, per_page: PER_PAGE } });
  } catch (error) {
    showMessage($('clusters-message'), describe(error));
    return;
  }
  const items = data.items || [];
  const total = data.total || 0;
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  if (page > pages && total > 0) { page = pages; return loadClusters(); }
  $('clusters').replaceChildren(...items.map(cluster));
  $('clusters-empty').hidden = items.length > 0;
  $('page-info').textContent = `Page ${page} of ${pages} · ${total} ${total === 1 ? 'group' : 'groups'}`;
  $('prev-page').disabled = page <= 1;
  $('next-page').disabled = page >= pages;
}

function cluster(group) {
  const id = `cluster-${group.id}`;
  const nameInput = el('input', { type: 'text', id: `${id}-name`, autocomplete: 'off', required: true });
  const select = el('select', { id: `${id}-person` }, el('option', { value: '', text: 'Choose a person' }),
    ...people.map((u) => el('option', { value: String(u.id), text: u.is_active ? u.name : `${u.name} (inactive)` })));
  const sessions = group.sessions || [];
  return el('li', { class: 'cluster', id, dataset: { clusterId: group.id } },
    el('div', { class: 'faces' }, ...(group.sample_faces || []).map((url, index) =>
      protectedImage(url, `Unknown person, sample ${index + 1}`))),
    el('p', { text: `Seen ${group.size} ${group.size === 1 ? 'time' : 'times'}, ` +
      `first ${formatTime(group.first_seen)}, last ${formatTime(group.last_seen)}` +
      (sessions.length ? ` · sessions: ${sessions.slice(0, 5).join(', ')}${sessions.length > 5 ? ', …' : ''}` : '') }),
    el('form', { class: 'toolbar name-form', novalidate: true, onsubmit: (event) => { event.preventDefault(); assign(group, { name: nameInput.value.trim() }, nameInput); } },
      el('div', { class: 'field fit' }, el('label', { for: nameInput.id, text: 'Name this person' }), nameInput),
      el('div', { class: 'field fit' }, el('div', { class: 'actions' }, el('button', { type: 'submit', class: 'primary', text: 'Add as new person' })))),
    el('form', { class: 'toolbar assign-form', novalidate: true, onsubmit: (event) => { event.preventDefault(); assign(group, { user_id: Number(select.value) }, select); } },
      el('div', { class: 'field fit' }, el('label', { for: select.id, text: 'Or assign to' }), select),
      el('div', { class: 'field fit' }, el('div', { class: 'actions' },
        el('button', { type: 'submit', text: 'Assign' }),
        el('button', { type: 'button', class: 'danger', text: 'Forget…', onclick: () => forget(group) })))));
}

async function assign(group, body, field) {
  if ((body.name !== undefined && !body.name) || (body.user_id !== undefined && !body.user_id)) {
    showMessage($('clusters-message'), body.name !== undefined ? 'Enter a name.' : 'Choose a person.');
    field.focus();
    return;
  }
  let result;
  try {
    result = await api(`/api/unknowns/${group.id}/assign`, { method: 'POST', json: body });
  } catch (error) {
    showMessage($('clusters-message'), describe(error));
    return;
  }
  const faces = (result.enrolled_face_ids || []).length;
  showMessage($('clusters-message'), `${result.user.name}: ${faces} ${faces === 1 ? 'face' : 'faces'} enrolled, ` +
    `${result.sightings_updated} earlier ${result.sightings_updated === 1 ? 'sighting' : 'sightings'} now carry the name.`, 'ok');
  await loadPeople();
  loadClusters();
}

async function forget(group) {
  const ok = await confirmAction(`Forget this unknown person? The faces of their ${group.size} sightings are deleted; ` +
    'the sightings keep only their time and place. This cannot be undone.', 'Forget their faces');
  if (!ok) return;
  try {
    await api(`/api/unknowns/${group.id}`, { method: 'DELETE' });
  } catch (error) {
    showMessage($('clusters-message'), describe(error));
    return;
  }
  showMessage($('clusters-message'), 'Forgotten: their faces are deleted.', 'ok');
  loadClusters();
}

async function start() {
  initHeader();
  if (!requireKey()) return;
  $('prev-page').addEventListener('click', () => { page = Math.max(1, page - 1); loadClusters(); });
  $('next-page').addEventListener('click', () => { page += 1; loadClusters(); });
  await loadPeople();
  loadClusters();
}

start();
