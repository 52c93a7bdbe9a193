/* Weiyi voting: the running total of a budget ballot (or the count of an approval ballot).
   Progressive enhancement only: the server checks every ballot whatever this shows. */
(function () {
  "use strict";
  var box = document.querySelector("fieldset.choices[data-budget]");
  var panel = document.getElementById("running-total");
  if (!box || !panel) { return; }
  var budget = parseInt(box.getAttribute("data-budget"), 10);
  var max = parseInt(box.getAttribute("data-max") || "0", 10);
  var inputs = box.querySelectorAll("input[type=checkbox][data-cost]");
  var total = document.getElementById("ballot-total");
  var count = document.getElementById("ballot-count");
  var meter = document.getElementById("ballot-meter");
  var over = document.getElementById("ballot-over");
  var money;
  try {
    money = new Intl.NumberFormat(document.documentElement.lang || "zh-Hans",
      { style: "currency", currency: "CNY", maximumFractionDigits: 0 });
  } catch (e) { money = { format: function (n) { return "¥" + n; } }; }

  function update() {
    var sum = 0, chosen = 0;
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].checked) { sum += parseInt(inputs[i].getAttribute("data-cost"), 10); chosen += 1; }
    }
    var tooMuch = max ? chosen > max : sum > budget;
    if (total) { total.textContent = money.format(sum); }
    if (count) { count.textContent = String(chosen); }
    if (meter) { meter.value = Math.min(sum, budget); }
    panel.classList.toggle("over", tooMuch);
    over.hidden = !tooMuch;
  }
  box.addEventListener("change", update);
  panel.hidden = false;
  update();
})();
