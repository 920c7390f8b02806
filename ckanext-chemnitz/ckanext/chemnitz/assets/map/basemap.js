/* The base of every Leaflet map of the portal: the city in view, tiles from the configured URL
 * (ckanext.chemnitz.map.tile_url), and a readable notice instead of a blank map when the tiles
 * cannot be loaded. The data drawn on top never depends on the tiles.
 */
window.chemnitzMap = function (element, options) {
  "use strict";
  var map = L.map(element, { keyboard: true }).setView([50.8322, 12.9252], 12);
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
