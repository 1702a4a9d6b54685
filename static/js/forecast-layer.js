/* Early warning on the area map (dispatchers, administrators, leadership): the grid cells the
 * stored monthly outlook flags for the top 5 % of the area (GET /api/analytics/forecast), with
 * the model's measured PAI at 5 % in the legend and the honest verdict when it has no skill.
 *
 * Loaded after area-map.js (window.PinganAreaMap). The URL and every text come from the data-
 * attributes of #forecast-layer (templates/analytics/_forecast_layer.html); text from data goes
 * into the page with textContent only. Nothing is fitted on request: the outlook is stored.
 */
(function () {
  'use strict';

  const node = document.getElementById('forecast-layer');
  const map = window.PinganAreaMap;
  if (!node || !map) return;
  const o = {...node.dataset};
  const {el, format} = window.PinganMaps;

  map.createPane('forecast').style.zIndex = '435';
  const cellsLayer = L.layerGroup();
  const status = el('p', {class: 'forecast-status', role: 'status'});
  const legend = el('div', {class: 'forecast-legend'});

  function number(value) {
    return value === null || value === undefined ? '–' : Number(value).toFixed(2);
  }

  function percent(value) {
    return `${Math.round(100 * Number(value))} %`;
  }

  function showLegend(outlook, count) {
    legend.replaceChildren(
      el('p', {}, format(o.heading, {month: outlook.month, cells: count,
        share: percent(outlook.flagged_share)})),
      el('p', {class: 'forecast-pai'}, format(o.pai, {top: percent(outlook.pai_share), pai: number(outlook.pai),
        low: number(outlook.pai_low), high: number(outlook.pai_high)})),
      el('p', {}, format(o.baseline, {baseline: outlook.baseline_label,
        pai: number(outlook.baseline_pai)})),
      el('p', {class: outlook.skill ? 'forecast-verdict' : 'forecast-verdict forecast-no-skill'},
        outlook.skill_text));
  }

  function tooltip(p) {
    return el('div', {},
      el('strong', {}, `${p.rank}. ${p.village} · ${p.name}`), el('br'),
      format(o.cellLine, {expected: Number(p.expected).toFixed(1), chance: percent(p.probability)}),
      p.groups.length ? el('div', {}, p.groups.join('、')) : null,
      p.drivers.length ? el('div', {}, format(o.why, {drivers: p.drivers.join('; ')})) : null);
  }

  async function load() {
    cellsLayer.clearLayers();
    legend.replaceChildren();
    status.textContent = o.loading;
    const response = await fetch(o.url, {headers: {Accept: 'application/json'}});
    let body = {};
    try { body = await response.json(); } catch (error) { body = {}; }
    if (!response.ok) {
      status.textContent = body.detail || o.error;
      return;
    }
    status.textContent = '';
    L.geoJSON(body, {
      pane: 'forecast',
      style: {className: 'forecast-cell', color: '#bf360c', weight: 1.5, fillColor: '#ff7043',
        fillOpacity: 0.45},
      onEachFeature(feature, shape) { shape.bindTooltip(tooltip(feature.properties)); },
    }).addTo(cellsLayer);
    showLegend(body.outlook, body.features.length);
  }

  const box = el('input', {type: 'checkbox', id: 'forecast-cells'});
  box.addEventListener('change', () => {
    if (box.checked) {
      cellsLayer.addTo(map);
      load().catch(() => { status.textContent = o.error; });
    } else {
      map.removeLayer(cellsLayer);
      legend.replaceChildren();
      status.textContent = '';
    }
  });

  const Forecast = L.Control.extend({
    options: {position: 'bottomright'},
    onAdd() {
      const control = el('div', {class: 'leaflet-bar map-tools forecast-tools'},
        el('label', {for: 'forecast-cells'}, box, ' ', o.title), status, legend);
      L.DomEvent.disableClickPropagation(control);
      L.DomEvent.disableScrollPropagation(control);
      return control;
    },
  });
  new Forecast().addTo(map);
})();
