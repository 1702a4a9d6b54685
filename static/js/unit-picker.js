/* The unit lists of the detail page's actions (route: override, transfer: to unit) hold every
 * active unit, some hundreds: a search box above each narrows the list as one types. Options are
 * hidden, not removed, so the form sends what it would without this script. The box's label comes
 * from the page (data-picker-label), the options' text from the server; nothing goes in as HTML.
 */
(function () {
  'use strict';

  const box = document.querySelector('.actions-box[data-picker-label]');
  if (!box) return;
  const label = box.dataset.pickerLabel;

  box.querySelectorAll('select[name$="override_unit"], select[name$="to_unit"]').forEach((select) => {
    const search = document.createElement('input');
    search.type = 'search';
    search.className = 'unit-search';
    search.placeholder = label;
    search.setAttribute('aria-label', label);
    search.setAttribute('aria-controls', select.id);
    select.before(search);
    search.addEventListener('input', () => {
      const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      let first = null;
      for (const option of select.options) {
        if (!option.value) continue;  // the empty choice stays
        const text = option.textContent.toLowerCase();
        const match = words.every((word) => text.includes(word));
        option.hidden = !match;
        if (match && !first) first = option;
      }
      // A list that shows matches only: the size grows to show them without opening it.
      select.size = words.length ? Math.min(8, Math.max(2, select.querySelectorAll('option:not([hidden])').length)) : 0;
      if (first && words.length && select.selectedOptions[0] && select.selectedOptions[0].hidden) {
        select.value = '';
      }
    });
  });
})();
