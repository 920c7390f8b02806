/* Maps of the place search (search page, /karte, the dataset's coverage): the searched box, the
 * dataset's area or the facilities found, on the portal's base map. The submit button "search
 * the visible map area" (hidden without JavaScript) puts the map's bounds into ext_bbox: move or
 * zoom the map with the mouse or the keyboard (arrow keys, + and -), then press it. Everything on
 * the maps is also given as text. A map is drawn when it comes into view (basemap.js).
 */
(function () {
  "use strict";

  var STYLE = { color: "#00587c", weight: 2, fillOpacity: 0.12 };

  function json(section, selector) {
    var element = section.querySelector(selector);
    return element ? JSON.parse(element.textContent) : null;
  }

  function draw(section) {
    var texts = json(section, ".chemnitz-place-texts") || {};
    var shown = [];
    if (section.dataset.bbox) {
      var box = section.dataset.bbox.split(",").map(Number);
      shown.push(L.rectangle([[box[1], box[0]], [box[3], box[2]]], STYLE));
    }
    var geometry = json(section, ".chemnitz-place-geometry");
    if (geometry) {
      shown.push(L.geoJSON(geometry, {
        style: STYLE,
        pointToLayer: function (feature, position) { return L.circleMarker(position, { radius: 6, color: STYLE.color }); },
      }));
    }
    var map = window.chemnitzMap(section.querySelector(".chemnitz-place-canvas"), {
      tiles: section.dataset.tiles,
      attribution: section.dataset.tilesAttribution,
      notice: section.querySelector(".chemnitz-place-notice"),
      noTilesText: texts.noTiles,
      bounds: shown.length ? L.featureGroup(shown).getBounds() : null,
      boundsOptions: { maxZoom: 15, padding: [8, 8] },
    });
    shown.forEach(function (layer) { layer.addTo(map); });
    (json(section, ".chemnitz-place-points") || []).forEach(function (point) {
      L.circleMarker([point.lat, point.lon], { radius: 6, color: "#ffffff", weight: 2, fillColor: "#00587c", fillOpacity: 0.9 })
        .bindTooltip(document.createTextNode(point.name + " (" + point.dataset + ")"))
        .addTo(map);
    });
    return map;
  }

  // The button "search the visible map area" (hidden without JavaScript) draws the map if it is not yet.
  function setUp(section) {
    if (section.dataset.ready) {
      return;  // htmx reports the whole page as loaded too
    }
    section.dataset.ready = "1";
    var map = null;

    function drawn() {
      map = map || draw(section);
      return map;
    }

    window.chemnitzMapWhenVisible(section.querySelector(".chemnitz-place-canvas"), drawn);
    var form = section.parentElement.querySelector(".chemnitz-place-form");
    var button = form && form.querySelector(".chemnitz-place-use-view");
    if (button) {
      button.addEventListener("click", function () {
        var view = drawn().getBounds();
        form.querySelector("input[name=ext_bbox]").value = [view.getWest(), view.getSouth(), view.getEast(), view.getNorth()]
          .map(function (number) { return number.toFixed(5); }).join(",");
        var district = form.querySelector("select[name=ext_district]");
        if (district) {
          district.value = "";
        }
      });  // then the button submits the form
    }
  }

  document.querySelectorAll(".chemnitz-place-map").forEach(setUp);
  // The search page's filter panel, which holds the place search, is replaced by htmx after a
  // filter was chosen (logged-in users): its new map is set up as well.
  document.addEventListener("htmx:load", function (event) {
    event.detail.elt.querySelectorAll(".chemnitz-place-map").forEach(setUp);
  });
})();
