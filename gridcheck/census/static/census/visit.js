/* The census visit page: every named field of the form, the photos and the customer's signature kept as
 * a draft in the browser (localStorage, one per campaign and customer) that survives a dropped
 * connection and a reload, sent as JSON when the phone is online. Same behaviour as the inspection
 * visit page (inspections/visit.js), for a form whose fields are read by name. No external library. */
(function () {
  "use strict";
  var root = document.getElementById("gc-census-visit");
  var form = document.getElementById("gc-census-form");
  if (!root || !form) return;
  var ds = root.dataset;
  var KEY = "gridcheck.census.draft." + ds.key;
  var MAX = parseInt(ds.photoMaxBytes, 10) || 8 * 1024 * 1024;
  var net = document.getElementById("gc-net");
  var errorsBox = document.getElementById("gc-errors");
  var state = { draft_id: null, photos: [], signature: null, pending: false, saved_at: null, visited_at: null };
  var sending = false;

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }
  function uid() { return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10); }
  function showNet(text, offline) { net.textContent = text; net.classList.toggle("offline", !!offline); }
  function netStatus() {
    if (!navigator.onLine) showNet(ds.msgOffline, true);
    else if (state.pending) showNet(ds.msgPending, true);
    else showNet(ds.msgOnline + (state.saved_at ? " · " + ds.msgSaved + " " + state.saved_at : ""), false);
  }

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
  function save() {
    var data = collect();
    data.pending = state.pending;
    try {
      localStorage.setItem(KEY, JSON.stringify(data));
      state.saved_at = new Date().toTimeString().slice(0, 5);
    } catch (e) { showNet(ds.msgStorage, true); return; }
    netStatus();
  }
  function restore() {
    var raw = localStorage.getItem(KEY);
    var d = null;
    try { d = raw ? JSON.parse(raw) : null; } catch (e) { d = null; }
    if (!d) { state.draft_id = uid(); state.visited_at = new Date().toISOString(); return false; }
    state.draft_id = d.draft_id || uid();
    state.photos = d.photos || [];
    state.signature = d.customer_signature || null;
    state.pending = !!d.pending;
    state.visited_at = d.visited_at || new Date().toISOString();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in d)) return;
      if (el.type === "checkbox") el.checked = !!d[el.name];
      else if (el.type === "radio") el.checked = d[el.name] === el.value;
      else el.value = d[el.name] == null ? "" : d[el.name];
    });
    return true;
  }

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
        state.photos.push({ data_url: reader.result, name: file.name });
        renderPhotos();
        save();
      };
      reader.readAsDataURL(file);
    });
    event.target.value = "";
  });

  // --- the signature pad -----------------------------------------------------------------------------
  function pad(box) {
    var canvas = box.querySelector("canvas");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    function size() {
      var ratio = window.devicePixelRatio || 1;
      canvas.width = canvas.clientWidth * ratio;
      canvas.height = canvas.clientHeight * ratio;
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      if (state.signature) {
        var img = new Image();
        img.onload = function () { ctx.drawImage(img, 0, 0, canvas.clientWidth, canvas.clientHeight); };
        img.src = state.signature;
      }
    }
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    }
    canvas.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      drawing = true;
      if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
      var p = point(e);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      ctx.lineTo(p.x + 0.1, p.y + 0.1);
      ctx.stroke();
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
      state.signature = canvas.toDataURL("image/png");
      save();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointerleave", end);
    canvas.addEventListener("pointercancel", end);
    box.querySelector(".gc-sign-clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      state.signature = null;
      save();
    });
    size();
  }

  // --- sending ---------------------------------------------------------------------------------------
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
    if (!navigator.onLine) { state.pending = true; save(); return; }
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
  window.addEventListener("online", function () { netStatus(); if (state.pending) send(); });
  window.addEventListener("offline", netStatus);

  var restored = restore();
  renderPhotos();
  document.querySelectorAll(".gc-sign").forEach(pad);
  if (restored) showNet(ds.msgRestored, !navigator.onLine);
  else netStatus();
  root.dataset.ready = "1";
  if (state.pending && navigator.onLine) send();
})();
