"use strict";
// Behaviour shared by every page, attached here because the Content-Security-Policy allows no inline script.
(function () {
  // A select marked data-autosubmit submits its form when it changes (the month pickers of the dashboards).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field && field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
})();
