#!/usr/bin/env bash
# Copies the pinned front-end libraries (package.json / package-lock.json) from node_modules into
# static/vendor/, which is committed: the site serves every asset itself (intranets have no CDN),
# so neither the demo nor CI needs npm. Run after changing a pin: `npm ci && scripts/vendor.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."

for pkg in leaflet ol leaflet.vectorgrid leaflet.heat axe-core; do
  [ -d "node_modules/$pkg" ] || { npm ci --no-audit --no-fund; break; }
done

vendor=static/vendor

rm -rf "$vendor/leaflet" "$vendor/ol" "$vendor/leaflet.vectorgrid" "$vendor/leaflet.heat"
mkdir -p "$vendor/leaflet/images" "$vendor/ol" "$vendor/leaflet.vectorgrid" "$vendor/leaflet.heat"

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

# Leaflet.VectorGrid (Mapbox Vector Tiles of matters and responders): the bundle that includes
# pbf and vector-tile; Beerware licence, quoted from its README (the package has no LICENSE file),
# with the BSD/ISC notices of the bundled libraries named there.
cp node_modules/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.js \
   node_modules/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.js.map "$vendor/leaflet.vectorgrid/"
sed -n '/^## Legalese/,$p' node_modules/leaflet.vectorgrid/README.md > "$vendor/leaflet.vectorgrid/LICENSE"

# Leaflet.heat (the heat layer, fed with counts aggregated on the server) + licence.
cp node_modules/leaflet.heat/dist/leaflet-heat.js node_modules/leaflet.heat/LICENSE "$vendor/leaflet.heat/"

for pkg in leaflet ol leaflet.vectorgrid leaflet.heat; do
  version=$(node -p "require('./node_modules/$pkg/package.json').version")
  echo "$pkg $version (npm)" > "$vendor/$pkg/VERSION"
  echo "vendored $pkg $version into $vendor/$pkg"
done

# axe-core (devDependencies): the accessibility checker the browser tests inject into the pages
# (tests/browser/test_accessibility.py). Test-only, so it goes under tests/, not static/: the
# site never serves it.
tests_vendor=tests/browser/vendor/axe-core
rm -rf "$tests_vendor"
mkdir -p "$tests_vendor"
cp node_modules/axe-core/axe.min.js node_modules/axe-core/LICENSE "$tests_vendor/"
version=$(node -p "require('./node_modules/axe-core/package.json').version")
echo "axe-core $version (npm)" > "$tests_vendor/VERSION"
echo "vendored axe-core $version into $tests_vendor"
