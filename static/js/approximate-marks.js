/* Matters placed at an area's centre (imported ledgers without coordinates, issue 19): how the
 * operations map draws them (hollow, dashed), its legend entry and the note in the side panel.
 *
 * Texts come from #approximate-marks (data- attributes, translated by the template). Loaded
 * before area-map.js; exposes window.PinganApproximate. Text only through textContent.
 */
(function () {
  'use strict';

  const node = document.getElementById('approximate-marks');
  const texts = node ? node.dataset : {};

  /* The style of one matter point: `base` as drawn, hollow and dashed when approximate. */
  function style(p, base) {
    if (!p || !p.approximate) return base;
    return {...base, fillOpacity: 0.15, color: base.fillColor, weight: 2, dashArray: '3 3',
      radius: (base.radius || 6) + 2};
  }

  function swatch(kind) {
    const span = document.createElement('span');
    span.className = `legend-swatch legend-${kind}`;
    return span;
  }

  /* A legend in the map's corner: a point where it happened, a dashed ring at an area's centre. */
  function legend(map) {
    if (!node || !window.L) return null;
    const Legend = L.Control.extend({
      options: {position: 'bottomright'},
      onAdd() {
        const box = document.createElement('div');
        box.className = 'map-legend leaflet-bar';
        box.id = 'matters-legend';
        for (const [kind, text] of [['exact', texts.exact], ['approximate', texts.approximate]]) {
          const line = document.createElement('div');
          line.append(swatch(kind), document.createTextNode(text || ''));
          box.append(line);
        }
        return box;
      },
    });
    return new Legend().addTo(map);
  }

  /* The side panel's note for an approximate matter (an element), or null. */
  function note(p) {
    if (!p || !p.location_approximate) return null;
    const para = document.createElement('p');
    para.className = 'notice';
    para.id = 'panel-approximate';
    para.textContent = texts.note || '';
    return para;
  }

  window.PinganApproximate = {style, legend, note};
})();
