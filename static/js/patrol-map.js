/* A grid's patrol tracks on a map (#patrol-map-data: the grid, the tracks, the 50 m radius).
 * Uses the shared helpers of incident-maps.js; names go into popups with textContent only.
 */
(function () {
  'use strict';

  const maps = window.PinganMaps;
  const data = maps ? maps.readJson('patrol-map-data') : null;
  if (!data || !document.getElementById('patrol-map')) return;
  const {el, createMap, BOUNDARY} = maps;
  const map = createMap('patrol-map', data, {scrollWheelZoom: false});
  const grid = L.geoJSON(data.grid, {style: BOUNDARY, interactive: false}).addTo(map);
  const tracks = L.geoJSON(data.tracks, {
    style: {color: '#b3261e', weight: 3, opacity: 0.85},
    onEachFeature(feature, layer) {
      const p = feature.properties;
      layer.bindPopup(el('div', {}, el('strong', {}, p.leader), el('br'), p.started));
    },
  }).addTo(map);
  const bounds = grid.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds, {padding: [10, 10]});
  document.getElementById('patrol-map').dataset.tracks = String(tracks.getLayers().length);
})();
