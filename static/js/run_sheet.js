/* Refreshes the run sheet's table every 15 seconds; without JavaScript there is a Refresh link. */
(function () {
  "use strict";

  var container = document.querySelector("[data-run-sheet]");
  var status = document.querySelector("[data-refresh-status]");
  if (!container || !window.fetch || !window.DOMParser) {
    return;
  }
  var url = container.getAttribute("data-refresh-url");

  function refresh() {
    window
      .fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var fresh = new window.DOMParser()
          .parseFromString(html, "text/html")
          .querySelector("[data-run-sheet]");
        if (fresh) {
          container.innerHTML = fresh.innerHTML;
        }
        status.textContent = status.getAttribute("data-text-refreshing");
      })
      .catch(function () {
        status.textContent = status.getAttribute("data-text-failed");
      });
  }

  status.textContent = status.getAttribute("data-text-refreshing");
  window.setInterval(refresh, 15000);
})();
