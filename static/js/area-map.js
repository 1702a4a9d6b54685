/* Grid network map: county, townships, villages and grid cells as switchable Leaflet layers;
 * click an area for its details, or a point for its grid cell.
 *
 * Reads two JSON blocks rendered by templates/gridmap/map.html: #map-config (base map settings)
 * and #map-options (API URLs, grid zoom threshold, translated strings). Area names come from
 * data and are only ever put into the page as text (textContent), never as HTML.
 */
(function () {
  'use strict';
  const {ymdhm} = window.PinganDates;

  const config = JSON.parse(document.getElementById('map-config').textContent);
  const options = JSON.parse(document.getElementById('map-options').textContent);
  const t = options.strings;
  const panel = document.getElementById('area-panel');

  const LEVELS = ['county', 'township', 'village', 'grid'];
  // Higher levels draw heavier lines, so a township border stays visible under villages and grids.
  const STYLES = {
    county: {color: '#5a0f0b', weight: 3.5, fillColor: '#ffffff', fillOpacity: 0.02},
    township: {color: '#b3261e', weight: 2.4, fillColor: '#f6d7c3', fillOpacity: 0.2},
    village: {color: '#2f6b3a', weight: 1.6, fillColor: '#cfe8d2', fillOpacity: 0.1},
    grid: {color: '#4a78a8', weight: 0.7, fillColor: '#d6e6f5', fillOpacity: 0.06},
  };
  const HOVER = {weight: 3, fillOpacity: 0.35};
  // Labels appear from these zooms on, so the map never turns into a wall of text: township names
  // at county scale, village names closer in, grid names last; each gives way to the next.
  const LABEL_ZOOM = {township: 9, village: 12, grid: 15};

  // Shared with the incident pages (static/js/incident-maps.js): text-only DOM, base layers.
  const {el, format, baseLayers, KIND_COLORS} = window.PinganMaps;

  function number(value) {
    return value === null || value === undefined ? t.unknown : Number(value).toLocaleString();
  }

  function relative(url) {
    // DRF builds absolute `next` links from the Host header; stay on the page's own origin.
    const parsed = new URL(url, window.location.href);
    return parsed.pathname + parsed.search;
  }

  async function getJson(url, signal) {
    const response = await fetch(url, {headers: {Accept: 'application/json'}, signal});
    if (!response.ok && response.status !== 404) throw new Error(`${response.status} ${url}`);
    return {status: response.status, body: await response.json()};
  }

  async function fetchFeatures(params, signal) {
    const features = [];
    let next = `${options.areasUrl}?${new URLSearchParams({...params, page_size: '5000'})}`;
    while (next) {
      const {body} = await getJson(next, signal);
      features.push(...body.features);
      next = body.next ? relative(body.next) : null;
    }
    return features;
  }

  // --- the map ---------------------------------------------------------------------------------

  // Half-step zooms let the county fill the window; tiles scale cleanly at .5.
  const map = L.map('area-map', {center: [35.0, 105.0], zoom: 5, zoomSnap: 0.5});
  // The browser tests and the benchmark place clicks with it (latLngToContainerPoint).
  window.PinganAreaMap = map;
  map.attributionControl.setPrefix('Leaflet');
  LEVELS.forEach((level, index) => {
    map.createPane(`areas-${level}`).style.zIndex = String(401 + index);
  });
  // County and township borders are drawn a second time, above villages and grids, so they stay
  // visible however many levels are on.
  map.createPane('outlines').style.zIndex = '410';
  map.getPane('outlines').style.pointerEvents = 'none';
  map.createPane('highlight').style.zIndex = '420';
  map.getPane('highlight').style.pointerEvents = 'none';
  map.createPane('labels').style.zIndex = '430';
  map.getPane('labels').style.pointerEvents = 'none';

  const bases = baseLayers(config, t);
  const firstBase = Object.values(bases)[0];
  if (firstBase) firstBase.addTo(map);

  // --- status line -----------------------------------------------------------------------------

  const Status = L.Control.extend({
    options: {position: 'bottomleft'},
    onAdd() {
      this.node = el('div', {class: 'map-status', role: 'status', hidden: ''});
      return this.node;
    },
  });
  const status = new Status().addTo(map);
  const messages = new Map();
  function setStatus(key, text) {
    if (text) messages.set(key, text);
    else messages.delete(key);
    status.node.textContent = [...messages.values()].join(' ');
    status.node.hidden = messages.size === 0;
  }

  // --- area layers -----------------------------------------------------------------------------

  const overlays = {};   // level -> L.LayerGroup shown in the layer control
  const shapes = {};     // level -> L.GeoJSON holding the polygons
  const labels = {};     // level -> L.LayerGroup of name labels
  const outlines = {};   // county/township -> L.GeoJSON of borders drawn above the other levels
  const loaded = {};     // level -> promise of its features being on the layer
  const gridCodes = new Set();
  let locating = false;

  function labelPoint(layer) {
    // Centre of the largest outer ring: the list API carries no label point.
    let rings = layer.getLatLngs();
    while (Array.isArray(rings[0]) && Array.isArray(rings[0][0])) rings = rings.flat(1);
    if (!Array.isArray(rings[0])) rings = [rings];
    let best = rings[0];
    let bestSize = -1;
    for (const ring of rings) {
      const bounds = L.latLngBounds(ring);
      const size = (bounds.getEast() - bounds.getWest()) * (bounds.getNorth() - bounds.getSouth());
      if (size > bestSize) {
        best = ring;
        bestSize = size;
      }
    }
    return L.PolyUtil.polygonCenter(best, map.options.crs);
  }

  function addLabel(level, feature, layer) {
    if (!labels[level]) return;
    const text = el('span', {}, feature.properties.name);
    const icon = L.divIcon({className: `area-label area-label-${level}`, html: text, iconSize: null});
    L.marker(labelPoint(layer), {icon, pane: 'labels', interactive: false, keyboard: false})
      .addTo(labels[level]);
  }

  LEVELS.forEach((level) => {
    shapes[level] = L.geoJSON(null, {
      pane: `areas-${level}`,
      style: () => STYLES[level],
      onEachFeature(feature, layer) {
        layer.on('mouseover', () => layer.setStyle(HOVER));
        layer.on('mouseout', () => shapes[level].resetStyle(layer));
        layer.on('click', (event) => {
          if (locating || map.pinganPicking) return;  // the map's click handler takes the point
          L.DomEvent.stopPropagation(event);
          selectArea(feature.properties.code, {fit: false});
        });
        // An element, not a string: Leaflet inserts strings as HTML.
        layer.bindTooltip(el('span', {}, feature.properties.name),
          {sticky: true, direction: 'top', opacity: 0.9});
        addLabel(level, feature, layer);
      },
    });
    labels[level] = level === 'county' ? null : L.layerGroup();
    const members = level === 'grid' ? [] : [shapes[level]];
    if (level === 'county' || level === 'township') {
      outlines[level] = L.geoJSON(null, {
        pane: 'outlines',
        interactive: false,
        style: {...STYLES[level], fill: false},
      });
      members.push(outlines[level]);
    }
    overlays[level] = L.layerGroup(members);
  });

  function loadLevel(level) {
    // One request per level; the layer control's overlayadd and the start-up share the promise.
    if (!loaded[level]) {
      setStatus(level, t.loading);
      loaded[level] = fetchFeatures({level})
        .then((features) => {
          shapes[level].addData(features);
          if (outlines[level]) outlines[level].addData(features);
          updateLabels();
        })
        .catch((error) => {
          delete loaded[level];
          setStatus('error', t.loadError);
          throw error;
        })
        .finally(() => setStatus(level, null));
    }
    return loaded[level];
  }

  function fitToData() {
    for (const level of LEVELS) {
      const bounds = shapes[level].getBounds();
      if (bounds.isValid()) {
        map.fitBounds(bounds, {padding: [12, 12]});
        return true;
      }
    }
    return false;
  }

  // Grid cells: only for the visible box, only when zoomed in; every cell is kept once fetched.
  let gridRequest = null;
  async function loadGrids() {
    const gridOn = map.hasLayer(overlays.grid);
    const closeEnough = map.getZoom() >= options.gridMinZoom;
    setStatus('zoom', gridOn && !closeEnough ? t.zoomForGrids : null);
    if (!gridOn || !closeEnough) {
      overlays.grid.removeLayer(shapes.grid);
      return;
    }
    overlays.grid.addLayer(shapes.grid);
    if (gridRequest) gridRequest.abort();
    gridRequest = new AbortController();
    const box = map.getBounds().pad(0.25);
    const bbox = [box.getWest(), box.getSouth(), box.getEast(), box.getNorth()]
      .map((value, index) => {
        const limit = index % 2 === 0 ? 180 : 90;
        return Math.max(-limit, Math.min(limit, value)).toFixed(6);
      })
      .join(',');
    setStatus('grid', t.loading);
    try {
      const features = await fetchFeatures({level: 'grid', bbox}, gridRequest.signal);
      const fresh = features.filter((feature) => !gridCodes.has(feature.properties.code));
      fresh.forEach((feature) => gridCodes.add(feature.properties.code));
      shapes.grid.addData(fresh);
      updateLabels();
      setStatus('grid', null);
    } catch (error) {
      if (error.name === 'AbortError') return;
      setStatus('grid', null);
      setStatus('error', t.loadError);
    }
  }

  function updateLabels() {
    const zoom = map.getZoom();
    const wanted = {};
    for (const [level, from] of Object.entries(LABEL_ZOOM)) {
      wanted[level] = map.hasLayer(overlays[level]) && zoom >= from;
    }
    if (wanted.village) wanted.township = false;
    if (wanted.grid) wanted.village = wanted.township = false;
    for (const [level, on] of Object.entries(wanted)) {
      if (on && !map.hasLayer(labels[level])) labels[level].addTo(map);
      if (!on && map.hasLayer(labels[level])) map.removeLayer(labels[level]);
    }
  }

  const layerNames = {};
  for (const level of LEVELS) layerNames[t.layers[level]] = overlays[level];
  const layerControl = L.control.layers(bases, layerNames, {collapsed: window.innerWidth < 700})
    .addTo(map);
  L.control.scale({imperial: false}).addTo(map);

  map.on('overlayadd overlayremove', (event) => {
    const level = LEVELS.find((name) => overlays[name] === event.layer);
    if (event.type === 'overlayadd' && level && level !== 'grid') loadLevel(level).catch(() => {});
    if (level === 'grid') loadGrids();
    updateLabels();
  });
  map.on('zoomend', updateLabels);
  map.on('moveend', () => {
    if (map.hasLayer(overlays.grid)) loadGrids();
  });

  // --- operations layers (signed-in users): matters and responders as vector tiles, heatmap ----
  // The tile URLs and every text come from #ops-layers (rendered by the incidents/volunteers
  // URLs in the template): this script knows no other app.

  function operationsLayers(o) {
    // Leaflet.VectorGrid 1.3 against Leaflet 1.9: it calls L.DomEvent.fakeStop (removed in 1.8),
    // and its point features have no latlng, which Leaflet 1.9 reads for every mouse event on a
    // small marker. Give them theirs (tile pixel + tile offset) before the event is fired.
    if (!L.DomEvent.fakeStop) L.DomEvent.fakeStop = (event) => { event._stopped = true; };
    if (!L.Canvas.Tile.prototype._pinganPatched) {
      const fire = L.Canvas.Tile.prototype._fireEvent;
      L.Canvas.Tile.prototype._fireEvent = function (layers, event, type) {
        for (const layer of layers || []) {  // Leaflet passes false on a move over nothing
          if (layer._point && !layer._latlng) {
            layer._latlng = this._map.layerPointToLatLng(layer._point.add(this.getOffset()));
          }
        }
        return fire.call(this, layers, event, type);
      };
      L.Canvas.Tile.prototype._pinganPatched = true;
    }
    map.createPane('matters').style.zIndex = '440';
    map.createPane('heat').style.zIndex = '435';
    map.getPane('heat').style.pointerEvents = 'none';
    const filters = {kind: '', category: '', state: 'open', period: '', area: ''};
    const tileTemplate = (url) => url.replace(/\/0\/0\/0\.pbf$/, '/{z}/{x}/{y}.pbf');
    const query = () => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
      return params.toString();
    };
    const STATUS_COLORS = {available: '#2e7d32', offered: '#f9a825', en_route: '#1565c0',
      on_scene: '#6a1b9a', off_duty: '#757575'};

    function dominantKind(p) {
      let best = 'dispute';
      for (const kind of ['dispute', 'hazard', 'petition', 'request']) if ((p[kind] || 0) > (p[best] || 0)) best = kind;
      return best;
    }

    function matterStyle(p) {
      if (p.count !== undefined) {
        // A server-side cluster: size by count, colour by its commonest kind, red ring if overdue.
        const radius = Math.min(22, 4 + 3 * Math.log2(p.count + 1));
        return {radius, fill: true, fillColor: KIND_COLORS[dominantKind(p)], fillOpacity: 0.75,
          color: p.overdue ? '#b3261e' : '#ffffff', weight: p.overdue ? 3 : 1.5, stroke: true};
      }
      return window.PinganApproximate.style(p, {radius: 6, fill: true, fillColor: KIND_COLORS[p.kind] || '#555',
        fillOpacity: 0.9, color: p.overdue ? '#b3261e' : '#ffffff', weight: p.overdue ? 3 : 1.5, stroke: true});
    }

    let mattersLayer = null;
    const mattersGroup = L.layerGroup();
    function buildMatters() {
      if (mattersLayer) mattersGroup.removeLayer(mattersLayer);
      mattersLayer = L.vectorGrid.protobuf(`${tileTemplate(o.tiles)}?${query()}`, {
        pane: 'matters', rendererFactory: L.canvas.tile, interactive: true, maxNativeZoom: 18,
        vectorTileLayerStyles: {matters: (p) => matterStyle(p)},
        getFeatureId: (feature) => feature.properties.id,
      });
      mattersLayer.on('click', (event) => {
        L.DomEvent.stopPropagation(event);
        const p = event.layer.properties;
        if (p.count !== undefined) {
          map.setView(event.latlng, Math.min(map.getZoom() + 2, Number(o.rawMinZoom)));
        } else {
          showMatter(p.id);
        }
      });
      mattersLayer.on('load', () => {
        // Milliseconds since navigation start: the browser tests wait for it, bench/map.py reads it.
        map.getContainer().dataset.mattersLoaded = String(Math.round(performance.now()));
      });
      mattersGroup.addLayer(mattersLayer);
    }
    buildMatters();

    const respondersGroup = L.layerGroup();
    if (o.responderTiles) {
      const responders = L.vectorGrid.protobuf(tileTemplate(o.responderTiles), {
        pane: 'matters', rendererFactory: L.canvas.tile, interactive: true,
        vectorTileLayerStyles: {responders: (p) => ({
          radius: 7, fill: true, fillColor: STATUS_COLORS[p.status] || '#555',
          fillOpacity: p.stale ? 0.3 : 0.95, color: '#263238', weight: p.stale ? 1 : 2,
          opacity: p.stale ? 0.4 : 1, dashArray: p.stale ? '2 2' : null,
        })},
      });
      responders.on('click', (event) => {
        L.DomEvent.stopPropagation(event);
        showResponder(event.layer.properties);
      });
      respondersGroup.addLayer(responders);
    }

    // Heatmap: counts per screen cell aggregated in the database, drawn by Leaflet.heat.
    const heatGroup = L.layerGroup();
    let heat = null;
    let heatRequest = null;
    async function loadHeat() {
      if (!map.hasLayer(heatGroup)) return;
      if (heatRequest) heatRequest.abort();
      heatRequest = new AbortController();
      const box = map.getBounds();
      const params = new URLSearchParams(query());
      params.set('bbox', [Math.max(-180, box.getWest()), Math.max(-85, box.getSouth()),
        Math.min(180, box.getEast()), Math.min(85, box.getNorth())].map((v) => v.toFixed(5)).join(','));
      params.set('zoom', String(Math.round(map.getZoom())));
      try {
        const {body} = await getJson(`${o.heat}?${params}`, heatRequest.signal);
        const points = body.cells.map(([lat, lon, count]) => [lat, lon, count]);
        if (heat) heatGroup.removeLayer(heat);
        heat = L.heatLayer(points, {pane: 'heat', radius: 22, blur: 18, max: Math.max(1, body.max * 0.6),
          minOpacity: 0.3});
        heatGroup.addLayer(heat);
        map.getContainer().dataset.heatCells = String(points.length);
        setStatus('heat', points.length ? null : o.heatEmpty);
      } catch (error) {
        if (error.name !== 'AbortError') setStatus('heat', o.error);
      }
    }

    layerControl.addOverlay(mattersGroup, o.name);
    if (o.responderTiles) layerControl.addOverlay(respondersGroup, o.respondersName);
    layerControl.addOverlay(heatGroup, o.heatName);
    map.on('overlayadd overlayremove', (event) => {
      if (event.layer === heatGroup) {
        if (event.type === 'overlayadd') loadHeat();
        else setStatus('heat', null);
      }
    });
    map.on('moveend', () => loadHeat());

    // --- filters ---
    function select(name, label, choices, allLabel) {
      const node = el('select', {name, id: `filter-${name}`});
      if (allLabel !== null) node.append(el('option', {value: ''}, allLabel));
      for (const choice of choices) node.append(el('option', {value: choice.value}, choice.label));
      node.value = filters[name];
      node.addEventListener('change', () => {
        filters[name] = node.value;
        if (name === 'area' && node.value) selectArea(node.value, {fit: true, drill: false});
        applyFilters();
      });
      return el('label', {}, el('span', {}, label), node);
    }

    function applyFilters() {
      buildMatters();
      loadHeat();
    }

    // Folded on a phone (a summary line), open on a desktop.
    const Filters = L.Control.extend({
      options: {position: 'topleft'},
      onAdd() {
        const attrs = {class: 'map-filters leaflet-bar', id: 'map-filters'};
        if (window.innerWidth >= 700) attrs.open = '';
        const details = el('details', attrs, el('summary', {}, o.filtersTitle));
        this.box = el('form', {'aria-label': o.filtersTitle});
        this.box.addEventListener('submit', (event) => event.preventDefault());
        details.append(this.box);
        L.DomEvent.disableClickPropagation(details);
        L.DomEvent.disableScrollPropagation(details);
        return details;
      },
    });
    const filterControl = new Filters().addTo(map);

    getJson(o.filters).then(({body}) => {
      const box = filterControl.box;
      box.append(select('kind', o.kindLabel, body.kinds, o.any));
      box.append(select('category', o.categoryLabel, body.categories, o.any));
      box.append(select('state', o.stateLabel, body.states, null));
      box.append(select('period', o.periodLabel, body.periods, o.anyTime));
      loadLevel('township').then(() => {
        const townships = [];
        shapes.township.eachLayer((layer) => townships.push(
          {value: layer.feature.properties.code, label: layer.feature.properties.name}));
        townships.sort((a, b) => a.value.localeCompare(b.value));
        box.append(select('area', o.areaLabel, townships, o.wholeJurisdiction));
      }).catch(() => {});
    }).catch(() => setStatus('filters', o.error));

    // --- side panel for a matter or a responder ---
    async function showMatter(id) {
      showPanel(el('p', {class: 'muted'}, t.loading));
      let p;
      try {
        const {status, body} = await getJson(o.detailApi.replace('/0/', `/${encodeURIComponent(id)}/`));
        if (status === 404) throw new Error('gone');
        p = body.properties;
      } catch (error) {
        showPanel(el('p', {class: 'error'}, o.error));
        return;
      }
      const marks = el('p', {},
        p.overdue ? el('span', {class: 'badge badge-overdue'}, o.overdue) : null,
        p.supervised ? el('span', {class: 'badge'}, `★ ${o.supervised}`) : null);
      const actions = el('p', {class: 'panel-actions'},
        el('a', {class: 'button', href: o.detailUrl.replace('/0/', `/${encodeURIComponent(id)}/`)}, o.open));
      if (o.consoleUrl && ['received', 'assessed', 'routed', 'in_progress'].includes(p.state)) {
        actions.append(' ', el('a', {class: 'button', id: 'panel-dispatch',
          href: o.consoleUrl.replace('/0/', `/${encodeURIComponent(id)}/`)}, o.dispatch));
      }
      showPanel(
        el('p', {class: 'muted'}, p.number),
        el('h2', {class: 'matter-title'}, p.title),
        marks,
        window.PinganApproximate.note(p),
        el('dl', {class: 'facts'},
          ...row(o.kindLabel, p.kind_label), ...row(o.categoryLabel, p.category_label),
          ...row(o.stateLabel, p.state_label), ...row(o.dueLabel, ymdhm(p.due_at)),
          ...row(t.levels.grid, p.grid_name || t.unknown),
          ...row(o.unitLabel, p.handling_unit_name || t.unknown)),
        actions,
      );
    }

    function showResponder(p) {
      showPanel(
        el('h2', {}, p.name),
        el('dl', {class: 'facts'},
          ...row(o.statusLabel, p.status_label || p.status),
          ...row(o.loadLabel, `${p.load} / ${p.capacity}`),
          ...row(o.positionAge, `${p.age_min} ${o.minutesAgo}`)),
        p.stale ? el('p', {class: 'notice'}, o.stale) : null,
      );
    }

    mattersGroup.addTo(map);
    window.PinganApproximate.legend(map);
  }
  const opsNode = document.getElementById('ops-layers');
  if (opsNode) operationsLayers({...opsNode.dataset});

  // --- selection and side panel ----------------------------------------------------------------

  const highlight = L.geoJSON(null, {
    pane: 'highlight',
    interactive: false,
    style: {color: '#f2b705', weight: 4, fill: false},
  }).addTo(map);
  let selected = null;

  function closeButton() {
    return el('button', {type: 'button', class: 'panel-close', title: t.close, 'aria-label': t.close,
      onclick: clearSelection}, '×');
  }

  function showPanel(...children) {
    panel.replaceChildren(closeButton(), ...children.filter(Boolean));
    panel.classList.add('open');
  }

  function clearSelection() {
    selected = null;
    history.replaceState(null, '', window.location.pathname + window.location.search);
    highlight.clearLayers();
    panel.replaceChildren(el('p', {class: 'panel-hint'}, t.panelHint));
    panel.classList.remove('open');
  }

  function areaLink(area) {
    return el('button', {type: 'button', class: 'link-button',
      onclick: () => selectArea(area.code, {fit: true})}, area.name);
  }

  function row(label, value) {
    return [el('dt', {}, label), el('dd', {}, value)];
  }

  function renderArea(feature, intro) {
    const area = feature.properties;
    const crumbs = el('nav', {class: 'breadcrumb', 'aria-label': t.level});
    for (const ancestor of area.ancestors) crumbs.append(areaLink(ancestor), el('span', {class: 'sep'}, '›'));
    crumbs.append(el('span', {}, area.name));

    const facts = el('dl', {class: 'facts'},
      ...row(t.level, t.levels[area.level] || area.level),
      ...row(t.code, el('code', {}, area.code)),
      ...row(t.population, number(area.population)),
      ...row(t.households, number(area.households)),
      ...row(t.version, area.version),
      ...row(t.validFrom, area.valid_from),
    );

    let leader = null;
    if (area.level === 'grid') {
      leader = el('div', {class: 'leader'}, el('h3', {}, t.leader));
      if (area.leader) {
        leader.append(el('p', {}, el('strong', {}, area.leader.name)));
        if (area.leader.phone) {
          const call = el('a', {href: `tel:${area.leader.phone}`, title: t.phone}, area.leader.phone);
          leader.append(el('p', {}, el('span', {'aria-hidden': 'true'}, '☎ '), call));
        }
      } else {
        leader.append(el('p', {class: 'muted'}, t.noLeader));
      }
    }

    let children = null;
    if (area.children.length) {
      const childLevel = t.levels[area.children[0].level] || area.children[0].level;
      const list = el('ul', {class: 'children'});
      for (const child of area.children) list.append(el('li', {}, areaLink(child)));
      children = el('details', {class: 'children-box', open: ''},
        el('summary', {}, format(t.childrenOf, {level: childLevel, count: area.children.length})),
        list);
    }

    showPanel(
      intro || null,
      crumbs,
      el('h2', {}, area.name),
      area.synthetic ? el('p', {class: 'synthetic-note'}, t.synthetic) : null,
      leader,
      facts,
      children,
    );
  }

  async function selectArea(code, {fit = false, drill = fit, intro = null} = {}) {
    selected = code;
    showPanel(el('p', {class: 'muted'}, t.loading));
    let feature;
    try {
      const url = options.detailUrl.replace('CODE', encodeURIComponent(code));
      const response = await getJson(url);
      if (response.status === 404) throw new Error(`no area ${code}`);
      feature = response.body;
    } catch (error) {
      if (selected === code) showPanel(el('p', {class: 'error'}, t.detailError));
      return;
    }
    if (selected !== code) return;  // a newer click won
    highlight.clearLayers();
    highlight.addData(feature);
    if (fit) map.fitBounds(highlight.getBounds(), {padding: [40, 40], maxZoom: 15});
    if (drill) {
      // Drilling down from the panel: show the chosen area's level and the level below it.
      const index = LEVELS.indexOf(feature.properties.level);
      for (const level of LEVELS.slice(index, index + 2)) {
        if (!map.hasLayer(overlays[level])) overlays[level].addTo(map);
      }
    }
    // The address names the selected area, so a view can be bookmarked or sent on.
    history.replaceState(null, '', `#area=${encodeURIComponent(code)}`);
    renderArea(feature, intro);
  }

  // --- locate a point ---------------------------------------------------------------------------

  const pointMarker = L.circleMarker([0, 0], {radius: 7, color: '#ffffff', weight: 2,
    fillColor: '#b3261e', fillOpacity: 1, pane: 'labels', interactive: false});

  function setLocating(on) {
    locating = on;
    map.getContainer().classList.toggle('locating', on);
    locateButton.classList.toggle('active', on);
    locateButton.textContent = on ? t.locateCancel : t.locate;
    setStatus('locate', on ? t.locateHint : null);
  }

  async function locatePoint(latlng) {
    setLocating(false);
    pointMarker.setLatLng(latlng).addTo(map);
    const params = new URLSearchParams({lon: latlng.lng.toFixed(6), lat: latlng.lat.toFixed(6)});
    let result;
    try {
      result = await getJson(`${options.locateUrl}?${params}`);
    } catch (error) {
      showPanel(el('p', {class: 'error'}, t.detailError));
      return;
    }
    if (result.status === 404) {
      const nearest = result.body.nearest_grid;
      showPanel(
        el('h2', {}, t.outside),
        nearest ? el('p', {}, format(t.nearest, {name: nearest.name, distance: number(Math.round(result.body.distance_m))})) : null,
        nearest ? areaLink(nearest) : null,
      );
      return;
    }
    const intro = el('p', {class: 'located'}, t.located);
    selectArea(result.body.grid.code, {fit: true, intro});
  }

  const Tools = L.Control.extend({
    options: {position: 'topleft'},
    onAdd() {
      const box = el('div', {class: 'leaflet-bar map-tools'});
      L.DomEvent.disableClickPropagation(box);
      box.append(locateButton);
      if (navigator.geolocation && window.isSecureContext) box.append(myLocationButton);
      return box;
    },
  });
  const locateButton = el('button', {type: 'button', onclick: () => setLocating(!locating)}, t.locate);
  const myLocationButton = el('button', {type: 'button', onclick: () => {
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const latlng = L.latLng(position.coords.latitude, position.coords.longitude);
        map.setView(latlng, Math.max(map.getZoom(), 15));
        locatePoint(latlng);
      },
      () => setStatus('locate', t.myLocationError),
      {enableHighAccuracy: true, timeout: 15000},
    );
  }}, t.myLocation);
  new Tools().addTo(map);

  map.on('click', (event) => {
    if (locating) locatePoint(event.latlng);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && locating) setLocating(false);
  });

  // --- start: county and townships on, villages and grids one click away ------------------------

  overlays.county.addTo(map);
  overlays.township.addTo(map);
  const linked = /^#area=(\d{12,15})$/.exec(window.location.hash);
  Promise.all([loadLevel('county'), loadLevel('township')])
    .then(() => {
      if (!fitToData()) showPanel(el('p', {class: 'notice'}, t.noData));
      updateLabels();
      if (linked) selectArea(linked[1], {fit: true});
    })
    .catch(() => {});
  if (window.location.hash === '#locate') setLocating(true);
})();
