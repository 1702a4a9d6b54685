/* Base map of the admin map widget (gridmap.widgets.AreaMapWidget), following MAP_TILES like the
 * public map: an XYZ server, Tianditu (CGCS2000, no offset; labels are a separate layer), or
 * none - then outlines from the area API (townships, and grid cells when zoomed in) on a plain
 * background, fully offline.
 */
/* The widget's options come as JSON beside its map (json_script, id in data-options): the admin
 * pages carry no inline script, as the Content-Security-Policy requires.
 */
/* global ol, MapWidget */
'use strict';

function pinganEscape(text) {
  // OpenLayers inserts attributions as HTML; ours are plain text from settings.
  const div = document.createElement('div');
  div.textContent = text || '';
  return div.innerHTML;
}

function pinganBaseLayer(config) {
  if (config.tiles === 'osm') {
    return new ol.layer.Tile({
      source: new ol.source.XYZ({
        // Leaflet-style {s} subdomains are OpenLayers' {a-c}.
        url: config.tileUrl.replace('{s}', '{a-c}'),
        attributions: pinganEscape(config.attribution),
        maxZoom: 19,
      }),
    });
  }
  if (config.tiles === 'tianditu') {
    const key = encodeURIComponent(config.tiandituKey);
    const tile = (layer, attributions) => new ol.layer.Tile({
      source: new ol.source.XYZ({
        url: `https://t{0-7}.tianditu.gov.cn/${layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile` +
          `&VERSION=1.0.0&LAYER=${layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles` +
          `&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=${key}`,
        attributions,
        maxZoom: 18,
      }),
    });
    return new ol.layer.Group({
      layers: [tile('vec', pinganEscape(config.tiandituAttribution)), tile('cva')],
    });
  }
  // No tiles: township outlines everywhere, and grid cells with their names once zoomed in
  // (fetched for the visible box only), so a point can be placed without a base map.
  const townships = new ol.layer.Vector({
    source: new ol.source.Vector({
      url: `${config.areasUrl}?level=township&page_size=5000`,
      format: new ol.format.GeoJSON(),
    }),
    style: new ol.style.Style({
      stroke: new ol.style.Stroke({color: '#b3261e', width: 2}),
      fill: new ol.style.Fill({color: 'rgba(246, 215, 195, 0.25)'}),
    }),
  });
  const gridSource = new ol.source.Vector({
    format: new ol.format.GeoJSON(),
    strategy: ol.loadingstrategy.bbox,
    url: (extent, resolution, projection) => {
      const [w, s, e, n] = ol.proj.transformExtent(extent, projection, 'EPSG:4326');
      const bbox = [Math.max(w, -180), Math.max(s, -90), Math.min(e, 180), Math.min(n, 90)];
      return `${config.areasUrl}?level=grid&page_size=5000&bbox=${bbox.map((v) => v.toFixed(6)).join(',')}`;
    },
  });
  const grids = new ol.layer.Vector({
    source: gridSource,
    maxResolution: 40,  // metres per pixel: about zoom 12 and closer
    style: (feature, resolution) => new ol.style.Style({
      stroke: new ol.style.Stroke({color: '#4a78a8', width: 1}),
      text: resolution < 8 ? new ol.style.Text({
        text: feature.get('name'),
        font: '12px sans-serif',
        fill: new ol.style.Fill({color: '#1f4e79'}),
        stroke: new ol.style.Stroke({color: '#ffffff', width: 3}),
      }) : undefined,
    }),
  });
  return new ol.layer.Group({layers: [townships, grids]});
}

function pinganAdjust(widget, readOnly) {
  // Django fits a single point at 1 m per pixel, where nothing around it shows: open on the
  // point's surroundings (a few grid cells) instead.
  const features = widget.featureOverlay.getSource().getFeatures();
  if (features.length === 1 && features[0].getGeometry().getType() === 'Point') {
    widget.map.getView().setZoom(15);
  }
  if (readOnly) {
    // A disabled field (a boundary, which changes only through import_areas) is for looking.
    widget.interactions.draw.setActive(false);
    widget.interactions.modify.setActive(false);
  }
}

function pinganStartMapWidgets() {
  document.querySelectorAll('.pingan-map-widget[data-options]').forEach((wrapper) => {
    if (wrapper.dataset.started) return;
    wrapper.dataset.started = 'true';
    const options = JSON.parse(document.getElementById(wrapper.dataset.options).textContent);
    const widget = new MapWidget({
      base_layer: pinganBaseLayer(options.base),
      geom_name: options.geom_name,
      id: options.id,
      map_id: options.map_id,
      map_srid: options.map_srid,
      name: options.name,
      default_lon: options.default_lon,
      default_lat: options.default_lat,
      default_zoom: options.default_zoom,
    });
    // Django's template kept each widget in a global named after its field.
    window[`geodjango_${options.name.replace(/-/g, '_')}`] = widget;
    pinganAdjust(widget, options.read_only);
  });
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', pinganStartMapWidgets);
} else {
  pinganStartMapWidgets();
}
