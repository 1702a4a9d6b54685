/* Shared helpers of the Leaflet maps of Pingan Grid: base layers from the site's MAP_TILES
 * settings (#map-config), a text-only DOM builder, and the colours of matter kinds.
 *
 * Loaded before area-map.js and the incident page scripts; exposes window.PinganMaps.
 * Text from data is only ever put into the page with textContent, never as HTML.
 */
(function () {
  'use strict';

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === 'class') node.className = value;
      else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function escapeHtml(text) {
    // Only for Leaflet attributions, which Leaflet inserts as HTML.
    const div = document.createElement('div');
    div.textContent = text;
    return div.innerHTML;
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? values[key] : match));
  }

  function readJson(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  /* The base layers the settings allow, named in the page's language: {name: layer}. */
  function baseLayers(config, strings) {
    const layers = {};
    if (config.tiles === 'osm') {
      layers[strings.baseMaps.osm] = L.tileLayer(config.tileUrl, {
        maxZoom: 19,
        attribution: escapeHtml(config.attribution),
      });
    } else if (config.tiles === 'tianditu') {
      // Tianditu web-mercator WMTS (CGCS2000, no offset); labels are separate layers.
      const key = encodeURIComponent(config.tiandituKey);
      const url = (layer) =>
        `https://t{s}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0` +
        `&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles` +
        `&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${key}`;
      const tile = (layer, attribution) =>
        L.tileLayer(url(layer), {subdomains: '01234567', maxZoom: 18, attribution});
      const credit = escapeHtml(strings.tiandituAttribution);
      layers[strings.baseMaps.tiandituVec] = L.layerGroup([tile('vec', credit), tile('cva')]);
      layers[strings.baseMaps.tiandituImg] = L.layerGroup([tile('img', credit), tile('cia')]);
    }
    return layers;
  }

  /* A map in `id` with the first configured base layer on; returns the L.Map. */
  function createMap(id, strings, options) {
    const config = readJson('map-config') || {tiles: 'none'};
    const map = L.map(id, {center: [35.0, 105.0], zoom: 5, ...(options || {})});
    map.attributionControl.setPrefix('Leaflet');
    const first = Object.values(baseLayers(config, strings))[0];
    if (first) first.addTo(map);
    // The small maps' context: area names and roads under the data (map-context.js).
    if (window.PinganMapContext) window.PinganMapContext.attach(map, config);
    return map;
  }

  // Matter kinds: disputes red, hazards orange, petitions purple, requests blue.
  const KIND_COLORS = {dispute: '#c62828', hazard: '#ef6c00', petition: '#6a1b9a', request: '#1565c0'};
  const BOUNDARY = {color: '#4a78a8', weight: 2, fillColor: '#d6e6f5', fillOpacity: 0.12};

  window.PinganMaps = {el, escapeHtml, format, readJson, baseLayers, createMap, KIND_COLORS, BOUNDARY};
})();
