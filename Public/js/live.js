// Live recognition: camera → JPEG frames over /ws/recognize → boxes drawn over the video.
// One frame in flight at a time and no faster than the server's max_frame_rate, so the server never
// queues stale frames and the latency shown is the real round trip.
import { api, ApiError, getKey, setKey, clearKey, goToSignIn, percent, initHeader } from './api.js';

const video = document.getElementById('video');
const overlay = document.getElementById('overlay');
const statusLine = document.getElementById('status');
const errorBox = document.getElementById('live-error');
const fpsOut = document.getElementById('fps');
const latencyOut = document.getElementById('latency');
const sessionOut = document.getElementById('session');
const facesList = document.getElementById('faces');
const noFaces = document.getElementById('no-faces');
const toggle = document.getElementById('toggle');

const MAX_FRAME_WIDTH = 640;       // larger frames cost bandwidth and detection time for no gain here
const JPEG_QUALITY = 0.8;
const ANSWER_TIMEOUT_MS = 15000;   // no answer this long: the connection is dead even if still "open"
const STALE_FACES_MS = 2000;       // boxes older than this are wiped rather than left frozen
const BACKOFF_MAX_MS = 30000;

const capture = document.createElement('canvas');
let key = null;
let ws = null;
let sessionReady = false;
let maxFrameRate = 5;
let inFlight = null;               // { sentAt, width, height } of the frame awaiting its answer
let lastSentAt = -Infinity;
let sendTimer = null;
let reconnectTimer = null;
let attempts = 0;                  // consecutive failed connections, for the backoff
let paused = false;
let answers = [];                  // arrival times of recent results, for frames/s
let shown = { faces: [], width: 1, height: 1, at: 0 };

function setStatus(text, state) {
  statusLine.textContent = text;
  statusLine.dataset.state = state;
}

function showError(text) {
  errorBox.textContent = text || '';
}

// --- key ------------------------------------------------------------------------------------------

/** `?api_key=` (a kiosk's start URL) wins; it is moved into sessionStorage and out of the address bar. */
function resolveKey() {
  const params = new URLSearchParams(location.search);
  const fromQuery = params.get('api_key');
  if (fromQuery) {
    setKey(fromQuery);
    params.delete('api_key');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
    return fromQuery;
  }
  return getKey();
}

/** After a failed connection: is the key the reason? The WebSocket itself can't tell us. */
async function keyRejected() {
  try {
    await api('/api/users', { query: { per_page: 1 }, key, redirectOn401: false });
    return false;
  } catch (error) {
    return error instanceof ApiError && error.status === 401;
  }
}

// --- camera ---------------------------------------------------------------------------------------

function cameraErrorMessage(error) {
  switch (error && error.name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera access was blocked. Allow the camera for this site in the browser settings, then reload the page.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found on this device.';
    case 'NotReadableError':
      return 'The camera is busy or unavailable. Close other apps using it, then reload the page.';
    default:
      return `The camera could not be started (${(error && error.message) || 'unknown reason'}).`;
  }
}

async function startCamera() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new Error('This browser cannot use the camera on this page. Open the console over HTTPS (or on localhost).');
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { width: { ideal: 640 }, height: { ideal: 480 }, facingMode: 'user' },
    });
  } catch (error) {
    throw new Error(cameraErrorMessage(error));
  }
  video.srcObject = stream;
  if (video.readyState < 1) {
    await new Promise((resolve) => video.addEventListener('loadedmetadata', resolve, { once: true }));
  }
  await video.play().catch(() => { /* muted autoplay; a refusal just means no preview motion */ });
}

// --- connection -----------------------------------------------------------------------------------

