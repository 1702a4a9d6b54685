/* The dispatch console of one matter: the matter and its candidates on a map, assigning without a
 * reload (a unit of another area asks for a reason after the server says so), and the statuses of
 * the units sent refreshed every few seconds; cancelling a live assignment. Pointing at a
 * candidate (row or marker) draws its way to the matter: by road, or a dashed straight line.
 *
 * The page works without this script: the tables are rendered by the server and every button is
 * a plain POST form. Reads #dispatch-data (the matter, candidates and assignments as the API gives
 * them, API URLs, translated strings) and #map-config. Text from data goes into the page with
 * textContent only (PinganMaps.el), never as HTML.
 */
(function () {
  'use strict';

  const {el, format, readJson, createMap, BOUNDARY, KIND_COLORS} = window.PinganMaps;
  const data = readJson('dispatch-data');
  const root = document.getElementById('dispatch-console');
  if (!data || !root) return;
  const t = data.strings;
  root.classList.add('js');

  const statusBox = document.getElementById('dispatch-status');
  const candidateBody = document.querySelector('#candidates tbody');
  const assignmentBody = document.querySelector('#assignments tbody');
  const updated = document.getElementById('assignments-updated');
  const lang = document.documentElement.lang;

  function csrfToken() {
    const input = root.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : '';
  }

  function say(message, isError) {
    statusBox.textContent = message;
    statusBox.classList.toggle('error', Boolean(isError));
  }

  async function api(url, options) {
    const response = await fetch(url, {
      credentials: 'same-origin',
      ...options,
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        'X-CSRFToken': csrfToken(),
        ...((options && options.headers) || {}),
      },
    });
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      // An error page that is not JSON: the status says enough.
    }
    return {ok: response.ok, status: response.status, body};
  }

  function detailOf(result) {
    return (result.body && result.body.detail) || String(result.status);
  }

  const {row: candidateRow, phoneCell, rounded} = window.PinganCandidateRows;
  const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString(lang, {hour: '2-digit', minute: '2-digit'}) : '');

  // --- map ------------------------------------------------------------------------------------

  const map = createMap('dispatch-map', data, {scrollWheelZoom: false});
  const shapes = L.featureGroup().addTo(map);
  const candidateLayer = L.featureGroup().addTo(map);
  const routeLayer = L.featureGroup().addTo(map);
  const markers = new Map();
  const routes = new Map(); // responder id → the route Feature (or its pending request)
  let shownRoute = null;
  if (data.grid) L.geoJSON(data.grid, {style: BOUNDARY, interactive: false}).addTo(shapes);
  const [mLon, mLat] = data.incident.location;
  L.circleMarker([mLat, mLon], {
    radius: 10, color: '#ffffff', weight: 3, fillOpacity: 1,
    fillColor: KIND_COLORS[data.incident.kind] || '#b3261e',
  }).bindPopup(el('div', {class: 'map-popup'},
    el('strong', {}, t.matter), el('p', {}, `${data.incident.number} ${data.incident.title}`),
  )).addTo(shapes);

  function popupFor(candidate) {
    return el('div', {class: 'map-popup'},
      el('strong', {}, candidate.name),
      el('p', {}, `${candidate.kind_label} · ${candidate.home_area.name}`),
      el('p', {}, `${format(t.metres, {metres: rounded(candidate.distance_m)})} · ` +
        `${format(t.minutes, {minutes: Math.round(candidate.eta_minutes)})} ` +
        `(${candidate.travel_mode_label}, ${candidate.eta_source_label})`),
      el('p', {}, candidate.in_jurisdiction ? t.ownArea : t.otherArea),
      candidate.phone ? el('p', {}, `${t.phone}: ${candidate.phone}`) : null,
    );
  }

  function drawCandidates(candidates) {
    candidateLayer.clearLayers();
    markers.clear();
    for (const candidate of candidates) {
      if (!candidate.position) continue;
      const [lon, lat] = candidate.position;
      const marker = L.circleMarker([lat, lon], {
        radius: 7, color: '#ffffff', weight: 2, fillOpacity: 0.95,
        fillColor: candidate.in_jurisdiction ? '#2e7d32' : '#e0a800',
      }).bindPopup(popupFor(candidate));
      marker.on('click', () => {
        highlight(candidate.id);
        showRoute(candidate);
      });
      marker.on('mouseover', () => showRoute(candidate));
      // The list's label on the dot, row and dot lit together (console-dots.js).
      window.PinganConsoleDots.decorate(marker, candidate);
      marker.addTo(candidateLayer);
      markers.set(String(candidate.id), marker);
    }
  }

  function fit() {
    const bounds = L.featureGroup([shapes, candidateLayer]).getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, {padding: [20, 20], maxZoom: 16});
  }

  // --- routes ---------------------------------------------------------------------------------

  function routeUrl(id) {
    return data.urls.route.replace('/candidates/0/', `/candidates/${id}/`);
  }

  async function loadRoute(id) {
    if (!routes.has(id)) {
      routes.set(id, api(routeUrl(id), {method: 'GET'}).then((result) => {
        if (!result.ok) routes.delete(id);
        return result.ok ? result.body : null;
      }));
    }
    return routes.get(id);
  }

  function drawRoute(candidate, feature) {
    routeLayer.clearLayers();
    const props = feature.properties;
    const byRoad = props.eta_source === 'road';
    const line = L.geoJSON(feature, {
      style: byRoad
        ? {color: '#1565c0', weight: 5, opacity: 0.85}
        : {color: '#6d4c41', weight: 3, opacity: 0.8, dashArray: '6 6'},
      interactive: false,
    });
    line.addTo(routeLayer);
    const text = format(t.routeBy, {
      unit: candidate.name,
      minutes: Math.round(props.eta_minutes),
      source: props.eta_source_label,
    });
    const caption = document.getElementById('route-caption');
    if (caption) {
      caption.textContent = text;
      caption.dataset.source = props.eta_source;
      caption.dataset.responder = String(candidate.id);
    }
  }

  async function showRoute(candidate) {
    const id = String(candidate.id);
    shownRoute = id;
    try {
      const feature = await loadRoute(id);
      if (shownRoute !== id) return; // pointed elsewhere meanwhile
      if (feature) drawRoute(candidate, feature);
      else say(t.routeFailed, true);
    } catch (error) {
      say(t.offline, true);
    }
  }

  let shownCandidates = data.candidates;

  function candidateOf(row) {
    return shownCandidates.find((c) => String(c.id) === row.dataset.responder);
  }

  candidateBody.addEventListener('mouseover', (event) => {
    const row = event.target.closest('tr[data-responder]');
    const candidate = row && candidateOf(row);
    if (candidate && shownRoute !== String(candidate.id)) showRoute(candidate);
  });
  candidateBody.addEventListener('focusin', (event) => {
    const row = event.target.closest('tr[data-responder]');
    const candidate = row && candidateOf(row);
    if (candidate) showRoute(candidate);
  });

  function highlight(id) {
    for (const row of candidateBody.querySelectorAll('tr[data-responder]')) {
      row.classList.toggle('highlight', row.dataset.responder === String(id));
    }
  }

  candidateBody.addEventListener('click', (event) => {
    const row = event.target.closest('tr[data-responder]');
    if (!row || event.target.closest('form')) return;
    const marker = markers.get(row.dataset.responder);
    if (marker) {
      marker.openPopup();
      highlight(row.dataset.responder);
    }
    const candidate = candidateOf(row);
    if (candidate) showRoute(candidate);
  });

  // --- candidates table -----------------------------------------------------------------------

  function renderCandidates(candidates) {
    const rows = candidates.map((c, index) => candidateRow(c, {leading: [el('td', {}, index + 1)]}));
    if (!rows.length) rows.push(el('tr', {class: 'empty'}, el('td', {colspan: '10', class: 'muted'}, t.noCandidates)));
    candidateBody.replaceChildren(...rows);
    shownCandidates = candidates;
    // Positions and ETAs change with the list: routes are fetched again when pointed at.
    routes.clear();
    drawCandidates(candidates);
  }

  async function refreshCandidates() {
    try {
      const result = await api(data.urls.candidates, {method: 'GET'});
      if (result.ok) renderCandidates(result.body);
    } catch (error) {
      say(t.offline, true);
    }
  }

  // --- assigning ------------------------------------------------------------------------------

  async function submitAssign(form) {
    const button = form.querySelector('button[type="submit"]');
    const reasonInput = form.querySelector('input[name="override_reason"]');
    const responder = form.elements.namedItem('responder');
    const body = {
      responder: responder ? Number(responder.value) : null,
      override_reason: reasonInput ? reasonInput.value : '',
    };
    button.disabled = true;
    say(t.assigning);
    try {
      const result = await api(data.urls.assign, {method: 'POST', body: JSON.stringify(body)});
      if (result.ok) {
        say(format(t.offered, {unit: result.body.responder.name}));
        await Promise.all([refreshAssignments(), refreshCandidates()]);
        return;
      }
      say(format(t.failed, {detail: detailOf(result)}), true);
      // A unit of another area: show the reason field and let the dispatcher try again.
      if (result.status === 409 && reasonInput && !reasonInput.value.trim()) {
        reasonInput.closest('.override').classList.add('needed');
        say(`${format(t.failed, {detail: detailOf(result)})} ${t.retryWithReason}`, true);
        reasonInput.focus();
      }
    } catch (error) {
      say(t.offline, true);
    } finally {
      button.disabled = false;
    }
  }

  root.addEventListener('submit', (event) => {
    const form = event.target;
    if (form.classList.contains('assign-form')) {
      event.preventDefault();
      submitAssign(form);
    } else if (form.classList.contains('cancel-form')) {
      event.preventDefault();
      submitCancel(form);
    }
  });

  // --- assignments (live statuses) ------------------------------------------------------------

  function times(a) {
    const steps = [
      [t.offeredAt, a.offered_at], [t.acceptedAt, a.accepted_at], [t.enRouteAt, a.en_route_at],
      [t.arrivedAt, a.on_scene_at], [t.endedAt, a.finished_at],
    ];
    return steps.filter(([, at]) => at).map(([label, at]) => el('span', {}, `${label} ${clock(at)}`));
  }

  function notes(a) {
    return [
      a.override_reason ? el('span', {}, `${t.override} ${a.override_reason}`) : null,
      a.decline_reason ? el('span', {}, `${t.declined} ${a.decline_reason}`) : null,
      a.outcome_note ? el('span', {}, `${t.outcome} ${a.outcome_note}`) : null,
    ];
  }

  function cancelForm(a) {
    if (!a.allowed_actions.includes('cancel')) return null;
    return el('form', {method: 'post', class: 'cancel-form', 'data-assignment': a.id,
      'data-unit': a.responder.name, action: data.urls.cancelFallback.replace('/0/', `/${a.id}/`)},
    el('input', {type: 'hidden', name: 'csrfmiddlewaretoken', value: csrfToken()}),
    el('button', {type: 'submit', class: 'button small'}, t.cancel));
  }

  function renderAssignments(assignments) {
    const rows = assignments.map((a) => el('tr',
      {class: `state-${a.state}${a.live ? ' live' : ''}`, 'data-assignment': a.id},
      el('td', {}, a.responder.name, el('br'), el('small', {class: 'muted'}, a.responder.kind_label)),
      el('td', {}, el('span', {class: `assignment-chip state-${a.state}`}, a.state_label),
        a.reoffer_of ? el('br') : null, a.reoffer_of ? el('small', {class: 'muted'}, t.reoffer) : null),
      phoneCell(a.responder.phone, a.responder.phone_masked),
      el('td', {class: 'nowrap'}, a.distance_m === null ? '—' : format(t.metres, {metres: rounded(a.distance_m)})),
      el('td', {class: 'nowrap times'}, ...times(a)),
      el('td', {class: 'notes'}, ...notes(a)),
      el('td', {}, cancelForm(a)),
    ));
    if (!rows.length) rows.push(el('tr', {class: 'empty'}, el('td', {colspan: '7', class: 'muted'}, t.noAssignments)));
    assignmentBody.replaceChildren(...rows);
  }

  let lastStates = JSON.stringify(data.assignments.map((a) => [a.id, a.state]));

  async function refreshAssignments() {
    try {
      const result = await api(data.urls.assignments, {method: 'GET'});
      if (!result.ok) return;
      renderAssignments(result.body);
      updated.textContent = format(t.updated, {time: new Date().toLocaleTimeString(lang)});
      // A decline, a timeout or a done frees a unit: the candidates change with the states.
      const states = JSON.stringify(result.body.map((a) => [a.id, a.state]));
      if (states !== lastStates) {
        lastStates = states;
        refreshCandidates();
      }
    } catch (error) {
      updated.textContent = t.offline;
    }
  }

  async function submitCancel(form) {
    const unit = form.dataset.unit;
    if (!window.confirm(format(t.confirmCancel, {unit}))) return;
    const url = data.urls.action.replace('/0/', `/${form.dataset.assignment}/`);
    try {
      const result = await api(url, {method: 'POST', body: JSON.stringify({note: ''})});
      if (result.ok) say(format(t.cancelled, {unit}));
      else say(format(t.failed, {detail: detailOf(result)}), true);
      await refreshAssignments();
    } catch (error) {
      say(t.offline, true);
    }
  }

  drawCandidates(data.candidates);
  fit();
  // The first choice's way is on the map from the start.
  if (data.candidates.length) showRoute(data.candidates[0]);
  // Refresh while the tab is visible; at once when it comes back into view.
  setInterval(() => {
    if (!document.hidden) refreshAssignments();
  }, data.refreshSeconds * 1000);
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) refreshAssignments();
  });
  // A live notification (static/js/live.js: a decline, a timeout, an arrival): refresh at once.
  document.addEventListener('pingan:notification', () => refreshAssignments());
})();
