/* Bothand flow: progressive enhancement only. Every page works without this file.
   1. When a form comes back with missing answers, move focus to the error summary so that
      keyboard and screen reader users land on the list of what to fix.
   2. On a questionnaire, choosing an answer with a tap or a click, for an item not yet
      answered, brings the next item (or the send button, after the last) to the top of the
      screen when it is not already in full view. Keys do not move the page: arrow keys
      change the answer within a group, and Tab goes on. Focus stays where it is; changing an
      earlier answer does not move the page either. */
(function () {
  "use strict";
  function focusSummary() {
    var summary = document.getElementById("error-summary");
    if (summary && typeof summary.focus === "function") {
      summary.focus();
    }
  }

  function nextScreen(screen) {
    var next = screen.nextElementSibling;
    while (next && !(next.classList.contains("item-screen") || next.classList.contains("form-end"))) {
      next = next.nextElementSibling;
    }
    return next;
  }

  function autoAdvance(form) {
    var pointer = null; // the item a pointer went down on, and whether it was answered then
    form.addEventListener("pointerdown", function (event) {
      var screen = event.target.closest(".item-screen");
      pointer = screen ? { screen: screen, answered: !!screen.querySelector("input:checked") } : null;
    });
    form.addEventListener("keydown", function () {
      pointer = null;
    });
    form.addEventListener("change", function (event) {
      var input = event.target;
      var started = pointer;
      pointer = null;
      if (!started || started.answered || input.type !== "radio") {
        return;
      }
      var screen = input.closest(".item-screen");
      if (screen !== started.screen) {
        return;
      }
      var next = nextScreen(screen);
      if (!next) {
        return;
      }
      var box = next.getBoundingClientRect();
      if (box.top >= 0 && box.bottom <= window.innerHeight) {
        return; // already in full view (a wide screen): the page stays still
      }
      var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      window.setTimeout(function () {
        next.scrollIntoView({ behavior: still ? "auto" : "smooth", block: "start" });
      }, still ? 0 : 150);
    });
  }

  function start() {
    focusSummary();
    var forms = document.querySelectorAll("form.questionnaire");
    for (var i = 0; i < forms.length; i += 1) {
      autoAdvance(forms[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
