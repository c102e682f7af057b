// The contract page: the running total of the tranche rows follows what is typed (the server
// computes it again on every save; the page works without this script).
(function () {
  "use strict";
  var total = document.getElementById("tranche-total");
  var difference = document.getElementById("tranche-difference");
  if (!total) return;
  var approved = parseInt(total.getAttribute("data-approved"), 10) || 0;
  var grouping = document.documentElement.lang === "en" ? "," : ".";

  function group(amount) {
    var sign = amount < 0 ? "-" : "";
    return sign + String(Math.abs(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, grouping) + " ₫";
  }

  function amountOf(text) {
    var cleaned = text.replace(/\s*(₫|đồng|đ|VND)\s*$/i, "").replace(/[.,\s]/g, "");
    return /^-?\d+$/.test(cleaned) ? parseInt(cleaned, 10) : 0;
  }

  function update() {
    var sum = 0;
    document.querySelectorAll("input[name^='tranches-'][name$='-amount']").forEach(function (input) {
      sum += amountOf(input.value);
    });
    total.textContent = group(sum);
    if (difference) {
      difference.textContent = sum === approved ? "" : group(approved - sum);
      difference.parentElement.hidden = sum === approved;
    }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches("input[name^='tranches-'][name$='-amount']")) update();
  });
})();
