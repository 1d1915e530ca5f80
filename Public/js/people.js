// People: list (search, status filter, paging), add, edit, (de)activate, delete, merge a duplicate,
// and per person an enroll panel (photo upload or camera snapshot) plus their enrolled faces.
// `#user-ID` opens a person.
import { api, ApiError, requireKey, describe, el, showMessage, formatTime, percent, initHeader, allPeople, confirmAction } from './api.js';

const PER_PAGE = 20;
const MAX_PHOTOS = 20; // the server's limit per upload

const $ = (id) => document.getElementById(id);
const list = { page: 1, q: '', isActive: '', total: 0 };
let person = null; // the user shown in the panel

// Plain words for each rejection code; the server's own message is shown after it.
const REJECTIONS = {
  no_face: 'No face was found. Use a clear, well-lit photo with the face looking at the camera.',
  multiple_faces: 'More than one face is in this photo. Use a photo of this person alone (or crop it).',
  low_quality: 'The face is too small, blurred or dark to recognise reliably. Use a sharper, closer photo.',
  undecodable: 'This file could not be read as an image. Use a JPEG or PNG photo.',
  too_large: 'This file is too large. Use a smaller photo.',
};

function qualityWords(score) {
  if (typeof score !== 'number') return 'unknown quality';
  const word = score >= 0.75 ? 'good' : score >= 0.5 ? 'fair' : 'poor';
  return `quality ${percent(score)} (${word})`;
}

// --- list -------------------------------------------------------------------------------------

async function loadList() {
  // An earlier load's error goes; a success message (e.g. "Deleted …") stays.
  if ($('list-message').classList.contains('error')) showMessage($('list-message'), '');
  let data;
  try {
    data = await api('/api/users', {
      query: { page: list.page, per_page: PER_PAGE, q: list.q, is_active: list.isActive },
    });
  } catch (error) {
    showMessage($('list-message'), describe(error));
    return;
  }
  list.total = data.total || 0;
  const pages = Math.max(1, Math.ceil(list.total / PER_PAGE));
  if (list.page > pages && list.total > 0) { // the last page emptied (a delete): step back
    list.page = pages;
    return loadList();
  }
  $('people-rows').replaceChildren(...(data.items || []).map(row));
  $('people-empty').hidden = (data.items || []).length > 0;
  $('page-info').textContent = `Page ${list.page} of ${pages} · ${list.total} ${list.total === 1 ? 'person' : 'people'}`;
  $('prev-page').disabled = list.page <= 1;
  $('next-page').disabled = list.page >= pages;
}

function row(user) {
  const selected = person && person.id === user.id;
  return el('tr', { id: `row-${user.id}`, class: selected ? 'selected' : null },
    el('td', { 'data-label': 'Name' },
      el('button', { type: 'button', class: 'link',
        onclick: () => openPerson(user.id, true), text: user.name })),
    el('td', { 'data-label': 'Email', text: user.email || '–' }),
    el('td', { 'data-label': 'Employee ID', text: user.employee_id || '–' }),
    el('td', { 'data-label': 'Faces', class: 'num', text: String(user.face_count ?? '–') }),
    el('td', { 'data-label': 'Status' }, statusBadge(user.is_active)));
}

function statusBadge(active) {
  return el('span', { class: `badge ${active ? 'ok' : 'off'}`, text: active ? 'Active' : 'Inactive' });
}

// --- create -----------------------------------------------------------------------------------

