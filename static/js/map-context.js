/* The context of the small maps (my grid, the field form, a matter's page, the dispatch console,
 * the responder's page): village and grid boundaries with their names, and the roads of the
 * active network, drawn lightly under the page's own data.
 *
 * PinganMaps.createMap (incident-maps.js) calls PinganMapContext.attach for every small map;
 * /map/ draws its areas itself. The data comes from GET /api/map/context?bbox=… (roads.context,
 * cut to the user's jurisdiction) whenever the view settles. Without a connection the map keeps
 * its own data, draws the page's last context saved on the device (localStorage) if it has one,
 * and says so in a note. Names go into the page with textContent only.
 */
(function () {
  'use strict';

  // Labels appear from these zooms on, so a wide view is not a wall of text.
  const LABEL_ZOOM = {village: 12, grid: 14};
  // Lighter and thinner than the page's own grid outline (PinganMaps.BOUNDARY) and its dots.
  const AREA_STYLE = {
    village: {color: '#2f6b3a', weight: 1.4, opacity: 0.7, dashArray: '6 4', fill: false},
    grid: {color: '#4a78a8', weight: 0.9, opacity: 0.6, fill: false},
  };
  const ROAD_WEIGHT = {
    expressway: 4, national: 3.5, provincial: 3, county: 2.6, township: 2.2, village: 1.8,
    street: 1.8, track: 1.2, path: 1,
  };
  const MIN_ZOOM = 10; // wider views load nothing: the small maps are about a neighbourhood
  const WAIT_MS = 200; // the view settles (fitBounds, a drag) before one request is sent

  function roadStyle(feature) {
    const roadClass = feature.properties.road_class;
    return {
      color: '#8a7f72', opacity: 0.75, weight: ROAD_WEIGHT[roadClass] || 1.5,
      dashArray: roadClass === 'track' || roadClass === 'path' ? '4 3' : null,
      className: `context-road context-road-${roadClass}`,
    };
  }

  function areaStyle(feature) {
    const level = feature.properties.level;
    return {...(AREA_STYLE[level] || AREA_STYLE.grid), className: `context-area context-area-${level}`};
  }

  function bboxOf(map) {
    const b = map.getBounds().pad(0.15);
    const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
    const round = (v) => v.toFixed(5);
    return [
      clamp(b.getWest(), -180, 179.9), clamp(b.getSouth(), -90, 89.9),
      clamp(b.getEast(), -179.9, 180), clamp(b.getNorth(), -89.9, 90),
    ].map(round).join(',');
  }

  /* Draw the context under ``map``'s data; ``config`` is #map-config (contextUrl and the notes
   * contextOffline, contextSaved). */
  function attach(map, config) {
    if (!config || !config.contextUrl) return; // signed out: nothing to ask for
    const holder = map.getContainer();
    map.createPane('context').style.zIndex = '350';
    map.getPane('context').style.pointerEvents = 'none';
    map.createPane('context-labels').style.zIndex = '390';
    map.getPane('context-labels').style.pointerEvents = 'none';

    const roads = L.geoJSON(null, {pane: 'context', style: roadStyle, interactive: false}).addTo(map);
    const areas = L.geoJSON(null, {pane: 'context', style: areaStyle, interactive: false}).addTo(map);
    const labels = {village: L.layerGroup(), grid: L.layerGroup()};

    const Note = L.Control.extend({
      options: {position: 'bottomleft'},
      onAdd() {
        this.node = document.createElement('div');
        this.node.className = 'map-note context-note';
        this.node.setAttribute('role', 'status');
        this.node.hidden = true;
        return this.node;
      },
    });
    const note = new Note().addTo(map);

    function showLabels() {
      for (const [level, group] of Object.entries(labels)) {
        if (map.getZoom() >= LABEL_ZOOM[level]) group.addTo(map);
        else group.remove();
      }
    }

    function addLabel(feature, layer) {
      const p = feature.properties;
      const group = labels[p.level];
      if (!group) return;
      const at = p.label ? L.latLng(p.label[1], p.label[0]) : layer.getBounds().getCenter();
      const text = document.createElement('span');
      text.textContent = p.name;
      const icon = L.divIcon({className: `context-label context-label-${p.level}`, html: text, iconSize: null});
      L.marker(at, {icon, pane: 'context-labels', interactive: false, keyboard: false}).addTo(group);
    }

    function draw(body) {
      roads.clearLayers();
      areas.clearLayers();
      Object.values(labels).forEach((group) => group.clearLayers());
      roads.addData(body.roads);
      areas.addData(body.areas);
      areas.eachLayer((layer) => addLabel(layer.feature, layer));
      showLabels();
      holder.dataset.contextAreas = String(body.areas.features.length);
      holder.dataset.contextRoads = String(body.roads.features.length);
    }

    // The last context of this page is kept on the phone, so a page opened offline from the
    // field app's cache (my grid, the field form) still names its surroundings.
    const SAVED = `pingan-map-context:${window.location.pathname}`;
    const SAVE_MAX_CHARS = 1000000;
    function save(body) {
      try {
        const text = JSON.stringify(body);
        if (text.length <= SAVE_MAX_CHARS) localStorage.setItem(SAVED, text);
      } catch (error) {
        // Storage full or refused (private browsing): the page only loses its offline copy.
      }
    }
    function saved() {
      try {
        return JSON.parse(localStorage.getItem(SAVED) || 'null');
      } catch (error) {
        return null;
      }
    }

    let timer = null;
    let pending = null;
    async function load() {
      if (map.getZoom() < MIN_ZOOM) return;
      if (pending) pending.abort();
      pending = new AbortController();
      const url = `${config.contextUrl}?${new URLSearchParams({bbox: bboxOf(map)})}`;
      try {
        const response = await fetch(url, {
          credentials: 'same-origin', headers: {Accept: 'application/json'}, signal: pending.signal,
        });
        if (response.ok) {
          const body = await response.json();
          draw(body);
          save(body);
        } else if (response.status === 404) draw({areas: {features: []}, roads: {features: []}});
        note.node.hidden = true;
        holder.dataset.context = 'loaded';
      } catch (error) {
        if (error.name === 'AbortError') return;
        // No connection (the field app offline): the page's own data stays; the saved context
        // is drawn if nothing is yet, and a note says what is missing or old.
        const copy = holder.dataset.context ? null : saved();
        if (copy) {
          draw(copy);
          holder.dataset.context = 'saved';
        } else if (holder.dataset.context !== 'saved') {
          holder.dataset.context = 'offline';
        }
        const fromCopy = holder.dataset.context === 'saved';
        note.node.textContent = fromCopy ? config.contextSaved : config.contextOffline;
        note.node.hidden = false;
      }
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(load, WAIT_MS);
    }
    map.on('moveend', schedule);
    map.on('zoomend', showLabels);
    map.whenReady(schedule);
    window.addEventListener('online', schedule);
  }

  window.PinganMapContext = {attach};
})();
