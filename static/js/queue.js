/* The matter queue on a phone: the filters start folded under their summary (they take about
 * three screens there); on wider screens they stay open. Without this script they are open. */
(function () {
  'use strict';

  const filters = document.getElementById('queue-filters');
  if (filters && window.matchMedia('(max-width: 40rem)').matches) filters.open = false;
})();
