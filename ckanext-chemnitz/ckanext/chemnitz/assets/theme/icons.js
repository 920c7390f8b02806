/* Font Awesome's icons on the pages a visitor reads (templates/page.html, theme/assets.py): its
 * stylesheet (disabled, so not fetched) is enabled once the page's first text is shown
 * (first-paint.js); it and the icon font come after the text, not in competition with it.
 */
window.chemnitzAfterFirstPaint(function () {
  "use strict";
  document.querySelectorAll("link[data-chemnitz-icons]").forEach(function (link) {
    link.disabled = false;
  });
});
