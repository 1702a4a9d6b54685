/* The small map of a matter's detail page or a grid leader's "my grid": the grid's boundary and
 * the points, from the #incident-map-data block. On the detail page it also forgets the field
 * form's saved draft once the record made from it is shown (its uid matches).
 */
(function () {
  'use strict';

  const {createMap, readJson, BOUNDARY} = window.PinganMaps;
  const data = readJson('incident-map-data');
  const holder = document.getElementById('incident-map');

  if (data && holder) {
    const map = createMap('incident-map', data, {scrollWheelZoom: false});
    const shapes = L.featureGroup().addTo(map);
    if (data.grid) L.geoJSON(data.grid, {style: BOUNDARY, interactive: false}).addTo(shapes);
    for (const [lon, lat] of data.points || []) {
      // An imported matter placed at an area's centre: hollow and dashed, as on the operations map.
      const style = data.approximate
        ? {radius: 9, color: '#b3261e', weight: 2, dashArray: '3 3', fillOpacity: 0.15, fillColor: '#b3261e'}
        : {radius: 7, color: '#ffffff', weight: 2, fillColor: '#b3261e', fillOpacity: 1};
      L.circleMarker([lat, lon], style).addTo(shapes);
    }
    const bounds = shapes.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, {padding: [16, 16], maxZoom: 17});
  }

  const detail = document.getElementById('incident-detail');
  if (detail) {
    for (const key of ['incident-draft-field', 'incident-draft-window']) {
      try {
        const draft = JSON.parse(sessionStorage.getItem(key) || 'null');
        if (draft && draft.uid === detail.dataset.uid) sessionStorage.removeItem(key);
      } catch (error) {
        // Private browsing may refuse storage; there is then no draft to forget.
      }
    }
  }
})();
