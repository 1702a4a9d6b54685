/* The "导航" control: on Android, try the map app's own scheme first (it opens the installed
 * app directly); if the page is still in front after a moment, the app is not installed and the
 * app's web page (the link's href, which offers the app too) opens instead. Elsewhere the link
 * is followed as it is. The addresses and the converted points come from the server
 * (gridmap/navigation.py, data- attributes); no third-party script is loaded.
 */
(function () {
  'use strict';

  const ANDROID = /Android/i.test(navigator.userAgent);
  const FALLBACK_MS = 1500;

  document.addEventListener('click', (event) => {
    const link = event.target.closest('a.navigate-app[data-scheme]');
    if (!link || !ANDROID || !link.dataset.scheme) return;
    event.preventDefault();
    const web = link.href;
    const timer = setTimeout(() => {
      if (document.visibilityState === 'visible') window.location.href = web;
    }, FALLBACK_MS);
    document.addEventListener('visibilitychange', () => clearTimeout(timer), {once: true});
    window.location.href = link.dataset.scheme;
  });
})();