function optional(value) {
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

async function createPerson(event) {
  event.preventDefault();
  const message = $('create-message');
  const name = $('create-name').value.trim();
  if (!name) {
    showMessage(message, 'Enter a name.');
    $('create-name').focus();
    return;
  }
  const body = { name };
  const email = optional($('create-email').value);
  const employeeID = optional($('create-employee-id').value);
  if (email) body.email = email;
  if (employeeID) body.employee_id = employeeID;
  $('create-button').disabled = true;
  try {
    const user = await api('/api/users', { method: 'POST', json: body });
    $('create-form').reset();
    showMessage(message, `Added ${user.name}. Now enroll a photo of them.`, 'ok');
    await openPerson(user.id, true);
    loadList();
  } catch (error) {
    showMessage(message, describe(error));
  } finally {
    $('create-button').disabled = false;
  }
}

// --- person panel -----------------------------------------------------------------------------

async function openPerson(id, focus) {
  if (location.hash !== `#user-${id}`) history.replaceState(null, '', `#user-${id}`);
  showMessage($('person-message'), '');
  let user;
  try {
    user = await api(`/api/users/${id}`);
  } catch (error) {
    person = null;
    $('person').hidden = true;
    showMessage($('list-message'), error instanceof ApiError && error.status === 404
      ? 'That person no longer exists.' : describe(error));
    return;
  }
  if (!person || person.id !== user.id) {
    $('enroll-results').replaceChildren();
    showMessage($('enroll-message'), '');
  }
  showPerson(user);
  markSelected();
  if (focus) $('person').focus();
  loadFaces();
  loadMergeChoices();
}

function showPerson(user) {
  person = user;
  $('person').hidden = false;
  $('person-title').textContent = user.name;
  const badge = $('person-badge');
  badge.className = `badge ${user.is_active ? 'ok' : 'off'}`;
  badge.textContent = user.is_active ? 'Active' : 'Inactive';
  $('edit-name').value = user.name;
  $('edit-email').value = user.email || '';
  $('edit-employee-id').value = user.employee_id || '';
  $('toggle-active').textContent = user.is_active ? 'Deactivate' : 'Activate';
  $('person-sightings').href = `/sightings?user_id=${user.id}`;
  $('person-sightings').textContent = `Sightings of ${user.name}`;
}

function markSelected() {
  for (const tr of $('people-rows').querySelectorAll('tr')) {
    const selected = person && tr.id === `row-${person.id}`;
    tr.classList.toggle('selected', Boolean(selected));
  }
}

async function saveEdit(event) {
  event.preventDefault();
  if (!person) return;
  const name = $('edit-name').value.trim();
  if (!name) {
    showMessage($('person-message'), 'Enter a name.');
    $('edit-name').focus();
    return;
  }
  await patch({
    name,
    email: optional($('edit-email').value),
    employee_id: optional($('edit-employee-id').value),
  }, 'Saved.');
}

async function toggleActive() {
  if (!person) return;
  const active = !person.is_active;
  await patch({ is_active: active }, active
    ? `${person.name} is active again and will be recognised.`
    : `${person.name} is inactive and will not be recognised.`);
}

async function patch(body, done) {
  try {
    const user = await api(`/api/users/${person.id}`, { method: 'PATCH', json: body });
    showPerson(user);
    showMessage($('person-message'), done, 'ok');
    loadList();
  } catch (error) {
    showMessage($('person-message'), describe(error));
  }
}

async function deletePerson() {
  if (!person) return;
  const target = person;
  const count = target.face_count;
  const faces = count === 0 ? 'They have no enrolled faces.'
    : `This includes their biometric data: ${count === 1 ? 'the face template' : `all ${count ?? ''} face templates`.replace('  ', ' ')} used to recognise them.`;
  const ok = await confirmAction(
    `Delete ${target.name}? Their record and all of their face data are permanently deleted. ${faces} This cannot be undone.`,
    'Delete person and face data');
  if (!ok) return;
  try {
    await api(`/api/users/${target.id}`, { method: 'DELETE' });
  } catch (error) {
    showMessage($('person-message'), describe(error));
    return;
  }
  person = null;
  $('person').hidden = true;
  history.replaceState(null, '', location.pathname + location.search);
  showMessage($('list-message'), `Deleted ${target.name} and their face data.`, 'ok');
  loadList();
  $('q').focus();
}

// --- merge ------------------------------------------------------------------------------------

const MERGE_CHOICE_PAGES = 10; // × 100 people offered in the merge list

async function loadMergeChoices() {
  if (!person) return;
  const id = person.id;
  let people;
  try {
    people = await allPeople(MERGE_CHOICE_PAGES);
  } catch {
    return; // the panel's other parts report problems; the list just stays empty
  }
  if (!person || person.id !== id) return;
  people.sort((a, b) => a.name.localeCompare(b.name));
  $('merge-from').replaceChildren(el('option', { value: '', text: 'Choose a person' }),
    ...people.filter((u) => u.id !== id).map((u) => el('option', {
      value: String(u.id), text: `${u.name} (#${u.id}, ${u.face_count} ${u.face_count === 1 ? 'face' : 'faces'})` })));
}

async function mergeInto(event) {
  event.preventDefault();
  if (!person) return;
  const select = $('merge-from');
  const fromID = Number(select.value);
  if (!fromID) {
    showMessage($('person-message'), 'Choose the person to merge into this one.');
    select.focus();
    return;
  }
  const fromName = select.selectedOptions[0]?.textContent || `#${fromID}`;
  const ok = await confirmAction(
    `Merge ${fromName} into ${person.name}? Their faces and sightings move to ${person.name} and their own record is deleted. This cannot be undone.`,
    'Merge');
  if (!ok) return;
  try {
    const user = await api(`/api/users/${person.id}/merge`, { method: 'POST', json: { from_user_id: fromID } });
    showPerson(user);
    showMessage($('person-message'), `Merged ${fromName} into ${user.name}.`, 'ok');
  } catch (error) {
    showMessage($('person-message'), describe(error));
    return;
  }
  refreshPerson();
  loadMergeChoices();
}

// --- faces ------------------------------------------------------------------------------------

async function loadFaces() {
  if (!person) return;
  const id = person.id;
  let data;
  try {
    data = await api(`/api/users/${id}/faces`);
  } catch (error) {
    showMessage($('person-message'), describe(error));
    return;
  }
  if (!person || person.id !== id) return;
  const items = data.items || [];
  $('faces-title').textContent = `Enrolled faces (${items.length})`;
  $('faces-empty').hidden = items.length > 0;
  $('face-list').replaceChildren(...items.map((face) => el('li', { class: 'ok face-item', id: `face-${face.id}` },
    el('span', { text: `Face #${face.id} — ${qualityWords(face.quality_score)}` +
      `${face.capture_angle ? ` · angle: ${face.capture_angle}` : ''} · added ${formatTime(face.created_at)} ` }),
    el('button', { type: 'button', class: 'danger', 'aria-label': `Delete face #${face.id}`,
      onclick: () => deleteFace(face), text: 'Delete' }))));
}

async function deleteFace(face) {
  const ok = await confirmAction(
    `Delete face #${face.id} of ${person.name}? Its biometric template is permanently deleted.`,
    'Delete face data');
  if (!ok) return;
  try {
    await api(`/api/users/${person.id}/faces/${face.id}`, { method: 'DELETE' });
    showMessage($('person-message'), `Deleted face #${face.id}.`, 'ok');
  } catch (error) {
    showMessage($('person-message'), describe(error));
  }
  refreshPerson();
}

/** After faces change: the panel's faces and the list's face count. */
function refreshPerson() {
  loadFaces();
  loadList();
}

// --- enroll -----------------------------------------------------------------------------------

/** Uploads `files` ([{blob, name}]) and reports each photo's fate. */
async function enroll(files) {
  const message = $('enroll-message');
  const results = $('enroll-results');
  const form = new FormData();
  const angle = $('capture-angle').value;
  if (angle) form.append('capture_angle', angle);
  for (const file of files) form.append('file', file.blob, file.name);

  showMessage(message, `Uploading ${files.length} ${files.length === 1 ? 'photo' : 'photos'}…`, '');
  results.replaceChildren();
  $('enroll-upload').disabled = true;
  let outcome;
  try {
    outcome = await api(`/api/users/${person.id}/faces`, { method: 'POST', body: form });
  } catch (error) {
    // 422 = nothing stored, but the body still says why for each photo.
    if (error instanceof ApiError && error.body && Array.isArray(error.body.rejected)) outcome = error.body;
    else {
      showMessage(message, describe(error));
      return;
    }
  } finally {
    $('enroll-upload').disabled = false;
  }
  const created = outcome.created || [];
  const rejected = outcome.rejected || [];
  // Created faces come back in upload order, so they pair with the photos that weren't rejected.
  const rejectedIndexes = new Set(rejected.map((r) => r.index));
  const acceptedNames = files.map((f) => f.name).filter((_, i) => !rejectedIndexes.has(i));

  results.replaceChildren(
    ...created.map((face, i) => el('li', { class: 'ok', dataset: { faceId: face.id } },
      el('strong', { text: acceptedNames[i] || `Photo ${i + 1}` }),
      `: enrolled as face #${face.id} — ${qualityWords(face.quality_score)}.`)),
    ...rejected.map((r) => el('li', { class: 'rejected', dataset: { code: r.code } },
      el('strong', { text: r.filename || files[r.index]?.name || `Photo ${r.index + 1}` }),
      `: not enrolled. ${REJECTIONS[r.code] || 'The photo could not be used.'}`,
      r.message ? el('span', { class: 'muted small', text: ` (${r.message})` }) : null)));
  showMessage(message,
    `${created.length} of ${files.length} ${files.length === 1 ? 'photo' : 'photos'} enrolled.`,
    created.length ? 'ok' : 'error');
  if (created.length) $('enroll-files').value = '';
  refreshPerson();
}

function uploadChosen(event) {
  event.preventDefault();
  if (!person) return;
  const chosen = Array.from($('enroll-files').files || []);
  if (!chosen.length) {
    showMessage($('enroll-message'), 'Choose one or more photos first.');
    $('enroll-files').focus();
    return;
  }
  if (chosen.length > MAX_PHOTOS) {
    showMessage($('enroll-message'), `Choose at most ${MAX_PHOTOS} photos at a time.`);
    return;
  }
  enroll(chosen.map((file) => ({ blob: file, name: file.name })));
}

// --- camera snapshot --------------------------------------------------------------------------

let snapshotStream = null;

async function startSnapshot() {
  const message = $('enroll-message');
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    showMessage(message, 'This browser cannot use the camera on this page. Open the console over HTTPS (or on localhost).');
    return;
  }
  try {
    snapshotStream = await navigator.mediaDevices.getUserMedia({ audio: false, video: { width: { ideal: 1280 }, facingMode: 'user' } });
  } catch (error) {
    showMessage(message, error && error.name === 'NotAllowedError'
      ? 'Camera access was blocked. Allow the camera for this site, or upload photos instead.'
      : 'The camera could not be started. Upload photos instead.');
    return;
  }
  $('snapshot-video').srcObject = snapshotStream;
  $('snapshot').hidden = false;
  $('snapshot-take').focus();
}

