/* The base of every Leaflet map of the portal: the city in view, tiles from the configured URL
 * (ckanext.chemnitz.map.tile_url), and a readable notice instead of a blank map when the tiles
 * cannot be loaded. The data drawn on top never depends on the tiles. The controls speak the
 * page's language (texts from templates/base.html), also the close button of every pop-up.
 */
window.chemnitzMap = function (element, options) {
  "use strict";
  var source = document.getElementById("chemnitz-map-texts");
  var texts = source ? JSON.parse(source.textContent) : {};
  var map = L.map(element, { keyboard: true, zoomControl: false }).setView([50.8322, 12.9252], 12);
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

  if (options.tiles) {
    L.tileLayer(options.tiles, { maxZoom: 19, attribution: options.attribution }).on("tileerror", warn).addTo(map);
  } else {
    warn();
  }
  return map;
};
