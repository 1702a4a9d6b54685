/* Reach on the area map (dispatchers, administrators, leadership): "reachable in 5/10/15 min"
 * from a clicked point (GET /api/routing/isochrone), and the service circle's gap layer, the grid
 * cells with residents out of reach of every service point (GET /api/analytics/coverage/gaps).
 *
 * Loaded after area-map.js (window.PinganAreaMap). URLs and every text come from the data-
 * attributes of #reach-layers (templates/gridmap/map.html); text from data goes into the page
 * with textContent only.
 */
(function () {
  'use strict';

  const node = document.getElementById('reach-layers');
  const map = window.PinganAreaMap;
  if (!node || !map) return;
  const o = {...node.dataset};
  const {el, format} = window.PinganMaps;

  // Larger cut-offs first and paler, so the smaller ones stay visible on top.
  const ISO_COLOURS = ['#1b5e20', '#f9a825', '#c62828'];
  map.createPane('reach').style.zIndex = '436';
  const isoLayer = L.layerGroup().addTo(map);
  const gapsLayer = L.layerGroup();
  let picking = false;

  async function getJson(url) {
    const response = await fetch(url, {headers: {Accept: 'application/json'}});
    let body = {};
    try { body = await response.json(); } catch (error) { body = {}; }
    return {ok: response.ok, body};
  }

  const status = el('p', {class: 'reach-status', role: 'status'});
  const legend = el('ul', {class: 'reach-legend'});
  const mode = el('select', {'aria-label': o.modeLabel},
    el('option', {value: 'car'}, o.car), el('option', {value: 'bike'}, o.bike),
    el('option', {value: 'walk'}, o.walk));

  function setPicking(on) {
    picking = on;
    map.pinganPicking = on;  // area-map.js leaves clicks on areas to us meanwhile
    map.getContainer().classList.toggle('locating', on);
    pickButton.classList.toggle('active', on);
    status.textContent = on ? o.pickHint : '';
  }

  async function showIsochrone(latlng) {
    setPicking(false);
    isoLayer.clearLayers();
    legend.replaceChildren();
    status.textContent = o.loading;
    const params = new URLSearchParams({lon: latlng.lng.toFixed(6), lat: latlng.lat.toFixed(6),
      minutes: '5,10,15', mode: mode.value});
    const {ok, body} = await getJson(`${o.isochroneUrl}?${params}`);
    if (!ok) {
      status.textContent = body.detail || o.error;
      return;
    }
    status.textContent = body.reason || '';
    const features = body.features.filter((f) => f.geometry).reverse();
    features.forEach((feature, index) => {
      const colour = ISO_COLOURS[index % ISO_COLOURS.length];
      L.geoJSON(feature, {pane: 'reach', interactive: false,
        style: {color: colour, weight: 1.5, fillColor: colour, fillOpacity: 0.18}}).addTo(isoLayer);
    });
    L.circleMarker(latlng, {pane: 'reach', radius: 5, color: '#000', weight: 2, fillOpacity: 1,
      interactive: false}).addTo(isoLayer);
    for (const feature of body.features) {
      const p = feature.properties;
      legend.append(el('li', {class: 'reach-iso'}, format(o.isoLine, {minutes: p.minutes,
        km2: Number(p.area_km2).toLocaleString(undefined, {maximumFractionDigits: 1})})));
    }
  }

  function gapStyle(feature) {
    const uncovered = 1 - feature.properties.share;
    return {pane: 'reach', className: 'coverage-gap', color: '#7b1fa2', weight: 0.8, fillColor: '#7b1fa2',
      fillOpacity: 0.15 + 0.5 * uncovered};
  }

  async function loadGaps() {
    gapsLayer.clearLayers();
    status.textContent = o.loading;
    const {ok, body} = await getJson(o.gapsUrl);
    if (!ok) {
      status.textContent = body.detail || o.error;
      return;
    }
    L.geoJSON(body, {
      style: gapStyle,
      onEachFeature(feature, shape) {
        const p = feature.properties;
        shape.bindTooltip(el('div', {},
          el('strong', {}, p.name), el('br'),
          format(o.gapLine, {uncovered: Number(p.uncovered).toLocaleString(),
            population: Number(p.population).toLocaleString()}),
          p.no_road ? el('div', {}, o.noRoad) : null));
      },
    }).addTo(gapsLayer);
    status.textContent = format(o.gapsLoaded, {cells: body.features.length,
      minutes: body.minutes, points: body.service_points});
  }

  const pickButton = el('button', {type: 'button', onclick: () => setPicking(!picking)}, o.pick);
  const gapsBox = el('input', {type: 'checkbox', id: 'reach-gaps'});
  gapsBox.addEventListener('change', () => {
    if (gapsBox.checked) {
      gapsLayer.addTo(map);
      loadGaps().catch(() => { status.textContent = o.error; });
    } else {
      map.removeLayer(gapsLayer);
      status.textContent = '';
    }
  });
  const clearButton = el('button', {type: 'button', onclick: () => {
    isoLayer.clearLayers();
    legend.replaceChildren();
    status.textContent = '';
  }}, o.clear);

  const Reach = L.Control.extend({
    options: {position: 'topleft'},
    onAdd() {
      const box = el('div', {class: 'leaflet-bar map-tools reach-tools'},
        el('strong', {}, o.title), pickButton, mode, clearButton,
        el('label', {for: 'reach-gaps'}, gapsBox, ' ', o.gaps), status, legend);
      L.DomEvent.disableClickPropagation(box);
      return box;
    },
  });
  new Reach().addTo(map);

  // The container's own click (captured): the matters' canvas layer above the areas takes the
  // map's click events for itself.
  map.getContainer().addEventListener('click', (event) => {
    if (!picking || event.target.closest('.leaflet-control')) return;
    event.stopPropagation();
    showIsochrone(map.mouseEventToLatLng(event)).catch(() => { status.textContent = o.error; });
  }, true);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && picking) setPicking(false);
  });
})();
