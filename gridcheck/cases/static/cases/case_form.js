"use strict";
(function () {
  const kind = document.getElementById("id_kind");
  function sync() {
    const theft = kind.value === "theft";
    document.getElementById("theft-facts").hidden = !theft;
    document.getElementById("violation-facts").hidden = theft;
    document.querySelector(".gc-field-theft_type").hidden = !theft;
    document.querySelector(".gc-field-violation_type").hidden = theft;
  }
  kind.addEventListener("change", sync);
  sync();
})();
