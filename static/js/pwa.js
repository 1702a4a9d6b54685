/* Every page: registers the field app's service worker (/sw.js, docs/field-app.md), asks it to
 * keep the signed-in user's field pages for use without a network (the nav links marked
 * data-offline), forgets them once signed out, and offers "Reload" when a new release of the
 * site has been installed in the background.
 *
 * Reads #pwa-script's data-worker (the worker's URL) and data-user (empty when signed out).
 * Sets <html data-sw="ready"> once a worker controls the page and data-offline-ready="1" once
 * the field pages are saved (tests and the pages' status lines read them).
 */
(function () {
  'use strict';

  const script = document.getElementById('pwa-script');
  if (!script || !('serviceWorker' in navigator)) return;
  const user = script.dataset.user || '';
  const html = document.documentElement;
  const banner = document.getElementById('app-update');
  let acceptedUpdate = false;
  const WARMED_KEY = `pingan-warmed-${user}`;
  const WARM_EVERY_MS = 5 * 60 * 1000;

  /* The role's field pages, the start page first (data-offline="start"). */
  function offlinePages() {
    const links = [...document.querySelectorAll('a[data-offline]')]
      .sort((a, b) => (b.dataset.offline === 'start') - (a.dataset.offline === 'start'));
    return [...new Set(links.map((link) => new URL(link.href).pathname))];
  }

  function offerUpdate(worker) {
    if (!banner) return;
    banner.hidden = false;
    document.getElementById('app-update-reload').addEventListener('click', () => {
      acceptedUpdate = true;
      worker.postMessage({type: 'skip-waiting'});
    }, {once: true});
  }

  function watchUpdates(registration) {
    // A waiting worker with one in control: a new release was installed earlier.
    if (registration.waiting && navigator.serviceWorker.controller) offerUpdate(registration.waiting);
    registration.addEventListener('updatefound', () => {
      const worker = registration.installing;
      if (!worker) return;
      worker.addEventListener('statechange', () => {
        if (worker.state === 'installed' && navigator.serviceWorker.controller) offerUpdate(worker);
      });
    });
  }

  navigator.serviceWorker.addEventListener('controllerchange', () => {
    html.dataset.sw = 'ready';
    // Only the user's "Reload" reloads; the first install taking control does not.
    if (acceptedUpdate) window.location.reload();
  });
  if (navigator.serviceWorker.controller) html.dataset.sw = 'ready';

  function warm(worker, urls) {
    // A channel of its own: the answer arrives whether or not this page is controlled yet.
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { html.dataset.offlineReady = '1'; };
    worker.postMessage({type: 'warm', urls, user}, [channel.port2]);
  }

  navigator.serviceWorker
    .register(script.dataset.worker, {scope: '/', updateViaCache: 'none'})
    .then(watchUpdates)
    .catch(() => {
      // Plain HTTP on an intranet (no secure context) or a browser without workers: the site
      // works as before, only not offline.
    });

  navigator.serviceWorker.ready.then((registration) => {
    const worker = registration.active;
    if (!worker) return;
    if (user) {
      // At most every few minutes per tab: each warm-up fetches the role's pages once.
      let last = 0;
      try {
        last = Number(sessionStorage.getItem(WARMED_KEY) || 0);
        sessionStorage.setItem(WARMED_KEY, String(Date.now()));
      } catch (error) {
        // Storage refused: warm every time.
      }
      if (Date.now() - last > WARM_EVERY_MS) {
        warm(worker, offlinePages());
      } else {
        html.dataset.offlineReady = '1';
      }
    } else {
      worker.postMessage({type: 'forget'});
    }
    if (navigator.serviceWorker.controller) html.dataset.sw = 'ready';
  });

  // Signing out on this phone: forget the saved pages now (the next page does it again).
  const logout = document.querySelector('form[action$="/logout/"]');
  if (logout) {
    logout.addEventListener('submit', () => {
      if (navigator.serviceWorker.controller) navigator.serviceWorker.controller.postMessage({type: 'forget'});
    });
  }
})();
