/* Bothand flow: progressive enhancement only. Every page works without this file.
   When a form comes back with missing answers, move focus to the error summary so that
   keyboard and screen reader users land on the list of what to fix. */
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (summary && typeof summary.focus === "function") {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusSummary);
  } else {
    focusSummary();
  }
})();
