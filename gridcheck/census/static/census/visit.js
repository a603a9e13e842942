/* The census visit page: every named field of the form, the photos and the customer's signature kept as
 * a draft in the browser (localStorage, one per campaign and customer). The draft, the photos, the
 * signature pad and sending are the shared field-form mechanics (gridcheck/field_form.js, loaded before
 * this), as on the inspection visit page; what is this page's own is a form whose fields are read by name.
 * No external library. */
(function () {
  "use strict";
  var root = document.getElementById("gc-census-visit");
  var form = document.getElementById("gc-census-form");
  if (!root || !form || !window.GridcheckFieldForm) return;
  var state = { draft_id: null, photos: [], signature: null, pending: false, saved_at: null, visited_at: null };

  // --- the form <-> the draft: every named element, by its type -------------------------------------
  function fields() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (el.type === "checkbox") values[el.name] = el.checked;
      else if (el.type === "radio") { if (el.checked) values[el.name] = el.value; }
      else values[el.name] = el.value;
    });
    return values;
  }
  function collect() {
    var data = fields();
    data.draft_id = state.draft_id;
    data.photos = state.photos;
    data.customer_signature = state.signature;
    data.visited_at = state.visited_at || new Date().toISOString();
    return data;
  }
  function restore(d) {
    state.signature = d.customer_signature || null;
    state.visited_at = d.visited_at || new Date().toISOString();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in d)) return;
      if (el.type === "checkbox") el.checked = !!d[el.name];
      else if (el.type === "radio") el.checked = d[el.name] === el.value;
      else el.value = d[el.name] == null ? "" : d[el.name];
    });
  }

  window.GridcheckFieldForm.create({
    root: root,
    form: form,
    key: "gridcheck.census.draft." + root.dataset.key,
    state: state,
    collect: collect,
    restore: restore,
    fresh: function () { state.visited_at = new Date().toISOString(); },
    signature: {
      get: function () { return state.signature; },
      set: function (who, url) { state.signature = url; },
    },
  }).start();
})();
