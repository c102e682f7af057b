/* The ballot's running total, a confirmation before the final submit, and focus on the error
   summary after a refused submit (the page works without it: the summary is role="alert"). */
(function () {
  "use strict";
  var summary = document.querySelector(".error-summary[data-autofocus]");
  if (summary) summary.focus();
  var form = document.querySelector("form.ballot");
  if (!form) return;
  var total = form.querySelector("[data-total]");
  function sum() {
    var points = 0;
    form.querySelectorAll("input.points").forEach(function (input) {
      var value = parseInt(input.value, 10);
      if (!isNaN(value)) points += value;
    });
    if (total) total.textContent = points;
  }
  form.addEventListener("input", sum);
  form.addEventListener("submit", function (event) {
    var submitter = event.submitter;
    if (submitter && submitter.name === "submit" && form.dataset.confirmSubmit &&
        !window.confirm(form.dataset.confirmSubmit)) {
      event.preventDefault();
    }
  });
})();
