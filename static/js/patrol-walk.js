/* The grid leader's patrol page: start, record (patrol-track.js), end.
 * Reads #patrol-data (URLs, the open patrol, translated strings); text goes in with textContent.
 */
(function () {
  'use strict';

  const node = document.getElementById('patrol-data');
  const tracks = window.PinganPatrolTrack;
  if (!node || !tracks) return;
  const data = JSON.parse(node.textContent);
  const t = data.strings;
  const section = document.getElementById('patrol');
  const startButton = document.getElementById('patrol-start');
  const endButton = document.getElementById('patrol-end');
  const status = document.getElementById('patrol-status');
  const format = (template, values) =>
    template.replace(/%\((\w+)\)s/g, (match, key) => (key in values ? values[key] : match));

  let patrol = data.open;
  let recorder = null;

  function show(message, isError) {
    status.textContent = message;
    status.classList.toggle('error', Boolean(isError));
  }

  function onChange(state) {
    status.dataset.points = String(state.kept);
    status.dataset.waiting = String(state.waiting);
    if (state.summary) patrol.distance_m = state.summary.distance_m;
    if (state.error && state.error.offline) return show(t.offline, true);
    if (state.error) return show(format(t.failed, {detail: state.error.detail || state.error.status}), true);
    if (!state.kept) return show(t.waiting);
    const metres = patrol.distance_m ? Math.round(patrol.distance_m) : 0;
    let message = format(t.recording, {points: state.kept, metres});
    if (state.waiting) message += ' ' + format(t.pending, {count: state.waiting});
    show(message);
  }

  function onGeoError(error) {
    show(error.code === 1 ? t.denied : t.unavailable, true);
  }

  function record() {
    section.dataset.state = 'open';
    startButton.hidden = true;
    endButton.hidden = false;
    recorder = tracks.Recorder(patrol, onChange);
    recorder.start(onGeoError);
    show(t.waiting);
  }

  startButton.addEventListener('click', async () => {
    if (!navigator.geolocation) return show(t.unavailable, true);
    startButton.disabled = true;
    try {
      const answer = await tracks.send(data.startUrl, {uid: tracks.uuid(), started_at: new Date().toISOString()});
      if (!answer.ok) return show(format(t.failed, {detail: (answer.body && answer.body.detail) || answer.status}), true);
      patrol = answer.body;
      record();
    } catch (error) {
      show(t.offline, true);
    } finally {
      startButton.disabled = false;
    }
  });

  endButton.addEventListener('click', async () => {
    endButton.disabled = true;
    const endedAt = new Date().toISOString();
    show(t.sending);
    try {
      if (recorder) await recorder.stop();
      const answer = await tracks.send(patrol.end_url, {ended_at: endedAt});
      if (!answer.ok) return show(format(t.failed, {detail: (answer.body && answer.body.detail) || answer.status}), true);
      const ended = answer.body;
      section.dataset.state = 'ended';
      endButton.hidden = true;
      startButton.hidden = false;
      const share = ended.covered_share === null ? '—' : `${(100 * ended.covered_share).toFixed(1)}%`;
      show(format(t.ended, {metres: Math.round(ended.distance_m), share}));
      recorder = null;
    } catch (error) {
      show(t.offline, true);
    } finally {
      endButton.disabled = false;
    }
  });

  // A patrol still open (the page was reloaded, the phone restarted): keep recording it.
  if (patrol) record();
  tracks.resendLeftovers(patrol ? patrol.id : null);
})();
