/* Cash pages (no inline script: CSP): print buttons; the remittance form's "all" box and selected total. */
(function () {
  "use strict";
  document.querySelectorAll(".gc-print").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  var form = document.getElementById("gc-remit-form");
  if (!form) return;
  var all = document.getElementById("gc-remit-all");
  var total = document.getElementById("gc-remit-total");
  var boxes = form.querySelectorAll(".gc-remit-one");
  function update() {
    var fen = 0;
    boxes.forEach(function (box) {
      if (box.checked) fen += Math.round(parseFloat(box.getAttribute("data-amount")) * 100);
    });
    total.textContent = (fen / 100).toFixed(2);
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      update();
    });
  }
  update();
})();
