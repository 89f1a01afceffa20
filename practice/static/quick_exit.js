/* Leave quickly: the button, or Escape pressed twice, swaps this page for a neutral site and
   replaces it in the browser's history, so Back does not return here. Loaded before
   practice.js, so that its "unsaved words" prompt cannot hold a leaving person back. */
(function () {
  "use strict";

  var link = document.querySelector("a[data-quick-exit]");
  if (!link) { return; }
  var away = link.getAttribute("href");
  var ESCAPES_WITHIN_MS = 1500;
  var lastEscape = 0;
  var leaving = false;

  function leave(event) {
    if (event) { event.preventDefault(); }
    leaving = true;
    document.body.hidden = true; // nothing stays on screen while the next site loads
    window.location.replace(away);
  }

  window.addEventListener("beforeunload", function (event) {
    if (leaving) { event.stopImmediatePropagation(); }
  });
  link.addEventListener("click", leave);
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" && event.key !== "Esc") { return; }
    var now = Date.now();
    if (now - lastEscape <= ESCAPES_WITHIN_MS) {
      leave(event);
    } else {
      lastEscape = now;
    }
  });
}());
