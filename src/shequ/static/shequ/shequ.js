// The page behaviour every template shares, in one self-hosted file: the
// Content-Security-Policy allows no inline event handlers (docs/security.md).
//   <form data-confirm="…">        asks before the form is submitted
//   <button data-confirm="…">      asks before that button submits its form
//   <select data-autosubmit>       submits its form when the choice changes
//   <details data-toggles="ID">    shows the element #ID while it is open
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-confirm], input[type=submit][data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.submit();
    }
  });
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.dataset && details.dataset.toggles) {
      var shown = document.getElementById(details.dataset.toggles);
      if (shown) { shown.hidden = !details.open; }
    }
  }, true);
})();
