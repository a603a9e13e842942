/* The field-visit page: a draft kept in the browser (localStorage, one per work order) that survives a
 * dropped connection and a reload, sent when the phone is back online; signature pads on <canvas>
 * (PNG data URLs); photos checked for type and size before they are kept. No external library. */
(function () {
  "use strict";
  var root = document.getElementById("gc-visit");
  var form = document.getElementById("gc-visit-form");
  if (!root || !form) return;
  var ds = root.dataset;
  var KEY = "gridcheck.visit.draft." + ds.workOrder;
  var MAX = parseInt(ds.photoMaxBytes, 10) || 8 * 1024 * 1024;
  var net = document.getElementById("gc-net");
  var errorsBox = document.getElementById("gc-errors");
  var state = { draft_id: null, findings: [], photos: [], signatures: {}, pending: false, saved_at: null };
  var sending = false;

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function uid() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }
  function showNet(text, offline) {
    net.textContent = text;
    net.classList.toggle("offline", !!offline);
  }
  function netStatus() {
    if (!navigator.onLine) showNet(ds.msgOffline, true);
    else if (state.pending) showNet(ds.msgPending, true);
    else showNet(ds.msgOnline + (state.saved_at ? " · " + ds.msgSaved + " " + state.saved_at : ""), false);
  }

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
  function save() {
    var data = collect();
    data.pending = state.pending;
    try {
      localStorage.setItem(KEY, JSON.stringify(data));
      state.saved_at = new Date().toTimeString().slice(0, 5);
    } catch (e) {
      showNet(ds.msgStorage, true);
      return;
    }
    netStatus();
  }
  function restore() {
    var raw = localStorage.getItem(KEY);
    if (!raw) {
      state.draft_id = uid();
      return false;
    }
    var d;
    try { d = JSON.parse(raw); } catch (e) { state.draft_id = uid(); return false; }
    state.draft_id = d.draft_id || uid();
    state.findings = d.findings || [];
    state.photos = d.photos || [];
    state.signatures = d.signatures || {};
    state.pending = !!d.pending;
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
    return true;
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
      del.addEventListener("click", function () { state.findings.splice(i, 1); renderFindings(); save(); });
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
    save();
  });

  // --- photos ----------------------------------------------------------------------------------------
  var photoError = document.getElementById("gc-photo-error");
  function renderPhotos() {
    var box = document.getElementById("gc-photos");
    box.innerHTML = "";
    state.photos.forEach(function (p, i) {
      var fig = document.createElement("figure");
      var img = document.createElement("img");
      img.src = p.data_url;
      img.alt = p.name;
      var del = document.createElement("button");
      del.type = "button";
      del.className = "btn btn-sm btn-light";
      del.textContent = "×";
      del.addEventListener("click", function () { state.photos.splice(i, 1); renderPhotos(); save(); });
      fig.appendChild(img);
      fig.appendChild(del);
      box.appendChild(fig);
    });
  }
  document.getElementById("gc-photo-input").addEventListener("change", function (event) {
    photoError.textContent = "";
    Array.prototype.forEach.call(event.target.files, function (file) {
      if (["image/jpeg", "image/png"].indexOf(file.type) < 0) { photoError.textContent = ds.msgPhotoType; return; }
      if (file.size > MAX) { photoError.textContent = ds.msgPhotoSize; return; }
      var reader = new FileReader();
      reader.onload = function () {
        state.photos.push({
          data_url: reader.result,
          name: file.name,
          captured_at: new Date(file.lastModified || Date.now()).toISOString(),
        });
        renderPhotos();
        save();
      };
      reader.readAsDataURL(file);
    });
    event.target.value = "";
  });

  // --- signature pads --------------------------------------------------------------------------------
  function pad(box) {
    var who = box.dataset.who;
    var canvas = box.querySelector("canvas");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    function size() {
      var ratio = window.devicePixelRatio || 1;
      canvas.width = canvas.clientWidth * ratio;
      canvas.height = canvas.clientHeight * ratio;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      if (state.signatures[who]) {
        var img = new Image();
        img.onload = function () { ctx.drawImage(img, 0, 0, canvas.clientWidth, canvas.clientHeight); };
        img.src = state.signatures[who];
      }
    }
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    }
    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      drawing = true;
      canvas.setPointerCapture && canvas.setPointerCapture(e.pointerId);
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x + 0.1, p.y + 0.1);
      ctx.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
    });
    function end() {
      if (!drawing) return;
      drawing = false;
      if (drawn) { state.signatures[who] = canvas.toDataURL("image/png"); save(); }
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointerleave", end);
    canvas.addEventListener("pointercancel", end);
    box.querySelector(".gc-sign-clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      drawn = false;
      delete state.signatures[who];
      save();
    });
    size();
  }

  // --- sending -----------------------------------------------------------------------------------------
  function showErrors(list) {
    errorsBox.innerHTML = "";
    (list || []).forEach(function (m) {
      var div = document.createElement("div");
      div.textContent = m;
      errorsBox.appendChild(div);
    });
    errorsBox.classList.toggle("d-none", !list || !list.length);
    if (list && list.length) errorsBox.scrollIntoView({ block: "center" });
  }
  function send() {
    if (sending) return;
    if (!navigator.onLine) {
      state.pending = true;
      save();
      return;
    }
    sending = true;
    showNet(ds.msgSending, false);
    fetch(ds.submitUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "X-Requested-With": "fetch" },
      body: JSON.stringify(collect()),
    })
      .then(function (response) {
        return response.json().then(function (body) { return { status: response.status, body: body }; });
      })
      .then(function (result) {
        sending = false;
        if (result.body && result.body.ok) {
          localStorage.removeItem(KEY);
          window.location.href = result.body.url;
          return;
        }
        state.pending = false;
        save();
        showErrors((result.body && result.body.errors) || ["HTTP " + result.status]);
      })
      .catch(function () {
        // The connection dropped on the way: keep the draft and send it when back online.
        sending = false;
        state.pending = true;
        save();
      });
  }

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showErrors([]);
    state.pending = true;
    save();
    send();
  });
  document.getElementById("gc-save").addEventListener("click", save);
  window.addEventListener("online", function () {
    netStatus();
    if (state.pending) send();
  });
  window.addEventListener("offline", netStatus);

  var restored = restore();
  renderFindings();
  renderPhotos();
  toggleSeverity();
  document.querySelectorAll(".gc-sign").forEach(pad);
  if (restored) showNet(ds.msgRestored, !navigator.onLine);
  else netStatus();
  root.dataset.ready = "1";
  if (state.pending && navigator.onLine) send();
})();
