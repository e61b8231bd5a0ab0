// The user table's "select this page" box ticks every row's box (templates/users/_bulk_bar.html).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    const box = event.target;
    if (!box.matches || !box.matches("input[data-select-page]")) return;
    document.querySelectorAll('input[name="ids"][form="bulk-form"]').forEach(function (row) {
      row.checked = box.checked;
    });
  });
})();
