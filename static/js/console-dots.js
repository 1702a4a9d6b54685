/* The dispatch console's unit dots carry the candidate list's label, the row's number and the
 * unit's name ("1 北关调解室"), and a dot and its row light up together when either is pointed at.
 *
 * dispatch-console.js calls PinganConsoleDots.decorate(marker, candidate) for each dot it draws;
 * the label is read from the list's row, so the two always say the same. Text goes into the page
 * with textContent only (a Leaflet tooltip given a string would insert it as HTML).
 */
(function () {
  'use strict';

  const dots = new Map(); // responder id → its current marker

  function rowOf(id) {
    return document.querySelector(`#candidates tr[data-responder="${CSS.escape(String(id))}"]`);
  }

  function labelOf(candidate) {
    const row = rowOf(candidate.id);
    const number = row && row.cells.length ? row.cells[0].textContent.trim() : '';
    return number ? `${number} ${candidate.name}` : candidate.name;
  }

  function light(id) {
    for (const [key, marker] of dots) {
      const on = key === id;
      const path = marker.getElement();
      if (path) path.classList.toggle('active', on);
      const tip = marker.getTooltip() && marker.getTooltip().getElement();
      if (tip) tip.classList.toggle('active', on);
      if (on) marker.bringToFront();
    }
    for (const row of document.querySelectorAll('#candidates tr[data-responder]')) {
      row.classList.toggle('pointed', row.dataset.responder === id);
    }
  }

  /* Label ``marker`` (a candidate's dot) as the list does and tie it to its row. */
  function decorate(marker, candidate) {
    const id = String(candidate.id);
    const text = document.createElement('span');
    text.textContent = labelOf(candidate);
    marker.bindTooltip(text, {permanent: true, direction: 'right', offset: [8, 0], className: 'dot-label'});
    const tag = () => {
      const path = marker.getElement();
      if (path) {
        path.classList.add('responder-dot');
        path.dataset.responder = id;
      }
      const tip = marker.getTooltip().getElement();
      if (tip) tip.dataset.responder = id;
    };
    marker.on('add', tag);
    marker.on('tooltipopen', tag);
    marker.on('mouseover', () => light(id));
    marker.on('mouseout', () => light(null));
    dots.set(id, marker);
  }

  function fromRow(event) {
    const row = event.target.closest && event.target.closest('#candidates tr[data-responder]');
    if (row) light(row.dataset.responder);
  }
  document.addEventListener('mouseover', fromRow);
  document.addEventListener('focusin', fromRow);
  document.addEventListener('mouseout', (event) => {
    const row = event.target.closest && event.target.closest('#candidates tr[data-responder]');
    if (row && !row.contains(event.relatedTarget)) light(null);
  });

  window.PinganConsoleDots = {decorate, labelOf};
})();
