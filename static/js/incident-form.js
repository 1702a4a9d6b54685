/* Field and window intake forms: a client uid kept across retries, GPS with its accuracy, a map
 * to pick or move the point, a photo count check and possible duplicates nearby.
 *
 * The form works without this script (the server fills the uid; coordinates can be typed).
 * Reads #intake-data (area outline, duplicates URL, translated strings) and #map-config.
 * The unsent text of the form is kept in sessionStorage under the form's data-draft-key, with
 * its uid, so a resubmission after a network error reuses the uid and never makes a second
 * record; the detail page of that record forgets the draft (incident-detail.js).
 *
 * The field form (data-offline-queue) sends through the offline queue (offline-queue.js,
 * docs/field-app.md): photos resized here to the server's limit, the report kept in IndexedDB
 * with its uid and GPS time, sent at once when there is a network (then the matter's page
 * opens) or when the connection returns; the panel above the form (offline-status.js) shows
 * what waits, what was sent and what the server refused (editable again).
 */
(function () {
  'use strict';
  const {ymdhm} = window.PinganDates;

  const {el, format, readJson, createMap, BOUNDARY} = window.PinganMaps;
  const data = readJson('intake-data');
  const t = data.strings;
  const form = document.getElementById('intake-form');
  const field = (name) => form.elements.namedItem(name);
  const uidInput = field('uid');
  const lonInput = field('lon');
  const latInput = field('lat');
  const accuracyInput = field('accuracy_m');
  const locatedInput = field('located_at');
  const status = document.getElementById('gps-status');

  // --- uid and draft --------------------------------------------------------------------------

  function newUuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context (HTTPS); intranet HTTP gets a v4 UUID by hand.
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  const draftKey = form.dataset.draftKey;
  const storage = (() => {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null;  // storage refused (private mode): the server's uid still guards double posts
    }
  })();

  function draftFields() {
    const values = {};
    for (const input of form.elements) {
      if (!input.name || input.type === 'file' || input.name === 'csrfmiddlewaretoken') continue;
      if ((input.type === 'checkbox' || input.type === 'radio') && !input.checked) continue;
      values[input.name] = input.value;
    }
    return values;
  }

  function saveDraft() {
    if (storage) storage.setItem(draftKey, JSON.stringify({uid: uidInput.value, fields: draftFields()}));
  }

  function restoreDraft(draft) {
    for (const input of form.elements) {
      if (!input.name || input.type === 'file' || !(input.name in draft.fields)) continue;
      if (input.type === 'checkbox' || input.type === 'radio') {
        input.checked = draft.fields[input.name] === input.value;
      } else if (input.name !== 'csrfmiddlewaretoken') {
        input.value = draft.fields[input.name];
      }
    }
    uidInput.value = draft.uid;
  }

  const saved = storage ? JSON.parse(storage.getItem(draftKey) || 'null') : null;
  if (form.dataset.bound === '1') {
    // The server sent the form back with errors: it carries the posted uid; keep using it.
    saveDraft();
  } else if (saved && saved.uid) {
    restoreDraft(saved);
    const notice = document.getElementById('draft-notice');
    notice.hidden = false;
    document.getElementById('draft-discard').addEventListener('click', () => {
      storage.removeItem(draftKey);
      window.location.reload();
    });
  }
  if (!uidInput.value) uidInput.value = newUuid();

  // --- the map and the point ------------------------------------------------------------------

  const map = createMap('pick-map', data, {zoomSnap: 0.5});
  document.querySelectorAll('.js-only').forEach((node) => { node.hidden = false; });
  const outline = data.area ? L.geoJSON(data.area, {style: BOUNDARY, interactive: false}).addTo(map) : null;
  if (outline && outline.getBounds().isValid()) map.fitBounds(outline.getBounds(), {padding: [8, 8]});
  L.control.scale({imperial: false}).addTo(map);

  // Orientation without base tiles: township outlines far out, grid cells of the view close in.
  const GRID_ZOOM = 13;
  const thin = {color: '#4a78a8', weight: 0.8, fill: false, interactive: false};
  const townships = L.geoJSON(null, {style: thin});
  const grids = L.geoJSON(null, {style: thin});
  let areaRequest = null;
  async function areas(params) {
    if (areaRequest) areaRequest.abort();
    areaRequest = new AbortController();
    const query = new URLSearchParams({...params, page_size: '1000'});
    const response = await fetch(`${data.areasUrl}?${query}`, {signal: areaRequest.signal});
    return response.ok ? (await response.json()).features : [];
  }
  async function orient() {
    const close = map.getZoom() >= GRID_ZOOM;
    try {
      if (close) {
        const b = map.getBounds();
        const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => v.toFixed(6)).join(',');
        grids.clearLayers().addData(await areas({level: 'grid', bbox}));
        grids.addTo(map);
        townships.remove();
      } else {
        if (!townships.getLayers().length) townships.addData(await areas({level: 'township'}));
        townships.addTo(map);
        grids.remove();
      }
    } catch (error) {
      // Outlines only help to find the place; the pick works without them.
    }
  }
  map.on('moveend', orient);
  orient();

  let marker = null;
  let accuracyCircle = null;

  function showPoint(latlng, accuracy) {
    if (!marker) {
      marker = L.marker(latlng, {draggable: true, autoPan: true}).addTo(map);
      marker.on('dragend', () => setPoint(marker.getLatLng(), null, false));
    } else {
      marker.setLatLng(latlng);
    }
    if (accuracyCircle) accuracyCircle.remove();
    accuracyCircle = accuracy ? L.circle(latlng, {radius: accuracy, weight: 1, interactive: false}).addTo(map) : null;
  }

  function setPoint(latlng, accuracy, pan, fixedAt) {
    if (locatedInput) locatedInput.value = fixedAt || '';
    lonInput.value = latlng.lng.toFixed(6);
    latInput.value = latlng.lat.toFixed(6);
    accuracyInput.value = accuracy === null ? '' : String(Math.round(accuracy));
    showPoint(latlng, accuracy);
    if (pan) map.setView(latlng, Math.max(map.getZoom(), 16));
    checkDuplicates();
  }

  function typedPoint() {
    const lon = parseFloat(lonInput.value);
    const lat = parseFloat(latInput.value);
    return Number.isFinite(lon) && Number.isFinite(lat) ? L.latLng(lat, lon) : null;
  }

  map.on('click', (event) => {
    setPoint(event.latlng, null, false);
    status.textContent = t.picked;
  });
  for (const input of [lonInput, latInput]) {
    input.addEventListener('change', () => {
      const latlng = typedPoint();
      accuracyInput.value = '';
      if (locatedInput) locatedInput.value = '';
      if (latlng) {
        showPoint(latlng, null);
        map.setView(latlng, Math.max(map.getZoom(), 15));
        checkDuplicates();
      }
    });
  }
  const start = typedPoint();
  if (start) {
    showPoint(start, parseFloat(accuracyInput.value) || null);
    map.setView(start, 16);
  }

  // --- GPS ------------------------------------------------------------------------------------

  const gpsButton = document.getElementById('use-location');
  if ('geolocation' in navigator) {
    gpsButton.hidden = false;
    gpsButton.addEventListener('click', () => {
      if (!window.isSecureContext) {
        status.textContent = t.insecure;
        return;
      }
      status.textContent = t.locating;
      gpsButton.disabled = true;
      navigator.geolocation.getCurrentPosition(
        (position) => {
          gpsButton.disabled = false;
          const {latitude, longitude, accuracy} = position.coords;
          // The fix's own time (the phone's clock): an offline report arrives hours later.
          setPoint(L.latLng(latitude, longitude), accuracy, true, new Date(position.timestamp).toISOString());
          status.textContent = format(t.accuracy, {metres: Math.round(accuracy)});
        },
        (error) => {
          gpsButton.disabled = false;
          // Denied or unavailable: the map stays there to pick the point by hand.
          status.textContent = error.code === error.PERMISSION_DENIED ? t.denied : t.unavailable;
        },
        {enableHighAccuracy: true, timeout: 20000, maximumAge: 30000},
      );
    });
  }

  // --- photos ---------------------------------------------------------------------------------

  const photos = field('photos');
  const photoError = el('p', {class: 'field-error', role: 'alert', hidden: ''});
  photos.after(photoError);
  function checkPhotos() {
    const tooMany = photos.files.length > data.maxPhotos;
    const message = tooMany ? format(t.tooManyPhotos, {count: data.maxPhotos}) : '';
    photos.setCustomValidity(message);
    photoError.textContent = message;
    photoError.hidden = !tooMany;
    return !tooMany;
  }
  photos.addEventListener('change', checkPhotos);

  // --- possible duplicates --------------------------------------------------------------------

  const duplicateInput = field('duplicate_of');
  const box = document.getElementById('duplicates-box');
  const list = document.getElementById('duplicates-list');
  let timer = null;
  let request = null;

  function renderDuplicates(items) {
    list.replaceChildren();
    for (const item of items) {
      const checkbox = el('input', {type: 'checkbox', value: String(item.id)});
      checkbox.checked = duplicateInput.value === String(item.id);
      checkbox.addEventListener('change', () => {
        list.querySelectorAll('input').forEach((other) => {
          if (other !== checkbox) other.checked = false;
        });
        duplicateInput.value = checkbox.checked ? String(item.id) : '';
      });
      const when = item.received_at ? ymdhm(item.received_at) : '';
      list.append(el('li', {},
        el('label', {}, checkbox, ' ', format(t.duplicateOf, {number: item.number})),
        el('br'),
        el('a', {href: `/incidents/${encodeURIComponent(item.id)}/`, target: '_blank', rel: 'noopener'}, item.title),
        el('span', {class: 'muted'}, ` · ${item.state_label || item.state} · `,
          format(t.metres, {metres: Math.round(item.distance_m)}), when ? ` · ${when}` : ''),
      ));
    }
    box.hidden = items.length === 0;
  }

  async function fetchDuplicates() {
    const point = typedPoint();
    const category = field('category').value;
    if (!point || !category) return renderDuplicates([]);
    if (request) request.abort();
    request = new AbortController();
    const params = new URLSearchParams({category, lon: point.lng.toFixed(6), lat: point.lat.toFixed(6)});
    try {
      const response = await fetch(`${data.duplicatesUrl}?${params}`, {
        headers: {Accept: 'application/json'}, credentials: 'same-origin', signal: request.signal,
      });
      if (!response.ok) return renderDuplicates([]);
      const body = await response.json();
      renderDuplicates(Array.isArray(body) ? body : body.results || []);
    } catch (error) {
      // Offline or aborted: the suggestion is a help, never a condition for sending.
      if (error.name !== 'AbortError') renderDuplicates([]);
    }
  }

  function checkDuplicates() {
    clearTimeout(timer);
    timer = setTimeout(fetchDuplicates, 500);
  }
  field('category').addEventListener('change', checkDuplicates);
  if (start) checkDuplicates();

  // --- the offline queue (field form) ---------------------------------------------------------

  const queue = window.PinganQueue;
  const queueOn = form.dataset.offlineQueue === '1' && queue && window.PinganOffline;
  const q = data.queueStrings || {};
  const submitButton = form.querySelector('button[type=submit]');
  const queueNotice = el('p', {class: 'notice', role: 'status', hidden: ''});
  if (queueOn) form.before(queueNotice);

  function matterLink(item) {
    const result = item.result || {};
    const id = (result.properties && result.properties.id) || result.id;
    return id ? data.detailUrl.replace('/0/', `/${encodeURIComponent(id)}/`) : '';
  }

  function csrfToken() {
    // The cookie first: a page opened from the phone's saved copy may hold an old token.
    return queue.csrfTokenFromCookie() || field('csrfmiddlewaretoken').value;
  }

  const flushNow = () => queue.flush({user: data.user, csrfToken: csrfToken()});

  /* A photo resized to the server's longest edge and re-encoded as JPEG (what the server would
   * do), so the queue holds and later sends a few hundred KB instead of a camera's 10 MB. */
  async function resized(file) {
    try {
      const bitmap = await createImageBitmap(file);
      const scale = Math.min(1, data.photoMaxEdge / Math.max(bitmap.width, bitmap.height));
      const canvas = document.createElement('canvas');
      canvas.width = Math.max(1, Math.round(bitmap.width * scale));
      canvas.height = Math.max(1, Math.round(bitmap.height * scale));
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', data.photoQuality));
      if (blob && blob.size <= data.photoMaxBytes) {
        return {field: 'photos', blob, name: `${file.name.replace(/\.[^.]*$/, '') || 'photo'}.jpg`};
      }
    } catch (error) {
      // Not decodable here (e.g. HEIC): sent as it is, and the server says if it cannot take it.
    }
    return {field: 'photos', blob: file, name: file.name};
  }

  function feature() {
    const point = typedPoint();
    const number = (value) => (value === '' ? null : Number(value));
    return {
      type: 'Feature',
      geometry: {type: 'Point', coordinates: [point.lng, point.lat]},
      properties: {
        uid: uidInput.value,
        source: 'field',
        crs: 'wgs84',
        category: field('category').value,
        tier: field('tier').value,
        title: field('title').value,
        description: field('description').value,
        accuracy_m: number(accuracyInput.value),
        duplicate_of: number(duplicateInput.value),
        located_at: (locatedInput && locatedInput.value) || null,
        reported_at: new Date().toISOString(),
      },
    };
  }

  function startNewReport() {
    form.reset();
    uidInput.value = newUuid();
    lonInput.value = '';
    latInput.value = '';
    accuracyInput.value = '';
    if (locatedInput) locatedInput.value = '';
    duplicateInput.value = '';
    if (marker) marker.remove();
    if (accuracyCircle) accuracyCircle.remove();
    marker = null;
    accuracyCircle = null;
    renderDuplicates([]);
    status.textContent = '';
    if (storage) storage.removeItem(draftKey);
  }

  /* Put a queued (refused) report back into the form; sending it again replaces it. */
  function editItem(item) {
    const fields = (item.meta && item.meta.fields) || {};
    restoreDraft({uid: item.id, fields});
    const latlng = typedPoint();
    if (latlng) {
      showPoint(latlng, parseFloat(accuracyInput.value) || null);
      map.setView(latlng, 16);
    }
    const files = new DataTransfer();
    for (const file of item.files || []) files.items.add(new File([file.blob], file.name, {type: file.blob.type}));
    photos.files = files.files;
    checkPhotos();
    form.scrollIntoView();
  }

  async function queueReport() {
    const point = typedPoint();
    if (!form.reportValidity()) return;
    if (!point) {
      status.textContent = t.needPoint;
      document.getElementById('location-box').scrollIntoView();
      return;
    }
    submitButton.disabled = true;
    queueNotice.hidden = false;
    queueNotice.textContent = t.preparing;
    try {
      const files = await Promise.all([...photos.files].map(resized));
      const report = feature();
      const uid = report.properties.uid;
      await queue.enqueue('incident', data.apiUrl, {feature: JSON.stringify(report)}, files, {
        id: uid, label: report.properties.title, user: data.user, meta: {fields: draftFields()},
      });
      if (storage) storage.removeItem(draftKey);  // the queue holds it now
      if (navigator.onLine !== false) await flushNow();
      const item = await queue.get(uid);
      if (item && item.status === 'sent' && matterLink(item)) {
        window.location.assign(matterLink(item));
        return;
      }
      if (item && item.status === 'refused') {
        queueNotice.hidden = true;  // the panel says why; the form stays as it was to correct
        document.getElementById('offline-queue').scrollIntoView();
        return;
      }
      startNewReport();
      queueNotice.textContent = q.savedOffline;
    } catch (error) {
      // IndexedDB refused (private browsing …): the plain form post, as without this script.
      queueNotice.textContent = q.noStorage;
      saveDraft();
      form.submit();
    } finally {
      submitButton.disabled = false;
    }
  }

  if (queueOn) {
    PinganOffline.panel(document.getElementById('offline-queue'), {
      user: data.user, kind: 'incident', strings: q, link: matterLink, onEdit: editItem, flush: flushNow,
    });
    queue.autoFlush({user: data.user, csrfToken});
  }

  // --- submit ---------------------------------------------------------------------------------

  form.addEventListener('submit', (event) => {
    if (!checkPhotos()) {
      event.preventDefault();
      photos.focus();
      return;
    }
    if (queueOn) {
      event.preventDefault();
      queueReport();
      return;
    }
    saveDraft();
  });
})();
