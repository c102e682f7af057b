// A large export written by the worker (templates/grants/export_status.html): follow its
// progress every few seconds without reloading the page; once it is ready (or failed), show
// the page again with its download link. Without JavaScript, the page's "Refresh" link does it.
(function () {
  "use strict";
  var watch = document.getElementById("export-watch");
  if (!watch) return;
  var bar = document.getElementById("export-progress");
  var rows = document.getElementById("export-rows");
  var template = rows.textContent;
  function ask() {
    fetch(watch.dataset.status, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (data.state !== "queued" && data.state !== "running") {
          window.location.reload();
          return;
        }
        bar.value = data.percent;
        bar.textContent = data.percent + "%";
        rows.textContent = template.replace(/\d+/, data.rows_done);
        setTimeout(ask, 3000);
      })
      .catch(function () { setTimeout(ask, 10000); });
  }
  setTimeout(ask, 3000);
})();
