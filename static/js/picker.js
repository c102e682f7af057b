// Organisation pickers (templates/researchers/_organisation_picker.html): as one types two
// letters or more, ask the portal for at most ten organisations and offer them in the
// field's <datalist>. Without JavaScript the field is a plain text filter.
(function () {
  "use strict";
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    var timer = null;
    var asked = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = input.value.trim();
        if (text.length < 2 || text === asked) return;
        asked = text;
        var url = new URL(input.dataset.suggest, window.location.href);
        url.searchParams.set("q", text);
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            list.replaceChildren();
            data.results.forEach(function (organisation) {
              var option = document.createElement("option");
              option.value = organisation.name;
              if (organisation.short_name) option.label = organisation.short_name;
              list.appendChild(option);
            });
          })
          .catch(function () { /* suggestions are a help, the field works without them */ });
      }, 200);
    });
  });
})();
