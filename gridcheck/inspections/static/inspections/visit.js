/* The field-visit page: the inspection's checklist, findings, notes and the two signatures (customer and
 * inspector) kept as a draft in the browser, one per work order. The draft, the photos, the signature
 * pads and sending are the shared field-form mechanics (gridcheck/field_form.js, loaded before this).
 * No external library. */
(function () {
  "use strict";
  var root = document.getElementById("gc-visit");
  var form = document.getElementById("gc-visit-form");
  if (!root || !form || !window.GridcheckFieldForm) return;
  var state = { draft_id: null, findings: [], photos: [], signatures: {}, pending: false, saved_at: null };
  var page;

  // --- the form <-> the draft --------------------------------------------------------------------
  function collect() {
    var checklist = {};
    form.querySelectorAll(".gc-check").forEach(function (fs) {
      var key = fs.dataset.key;
      var picked = fs.querySelector("input[type=radio]:checked");
      var note = fs.querySelector("input[name='note-" + key + "']").value;
      if (picked || note) checklist[key] = { result: picked ? picked.value : "", note: note };
    });
    return {
      draft_id: state.draft_id,
      checklist: checklist,
      findings: state.findings,
      notes: form.elements.notes.value,
      customer_signer: form.elements.customer_signer.value,
      customer_refused: form.elements.customer_refused.checked,
      refusal_note: form.elements.refusal_note.value,
      signatures: state.signatures,
      photos: state.photos,
      visited_at: state.visited_at || new Date().toISOString(),
    };
  }
  function restore(d) {
    state.findings = d.findings || [];
    state.signatures = d.signatures || {};
    state.visited_at = d.visited_at;
    Object.keys(d.checklist || {}).forEach(function (key) {
      var item = d.checklist[key];
      var radio = document.getElementById("check-" + key + "-" + item.result);
      if (radio) radio.checked = true;
      var note = form.querySelector("input[name='note-" + key + "']");
      if (note) note.value = item.note || "";
    });
    form.elements.notes.value = d.notes || "";
    form.elements.customer_signer.value = d.customer_signer || "";
    form.elements.customer_refused.checked = !!d.customer_refused;
    form.elements.refusal_note.value = d.refusal_note || "";
  }

  // --- findings ------------------------------------------------------------------------------------
  var kindSelect = document.getElementById("gc-finding-kind");
  var severitySelect = document.getElementById("gc-finding-severity");
  function renderFindings() {
    var box = document.getElementById("gc-findings");
    box.innerHTML = "";
    state.findings.forEach(function (f, i) {
      var row = document.createElement("div");
      row.className = "gc-finding";
      var label = kindSelect.querySelector("option[value='" + f.kind + "']");
      var text = document.createElement("div");
      text.className = "text";
      var badge = document.createElement("span");
      badge.className = "badge text-bg-warning me-1";
      badge.textContent = label ? label.textContent : f.kind;
      text.appendChild(badge);
      text.appendChild(document.createTextNode(f.description));
      var del = document.createElement("button");
      del.type = "button";
      del.className = "btn btn-sm btn-outline-danger";
      del.textContent = "×";
      del.addEventListener("click", function () { state.findings.splice(i, 1); renderFindings(); page.save(); });
      row.appendChild(text);
      row.appendChild(del);
      box.appendChild(row);
    });
  }
  function toggleSeverity() { severitySelect.hidden = kindSelect.value !== "hazard"; }
  kindSelect.addEventListener("change", toggleSeverity);
  document.getElementById("gc-finding-add").addEventListener("click", function () {
    var text = document.getElementById("gc-finding-text");
    if (!text.value.trim()) { text.focus(); return; }
    var f = { kind: kindSelect.value, description: text.value.trim() };
    if (f.kind === "hazard") f.severity = severitySelect.value;
    state.findings.push(f);
    text.value = "";
    renderFindings();
    page.save();
  });

  page = window.GridcheckFieldForm.create({
    root: root,
    form: form,
    key: "gridcheck.visit.draft." + root.dataset.workOrder,
    state: state,
    collect: collect,
    restore: restore,
    photo: function (file, dataUrl) {
      return { data_url: dataUrl, name: file.name, captured_at: new Date(file.lastModified || Date.now()).toISOString() };
    },
    signature: {
      get: function (who) { return state.signatures[who]; },
      set: function (who, url) {
        if (url) state.signatures[who] = url;
        else delete state.signatures[who];
      },
    },
    restored: function () {
      renderFindings();
      toggleSeverity();
    },
  });
  page.start();
})();
