/* Recording a patrol's GPS track on the phone, and sending it in batches.
 *
 * A fix is kept when it is the first, or lies at least MIN_METRES from the last kept one, or
 * MIN_SECONDS after it (the device's accuracy and time go with it). Kept fixes are grouped into
 * batches of BATCH_POINTS (or whatever is there every FLUSH_MS and at the end), each with a fresh
 * client uid; the server stores a batch once, however often it is sent.
 *
 * The seam for the offline queue (static/js, issue 16 items 1-3): every request goes through
 * the transport, a function (url, body) -> Promise<{ok, status, body}>. The default posts at once;
 * PinganPatrolTrack.setTransport(fn) hands batches (and the start and end calls, which carry
 * their own uid and time) to a queue that stores them in IndexedDB and sends them when the
 * connection returns. Batches not yet accepted are also kept in localStorage, so a reload loses
 * nothing.
 */
(function () {
  'use strict';

  const MIN_METRES = 20;
  const MIN_SECONDS = 30;
  const BATCH_POINTS = 10;
  const FLUSH_MS = 60 * 1000;

  function csrfToken() {
    const cookie = document.cookie.split('; ').find((part) => part.startsWith('csrftoken='));
    if (cookie) return decodeURIComponent(cookie.split('=')[1]);
    const input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : '';
  }

  async function postJson(url, body) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {Accept: 'application/json', 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken()},
      body: JSON.stringify(body),
    });
    let data = null;
    try {
      data = await response.json();
    } catch (error) {
      // Not JSON (a proxy's error page): the status says enough.
    }
    return {ok: response.ok, status: response.status, body: data};
  }

  let transport = postJson;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

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

  /* One patrol's recorder: patrol = {id, points_url}; onChange(state) after every change. */
  function Recorder(patrol, onChange) {
    const storeKey = `pingan-patrol-${patrol.id}`;
    let outbox = [];
    try {
      outbox = JSON.parse(localStorage.getItem(storeKey) || '[]');
    } catch (error) {
      outbox = [];
    }
    let pending = [];
    let last = null;
    let kept = 0;
    let watch = null;
    let timer = null;
    let sending = null;
    let lastError = null;
    let summary = null;

    const save = () => {
      try {
        if (outbox.length) localStorage.setItem(storeKey, JSON.stringify(outbox));
        else localStorage.removeItem(storeKey);
      } catch (error) {
        // Storage full or refused: the batches stay in memory.
      }
    };
    const waiting = () => pending.length + outbox.reduce((n, batch) => n + batch.points.length, 0);
    const changed = () => onChange({kept, waiting: waiting(), error: lastError, sending: Boolean(sending), summary});

    function seal() {
      if (!pending.length) return;
      outbox.push({url: patrol.points_url, uid: uuid(), points: pending});
      pending = [];
      save();
    }

    async function sendAll() {
      while (outbox.length) {
        const batch = outbox[0];
        let answer;
        try {
          answer = await transport(batch.url || patrol.points_url, {uid: batch.uid, points: batch.points});
        } catch (error) {
          lastError = {offline: true};
          return false;
        }
        if (!answer.ok && answer.status >= 500) {
          lastError = {status: answer.status, detail: answer.body && answer.body.detail};
          return false;
        }
        // Accepted, or refused for good (4xx: resending cannot help); either way it leaves.
        lastError = answer.ok ? null : {status: answer.status, detail: answer.body && answer.body.detail};
        if (answer.ok && answer.body) summary = answer.body;
        outbox.shift();
        save();
      }
      return true;
    }

    function flush() {
      seal();
      if (!sending) {
        sending = sendAll().finally(() => {
          sending = null;
          changed();
        });
        changed();
      }
      return sending;
    }

    function onFix(position) {
      const fix = {
        lon: position.coords.longitude,
        lat: position.coords.latitude,
        accuracy: position.coords.accuracy,
        at: new Date(position.timestamp || Date.now()).toISOString(),
      };
      if (!keeps(last, fix)) return;
      last = fix;
      kept += 1;
      pending.push(fix);
      if (pending.length >= BATCH_POINTS) flush();
      changed();
    }

    return {
      start(onError) {
        // The browser's Geolocation API gives WGS84 (GPS) coordinates.
        watch = navigator.geolocation.watchPosition(onFix, onError,
          {enableHighAccuracy: true, maximumAge: 5000, timeout: 60000});
        timer = setInterval(flush, FLUSH_MS);
        if (outbox.length) flush();
      },
      async stop() {
        if (watch !== null) navigator.geolocation.clearWatch(watch);
        clearInterval(timer);
        watch = null;
        let done = await flush();
        // A batch sealed while the previous send ran goes out now.
        if (done && outbox.length) done = await flush();
        return done;
      },
      flush,
      get kept() { return kept; },
      get waiting() { return waiting(); },
    };
  }

  /* Batches left in storage by a patrol that has since ended (the end went through, a batch did
   * not): sent on the next page open. Each stored batch carries its address. */
  async function resendLeftovers(exceptId) {
    for (const key of Object.keys(localStorage)) {
      if (!key.startsWith('pingan-patrol-') || key === `pingan-patrol-${exceptId}`) continue;
      let batches = [];
      try {
        batches = JSON.parse(localStorage.getItem(key) || '[]');
      } catch (error) {
        batches = [];
      }
      const left = [];
      for (const batch of batches) {
        try {
          const answer = await transport(batch.url, {uid: batch.uid, points: batch.points});
          if (!answer.ok && answer.status >= 500) left.push(batch);
        } catch (error) {
          left.push(batch);
        }
      }
      if (left.length) localStorage.setItem(key, JSON.stringify(left));
      else localStorage.removeItem(key);
    }
  }

  window.PinganPatrolTrack = {
    resendLeftovers,
    Recorder,
    uuid,
    keeps,
    metres,
    send: (url, body) => transport(url, body),
    setTransport(fn) { transport = fn; },
    MIN_METRES,
    MIN_SECONDS,
  };
})();
