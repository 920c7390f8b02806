/* window.chemnitzAfterFirstPaint(callback): callback() once the browser has shown the page's first
 * text (the paint timing entry "first-contentful-paint"). Work a visitor does not need for the first
 * view waits for it: Font Awesome's font (theme/icons.js), the parking page's districts and chart.
 * Not a frame callback (requestAnimationFrame): that runs inside the first paint's own task, which
 * Lighthouse then counts as waiting for the script that asked for it. Browsers without paint timing
 * run callback() after the load event.
 */
window.chemnitzAfterFirstPaint = function (callback) {
  "use strict";
  var types = window.PerformanceObserver && PerformanceObserver.supportedEntryTypes;
  if (!types || types.indexOf("paint") < 0) {
    if (document.readyState === "complete") {
      window.setTimeout(callback, 0);
    } else {
      window.addEventListener("load", function () { window.setTimeout(callback, 0); });
    }
    return;
  }
  var observer = new PerformanceObserver(function (list, self) {
    if (list.getEntriesByName("first-contentful-paint").length) {
      self.disconnect();
      callback();
    }
  });
  observer.observe({ type: "paint", buffered: true });
};
