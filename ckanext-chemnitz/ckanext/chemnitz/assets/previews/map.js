/* GeoJSON preview: the resource's features on the portal's base map, each with a popup of its
 * attributes, and the same features as a list of names (the text alternative of the map).
 * Attribute values are inserted as text, never as HTML.
 */
(function () {
  "use strict";

  var NAME_KEYS = ["name", "bezeichnung", "titel", "title", "lage", "einrichtung", "stadtteil"];
  var MAX_LISTED = 500;

  function featureName(properties, index, texts) {
    var keys = Object.keys(properties || {});
    for (var i = 0; i < NAME_KEYS.length; i++) {
      var key = keys.find(function (candidate) { return candidate.toLowerCase() === NAME_KEYS[i]; });
      if (key && properties[key] !== null && properties[key] !== "") {
        return String(properties[key]);
      }
    }
    return texts.object.replace("{n}", index + 1);
  }

  function popup(properties) {
    var table = document.createElement("table");
    table.className = "table table-sm";
    Object.keys(properties || {}).forEach(function (key) {
      var value = properties[key];
      if (value === null || value === "" || typeof value === "object") {
        return;
      }
      var row = table.insertRow();
      var head = document.createElement("th");
      head.scope = "row";
      head.textContent = key;
      row.appendChild(head);
      row.insertCell().textContent = String(value);
    });
    return table;
  }

  document.querySelectorAll(".chemnitz-preview-map").forEach(function (section) {
    var texts = JSON.parse(section.querySelector(".chemnitz-preview-map-texts").textContent);
    var summary = section.querySelector(".chemnitz-preview-map-summary");
    var map = window.chemnitzMap(section.querySelector(".chemnitz-preview-map-canvas"), {
      tiles: section.dataset.tiles,
      attribution: section.dataset.tilesAttribution,
      notice: section.querySelector(".chemnitz-preview-map-notice"),
      noTilesText: texts.noTiles,
    });
    fetch(section.dataset.url)
      .then(function (answer) {
        if (!answer.ok) {
          throw new Error(answer.status);
        }
        return answer.json();
      })
      .then(function (data) {
        var features = data.type === "FeatureCollection" ? data.features || [] : [data];
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, position) {
            return L.circleMarker(position, { radius: 7, color: "#ffffff", weight: 2, fillColor: "#00587c", fillOpacity: 0.9 });
          },
          style: { color: "#00587c", weight: 2, fillOpacity: 0.15 },
          onEachFeature: function (feature, item) {
            item.bindPopup(popup(feature.properties));
          },
        }).addTo(map);
        if (layer.getBounds().isValid()) {
          map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 16 });
        }
        var list = section.querySelector(".chemnitz-preview-map-list");
        var items = list.querySelector("ol");
        features.slice(0, MAX_LISTED).forEach(function (feature, index) {
          var entry = document.createElement("li");
          entry.textContent = featureName(feature.properties, index, texts);
          items.appendChild(entry);
        });
        list.hidden = features.length === 0;
        var matched = Number(data.numberMatched);
        summary.textContent = matched > features.length
          ? texts.partial.replace("{count}", features.length.toLocaleString("de-DE")).replace("{total}", matched.toLocaleString("de-DE"))
          : texts.summary.replace("{count}", features.length.toLocaleString("de-DE"));
        section.dataset.features = String(features.length);
      })
      .catch(function () {
        summary.textContent = texts.failed;
      });
  });
}());
