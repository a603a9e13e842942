"use strict";
(function () {
  const form = document.getElementById("case-form");
  if (!form) return;
  const kind = document.getElementById("id_kind");
  const vtype = document.getElementById("id_violation_type");
  function currentKind() {
    return kind ? kind.value : form.dataset.kind;
  }
  function show(selector, visible) {
    const el = document.querySelector(selector);
    if (el) el.hidden = !visible;
  }
  function sync() {
    const theft = currentKind() === "theft";
    show("#theft-facts", theft);
    show("#violation-facts", !theft);
    show(".gc-field-theft_type", theft);
    show(".gc-field-violation_type", !theft);
    const chosen = vtype ? vtype.value : "";
    document.querySelectorAll(".gc-violation").forEach(function (group) {
      group.hidden = theft || group.dataset.violation !== chosen;
    });
    document.querySelectorAll(".gc-setting").forEach(function (box) {
      const name = box.dataset.setting || "";
      const forTheft = name === "basis" || name.startsWith("theft.") || name.startsWith("period.");
      const forViolation = name.startsWith("basic_charge.") || name.startsWith("violation.") || name.startsWith("period.");
      box.hidden = !(name.startsWith("rounding.") || (theft ? forTheft : forViolation));
    });
  }
  if (kind) kind.addEventListener("change", sync);
  if (vtype) vtype.addEventListener("change", sync);
  sync();
})();
