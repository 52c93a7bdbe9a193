/* Weiyi councils: live meeting views. Progressive enhancement only; without JavaScript the
   pages work and show a refresh link.
   - [data-poll]: fetches its URL every data-interval ms; 204 means nothing changed, 200 brings
     the new region (which carries the next URL). Typed values, focus and open <details> are kept
     by element id; confirmations (static/confirm.js) are set up in the new region.
   - [data-remaining]: counts a speaking turn down from the seconds the server gave. */
(function () {
  "use strict";
  var timers = [];

  function fmt(s) { var m = Math.floor(s / 60), r = s % 60; return m + ":" + (r < 10 ? "0" : "") + r; }

  function startCountdowns(root) {
    timers.forEach(clearInterval);
    timers = [];
    root.querySelectorAll("[data-remaining]").forEach(function (el) {
      var end = Date.now() + parseInt(el.getAttribute("data-remaining"), 10) * 1000;
      function tick() {
        var left = Math.max(0, Math.round((end - Date.now()) / 1000));
        el.textContent = left > 0 ? fmt(left) : el.getAttribute("data-timeup");
        el.classList.toggle("over", left === 0);
      }
      tick();
      timers.push(setInterval(tick, 1000));
    });
  }

  function keep(root) {
    var state = {};
    root.querySelectorAll("input[id], select[id], textarea[id]").forEach(function (el) {
      if (el.type === "hidden") { return; }
      state[el.id] = (el.type === "radio" || el.type === "checkbox") ? el.checked : el.value;
    });
    root.querySelectorAll("details[id]").forEach(function (el) { state[el.id] = el.open; });
    var active = document.activeElement;
    return { values: state, focus: active && root.contains(active) ? active.id : null };
  }

  function restore(root, saved) {
    Object.keys(saved.values).forEach(function (id) {
      var el = document.getElementById(id);
      if (!el || !root.contains(el)) { return; }
      if (el.tagName === "DETAILS") { el.open = saved.values[id]; }
      else if (el.type === "radio" || el.type === "checkbox") { el.checked = saved.values[id]; } else { el.value = saved.values[id]; }
    });
    if (saved.focus) { var f = document.getElementById(saved.focus); if (f) { f.focus(); } }
  }

  function poll(root) {
    var busy = false, submitting = false;
    // A submit a confirmation turned down (static/confirm.js) sends nothing: keep polling.
    document.addEventListener("submit", function (event) { if (!event.defaultPrevented) { submitting = true; } });
    setInterval(function () {
      if (busy || submitting || document.hidden) { return; }
      busy = true;
      fetch(root.getAttribute("data-poll"), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) {
          if (response.status !== 200) { return null; }
          return response.text();
        })
        .then(function (html) {
          if (!html || submitting) { return; }
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector("[data-poll]");
          if (!fresh) { return; }
          var saved = keep(root);
          root.replaceWith(fresh);
          root = fresh;
          restore(root, saved);
          if (window.weiyiConfirm) { window.weiyiConfirm(root); }
          startCountdowns(root);
        })
        .catch(function () { /* offline for a moment: try again at the next tick */ })
        .then(function () { busy = false; });
    }, parseInt(root.getAttribute("data-interval"), 10) || 2500);
  }

  document.addEventListener("DOMContentLoaded", function () {
    startCountdowns(document);
    var root = document.querySelector("[data-poll]");
    if (root) { poll(root); }
  });
}());
