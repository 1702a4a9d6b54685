// Leaflet guesses where its marker images are from the URL of leaflet.css. With hashed static
// names (the manifest storage in production) the guess fails and marker-icon-2x.png and
// marker-shadow.png were requested relative to the page (404, a broken pin). The template gives
// the exact URLs on this script's own tag (templates/leaflet_icons.html).
(function () {
  'use strict';
  const tag = document.currentScript;
  if (!window.L || !tag) {
    return;
  }
  L.Icon.Default.imagePath = '';
  L.Icon.Default.mergeOptions({
    iconUrl: tag.dataset.icon,
    iconRetinaUrl: tag.dataset.iconRetina,
    shadowUrl: tag.dataset.shadow,
  });
})();
