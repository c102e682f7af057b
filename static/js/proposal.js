/* Autosave for dossier sections, and confirmation of irreversible actions. No framework.
 * Typed text is kept in this browser (localStorage) until the server has saved it, so neither a
 * lost connection nor an expired session loses it; it is restored when the page opens again. */
(function () {
  "use strict";
  var gettext = window.gettext || function (s) { return s; };

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });

  var form = document.querySelector("form[data-autosave]");
  if (!form) return;
  var key = form.dataset.autosaveKey;
  var status = form.querySelector(".autosave-status");
  var fields = form.querySelectorAll("input[name]:not([type=hidden]), textarea[name], select[name]");
  var timer = null;
  var dirty = false;

  function stored() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function remember() {
    var values = {};
    fields.forEach(function (f) { values[f.name] = f.value; });
    try { localStorage.setItem(key, JSON.stringify(values)); } catch (e) { /* private mode */ }
  }
  function say(text) { if (status) status.textContent = text; }

  var saved = stored();
  if (saved) {
    var restored = false;
    fields.forEach(function (f) {
      if (Object.prototype.hasOwnProperty.call(saved, f.name) && saved[f.name] !== f.value) {
        f.value = saved[f.name];
        restored = true;
      }
    });
    if (restored) { say(gettext("Restored text that had not been saved yet.")); dirty = true; schedule(); }
    else { localStorage.removeItem(key); }
  }

  function save() {
    timer = null;
    if (!dirty) return;
    dirty = false;
    var body = new FormData(form);
    say(gettext("Saving…"));
    fetch(form.dataset.autosave, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Autosave": "1", "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok && result.data.saved) {
        if (!dirty) localStorage.removeItem(key);
        say(gettext("Saved at") + " " + result.data.at);
      } else {
        say(gettext("Not saved yet: check the highlighted fields, then press Save.") + " " + (result.data.error || ""));
      }
    }).catch(function () {
      dirty = true;
      say(gettext("Offline: your text is kept in this browser and will be saved when you are back."));
    });
  }
  function schedule() { if (timer) clearTimeout(timer); timer = setTimeout(save, 1500); }

  form.addEventListener("input", function () { dirty = true; remember(); schedule(); });
  form.addEventListener("change", function () { dirty = true; remember(); schedule(); });
  form.addEventListener("submit", function () { remember(); });
  window.addEventListener("online", function () { if (dirty) schedule(); });
})();
