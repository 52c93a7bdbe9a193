/* Weiyi: a proposal written without a network is kept on the phone (photos are not) and, once the
   network is back, put into a freshly loaded form, whose CSRF token is fresh: never a replayed POST. */
(function () {
  "use strict";
  var o = window.weiyiOffline, form = document.querySelector("form[data-draft]");
  if (!o || !o.store || !form) { return; }
  var key = "weiyi-draft:" + location.pathname, d = form.dataset;
  form.addEventListener("submit", function (event) {
    if (navigator.onLine !== false) { return; }
    event.preventDefault();
    var values = {};
    for (var i = 0; i < form.elements.length; i++) {
      var el = form.elements[i];
      if (el.name && el.name !== "csrf_token" && !/^(file|submit|button|hidden|password)$/.test(el.type) &&
          (!/^(radio|checkbox)$/.test(el.type) || el.checked)) { values[el.name] = el.value; }
    }
    o.store.setItem(key, JSON.stringify(values));
    o.say(d.draftSaved);
    scrollTo(0, 0);
  });
  addEventListener("online", function () {
    if (o.store.getItem(key)) { o.back(); }
  });
  var saved = o.store.getItem(key);
  if (saved && !o.copy && navigator.onLine !== false) {
    o.say(d.draftFound, d.draftRestore, function () {
      var values = JSON.parse(saved);
      for (var name in values) {
        var els = form.querySelectorAll("[name='" + name + "']");
        for (var i = 0; i < els.length; i++) {
          if (/^(radio|checkbox)$/.test(els[i].type)) { els[i].checked = els[i].value === values[name]; }
          else { els[i].value = values[name]; }
        }
      }
      o.store.removeItem(key);
      o.say(d.draftRestored);
      form.querySelector("input:not([type=hidden]), textarea, select").focus();
    });
  }
})();
