/* Weiyi offline (sw.js): a banner on a saved copy; saved pages dropped on logout or a timed-out login. */
(function () {
"use strict";
var me = document.currentScript, copy = document.documentElement.hasAttribute("data-offline"), box, store;
try { store = localStorage; } catch (e) { store = null; }
function say(text, label, action) {
  if (!box) {
    box = document.createElement("div");
    box.className = "flashes offline-banner";
    box.setAttribute("role", "status");
    document.getElementById("main").prepend(box);
  }
  box.innerHTML = '<p class="flash"></p>';
  box.firstChild.textContent = text + " ";
  if (label) {
    var b = box.firstChild.appendChild(document.createElement("button"));
    b.type = "button";
    b.textContent = label;
    b.onclick = action;
  }
}
function back() {
  say(me.dataset.online, me.dataset.reload, function () { location.assign(location.pathname + location.search); });
}
function forget(drafts) {
  for (var i = store ? store.length - 1 : -1; i >= 0; i--) {
    var key = store.key(i);
    if (key === "weiyi-in" || (drafts && key.indexOf("weiyi-draft:") === 0)) { store.removeItem(key); }
  }
  var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
  if (worker) { worker.postMessage("forget"); }
}
window.weiyiOffline = { say: say, back: back, copy: copy, store: store };
function offline() { say(me.dataset.offline); }
addEventListener("offline", offline);
addEventListener("online", function () { if (copy) { back(); } else if (box) { box.remove(); box = null; } });
if (copy || navigator.onLine === false) { offline(); }
document.addEventListener("submit", function (e) { if (/\/auth\/logout$/.test(e.target.action)) { forget(true); } });
// A timed-out login keeps the drafts: their writer logs in again to send them.
if (store && !copy) {
  if (document.querySelector("form[action$='/auth/logout']")) { store.setItem("weiyi-in", "1"); }
  else if (store.getItem("weiyi-in")) { forget(false); }
}
if ("serviceWorker" in navigator) { navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {}); }
})();
