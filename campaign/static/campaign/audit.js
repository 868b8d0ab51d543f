// Per-item autosave for the office audit. Without JavaScript the page is one form with a
// "保存审核打分" button; with it, an item's row is saved on its own when a field changes, a
// stale row (someone else saved it meanwhile) is stopped and says who — the auditor's next
// change to it is then saved over it deliberately — and a save that failed for a passing
// reason (network, server busy, login timed out) is retried after 2, 4, 8… seconds. Each row
// says 未保存 / 保存中 / 已自动保存, or what went wrong, in the server's words when it sent any.
(function () {
  "use strict";
  var page = document.getElementById("audit-form");
  if (!page) return;
  var text = document.getElementById("autosave-messages").dataset;
  var pageToken = page.querySelector('input[name="csrfmiddlewaretoken"]').value;

  // Signing in again (in another tab, after the idle logout) changes the token: the cookie
  // has the current one.
  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : pageToken;
  }
  var pending = new Set();

  function show(row, message, kind) {
    var state = row.querySelector(".save-state");
    state.textContent = message;
    state.className = "save-state " + (kind || "");
  }

  function body(row) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf());
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

  // One save at a time for the whole page: a clerk's quick clicks never pile up requests on
  // the server (the embedded SQLite serialises writers anyway).
  var queue = [];
  var inFlight = false;

  function save(row) {
    if (row.dataset.stale) return;
    if (inFlight) {
      if (queue.indexOf(row) === -1) queue.push(row);
      row.dataset.busy = "1";
      show(row, text.saving);
      return;
    }
    inFlight = true;
    row.dataset.busy = "1";
    pending.delete(row);
    show(row, text.saving);
    fetch(row.dataset.saveUrl, {
      method: "POST", body: body(row), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.redirected && type.indexOf("application/json") === -1) {
          // Sent to the login page: the session timed out, nothing was saved.
          return { status: 401, data: { ok: false, error: text.login } };
        }
        if (type.indexOf("application/json") === -1) {
          // Not the view's answer: the server (or a proxy before it) failed.
          return { status: response.status, data: { ok: false, error: text.server + " (" + response.status + ")" } };
        }
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      }, function () {
        // Only here did the request not reach the server (or its answer not come back).
        return { status: 0, data: { ok: false, error: text.offline } };
      })
      .then(function (result) {
        var data = result.data;
        if (data.ok) {
          delete row.dataset.failures;
          row.querySelector('input[name^="version-"]').value = data.version;
          // Typed on while this save was under way: that is saved next.
          if (pending.has(row)) show(row, text.unsaved, "warn");
          else show(row, text.saved + " " + data.saved_at, "ok");
          return;
        }
        if (data.stale) {
          // Keep the typed values; the row now carries the version the message speaks of.
          row.dataset.stale = "1";
          pending.add(row);
          row.querySelector('input[name^="version-"]').value = data.version;
          show(row, data.error, "error");
        } else if (result.status >= 500 || [0, 401, 429].indexOf(result.status) !== -1) {
          retryLater(row, data.error);
        } else {
          pending.add(row);
          show(row, data.error, "error");
        }
      })
      // An answer the page could not read is the server's failure, not the network's.
      .catch(function () { retryLater(row, text.server); })
      .finally(function () {
        delete row.dataset.busy;
        inFlight = false;
        var next = queue.shift();
        if (next) save(next);
      });
  }

  document.querySelectorAll("[data-save-url]").forEach(function (row) {
    var timer = null;
    // A change the auditor makes after a stale refusal is theirs to save over the other.
    row.addEventListener("change", function () {
      clearTimeout(timer);
      delete row.dataset.stale;
      save(row);
    });
    row.addEventListener("input", function () {
      pending.add(row);
      delete row.dataset.stale;
      show(row, text.unsaved, "warn");
      clearTimeout(timer);
      timer = setTimeout(function () { save(row); }, 2000);
    });
    var same = row.querySelector("[data-same-as-self]");
    if (same) {
      same.hidden = false;
      same.addEventListener("click", function () {
        // The self-score itself: no adjustment, so no reason is needed.
        row.querySelector('input[name^="score-"]').value = same.dataset.sameAsSelf;
        clearTimeout(timer);
        delete row.dataset.stale;
        save(row);
      });
    }
  });

  // The whole-form buttons (保存, 退回修改) wait for the autosaves in flight: each brings back
  // its row's new version, which the form must carry or its save would be refused as stale.
  page.addEventListener("submit", function (event) {
    if (page.dataset.settled) return;
    event.preventDefault();
    var button = event.submitter;
    var waited = 0;
    // Never from inside this handler: a form ignores a submit requested while it is firing one.
    setTimeout(function whenSettled() {
      var busy = page.querySelector("[data-save-url][data-busy]");
      if (busy && waited < 15000) {
        waited += 100;
        setTimeout(whenSettled, 100);
        return;
      }
      pending.clear();
      page.dataset.settled = "1";
      page.requestSubmit(button);
    }, 0);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  window.addEventListener("beforeunload", function (event) {
    if (pending.size) { event.preventDefault(); event.returnValue = text.leave; }
  });
})();
