// A building head's visit form (party/buildings/visit_new.html): the appeal's
// fields show only while 同时代居民提出诉求 is ticked (without JavaScript they
// stay visible and the service ignores them unticked).
(function () {
  "use strict";
  var box = document.getElementById("raise_appeal");
  var fields = document.getElementById("appeal-fields");
  if (!box || !fields) { return; }
  function sync() { fields.hidden = !box.checked; }
  box.addEventListener("change", sync);
  sync();
})();
