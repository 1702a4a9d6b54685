/* Recording a patrol's GPS track on the phone (docs/patrols.md), through the offline queue
 * (offline-queue.js, the same IndexedDB queue as field reports and responders' steps).
 *
 * A fix is kept when it is the first, or lies at least MIN_METRES from the last kept one, or
 * MIN_SECONDS after it (the device's accuracy and time go with it). Kept fixes are grouped into
 * batches of BATCH_POINTS (or whatever is there every FLUSH_MS and at the end). The start, each
 * batch and the end are queue items of kind 'patrol', sent in order when there is a network,
 * each with its client uid (the patrol's uid names it in every URL, so points can be queued
 * before the start has reached the server) and the phone's own times; the server stores each
 * once, however often it is sent.
 *
 * The open patrol (its uid, the fixes not yet batched with the uid their batch will have, the
 * last kept fix) is kept beside the queue (PinganQueue.setMeta), so closing the page, a reload
 * or a restart of the phone loses nothing: the next page open carries on. Batches an older
 * version kept in localStorage ('pingan-patrol-<id>') move into the queue on the first open.
 *
 *   PinganPatrolTrack.Patrols({user, startUrl, pointsUrl, endUrl, labels, onChange}):
 *     restore(serverOpen, renderedAt) → state | null; start(); end(); waiting();
 *     onChange(state) after every change.
 */