function connect() {
  clearTimeout(reconnectTimer);
  reconnectTimer = null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/ws/recognize?api_key=${encodeURIComponent(key)}`);
  socket.binaryType = 'arraybuffer';
  ws = socket;
  sessionReady = false;
  inFlight = null;
  setStatus(attempts ? 'Reconnecting…' : 'Connecting…', 'connecting');

  socket.addEventListener('open', () => {
    if (socket !== ws) return;
    setStatus('Connected, waiting for the session…', 'connecting');
    // Every server sends `session` first; should one not, start anyway at the default rate.
    setTimeout(() => {
      if (socket === ws && !sessionReady && socket.readyState === WebSocket.OPEN) {
        handleMessage({ type: 'session', session_id: null, max_frame_rate: maxFrameRate });
      }
    }, 3000);
  });
  socket.addEventListener('message', (event) => {
    if (socket !== ws || typeof event.data !== 'string') return;
    let message;
    try { message = JSON.parse(event.data); } catch { return; }
    handleMessage(message);
  });
  socket.addEventListener('close', (event) => {
    if (socket !== ws) return;
    onDisconnected(event);
  });
}

function handleMessage(message) {
  switch (message.type) {
    case 'session':
      sessionReady = true;
      attempts = 0;
      if (Number(message.max_frame_rate) > 0) maxFrameRate = Number(message.max_frame_rate);
      sessionOut.textContent = message.session_id || '–';
      sessionOut.title = message.session_id || '';
      showError('');
      setStatus(paused ? 'Paused' : 'Live', paused ? 'paused' : 'live');
      scheduleFrame();
      break;
    case 'recognition_result': {
      const frame = answered();
      if (!frame) break;
      answers.push(performance.now());
      showFaces(Array.isArray(message.faces) ? message.faces : [], frame.width, frame.height);
      showError('');
      break;
    }
    case 'throttled':
      answered();
      break;
    case 'error':
      // With a frame_id (or while a frame waits) it answers that frame; otherwise it's about the session.
      if (message.frame_id !== undefined || inFlight) answered();
      showError(message.message || 'The server reported an error.');
      break;
    default:
      break; // newer server, newer message types: ignore
  }
}

/** Closes the books on the frame in flight; returns it (null if none was). */
function answered() {
  const frame = inFlight;
  if (!frame) return null;
  inFlight = null;
  const latency = performance.now() - frame.sentAt;
  latencyOut.textContent = `${Math.round(latency)} ms`;
  scheduleFrame();
  return frame;
}

async function onDisconnected(event) {
  const hadSession = sessionReady;
  ws = null;
  sessionReady = false;
  inFlight = null;
  clearTimeout(sendTimer);
  sendTimer = null;
  showFaces([], 1, 1);
  fpsOut.textContent = '–';

  // Never got a session: a wrong key is the likely reason, and retrying won't fix that.
  if (!hadSession && await keyRejected()) {
    clearKey();
    setStatus('API key not accepted', 'error');
    goToSignIn('The API key was not accepted for live recognition. Please sign in again.');
    return;
  }
  attempts += 1;
  const base = Math.min(BACKOFF_MAX_MS, 1000 * 2 ** Math.min(attempts - 1, 5));
  const delay = Math.round(base * (0.75 + Math.random() * 0.5));
  const reason = event && event.reason ? ` (${event.reason})` : '';
  setStatus(`Connection lost${reason} — retrying in ${Math.ceil(delay / 1000)} s`, 'retrying');
  reconnectTimer = setTimeout(connect, delay);
}

// --- frames ---------------------------------------------------------------------------------------

function scheduleFrame() {
  if (sendTimer || inFlight || !sessionReady || paused) return;
  const wait = Math.max(0, lastSentAt + 1000 / maxFrameRate - performance.now());
  sendTimer = setTimeout(() => {
    sendTimer = null;
    sendFrame();
  }, wait);
}

async function sendFrame() {
  const socket = ws;
  if (!socket || socket.readyState !== WebSocket.OPEN || !sessionReady || inFlight || paused) return;
  if (document.hidden || !video.videoWidth) {
    // Nothing worth sending (background tab, camera not ready yet): look again shortly.
    sendTimer = setTimeout(() => { sendTimer = null; sendFrame(); }, 250);
    return;
  }
  const scale = Math.min(1, MAX_FRAME_WIDTH / video.videoWidth);
  const width = Math.round(video.videoWidth * scale);
  const height = Math.round(video.videoHeight * scale);
  capture.width = width;
  capture.height = height;
  capture.getContext('2d').drawImage(video, 0, 0, width, height);

  const frame = { sentAt: performance.now(), width, height };
  inFlight = frame; // claimed before the async encode so no second frame slips in
  const blob = await new Promise((resolve) => capture.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
  if (inFlight !== frame) return;
  if (!blob || socket !== ws || socket.readyState !== WebSocket.OPEN) {
    inFlight = null;
    scheduleFrame();
    return;
  }
  frame.sentAt = performance.now();
  lastSentAt = frame.sentAt;
  socket.send(blob); // a Blob goes out as a binary message
}

// --- drawing --------------------------------------------------------------------------------------

function label(face) {
  const name = face.is_unknown || !face.user_name ? 'Unknown' : face.user_name;
  return { name, text: `${name} ${percent(face.confidence)} · #${face.track_id}` };
}

