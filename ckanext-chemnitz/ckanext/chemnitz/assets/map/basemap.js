/* The base of every Leaflet map of the portal: the city in view, the configured background layers
 * (options.tiles: JSON from ckanext/chemnitz/spatial/basemaps.py; basemap.de grey first, colour and
 * GeoSN's aerial photographs selectable, each with its attribution), and a readable notice instead
 * of a blank map when the tiles cannot be loaded. The data drawn on top never depends on the tiles.
 * The controls speak the page's language (texts from templates/base.html; the background switcher
 * is named by the layers' JSON), also the close button of every pop-up.
 * options.bounds (a L.LatLngBounds, with options.boundsOptions) is the first view, else the city.
 */
window.chemnitzMap = function (element, options) {
  "use strict";
  var source = document.getElementById("chemnitz-map-texts");
  var texts = source ? JSON.parse(source.textContent) : {};
  var map = L.map(element, { keyboard: true, zoomControl: false });
  // The view the page shows first (options.bounds), not the city first and then a second set of tiles.
  if (options.bounds && options.bounds.isValid()) {
    map.fitBounds(options.bounds, options.boundsOptions);
  } else {
    map.setView([50.8322, 12.9252], 12);
  }
  L.control.zoom({ zoomInTitle: texts.zoomIn || "+", zoomOutTitle: texts.zoomOut || "-" }).addTo(map);
  if (map.attributionControl) {
    var link = document.createElement("a");
    link.href = "https://leafletjs.com";
    link.textContent = "Leaflet";
    link.title = texts.leaflet || "Leaflet";
    map.attributionControl.setPrefix(link.outerHTML);
  }
  map.on("popupopen", function (event) {
    var close = event.popup.getElement() && event.popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close && texts.closePopup) {
      close.setAttribute("aria-label", texts.closePopup);
      close.title = texts.closePopup;
    }
  });
  var warned = false;

  function warn() {
    if (!warned && options.notice) {
      warned = true;
      options.notice.textContent = options.noTilesText;
      options.notice.hidden = false;
    }
  }

  var background = options.tiles ? JSON.parse(options.tiles) : { base: [] };
  var choices = {};
  background.base.forEach(function (layer, index) {
    var tiles = layer.wms
      ? L.tileLayer.wms(layer.wms, { layers: layer.layers, format: "image/png", version: "1.3.0", maxZoom: 19, attribution: layer.attribution })
      : L.tileLayer(layer.url, { maxZoom: 19, maxNativeZoom: 18, attribution: layer.attribution });
    choices[layer.label] = tiles.on("tileerror", warn);
    if (index === 0) {
      tiles.addTo(map);
    }
  });
  if (background.base.length > 1) {
    var toggle = L.control.layers(choices).addTo(map).getContainer().querySelector(".leaflet-control-layers-toggle");
    toggle.title = background.label;
    toggle.setAttribute("aria-label", background.label);
    // Leaflet's icon is an image file next to its CSS, which the portal's asset bundles do not carry.
    toggle.style.backgroundImage = "url(\"data:image/svg+xml," + encodeURIComponent(
      '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 26 26"><path d="M13 3 2 9l11 6 11-6z" fill="#00587c"/>' +
      '<path d="m2 14 11 6 11-6M2 18l11 6 11-6" fill="none" stroke="#00587c" stroke-width="2"/></svg>') + "\")";
    toggle.style.backgroundSize = "26px 26px";
  } else if (!background.base.length) {
    warn();
  }
  return map;
};

/* start() once a quarter of the map's element is in the visible part of the page or it takes the
 * focus: a map further down (or only its top edge at the bottom of a phone's first screen, as on
 * /parken) costs a phone no script work and no tiles while the page loads (Lighthouse,
 * docs/benchmarks.md). A map in view from the start is drawn too only after the page's first paint
 * (the observer reports it then): the text is on the screen before Leaflet's work and the tiles,
 * which held /parken's first paint on a phone. The element is focusable from the start, as Leaflet
 * makes it, so that Tab stops at the map instead of passing the not yet drawn map by.
 */
window.chemnitzMapWhenVisible = function (element, start) {
  "use strict";
  var started = false;
  var observer = null;

  function once() {
    if (!started) {
      started = true;
      if (observer) {
        observer.disconnect();
      }
      start();
    }
  }

  if (!("IntersectionObserver" in window)) {
    once();
    return;
  }
  element.tabIndex = 0;
  element.addEventListener("focus", once);
  observer = new IntersectionObserver(function (entries) {
    if (entries.some(function (entry) { return entry.intersectionRatio >= 0.25; })) {
      once();
    }
  }, { threshold: 0.25 });
  observer.observe(element);
};
