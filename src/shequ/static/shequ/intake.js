// The window's intake form (services/cases/intake.html).
(function () {
  "use strict";
  // 容缺: the date field shows while a non-key material is unticked.
  function sync() {
    var wrap = document.getElementById("supplement-wrap");
    if (!wrap) { return; }
    wrap.hidden = document.querySelectorAll('#materials input[data-key="0"]:not(:checked)').length === 0;
  }
  document.addEventListener("change", function (e) { if (e.target.name === "provided") { sync(); } });
  document.addEventListener("htmx:afterSwap", sync);
  // Enter submits from the checklist too (keyboard-only intake).
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key === "Enter" && t.type === "checkbox" && t.form && t.form.id === "intake-form") {
      e.preventDefault();
      t.form.requestSubmit();
    }
  });
})();
