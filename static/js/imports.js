// The Import page while a check or an import runs in the background: ask for the state every
// two seconds and reload the page when it changes (the page itself shows the outcome).
(function () {
  "use strict";
  var node = document.getElementById("upload-state");
  if (!node || !node.dataset.stateUrl) {
    return;
  }
  var url = node.dataset.stateUrl;
  var state = node.dataset.state;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.state !== state) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