function showFaces(faces, width, height) {
  shown = { faces, width, height, at: performance.now() };
  draw();

  const names = faces.map((face) => label(face).name);
  facesList.dataset.names = JSON.stringify(names);
  facesList.replaceChildren(...faces.map((face) => {
    const { name } = label(face);
    const item = document.createElement('li');
    const who = document.createElement('span');
    who.className = 'who';
    who.textContent = name;
    item.append(who, ` — ${percent(face.confidence)} — track ${face.track_id}`);
    item.dataset.trackId = String(face.track_id);
    return item;
  }));
  noFaces.hidden = faces.length > 0;
}

/** Redraws the boxes, scaled from frame pixels to the video's displayed size. */
function draw() {
  const cssWidth = video.clientWidth;
  const cssHeight = video.clientHeight;
  const ratio = window.devicePixelRatio || 1;
  if (overlay.width !== Math.round(cssWidth * ratio) || overlay.height !== Math.round(cssHeight * ratio)) {
    overlay.width = Math.round(cssWidth * ratio);
    overlay.height = Math.round(cssHeight * ratio);
    overlay.style.width = `${cssWidth}px`;
    overlay.style.height = `${cssHeight}px`;
  }
  const ctx = overlay.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  // The video is drawn "contain"ed in its box (letterboxed if the box's shape differs), and the
  // frame we sent has the video's shape: scale and centre the same way.
  const scale = Math.min(cssWidth / shown.width, cssHeight / shown.height);
  const offsetX = (cssWidth - shown.width * scale) / 2;
  const offsetY = (cssHeight - shown.height * scale) / 2;
  const fontSize = Math.max(12, Math.round(cssWidth / 40));
  ctx.font = `600 ${fontSize}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  ctx.lineWidth = 3;

  for (const face of shown.faces) {
    if (!Array.isArray(face.bbox) || face.bbox.length !== 4) continue;
    const [x, y, w, h] = face.bbox;
    const known = !face.is_unknown && face.user_name;
    const colour = known ? '#2ecc71' : '#ff9f1a';
    const left = offsetX + x * scale;
    const top = offsetY + y * scale;
    ctx.strokeStyle = colour;
    ctx.strokeRect(left, top, w * scale, h * scale);

    const { text } = label(face);
    const pad = 4;
    const textWidth = ctx.measureText(text).width;
    const boxHeight = fontSize + pad * 2;
    const labelTop = top - boxHeight >= 0 ? top - boxHeight : top + h * scale; // above the box if it fits
    const labelLeft = Math.max(0, Math.min(left - 1.5, cssWidth - textWidth - pad * 2)); // stay on screen
    ctx.fillStyle = colour;
    ctx.fillRect(labelLeft, labelTop, textWidth + pad * 2, boxHeight);
    ctx.fillStyle = '#000';
    ctx.fillText(text, labelLeft + pad, labelTop + pad);
  }
}

function tick() {
  const now = performance.now();
  answers = answers.filter((at) => now - at < 3000);
  if (sessionReady) fpsOut.textContent = answers.length ? (answers.length / 3).toFixed(1) : '0.0';
  if (shown.faces.length && now - shown.at > STALE_FACES_MS) showFaces([], 1, 1);
  if (inFlight && ws && now - inFlight.sentAt > ANSWER_TIMEOUT_MS) {
    // Don't wait for a closing handshake from a server that stopped answering.
    const socket = ws;
    ws = null;
    socket.close(4000, 'no answer');
    onDisconnected({ reason: 'no answer from the server' });
  }
}

// --- start ----------------------------------------------------------------------------------------

toggle.addEventListener('click', () => {
  paused = !paused;
  toggle.textContent = paused ? 'Resume' : 'Pause';
  if (paused) {
    clearTimeout(sendTimer);
    sendTimer = null;
    setStatus('Paused', 'paused');
  } else {
    if (sessionReady) setStatus('Live', 'live');
    scheduleFrame();
  }
});

async function start() {
  if (new URLSearchParams(location.search).get('kiosk') === '1') document.body.classList.add('kiosk');
  key = resolveKey();
  initHeader();
  if (!key) {
    goToSignIn('Sign in to use live recognition.');
    return;
  }
  setStatus('Starting the camera…', 'starting');
  try {
    await startCamera();
  } catch (error) {
    setStatus('Camera unavailable', 'error');
    showError(error.message);
    return;
  }
  new ResizeObserver(draw).observe(video);
  document.addEventListener('visibilitychange', () => { if (!document.hidden) scheduleFrame(); });
  setInterval(tick, 500);
  connect();
}

start();
