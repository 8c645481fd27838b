/* Editors' desk behaviour. Loaded as a file because the CSP forbids inline scripts and eval. */
(function () {
  "use strict";

  function selectedBoxes() {
    return document.querySelectorAll('.queue input[name="ids"]:checked');
  }

  function updateCount() {
    var out = document.querySelector("[data-selected-count]");
    if (!out) return;
    var n = selectedBoxes().length;
    var en = document.documentElement.lang === "en";
    out.textContent = n ? (en ? n + " selected" : "Đã chọn " + n) : "";
  }

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el.matches && el.matches("[data-check-all]")) {
      document.querySelectorAll('.queue input[name="ids"]').forEach(function (b) { b.checked = el.checked; });
    }
    updateCount();
  });

  // Live refresh of the queue: skip the poll while the editor has rows selected, so a refresh
  // never wipes their selection; filters live in the poll URL, and swapping only the table body
  // keeps the scroll position.
  document.addEventListener("htmx:beforeRequest", function (e) {
    var elt = e.detail && e.detail.elt;
    if (elt && elt.id === "queue-rows" && selectedBoxes().length > 0) e.preventDefault();
  });

  document.addEventListener("input", function (e) {
    var el = e.target;
    var id = el.getAttribute && el.getAttribute("data-counter");
    if (id) {
      var out = document.getElementById(id);
      if (out) out.textContent = String(el.value.length);
    }
  });

  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-remove-citation]");
    if (btn) {
      var row = btn.closest(".citation");
      if (row) row.remove();
    }
  });
})();

/* A region that scrolls (a wide table on a phone, a long data table) must be reachable by keyboard
   (axe: scrollable-region-focusable); opening a <details> can make one scroll, so check again then. */
(function () {
  "use strict";
  function focusableScrollers() {
    document.querySelectorAll(".table-wrap, pre").forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1;
      if (scrolls && !el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
    });
  }
  document.addEventListener("DOMContentLoaded", focusableScrollers);
  document.addEventListener("toggle", focusableScrollers, true);
  window.addEventListener("resize", focusableScrollers);
})();
