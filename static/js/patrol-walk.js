/* The grid leader's patrol page: start, record (patrol-track.js, through the offline queue), end.
 * Works without a network: the start, the track and the end wait on the phone and are sent in
 * order when the connection returns (docs/patrols.md).
 * Reads #patrol-data (URLs, the user, the open patrol as the server saw it, translated strings);
 * text goes in with textContent.
 */
(function () {
  'use strict';

  const node = document.getElementById('patrol-data');
  const tracks = window.PinganPatrolTrack;
  if (!node || !tracks || !window.PinganQueue) return;
  const data = JSON.parse(node.textContent);
  const t = data.strings;
  const section = document.getElementById('patrol');
  const startButton = document.getElementById('patrol-start');
  const endButton = document.getElementById('patrol-end');
  const status = document.getElementById('patrol-status');
  const format = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? values[key] : match));

  function show(message, isError) {
    status.textContent = message;
    status.classList.toggle('error', Boolean(isError));
  }

  function reason(item) {
    const error = item.error || {};
    const messages = Object.values(error.errors || {}).flat().filter(Boolean);
    return messages.length ? messages.join(' ') : (error.detail || String(error.status || ''));
  }

  function setState(name) {
    section.dataset.state = name;
    startButton.hidden = name === 'open';
    endButton.hidden = name !== 'open';
  }

  let patrols = null;
  let notice = '';  // a refusal of the start, shown until the next start

  function onChange(view) {
    const state = view.state;
    status.dataset.points = String(state ? state.kept : 0);
    status.dataset.waiting = String(view.waiting);
    if (view.startItem && view.startItem.status === 'refused') {
      // The server would not open this patrol (another one is open, not a grid leader …).
      notice = format(t.failed, {detail: reason(view.startItem)});
      setState('idle');
      show(notice, true);
      return patrols.abandon();
    }
    const pending = view.waiting ? ' ' + format(t.pending, {count: view.waiting}) : '';
    if (state) {
      setState('open');
      if (view.offline) return show(t.offline + pending, true);
      if (!state.kept) return show(t.waiting + pending);
      return show(format(t.recording, {points: state.kept, metres: Math.round(state.metres)}) + pending);
    }
    const end = view.endItem;
    if (end && end.status === 'sent' && end.result) {
      setState('ended');
      const share = end.result.covered_share === null ? '—' : `${(100 * end.result.covered_share).toFixed(1)}%`;
      return show(format(t.ended, {metres: Math.round(end.result.distance_m), share}));
    }
    if (end && end.status === 'refused') {
      setState('idle');
      return show(format(t.failed, {detail: reason(end)}), true);
    }
    if (end) {
      setState('ending');
      return show((view.offline ? t.endedOffline : t.sending) + pending);
    }
    setState('idle');
    if (notice) return show(notice, true);
    return show(pending.trim());
  }

  function onGeoError(error) {
    show(error.code === 1 ? t.denied : t.unavailable, true);
  }

  patrols = tracks.Patrols({
    user: data.user,
    startUrl: data.startUrl,
    pointsUrl: data.pointsUrl,
    endUrl: data.endUrl,
    labels: {
      start: t.labelStart,
      end: t.labelEnd,
      batch: (count) => format(t.labelBatch, {count}),
    },
    onChange,
  });

  startButton.addEventListener('click', async () => {
    if (!navigator.geolocation) return show(t.unavailable, true);
    startButton.disabled = true;
    notice = '';
    try {
      await patrols.start(onGeoError);
    } catch (error) {
      show(t.noStorage, true);  // IndexedDB refused (private mode): nothing can be recorded
    } finally {
      startButton.disabled = false;
    }
  });

  endButton.addEventListener('click', async () => {
    endButton.disabled = true;
    try {
      await patrols.end();
    } finally {
      endButton.disabled = false;
    }
  });

  // A patrol still open (the page was closed or reloaded, the phone restarted): keep recording it.
  patrols.restore(data.open, data.renderedAt).then((state) => {
    if (state && navigator.geolocation) patrols.record(onGeoError);
  }).catch(() => show(t.noStorage, true));
})();
