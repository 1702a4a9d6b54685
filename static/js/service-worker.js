/* The service worker of Pingan Grid's field app (docs/field-app.md), loaded by /sw.js, which
 * sets self.PINGAN_SW first (config/pwa.py): {version, shell, staticPrefix, startUrl,
 * queueScript, csrfCookie, offlineTitle, offlineText}.
 *
 * - The app shell (the project's own CSS/JS, Leaflet, icons) is cached at install under the
 *   release's version; other static files are cached on first use. Static names are hashed by
 *   the manifest storage, so cached copies never go stale; a new release is a new cache.
 * - The field pages of the signed-in user's role (my grid, the report form, the responder's
 *   page) are fetched into a cache when a page asks ("warm"), then always tried on the network
 *   first and answered from the cache when there is no network: their last synced copy.
 * - A new release waits until the page's "Reload" (pwa.js) says to take over.
 * - Background Sync sends the offline queue (offline-queue.js) without a page open.
 * - Signing out forgets the cached pages (they hold personal data).
 */
/* global PinganQueue */
'use strict';

const CONFIG = self.PINGAN_SW;
importScripts(CONFIG.queueScript);

const SHELL = `pingan-shell-${CONFIG.version}`;
const PAGES = 'pingan-pages';
// A phone with one bar of signal: after this long, answer from the saved copy and let the
// network answer update it in the background.
const NETWORK_TIMEOUT_MS = 6000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll(CONFIG.shell.map((url) => new Request(url, {cache: 'reload'})))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('pingan-shell-') && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// --- answering requests ----------------------------------------------------------------------

async function staticFile(request) {
  const cache = await caches.open(SHELL);
  const cached = await cache.match(request, {ignoreVary: true});
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && response.type === 'basic') cache.put(request, response.clone());
  return response;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

async function savedPages() {
  const cache = await caches.open(PAGES);
  const pages = [];
  for (const request of await cache.keys()) {
    const html = await (await cache.match(request)).text();
    const title = (html.match(/<title>([^<]*)<\/title>/) || [])[1] || '';
    pages.push({path: new URL(request.url).pathname, title: title.trim()});  // title: escaped by Django
  }
  return pages;
}

async function offlinePage() {
  const links = (await savedPages())
    .map((page) => `<li><a href="${escapeHtml(page.path)}">${page.title || escapeHtml(page.path)}</a></li>`)
    .join('');
  const html = `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(CONFIG.offlineTitle)}</title></head>
<body><h1>${escapeHtml(CONFIG.offlineTitle)}</h1><p>${escapeHtml(CONFIG.offlineText)}</p><ul>${links}</ul></body></html>`;
  return new Response(html, {
    status: 503,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': "default-src 'self'; script-src 'none'",
    },
  });
}

function pageKey(url) {
  return new URL(url.pathname, url.origin).href;
}

async function page(event, url) {
  const cache = await caches.open(PAGES);
  const saved = await cache.match(pageKey(url));
  const network = fetch(event.request).then((response) => {
    // Only a saved page is refreshed, and only with a real page (not a redirect to log in).
    if (saved && response.ok && !response.redirected && response.type === 'basic') {
      return cache.put(pageKey(url), response.clone()).then(() => response);
    }
    return response;
  });
  event.waitUntil(network.catch(() => null));
  try {
    if (!saved) return await network;
    return await Promise.race([
      network,
      new Promise((resolve, reject) => setTimeout(() => reject(new Error('slow')), NETWORK_TIMEOUT_MS)),
    ]);
  } catch (error) {
    if (saved) return saved;
    if (url.pathname === CONFIG.startUrl) {
      // The installed app's start page redirects by role; without a network, to the first saved page.
      const start = await PinganQueue.getMeta('start');
      if (start && (await cache.match(pageKey(new URL(start, self.location.origin))))) {
        return Response.redirect(start, 302);
      }
    }
    return offlinePage();
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(CONFIG.staticPrefix)) {
    event.respondWith(staticFile(request));
  } else if (request.mode === 'navigate') {
    event.respondWith(page(event, url));
  }
});

// --- messages from the pages (pwa.js) --------------------------------------------------------

async function forget() {
  await caches.delete(PAGES);
  await PinganQueue.setCurrentUser('');
}

async function warm(urls, user) {
  // A page that loaded while this worker was still activating missed the claim at activation.
  await self.clients.claim();
  if (!user) return forget();
  if ((await PinganQueue.currentUser()) !== String(user)) await caches.delete(PAGES);
  await PinganQueue.setCurrentUser(user);
  // The first page is where the installed app starts (/app/ redirects there by role).
  await PinganQueue.setMeta('start', urls[0] || '');
  const cache = await caches.open(PAGES);
  for (const path of urls) {
    try {
      const response = await fetch(path, {credentials: 'same-origin'});
      if (response.ok && !response.redirected) await cache.put(pageKey(new URL(path, self.location.origin)), response);
    } catch (error) {
      // Offline now: the copy saved last time stays.
    }
  }
}

self.addEventListener('message', (event) => {
  const data = event.data || {};
  if (data.type === 'skip-waiting') {
    self.skipWaiting();
  } else if (data.type === 'warm') {
    event.waitUntil(warm(data.urls || [], data.user).then(() => {
      if (event.ports[0]) event.ports[0].postMessage({type: 'warmed'});
    }));
  } else if (data.type === 'forget') {
    event.waitUntil(self.clients.claim().then(forget));
  }
});

// --- Background Sync: the queue without a page open ------------------------------------------

async function csrfToken() {
  if (!self.cookieStore) return '';
  const cookie = await self.cookieStore.get(CONFIG.csrfCookie);
  return cookie ? cookie.value : '';
}

self.addEventListener('sync', (event) => {
  if (event.tag !== PinganQueue.SYNC_TAG) return;
  event.waitUntil((async () => {
    const user = await PinganQueue.currentUser();
    const token = await csrfToken();
    // Without the token (no cookieStore here) the next page open sends the queue.
    if (!user || !token) return;
    const summary = await PinganQueue.flush({user, csrfToken: token});
    // Still waiting: failing the event makes the browser try again later.
    if (summary.waiting) throw new Error('The queue is still waiting for the network.');
  })());
});
