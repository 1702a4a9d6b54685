/* Live notifications on every signed-in page (docs/notifications/live.md).
 *
 * Listens to the server's event stream (EventSource on #live-config's streamUrl); when the stream
 * cannot be had (204 under a WSGI server, a proxy that buffers or drops it, no EventSource), polls
 * pollUrl every pollSeconds instead. Each new notification of the user:
 *  - shows a small toast (title, text, a link on this site) and updates the bell's count
 *    (#notify-bell: its data-unread-count and its .notify-bell-count; a minimal bell is added to the
 *    navigation when the page has none);
 *  - fires a `pingan:notification` event on document (the dispatch console refreshes its units);
 *  - refreshes the page's live regions: elements with data-live-region="name" are re-read from the
 *    page's own URL and either replaced (the default) or, with data-live-mode="insert", given only
 *    the children (by id) they do not have yet, so a note being typed is never lost; a region
 *    with data-live-reveal scrolls the first new child into view, clear of the toasts (on a
 *    phone they are at the top of the screen: live.css), unless the user is typing;
 *  - then fires `pingan:live-refreshed` on document (the responder page takes its new baseline);
 *  - beeps (WebAudio) and vibrates for offers and urgent items, where the browser allows.
 * Text from the server goes into the page with textContent only; nothing inline (CSP).
 */
