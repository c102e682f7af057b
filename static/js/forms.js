/* The site's forms, progressively enhanced (every form works without this file).
 *
 * - After a failed submit the page comes back with the error summary
 *   (templates/components/error_summary.html, `data-autofocus`): focus moves to it, so a screen
 *   reader reads it first and the keyboard starts there (GOV.UK Design System pattern). A link in
 *   the summary moves focus to its field.
 * - A formset's "Add a row" button (`data-formset-add`) adds the empty row of its
 *   `<template data-formset-template>` in place instead of saving and reloading the page.
 *
 * Loaded from base.html; no inline script (the Content-Security-Policy allows none).
 */
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector(".error-summary[data-autofocus]");
    if (!summary) return;
    if (!summary.hasAttribute("tabindex")) summary.setAttribute("tabindex", "-1");
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!field) return;
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    });
  }

  function addRow(button) {
    var form = button.form;
    var prefix = button.getAttribute("data-prefix");
    var template = form.querySelector("template[data-formset-template]");
    var body = form.querySelector("[data-formset-body]");
    var total = form.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = form.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    if (!template || !body || !total) return false;
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) return false;
    var rows = body.querySelectorAll("[data-formset-row]").length;
    var html = template.innerHTML
      .replace(/__prefix__/g, String(index))
      .replace(/__row__/g, String(rows + 1));
    var holder = document.createElement("tbody");
    holder.innerHTML = html;
    var row = holder.querySelector("[data-formset-row]");
    if (!row) return false;
    body.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("select, input:not([type=hidden]), textarea");
    if (first) first.focus();
    return true;
  }

  function enhanceFormsets() {
    document.querySelectorAll("[data-formset-add]").forEach(function (button) {
      button.addEventListener("click", function (event) {
        if (addRow(button)) event.preventDefault();
      });
    });
  }

  function start() {
    focusSummary();
    enhanceFormsets();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
