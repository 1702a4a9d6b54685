/* A candidate's row, the same in the dispatch console's top list (dispatch-console.js) and in its
 * search of all candidates (candidate-search.js): one unit looks the same wherever it is offered.
 *
 *   PinganCandidateRows.row(candidate, {leading, idPrefix}) -> <tr data-responder> with the unit,
 *     distance, ETA and its source, skills, load, state, phone, reasons and the assign form
 *     (class assign-form: dispatch-console.js sends it); `leading` cells go first (the list's
 *     number); `idPrefix` keeps the reason inputs' ids apart between the list and the search.
 *   PinganCandidateRows.phoneCell(phone, masked), PinganCandidateRows.rounded(number)
 *
 * Reads #dispatch-data (the assign URL and the console's strings). Text from data goes into the
 * page with textContent only (PinganMaps.el).
 */
(function () {
  'use strict';

  const {el, format, readJson} = window.PinganMaps;
  const data = readJson('dispatch-data');
  if (!data) return;
  const t = data.strings;
  const lang = document.documentElement.lang;
  const rounded = (value) => Math.round(value).toLocaleString(lang);

  function csrfToken() {
    const input = document.querySelector('#dispatch-console input[name="csrfmiddlewaretoken"]');
    return input ? input.value : '';
  }

  function assignForm(c, idPrefix) {
    const form = el('form', {method: 'post', action: data.urls.assignFallback, class: 'assign-form',
      'data-responder': c.id, 'data-unit': c.name},
    el('input', {type: 'hidden', name: 'csrfmiddlewaretoken', value: csrfToken()}),
    el('input', {type: 'hidden', name: 'responder', value: c.id}));
    if (!c.in_jurisdiction) {
      const id = `${idPrefix}${c.id}`;
      form.append(el('div', {class: 'override'},
        el('label', {for: id}, t.reason),
        el('input', {type: 'text', id, name: 'override_reason', maxlength: '2000'})));
    }
    form.append(el('button', {type: 'submit', class: 'button primary'}, t.assign));
    return form;
  }

  function phoneCell(phone, masked) {
    if (!phone) return el('td', {}, '—');
    return el('td', {class: 'nowrap'}, masked ? phone : el('a', {href: `tel:${phone}`}, phone));
  }

  function row(c, {leading = [], idPrefix = 'override-'} = {}) {
    return el('tr', {'data-responder': c.id, class: c.in_jurisdiction ? 'own-area' : 'other-area'},
      ...leading,
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
      phoneCell(c.phone, c.phone_masked),
      el('td', {}, el('ul', {class: 'reasons'}, ...c.reasons.map((r) => el('li', {}, r))),
        c.in_jurisdiction ? null : el('span', {class: 'badge badge-warning'}, t.otherArea)),
      el('td', {}, assignForm(c, idPrefix)));
  }

  window.PinganCandidateRows = Object.freeze({row, phoneCell, rounded});
})();
