/* The responder's phone page: share the phone's position with the center (once, or every minute
 * while the page is open), a small map of the live matters, and a notice when new offers arrive.
 *
 * The steps (accept, decline, on my way, arrived, done) are plain POST forms and need no script.
 * Reads #responder-data (matters, units, URLs, translated strings) and #map-config. Text from data
 * goes into the page with textContent only.
 */
(function () {
  'use strict';

  const maps = window.PinganMaps;
  const data = maps ? maps.readJson('responder-data') : null;
  if (!data) return;
  const {el, format, createMap, KIND_COLORS} = maps;
  const t = data.strings;
  const lang = document.documentElement.lang;
  // While "keep sharing" is on, at most one post a minute (the server refuses faster ones).
  const KEEP_SHARING_MS = 60 * 1000;

  // --- map ------------------------------------------------------------------------------------

  if (document.getElementById('responder-map')) {
    const map = createMap('responder-map', data, {scrollWheelZoom: false});
    const shapes = L.featureGroup().addTo(map);
    for (const matter of data.matters) {
      const [lon, lat] = matter.location;
      L.circleMarker([lat, lon], {radius: 9, color: '#ffffff', weight: 2, fillOpacity: 1,
        fillColor: KIND_COLORS[matter.kind] || '#b3261e'})
        .bindPopup(el('div', {}, el('strong', {}, t.matter), el('br'), `${matter.number} ${matter.title}`))
        .addTo(shapes);
    }
    for (const unit of data.units) {
      const [lon, lat] = unit.position;
      L.circleMarker([lat, lon], {radius: 7, color: '#ffffff', weight: 2, fillOpacity: 1, fillColor: '#2e7d32'})
        .bindPopup(el('div', {}, el('strong', {}, t.unit), el('br'), unit.name))
        .addTo(shapes);
    }
    const bounds = shapes.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, {padding: [20, 20], maxZoom: 16});
  }

  // --- sharing the position -------------------------------------------------------------------

  function csrfToken() {
    const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    if (input) return input.value;
    const cookie = document.cookie.split('; ').find((part) => part.startsWith('csrftoken='));
    return cookie ? decodeURIComponent(cookie.split('=')[1]) : '';
  }

  function locate() {
    return new Promise((resolve, reject) => {
      navigator.geolocation.getCurrentPosition(resolve, reject,
        {enableHighAccuracy: true, timeout: 20000, maximumAge: 10000});
    });
  }

  function geolocationMessage(error) {
    if (error.code === 1) return t.denied;
    if (error.code === 3) return t.timeout;
    return t.unavailable;
  }

  async function post(url, position) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken()},
      // The browser's Geolocation API gives WGS84 (GPS) coordinates.
      body: JSON.stringify({lon: position.coords.longitude, lat: position.coords.latitude,
        crs: 'wgs84', accuracy: position.coords.accuracy}),
    });
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      // Not JSON (a proxy's error page): the status is reported instead.
    }
    return {response, body};
  }

  async function share(card) {
    const button = card.querySelector('.share-position');
    const status = card.querySelector('.share-status');
    const show = (message, isError) => {
      status.textContent = message;
      status.classList.toggle('error', Boolean(isError));
    };
    if (!window.isSecureContext && location.hostname !== 'localhost' && location.hostname !== '127.0.0.1') {
      return show(t.insecure, true);
    }
    if (!navigator.geolocation) return show(t.unavailable, true);
    button.disabled = true;
    show(t.locating);
    try {
      let position;
      try {
        position = await locate();
      } catch (error) {
        return show(geolocationMessage(error), true);
      }
      const {response, body} = await post(button.dataset.url, position);
      if (response.ok) {
        const time = new Date(body.position_at).toLocaleTimeString(lang);
        show(format(t.shared, {time, metres: Math.round(position.coords.accuracy)}));
        const stamp = card.querySelector('.position-time');
        if (stamp) stamp.textContent = time;
        const stale = card.querySelector('.badge-warning');
        if (stale) stale.remove();
      } else if (response.status === 429) {
        show(format(t.tooSoon, {seconds: response.headers.get('Retry-After') || '10'}), true);
      } else {
        show(format(t.failed, {detail: (body && body.detail) || response.status}), true);
      }
    } catch (error) {
      show(t.offline, true);
    } finally {
      button.disabled = false;
    }
  }

  for (const card of document.querySelectorAll('.unit-card')) {
    const button = card.querySelector('.share-position');
    const keep = card.querySelector('.keep-sharing');
    if (!button) continue;
    button.addEventListener('click', () => share(card));
    let timer = null;
    if (keep) {
      keep.addEventListener('change', () => {
        clearInterval(timer);
        timer = null;
        if (keep.checked) {
          share(card);
          timer = setInterval(() => share(card), KEEP_SHARING_MS);
        }
      });
    }
  }

  // --- new offers -----------------------------------------------------------------------------

  const notice = document.getElementById('responder-notice');
  const byId = (a, b) => a[0] - b[0];
  // What the page shows: [assignment id, state] of each live card.
  let shown = JSON.stringify([...data.live].sort(byId));

  // The live feed (live.js) has put new offers and the units' status into the page: what it shows
  // now is the baseline, so the notice below is only for changes it did not bring.
  document.addEventListener('pingan:live-refreshed', () => {
    const cards = document.querySelectorAll('[data-live-region="responder-now"] [data-assignment]');
    shown = JSON.stringify([...cards].map((card) => [Number(card.dataset.assignment), card.dataset.state]).sort(byId));
  });

  async function checkAssignments() {
    if (document.hidden) return;
    try {
      const response = await fetch(data.mineUrl, {headers: {Accept: 'application/json'}, credentials: 'same-origin'});
      if (!response.ok) return;
      const live = (await response.json()).filter((a) => a.live).map((a) => [a.id, a.state]);
      if (JSON.stringify(live.sort(byId)) !== shown) {
        // Not reloading by itself: the responder may be typing an outcome note.
        notice.replaceChildren(t.changed, ' ', el('a', {href: location.pathname}, t.reload));
        notice.hidden = false;
      }
    } catch (error) {
      // Offline for a moment: the next round tries again.
    }
  }

  setInterval(checkAssignments, data.refreshSeconds * 1000);
})();