(function () {
  'use strict';

  const MIN_METRES = 20;
  const MIN_SECONDS = 30;
  const BATCH_POINTS = 10;
  const FLUSH_MS = 60 * 1000;
  const KIND = 'patrol';
  const LEGACY_PREFIX = 'pingan-patrol-';

  const queue = window.PinganQueue;

  /* Metres between two {lon, lat} (haversine; enough for a 20 m threshold). */
  function metres(a, b) {
    const rad = Math.PI / 180;
    const dLat = (b.lat - a.lat) * rad;
    const dLon = (b.lon - a.lon) * rad;
    const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
    return 2 * 6371008.8 * Math.asin(Math.sqrt(h));
  }

  /* Whether a fix is worth keeping after `last` (the last kept fix, or null). */
  function keeps(last, fix) {
    if (!last) return true;
    return metres(last, fix) >= MIN_METRES || (Date.parse(fix.at) - Date.parse(last.at)) / 1000 >= MIN_SECONDS;
  }

  const csrfToken = () => {
    const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return queue.csrfTokenFromCookie() || (input ? input.value : '');
  };

  /* Batches an older version of this page kept in localStorage, into the queue (oldest first,
   * their own uids: a batch that did reach the server is not stored twice). */
  async function migrateLegacy(user, label) {
    let keys = [];
    try {
      keys = Object.keys(localStorage).filter((key) => key.startsWith(LEGACY_PREFIX)).sort();
    } catch (error) {
      return 0;  // storage refused: nothing was kept there either
    }
    let moved = 0;
    for (const key of keys) {
      let batches = [];
      try {
        batches = JSON.parse(localStorage.getItem(key) || '[]');
      } catch (error) {
        batches = [];
      }
      for (const batch of batches) {
        if (!batch || !batch.url || !batch.uid || !Array.isArray(batch.points)) continue;
        await queue.enqueue(KIND, batch.url, {uid: batch.uid, points: batch.points}, [], {
          id: batch.uid, user, label: label(batch.points.length), meta: {points: batch.points.length},
        });
        moved += 1;
      }
      localStorage.removeItem(key);
    }
    return moved;
  }

  function Patrols(options) {
    const user = String(options.user);
    const stateKey = `patrol-open:${user}`;
    const endedKey = `patrol-ended:${user}`;
    const labels = options.labels;
    const urlOf = (template, uid) => template.replace('00000000-0000-0000-0000-000000000000', uid);
    let state = null;  // {uid, startedAt, pending, pendingUid, last, kept, metres}
    let ended = '';  // the queue id of the last end this phone made
    let watch = null;
    let timer = null;
    // State changes one at a time: a fix arriving while a batch is being queued waits for it.
    let work = Promise.resolve();
    const serially = (fn) => {
      work = work.then(fn, fn);
      return work;
    };

    const save = () => queue.setMeta(stateKey, state);
    const flush = () => queue.flush({user, csrfToken: csrfToken()}).catch(() => null);

    async function items() {
      try {
        return await queue.list({user, kind: KIND});
      } catch (error) {
        return [];
      }
    }

    /* Points on the phone not yet accepted by the server. */
    async function waiting() {
      const unsent = (await items()).filter((item) => item.status === 'waiting' || item.status === 'sending');
      const queued = unsent.reduce((n, item) => n + ((item.meta && item.meta.points) || 0), 0);
      return queued + (state ? state.pending.length : 0);
    }

    // Queue changes come in bursts and each look is asynchronous: only the latest look is shown,
    // so an older one finishing late cannot put a stale state on the page.
    let looks = 0;
    async function changed() {
      const look = ++looks;
      const list = await items();
      const count = await waiting();
      if (look !== looks) return;
      const endItem = ended ? list.find((item) => item.id === ended) || null : null;
      const startItem = state ? list.find((item) => item.id === state.uid) || null : null;
      options.onChange({
        state,
        waiting: count,
        offline: list.some((item) => item.status === 'waiting' && item.error && item.error.code === 'network'),
        refused: list.filter((item) => item.status === 'refused'),
        startItem,
        endItem,
      });
    }

    /* The fixes gathered so far into a queued batch; its uid was chosen with the first of them,
     * so queueing it again after a crash replaces it (or the server sees it as a repeat). */
    async function seal() {
      if (!state || !state.pending.length) return;
      const points = state.pending;
      await queue.enqueue(KIND, urlOf(options.pointsUrl, state.uid), {uid: state.pendingUid, points}, [], {
        id: state.pendingUid, user, label: labels.batch(points.length), meta: {patrol: state.uid, points: points.length},
      });
      state.pending = [];
      state.pendingUid = queue.newUuid();
      await save();
    }

    function onFix(position) {
      const fix = {
        lon: position.coords.longitude,
        lat: position.coords.latitude,
        accuracy: position.coords.accuracy,
        at: new Date(position.timestamp || Date.now()).toISOString(),
      };
      serially(async () => {
        if (!state || !keeps(state.last, fix)) return;
        if (state.last) state.metres += metres(state.last, fix);
        state.last = fix;
        state.kept += 1;
        state.pending.push(fix);
        if (state.pending.length >= BATCH_POINTS) {
          await seal();
          flush();
        } else {
          await save();
        }
        await changed();
      });
    }

    function record(onGeoError) {
      // The browser's Geolocation API gives WGS84 (GPS) coordinates.
      watch = navigator.geolocation.watchPosition(onFix, onGeoError,
        {enableHighAccuracy: true, maximumAge: 5000, timeout: 60000});
      timer = setInterval(() => serially(seal).then(flush), FLUSH_MS);
    }

    function stopRecording() {
      if (watch !== null) navigator.geolocation.clearWatch(watch);
      clearInterval(timer);
      watch = null;
    }

    /* The open patrol at page open: the phone's own record first (the page may be a copy saved
     * before the patrol started); the server's when the phone has none (an older version of the
     * page, or another phone). The phone's is dropped when the server refused its start, or when
     * a page rendered after the start arrived says the patrol is no longer open. */
    async function restore(serverOpen, renderedAt) {
      await migrateLegacy(user, labels.batch);
      ended = (await queue.getMeta(endedKey)) || '';
      state = (await queue.getMeta(stateKey)) || null;
      if (state) {
        const start = await queue.get(state.uid);
        const arrived = start ? (start.status === 'sent' ? start.sentAt : '') : state.startedAt;
        const stale = Boolean(arrived) && Date.parse(renderedAt) > Date.parse(arrived)
          && (!serverOpen || serverOpen.uid !== state.uid);
        if ((start && start.status === 'refused') || stale) {
          // Fixes not yet batched still go to the server (the end may have come from elsewhere).
          if (!(start && start.status === 'refused')) await seal();
          state = null;
          await save();
        }
      }
      if (!state && serverOpen) {
        state = {
          uid: serverOpen.uid, startedAt: serverOpen.started_at, pending: [], pendingUid: queue.newUuid(),
          last: null, kept: serverOpen.point_count || 0, metres: serverOpen.distance_m || 0,
        };
        await save();
      } else if (state && state.pending.length) {
        // Fixes kept by a page that closed before it batched them: they go out now.
        await seal();
      }
      queue.onChange(() => changed());
      await changed();
      flush();
      return state;
    }

    async function start(onGeoError) {
      await serially(async () => {
        const uid = queue.newUuid();
        const startedAt = new Date().toISOString();
        state = {uid, startedAt, pending: [], pendingUid: queue.newUuid(), last: null, kept: 0, metres: 0};
        await queue.enqueue(KIND, options.startUrl, {uid, started_at: startedAt}, [], {
          id: uid, user, label: labels.start, meta: {patrol: uid},
        });
        await save();
      });
      record(onGeoError);
      await changed();
      flush();
      return state;
    }

    async function end() {
      stopRecording();
      await serially(async () => {
        if (!state) return;
        await seal();
        const item = await queue.enqueue(KIND, urlOf(options.endUrl, state.uid),
          {ended_at: new Date().toISOString()}, [], {user, label: labels.end, meta: {patrol: state.uid, end: true}});
        ended = item.id;
        state = null;
        await save();
        await queue.setMeta(endedKey, ended);
      });
      await changed();
      flush();
    }

    /* The start was refused by the server: stop recording this patrol. */
    async function abandon() {
      stopRecording();
      await serially(async () => {
        state = null;
        await save();
      });
      await changed();
    }

    return {
      restore, start, end, abandon, record, waiting,
      get state() { return state; },
    };
  }

  window.PinganPatrolTrack = {Patrols, keeps, metres, migrateLegacy, MIN_METRES, MIN_SECONDS, BATCH_POINTS};
})();