(function () {
  'use strict';

  const source = document.getElementById('live-config');
  if (!source) return;
  const config = JSON.parse(source.textContent);
  const t = config.strings;
  const root = document.documentElement;
  const seen = new Set();
  let after = Number(config.after) || 0;
  let pollTimer = null;
  let stream = null;

  // --- small DOM helpers ------------------------------------------------------------------------

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  function sameSiteLink(link) {
    return typeof link === 'string' && link.startsWith('/') && !link.startsWith('//') && !link.startsWith('/\\');
  }

  // --- the bell -----------------------------------------------------------------------------------

  function bell() {
    // The site's bell (templates/base.html, #nav-bell), or one added here on a page without it.
    let node = document.getElementById('nav-bell') || document.getElementById('notify-bell');
    if (node) return node;
    // The page has no bell of its own: a minimal one in the navigation.
    const nav = document.querySelector('.site-nav');
    if (!nav) return null;
    node = el('span', {id: 'notify-bell', class: 'live-bell', 'data-unread-count': '0', title: t.bell},
      t.bell, ' ', el('span', {class: 'notify-bell-count', hidden: ''}, '0'));
    const spacer = nav.querySelector('.nav-spacer');
    if (spacer && spacer.nextSibling) nav.insertBefore(node, spacer.nextSibling);
    else nav.append(node);
    return node;
  }

  function setUnread(count) {
    if (typeof count !== 'number') return;
    const node = bell();
    if (!node) return;
    node.dataset.unreadCount = String(count);
    node.dataset.unread = String(count);
    node.setAttribute('aria-label', t.unread.replace('%(count)s', String(count)));
    const number = node.querySelector('.notify-bell-count, .bell-count');
    if (number) {
      number.textContent = String(count);
      number.hidden = count === 0;
    }
  }

  // --- toasts, sound, vibration -------------------------------------------------------------------

  function toasts() {
    let box = document.getElementById('live-toasts');
    if (!box) {
      box = el('div', {id: 'live-toasts', class: 'live-toasts', role: 'status', 'aria-live': 'polite'});
      document.body.append(box);
    }
    return box;
  }

  function toast(item) {
    const close = el('button', {type: 'button', class: 'live-toast-close', 'aria-label': t.close}, '\u00d7');
    const body = el('div', {class: 'live-toast-body'}, el('strong', {}, item.title || t.newItem));
    if (item.text) body.append(el('p', {}, item.text));
    if (sameSiteLink(item.link)) body.append(el('a', {href: item.link}, t.open));
    const node = el('div', {class: `live-toast${item.urgent ? ' urgent' : ''}`, 'data-notification': String(item.id)},
      body, close);
    close.addEventListener('click', () => node.remove());
    toasts().append(node);
    setTimeout(() => node.remove(), item.urgent ? 30000 : 10000);
  }

  let audio = null;
  // Browsers let a page make sound only after the user touched it once: get ready on that touch.
  function unlockAudio() {
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === 'suspended') audio.resume().catch(() => {});
  }
  for (const name of ['pointerdown', 'keydown', 'touchstart']) {
    document.addEventListener(name, unlockAudio, {once: true, passive: true});
  }

  function alertUser() {
    try {
      if (audio && audio.state === 'running') {
        const tone = audio.createOscillator();
        const gain = audio.createGain();
        tone.frequency.value = 880;
        gain.gain.setValueAtTime(0.2, audio.currentTime);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
        tone.connect(gain).connect(audio.destination);
        tone.start();
        tone.stop(audio.currentTime + 0.4);
      }
      if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
    } catch (error) {
      // No sound or vibration here: the toast is still shown.
    }
    root.dataset.liveAlerted = String(Number(root.dataset.liveAlerted || 0) + 1);
  }

  // --- the page's live regions ------------------------------------------------------------------

  function insertNew(region, fresh) {
    const added = [];
    let before = null;
    for (const child of [...fresh.children].reverse()) {
      if (child.hasAttribute('data-live-replace')) {
        const old = region.querySelector(`[data-live-replace="${child.dataset.liveReplace}"]`);
        if (old) old.replaceWith(document.importNode(child, true));
        continue;
      }
      if (child.id && document.getElementById(child.id)) {
        before = document.getElementById(child.id);
        continue;
      }
      if (child.id) {
        const node = document.importNode(child, true);
        node.classList.add('live-new');
        region.insertBefore(node, before ? before : null);
        before = node;
        added.unshift(node);
      }
    }
    if (added.length) for (const empty of region.querySelectorAll('[data-live-empty]')) empty.remove();
    return added;
  }

  function typing() {
    const active = document.activeElement;
    return Boolean(active && active.matches('input:not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]'));
  }

  // Scroll a newly arrived item into view, clear of the toasts: on a phone they are at the top,
  // elsewhere at the bottom of the screen. Not while the user is typing (a note stays in view).
  function reveal(node) {
    if (typing()) return;
    const box = document.getElementById('live-toasts');
    const shown = box && box.children.length ? box.getBoundingClientRect() : null;
    const gap = 8;
    node.style.scrollMarginTop = '';
    node.style.scrollMarginBottom = '';
    if (shown && shown.height) {
      if (shown.top < window.innerHeight / 2) node.style.scrollMarginTop = `${Math.ceil(shown.bottom + gap)}px`;
      else node.style.scrollMarginBottom = `${Math.ceil(window.innerHeight - shown.top + gap)}px`;
    }
    node.scrollIntoView({block: 'nearest', inline: 'nearest'});
  }

  let refreshing = null;
  async function refreshRegions() {
    const regions = document.querySelectorAll('[data-live-region]');
    if (!regions.length) return;
    try {
      const response = await fetch(location.href, {credentials: 'same-origin', headers: {Accept: 'text/html'}});
      if (!response.ok || response.redirected) return;
      // Our own server-rendered page, parsed inertly (its scripts do not run): only its regions are used.
      const page = new DOMParser().parseFromString(await response.text(), 'text/html');
      for (const region of regions) {
        const fresh = page.querySelector(`[data-live-region="${region.dataset.liveRegion}"]`);
        if (!fresh) continue;
        if (region.dataset.liveMode === 'insert') {
          const added = insertNew(region, fresh);
          if (added.length && region.hasAttribute('data-live-reveal')) reveal(added[0]);
        } else {
          region.replaceWith(document.importNode(fresh, true));
        }
      }
      root.dataset.liveRefreshed = String(Number(root.dataset.liveRefreshed || 0) + 1);
      document.dispatchEvent(new CustomEvent('pingan:live-refreshed'));
    } catch (error) {
      // Offline for a moment: the next notification or a reload shows it.
    }
  }

  function scheduleRefresh() {
    // Several notifications at once (a re-offer and a decline): one re-read.
    clearTimeout(refreshing);
    refreshing = setTimeout(refreshRegions, 200);
  }

  // --- one new notification -----------------------------------------------------------------------

  function receive(item) {
    if (!item || seen.has(item.id)) return;
    seen.add(item.id);
    after = Math.max(after, item.id);
    toast(item);
    setUnread(item.unread);
    if (item.event === 'offer' || item.urgent) alertUser();
    document.dispatchEvent(new CustomEvent('pingan:notification', {detail: item}));
    scheduleRefresh();
  }

  // --- the stream, and polling when there is none -----------------------------------------------

  async function poll() {
    if (document.hidden) return;
    try {
      const url = `${config.pollUrl}?after=${encodeURIComponent(after)}`;
      const response = await fetch(url, {credentials: 'same-origin', headers: {Accept: 'application/json'}});
      if (response.status === 401 || response.status === 403 || response.redirected) {
        stopPolling(); // signed out (or the session timed out): nothing more to fetch
        return;
      }
      if (!response.ok) return;
      const body = await response.json();
      for (const item of body.notifications) receive({...item, unread: body.unread});
      setUnread(body.unread);
    } catch (error) {
      // Offline for a moment: the next round tries again.
    }
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = null;
  }

  function startPolling() {
    if (stream) {
      stream.close();
      stream = null;
    }
    if (pollTimer) return;
    root.dataset.liveMode = 'poll';
    poll();
    pollTimer = setInterval(poll, Math.max(1, config.pollSeconds) * 1000);
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && pollTimer) poll();
    });
  }

  function startStream() {
    if (!window.EventSource) return startPolling();
    stream = new EventSource(`${config.streamUrl}?after=${encodeURIComponent(after)}`);
    let failures = 0;
    // A proxy that buffers the stream lets nothing through: no "ready" in time means poll.
    let watchdog = setTimeout(startPolling, 10000);
    stream.addEventListener('ready', (event) => {
      clearTimeout(watchdog);
      failures = 0;
      root.dataset.liveMode = 'stream';
      setUnread(JSON.parse(event.data).unread);
    });
    stream.addEventListener('notification', (event) => receive(JSON.parse(event.data)));
    stream.addEventListener('error', () => {
      if (!stream) return;
      if (stream.readyState === EventSource.CLOSED) {
        // 204 (a WSGI server), an HTTP error or a wrong type: the browser will not retry.
        clearTimeout(watchdog);
        startPolling();
        return;
      }
      // The stream ended (every few minutes) or broke: the browser reconnects by itself,
      // sending the last id it got; after three failures in a row, poll instead.
      failures += 1;
      clearTimeout(watchdog);
      watchdog = setTimeout(startPolling, 10000);
      if (failures >= 3) startPolling();
    });
  }

  setUnread(Number(config.unread) || 0);
  startStream();
})();
