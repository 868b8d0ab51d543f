// The export job page's progress bar. Without JavaScript the page refreshes itself (a meta
// refresh inside <noscript>) and has a refresh link; with it, a small JSON status is polled and
// the page reloads once the job has finished, to show the download link or the error.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box || !box.dataset.polling) return;
  var bar = box.querySelector("[data-export-progress]");
  var percent = box.querySelector("[data-export-percent]");
  var state = box.querySelector("[data-export-state]");
  var delay = 1000;

  function poll() {
    fetch(box.dataset.statusUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (data) {
        if (bar) bar.value = data.progress;
        if (percent) percent.textContent = data.progress + "%";
        if (state) state.textContent = data.label;
        if (data.finished) {
          window.location.reload();
          return;
        }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // The server or the network is busy: ask less often, but keep asking.
        delay = Math.min(delay * 2, 15000);
        window.setTimeout(poll, delay);
      });
  }
  window.setTimeout(poll, delay);
})();
