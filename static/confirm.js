// confirm_box (templates/_forms.html): hide the tick box; one tap asks the browser to confirm, then
// ticks it. weiyiConfirm(root) sets up a region replaced later (static/councils/live.js).
window.weiyiConfirm = function (root) {
  root.querySelectorAll("[data-confirm]").forEach(function (box) {
    var form = box.closest("form"), tick = box.querySelector("input[type=checkbox]");
    if (!form || !tick || form.dataset.ready) return;
    form.dataset.ready = "1";
    var field = tick.closest(".field");
    if (field && !field.classList.contains("has-error")) field.hidden = true;
    form.addEventListener("submit", function (event) {
      if (tick.checked) return;
      if (window.confirm(box.querySelector(".consequence").textContent)) tick.checked = true;
      else event.preventDefault();
    });
  });
};
window.weiyiConfirm(document);
