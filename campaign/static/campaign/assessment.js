// Autosave for the self-assessment page. Without JavaScript every item still has its own
// "保存" button; with it, an item is saved when a field changes, and a stale tab is told so
// instead of overwriting newer work (the server compares the item's version).
(function () {
  "use strict";
  var text = document.getElementById("autosave-messages").dataset;
  var pending = new Set();

  function show(form, message, kind) {
    var state = form.querySelector(".save-state");
    state.textContent = message;
    state.className = "save-state " + (kind || "");
  }

  function updateProgress(data) {
    var done = document.querySelector("[data-progress-done]");
    if (done) done.textContent = data.done;
    var bar = document.querySelector("[data-progress-bar]");
    if (bar) bar.value = data.done;
    Object.keys(data.categories).forEach(function (code) {
      var counts = data.categories[code];
      var label = document.querySelector('[data-category="' + code + '"]');
      if (label) label.textContent = counts[0] + "/" + counts[1];
      var catBar = document.querySelector('[data-category-bar="' + code + '"]');
      if (catBar) catBar.value = counts[0];
    });
  }

  // A save that failed for a passing reason is tried again after 2, 4, 8… seconds.
  function retryLater(form, message) {
    var failures = Number(form.dataset.failures || 0);
    var wait = Math.min(60, 2 * Math.pow(2, failures));
    form.dataset.failures = String(failures + 1);
    pending.add(form);
    show(form, message + " " + text.retry.replace("%s", wait), "error");
    setTimeout(function () { save(form); }, wait * 1000);
  }

  // One request per item at a time: a second save waits, or it would carry the old version.
  function save(form) {
    if (form.dataset.stale) return;
    if (form.dataset.busy) {
      form.dataset.again = "1";
      return;
    }
    form.dataset.busy = "1";
    pending.delete(form);
    show(form, text.saving);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          // Not the view's answer: the server (or a proxy before it) failed, not the network.
          return { status: response.status, data: { ok: false, error: text.server + " (" + response.status + ")" } };
        }
        return response.json().then(function (data) {
          return { status: response.status, data: data };
        });
      })
      .then(function (result) {
        var data = result.data;
        if (!data.ok && (result.status >= 500 || result.status === 429)) {
          retryLater(form, data.error);
          return;
        }
        delete form.dataset.failures;
        if (!data.ok) {
          // Refused: the typed text stays in the form, unsaved. Saved elsewhere meanwhile:
          // stop autosaving it; otherwise the next change tries again.
          if (data.stale) form.dataset.stale = "1";
          else pending.add(form);
          show(form, data.error, "error");
          return;
        }
        form.querySelector('input[name="version"]').value = data.version;
        var message = text.saved + " " + data.saved_at;
        if (data.score_error) show(form, data.score_error, "error");
        else show(form, data.problem ? message + " · " + data.problem : message, data.problem ? "warn" : "ok");
        form.closest(".assess-item").classList.toggle("incomplete", Boolean(data.problem));
        updateProgress(data);
      })
      .catch(function () {
        retryLater(form, text.offline);
      })
      .finally(function () {
        delete form.dataset.busy;
        if (form.dataset.again) {
          delete form.dataset.again;
          save(form);
        }
      });
  }

  document.querySelectorAll("form[data-autosave]").forEach(function (form) {
    var timer = null;
    form.addEventListener("change", function () {
      clearTimeout(timer);
      save(form);
    });
    form.addEventListener("input", function () {
      pending.add(form);
      clearTimeout(timer);
      timer = setTimeout(function () { save(form); }, 2000);
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (pending.size) {
      event.preventDefault();
      event.returnValue = text.leave;
    }
  });
})();
