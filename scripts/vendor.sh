#!/usr/bin/env bash
# Copies the pinned front-end libraries (package.json / package-lock.json) from node_modules into
# static/vendor/, which is committed: the site serves every asset itself (intranets have no CDN),
# so neither the demo nor CI needs npm. Run after changing a pin: `npm ci && scripts/vendor.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

[ -d node_modules/leaflet ] && [ -d node_modules/ol ] || npm ci --no-audit --no-fund

vendor=static/vendor

rm -rf "$vendor/leaflet" "$vendor/ol"
mkdir -p "$vendor/leaflet/images" "$vendor/ol"

# Leaflet: the built dist/ (script, its source map, stylesheet, control/marker images) + licence.
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.js.map \
   node_modules/leaflet/dist/leaflet.css "$vendor/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$vendor/leaflet/images/"
cp node_modules/leaflet/LICENSE "$vendor/leaflet/LICENSE"

# OpenLayers (the version Django's GIS admin widget expects) for the admin map widget. The npm
# package ships dist/ol.js without its source map; the dangling sourceMappingURL comment would
# make collectstatic's manifest storage fail, so it is dropped.
sed '/^\/\/# sourceMappingURL=/d' node_modules/ol/dist/ol.js > "$vendor/ol/ol.js"
cp node_modules/ol/ol.css "$vendor/ol/ol.css"
cp node_modules/ol/LICENSE.md "$vendor/ol/LICENSE.md"

for pkg in leaflet ol; do
  version=$(node -p "require('./node_modules/$pkg/package.json').version")
  echo "$pkg $version (npm)" > "$vendor/$pkg/VERSION"
  echo "vendored $pkg $version into $vendor/$pkg"
done
