/* The dispatch console's search of all candidates: any unit of the dispatcher's jurisdiction that
 * may be sent to the matter, found by name, skill or township through the candidates API (?q=),
 * shown with the same fields as the top list. Each row's assign form has the list's class
 * (assign-form), so dispatch-console.js sends it the same way: one click, and a unit of another
 * area asks for a reason first.
 *
 * Reads #dispatch-data (the API URLs and the console's strings) and the form's data- attributes
 * (its own strings). Text from data goes into the page with textContent only (PinganMaps.el).
 */
(function () {
  'use strict';

  const {format, readJson} = window.PinganMaps;
  const data = readJson('dispatch-data');
  const form = document.getElementById('candidate-search');
  if (!data || !form) return;
  const t = data.strings;
  const own = form.dataset;
  const input = form.querySelector('input[name="q"]');
  const body = document.querySelector('#candidate-search-results tbody');
  const table = document.getElementById('candidate-search-results');
  const status = document.getElementById('candidate-search-status');
  form.hidden = false;

  const row = (c) => window.PinganCandidateRows.row(c, {idPrefix: 'search-override-'});

  let asked = 0;

  async function search(text) {
    const mine = ++asked;
    const url = new URL(data.urls.candidates, window.location.href);
    url.searchParams.set('q', text);
    url.searchParams.set('limit', own.limit || '20');
    status.textContent = own.searching;
    try {
      const response = await fetch(url, {credentials: 'same-origin', headers: {Accept: 'application/json'}});
      const found = response.ok ? await response.json() : null;
      if (mine !== asked) return; // a newer search was started meanwhile
      if (!found) {
        status.textContent = own.failed;
        return;
      }
      body.replaceChildren(...found.map(row));
      table.hidden = !found.length;
      status.textContent = found.length ? format(own.found, {count: found.length}) : own.none;
    } catch (error) {
      if (mine === asked) status.textContent = t.offline;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (text) search(text);
  });
})();
