// Progressive enhancement only: the flow works the same without this file.
(function () {
  "use strict";
  // Move focus to the error summary so screen readers announce it (GOV.UK pattern).
  var summary = document.querySelector(".error-summary[data-autofocus]");
  if (summary) { summary.focus(); }
  // Guard against double submission; the server is idempotent either way.
  document.querySelectorAll("form.submit-form, form.survey-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) {
        window.setTimeout(function () { button.disabled = true; }, 0);
      }
    });
  });
})();
