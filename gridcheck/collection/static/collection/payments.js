// Collection payment pages: a submit button is disabled once pressed (the hidden submission key already
// makes a second submit post nothing twice); "fill in the total" copies the amount owed into the field.
(function () {
  "use strict";
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      });
    });
  });
  document.querySelectorAll("[data-fill-amount]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var field = document.getElementById("id_amount_yuan");
      if (field) { field.value = link.getAttribute("data-fill-amount"); field.focus(); }
    });
  });
})();
