"use strict";
(function () {
  var box = document.getElementById("gc-run");
  if (box.dataset.finished === "1") { return; }
  var bar = document.getElementById("gc-run-bar"), step = document.getElementById("gc-run-step");
  var status = document.getElementById("gc-run-status"), error = document.getElementById("gc-run-error");
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json(); })
      .then(function (p) {
        bar.style.width = p.percent + "%"; bar.textContent = p.percent + " %";
        bar.parentElement.setAttribute("aria-valuenow", p.percent);
        step.textContent = p.step_label + " (" + p.done + "/" + p.total + ")";
        status.textContent = p.status_label; status.dataset.status = p.status;
        var hint = document.getElementById("gc-run-hint"); if (hint && p.status !== "queued") { hint.remove(); }
        if (p.finished) {
          bar.classList.remove("progress-bar-striped", "progress-bar-animated");
          if (p.status === "failed") { bar.classList.add("bg-danger"); error.textContent = p.error; error.classList.remove("d-none"); }
          else { bar.classList.add("bg-success"); document.getElementById("gc-results").classList.remove("d-none"); }
          return;
        }
        setTimeout(poll, 1000);
      })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
