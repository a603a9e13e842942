/* Billing pages: the refund form shows the fields of the chosen kind only (no inline script: CSP). */
(function () {
  "use strict";
  var form = document.getElementById("gc-adjustment-form");
  if (!form) return;
  function update() {
    var checked = form.querySelector("input[name=kind]:checked");
    var kind = checked ? checked.value : "";
    form.querySelectorAll(".gc-kind").forEach(function (set) {
      set.hidden = set.getAttribute("data-kind") !== kind;
    });
  }
  form.querySelectorAll("input[name=kind]").forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
