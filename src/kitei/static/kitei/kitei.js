/* kitei's only script of its own, a static file: the Content-Security-Policy allows no inline script.
   - After a submission with errors the focus starts at the form's error summary (or, when only the
     form as a whole was refused, at its alert), not at the top of the page (WCAG 2.4.3, 3.3.1).
   - A link of the summary takes the focus to its field, as well as scrolling there.
   - A button with data-print opens the browser's print dialog (the printable 申請書). */
(function () {
  "use strict";

  function focusErrors() {
    var target = document.querySelector(".error-summary") ||
      document.querySelector("form .alert.error[role=alert]");
    if (!target) {
      return;
    }
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  function followSummaryLinks() {
    document.querySelectorAll(".error-summary a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (!field) {
          return;
        }
        event.preventDefault();
        var label = document.querySelector("label[for='" + field.id + "']");
        (label || field).scrollIntoView();
        field.focus({preventScroll: true});
      });
    });
  }

  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  function start() {
    focusErrors();
    followSummaryLinks();
    printButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
