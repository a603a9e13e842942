// The hazard form's customer picker: as the clerk types an account number or a name, the datalist offers
// the matching customers of their scope (account number as the value, "account name" as the label).
// Options are built with textContent and value only: no HTML from data.
(function () {
  "use strict";
  var list = document.getElementById("hazard-customers");
  var input = list && document.querySelector('input[list="hazard-customers"]');
  if (!input) return;
  var url = list.getAttribute("data-lookup-url");
  var timer = null;
  var last = "";

  function fill(results) {
    while (list.firstChild) list.removeChild(list.firstChild);
    results.forEach(function (r) {
      var option = document.createElement("option");
      option.value = r.value;
      option.textContent = r.label;
      option.label = r.label;
      list.appendChild(option);
    });
  }

  input.addEventListener("input", function () {
    var q = input.value.trim();
    if (q === last || q.length < 2) return;
    last = q;
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(q), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) { if (input.value.trim() === q) fill(data.results || []); })
        .catch(function () { /* the clerk can still type the whole account number */ });
    }, 250);
  });
})();
