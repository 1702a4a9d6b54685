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

  const {el, format, readJson} = window.PinganMaps;
  const data = readJson('dispatch-data');
  const form = document.getElementById('candidate-search');
  if (!data || !form) return;
  const t = data.strings;
  const own = form.dataset;
  const input = form.querySelector('input[name="q"]');
  const body = document.querySelector('#candidate-search-results tbody');
  const table = document.getElementById('candidate-search-results');
  const status = document.getElementById('candidate-search-status');
  const lang = document.documentElement.lang;
  const rounded = (value) => Math.round(value).toLocaleString(lang);
  form.hidden = false;

  function csrfToken() {
    const token = document.querySelector('#dispatch-console input[name="csrfmiddlewaretoken"]');
    return token ? token.value : '';
  }

  function assignForm(c) {
    const assign = el('form', {method: 'post', action: data.urls.assignFallback, class: 'assign-form',
      'data-responder': c.id, 'data-unit': c.name},
    el('input', {type: 'hidden', name: 'csrfmiddlewaretoken', value: csrfToken()}),
    el('input', {type: 'hidden', name: 'responder', value: c.id}));
    if (!c.in_jurisdiction) {
      const id = `search-override-${c.id}`;
      assign.append(el('div', {class: 'override'},
        el('label', {for: id}, t.reason),
        el('input', {type: 'text', id, name: 'override_reason', maxlength: '2000'})));
    }
    assign.append(el('button', {type: 'submit', class: 'button primary'}, t.assign));
    return assign;
  }

  function phoneCell(c) {
    if (!c.phone) return el('td', {}, '—');
    return el('td', {class: 'nowrap'}, c.phone_masked ? c.phone : el('a', {href: `tel:${c.phone}`}, c.phone));
  }

  function row(c) {
    return el('tr', {'data-responder': c.id, class: c.in_jurisdiction ? 'own-area' : 'other-area'},
      el('td', {}, el('strong', {}, c.name), el('br'),
        el('small', {class: 'muted'}, `${c.kind_label} · ${c.home_area.name}`)),
      el('td', {class: 'nowrap'}, format(t.metres, {metres: rounded(c.distance_m)})),
      el('td', {class: `nowrap eta eta-${c.eta_source}`},
        format(t.minutes, {minutes: Math.round(c.eta_minutes)}), el('br'),
        el('small', {class: 'muted'}, `${c.travel_mode_label} · `,
          el('span', {class: 'eta-source'}, c.eta_source_label))),
      el('td', {}, ...c.skills.map((s) => el('span', {class: 'skill'}, s.name))),
      el('td', {class: 'nowrap'}, `${c.load} / ${c.capacity}`),
      el('td', {}, c.status_label),
      phoneCell(c),
      el('td', {}, el('ul', {class: 'reasons'}, ...c.reasons.map((r) => el('li', {}, r))),
        c.in_jurisdiction ? null : el('span', {class: 'badge badge-warning'}, t.otherArea)),
      el('td', {}, assignForm(c)));
  }

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
