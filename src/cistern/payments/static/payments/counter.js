/* Counter: show the change due (cash) as the cashier types. The server computes it again. */
(function () {
  "use strict";
  function cents(text) {
    var cleaned = (text || "").replace(/[$,\s]/g, "");
    if (!/^\d+(\.\d{0,2})?$/.test(cleaned)) { return null; }
    var parts = cleaned.split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }
  function update(form, output) {
    var total = 0;
    form.querySelectorAll("input[name^='amount_']").forEach(function (input) {
      total += cents(input.value) || 0;
    });
    var tendered = cents(form.querySelector("[name='tendered']").value);
    var cash = form.querySelector("[name='tender']").value === "cash";
    if (!cash || tendered === null || total === 0) { output.textContent = ""; return; }
    var change = tendered - total;
    output.textContent = change >= 0
      ? output.dataset.changeLabel + " $" + (change / 100).toFixed(2)
      : output.dataset.shortLabel + " $" + (-change / 100).toFixed(2);
  }
  document.addEventListener("DOMContentLoaded", function () {
    var output = document.getElementById("change-due");
    if (!output) { return; }
    var form = output.closest("form");
    form.addEventListener("input", function () { update(form, output); });
    form.addEventListener("change", function () { update(form, output); });
  });
})();
