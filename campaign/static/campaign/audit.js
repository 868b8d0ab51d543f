// Per-item autosave for the office audit. Without JavaScript the page is one form with a
// "保存审核打分" button; with it, an item's row is saved on its own when a field changes, a
// stale row (someone else saved it meanwhile) is stopped and says who, and a save that failed
// for a passing reason (network, server busy) is retried after 2, 4, 8… seconds.
(function () {
  "use strict";
  var page = document.getElementById("audit-form");
  if (!page) return;
  var text = document.getElementById("autosave-messages").dataset;
  var csrf = page.querySelector('input[name="csrfmiddlewaretoken"]').value;
  var pending = new Set();

  function show(row, message, kind) {
    var state = row.querySelector(".save-state");
    state.textContent = message;
    state.className = "save-state " + (kind || "");
  }

  function body(row) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    row.querySelectorAll("input[name], textarea[name]").forEach(function (field) {
      data.append(field.name, field.value);
    });
    return data;
  }

  function retryLater(row, message) {
    var wait = Math.min(60, 2 * Math.pow(2, Number(row.dataset.failures || 0)));
    row.dataset.failures = String(Number(row.dataset.failures || 0) + 1);
    pending.add(row);
    show(row, message + " " + text.retry.replace("%s", wait), "error");
    setTimeout(function () { save(row); }, wait * 1000);
  }

  function save(row) {
    if (row.dataset.stale) return;
    if (row.dataset.busy) { row.dataset.again = "1"; return; }
    row.dataset.busy = "1";
    pending.delete(row);
    show(row, text.saving);
    fetch(row.dataset.saveUrl, {
      method: "POST", body: body(row), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          // Not the view's answer: the server (or a proxy before it) failed.
          return { status: response.status, data: { ok: false, error: text.server + " (" + response.status + ")" } };
        }
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        var data = result.data;
        if (data.ok) {
          delete row.dataset.failures;
          row.querySelector('input[name^="version-"]').value = data.version;
          show(row, text.saved + " " + data.saved_at, "ok");
          return;
        }
        if (data.stale) {
          row.dataset.stale = "1";
          show(row, data.error, "error");
        } else if (result.status >= 500 || result.status === 429) {
          retryLater(row, data.error);
        } else {
          pending.add(row);
          show(row, data.error, "error");
        }
      })
      .catch(function () { retryLater(row, text.offline); })
      .finally(function () {
        delete row.dataset.busy;
        if (row.dataset.again) { delete row.dataset.again; save(row); }
      });
  }

  document.querySelectorAll("[data-save-url]").forEach(function (row) {
    var timer = null;
    row.addEventListener("change", function () { clearTimeout(timer); save(row); });
    row.addEventListener("input", function () {
      pending.add(row);
      clearTimeout(timer);
      timer = setTimeout(function () { save(row); }, 2000);
    });
    var same = row.querySelector("[data-same-as-self]");
    if (same) {
      same.hidden = false;
      same.addEventListener("click", function () {
        row.querySelector('input[name^="score-"]').value = same.dataset.sameAsSelf;
        save(row);
      });
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  window.addEventListener("beforeunload", function (event) {
    if (pending.size) { event.preventDefault(); event.returnValue = text.leave; }
  });
})();