function stopSnapshot() {
  if (snapshotStream) snapshotStream.getTracks().forEach((track) => track.stop());
  snapshotStream = null;
  $('snapshot-video').srcObject = null;
  $('snapshot').hidden = true;
}

async function takeSnapshot() {
  const videoEl = $('snapshot-video');
  if (!person || !videoEl.videoWidth) return;
  const canvas = document.createElement('canvas');
  canvas.width = videoEl.videoWidth;
  canvas.height = videoEl.videoHeight;
  canvas.getContext('2d').drawImage(videoEl, 0, 0);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.92));
  if (!blob) return;
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  await enroll([{ blob, name: `camera-${stamp}.jpg` }]);
}

// --- start ------------------------------------------------------------------------------------

function openFromHash() {
  const match = /^#user-(\d+)$/.exec(location.hash);
  if (match) openPerson(Number(match[1]), true);
}

function start() {
  initHeader();
  if (!requireKey()) return;
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    list.q = $('q').value.trim();
    list.isActive = $('active-filter').value;
    list.page = 1;
    loadList();
  });
  $('prev-page').addEventListener('click', () => { list.page = Math.max(1, list.page - 1); loadList(); });
  $('next-page').addEventListener('click', () => { list.page += 1; loadList(); });
  $('create-form').addEventListener('submit', createPerson);
  $('edit-form').addEventListener('submit', saveEdit);
  $('toggle-active').addEventListener('click', toggleActive);
  $('delete-person').addEventListener('click', deletePerson);
  $('merge-form').addEventListener('submit', mergeInto);
  $('enroll-form').addEventListener('submit', uploadChosen);
  $('snapshot-start').addEventListener('click', startSnapshot);
  $('snapshot-cancel').addEventListener('click', stopSnapshot);
  $('snapshot-take').addEventListener('click', takeSnapshot);
  window.addEventListener('hashchange', openFromHash);
  loadList();
  openFromHash();
}

start();
