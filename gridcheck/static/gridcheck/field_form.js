/* The mechanics shared by the phone field pages (inspections/visit.js, census/visit.js): a draft kept in
 * the browser (localStorage, one key per visit) that survives a dropped connection and a reload, the
 * network status line, photos checked for type and size before they are kept, signature pads on <canvas>
 * (PNG data URLs), the error box, and sending the draft as JSON when the phone is online (kept pending and
 * sent again on `online` otherwise). No external library, no build step.
 *
 * A page calls window.GridcheckFieldForm.create(options) and then .start() on what it returns. Options:
 *   root, form      the page's root element (its data-* attributes carry the messages, submitUrl and
 *                   photoMaxBytes) and its <form>
 *   key             the localStorage key of the draft
 *   state           the page's state object; draft_id, photos, pending, saved_at are added here
 *   collect()       the data sent (and stored, with `pending` added)
 *   restore(d)      put a stored draft back into the form and the page's state (draft_id, photos and
 *                   pending are restored here); fresh() when there is none (optional)
 *   photo(file, dataUrl)  the object kept for a photo (optional; {data_url, name} by default)
 *   signature       {get: function (who), set: function (who, dataUrlOrNull)} for the .gc-sign pads
 *   restored()      called after restore, before the photos and pads are drawn (optional) */
(function () {
  "use strict";

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function uid() {
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 10);
  }

  function create(opts) {
    var root = opts.root;
    var form = opts.form;
    var ds = root.dataset;
    var KEY = opts.key;
    var MAX = parseInt(ds.photoMaxBytes, 10) || 8 * 1024 * 1024;
    var net = document.getElementById("gc-net");
    var errorsBox = document.getElementById("gc-errors");
    var state = opts.state;
    if (state.draft_id === undefined) state.draft_id = null;
    if (!state.photos) state.photos = [];
    state.pending = !!state.pending;
    if (state.saved_at === undefined) state.saved_at = null;
    var sending = false;

    function showNet(text, offline) {
      net.textContent = text;
      net.classList.toggle("offline", !!offline);
    }
    function netStatus() {
      if (!navigator.onLine) showNet(ds.msgOffline, true);
      else if (state.pending) showNet(ds.msgPending, true);
      else showNet(ds.msgOnline + (state.saved_at ? " · " + ds.msgSaved + " " + state.saved_at : ""), false);
    }

    // --- the form <-> the draft ------------------------------------------------------------------------
    function save() {
      var data = opts.collect();
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
      var d = null;
      try { d = raw ? JSON.parse(raw) : null; } catch (e) { d = null; }
      if (!d) {
        state.draft_id = uid();
        if (opts.fresh) opts.fresh();
        return false;
      }
      state.draft_id = d.draft_id || uid();
      state.photos = d.photos || [];
      state.pending = !!d.pending;
      opts.restore(d);
      return true;
    }

    // --- photos --------------------------------------------------------------------------------------
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
    function photoInput(event) {
      photoError.textContent = "";
      Array.prototype.forEach.call(event.target.files, function (file) {
        if (["image/jpeg", "image/png"].indexOf(file.type) < 0) { photoError.textContent = ds.msgPhotoType; return; }
        if (file.size > MAX) { photoError.textContent = ds.msgPhotoSize; return; }
        var reader = new FileReader();
        reader.onload = function () {
          state.photos.push(opts.photo ? opts.photo(file, reader.result) : { data_url: reader.result, name: file.name });
          renderPhotos();
          save();
        };
        reader.readAsDataURL(file);
      });
      event.target.value = "";
    }

    // --- signature pads --------------------------------------------------------------------------------
    function pad(box) {
      var who = box.dataset.who;
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
        var saved = opts.signature.get(who);
        if (saved) {
          var img = new Image();
          img.onload = function () { ctx.drawImage(img, 0, 0, canvas.clientWidth, canvas.clientHeight); };
          img.src = saved;
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
        opts.signature.set(who, canvas.toDataURL("image/png"));
        save();
      }
      canvas.addEventListener("pointerup", end);
      canvas.addEventListener("pointerleave", end);
      canvas.addEventListener("pointercancel", end);
      box.querySelector(".gc-sign-clear").addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height);
        opts.signature.set(who, null);
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
        body: JSON.stringify(opts.collect()),
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

    function start() {
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
      document.getElementById("gc-photo-input").addEventListener("change", photoInput);
      window.addEventListener("online", function () {
        netStatus();
        if (state.pending) send();
      });
      window.addEventListener("offline", netStatus);

      var restored = restore();
      if (opts.restored) opts.restored();
      renderPhotos();
      document.querySelectorAll(".gc-sign").forEach(pad);
      if (restored) showNet(ds.msgRestored, !navigator.onLine);
      else netStatus();
      root.dataset.ready = "1";
      if (state.pending && navigator.onLine) send();
    }

    return { state: state, save: save, send: send, showErrors: showErrors, start: start };
  }

  window.GridcheckFieldForm = { create: create, csrf: csrf, uid: uid };
})();
