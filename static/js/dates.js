/* One date format on every screen: YYYY-MM-DD HH:MM, in the browser's own time zone (issue 20
 * point 12). The browser's locale formats ("12/06 04:32", "6 Dec") are never used for dates.
 *
 *   PinganDates.ymdhm(iso) -> "2026-12-06 04:32"
 */
(function () {
  'use strict';
  const two = (n) => String(n).padStart(2, '0');

  function ymdhm(iso) {
    const d = new Date(iso);
    return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
  }

  window.PinganDates = Object.freeze({ymdhm});
})();
