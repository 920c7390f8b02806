/* Parking search (/parken): map, sortable table, distance from a chosen place, today's chart.
 *
 * The server renders the table from the DataStore (it works without JavaScript); this script adds
 * the map from the published GeoJSON resource, sorting, "free spaces near me" (calculated here,
 * nothing is sent anywhere) and the chart of today's readings from datastore_search_sql. The map is
 * drawn when it comes into view (basemap.js), with the district outlines once both are there; the
 * districts and the chart are fetched after the page's first paint.
 */
(function () {
  "use strict";

  var root = document.getElementById("parking");
  var table = document.getElementById("parking-table");
  if (!root || !table) {
    return;
  }
  var texts = JSON.parse(document.getElementById("parking-texts").textContent);
  var config = root.dataset;
  var tbody = table.tBodies[0];
  var status = document.getElementById("parking-status");
  var COLOURS = { many: "#1b6e33", some: "#8a4b00", full: "#b3261e", stale: "#5c5c5c", closed: "#5c5c5c", unknown: "#5c5c5c" };

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, key) {
      return key in values ? values[key] : whole;
    });
  }

  function rowsById() {
    var byId = {};
    Array.prototype.forEach.call(tbody.rows, function (row) {
      byId[row.dataset.carPark] = row;
    });
    return byId;
  }

  /* --- sorting ------------------------------------------------------------------------- */

  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function sortBy(header, direction) {
    var column = headers.indexOf(header);
    var numeric = header.dataset.sortKind === "number";
    var rows = Array.prototype.slice.call(tbody.rows);
    rows.sort(function (a, b) {
      var x = a.cells[column].dataset.sortValue;
      var y = b.cells[column].dataset.sortValue;
      var order;
      if (numeric) {
        x = x === "" ? Infinity : Number(x);
        y = y === "" ? Infinity : Number(y);
        order = x - y;
      } else {
        order = x.localeCompare(y, "de");
      }
      return direction === "ascending" ? order : -order;
    });
    rows.forEach(function (row) {
      tbody.appendChild(row);
    });
    headers.forEach(function (other) {
      other.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", direction);
  }

  headers.forEach(function (header) {
    // The headings' links sort on the server (without JavaScript); here their buttons sort in the page.
    var link = header.querySelector(".parking-sort-link");
    if (link) {
      link.remove();
    }
    header.querySelector("button").hidden = false;
    header.querySelector("button").addEventListener("click", function () {
      var direction = header.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
      sortBy(header, direction);
      status.textContent = format(texts.sortedBy, {
        column: header.textContent.trim(),
        direction: texts[direction],
      });
    });
  });

  /* --- map ----------------------------------------------------------------------------- */

  var map = null;
  var origin = null;  // the marker of the place the table is sorted from (originPosition)
  var originPosition = null;
  var mapElement = document.getElementById("parking-map");
  var notice = document.getElementById("parking-map-notice");

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = false;
  }

  function popup(row) {
    var cells = row.cells;
    var container = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = cells[0].textContent.trim();
    container.appendChild(title);
    [
      cells[1].textContent.trim() + " " + texts.free + " " + texts.of + " " + cells[2].textContent.trim(),
      row.dataset.levelLabel,
      texts.readingFrom + " " + cells[5].textContent.replace(/\s+/g, " ").trim(),
    ].forEach(function (line) {
      container.appendChild(document.createElement("br"));
      container.appendChild(document.createTextNode(line));
    });
    return container;
  }

  function addCarParks(features) {
    var rows = rowsById();
    var bounds = [];
    features.forEach(function (feature) {
      var row = rows[feature.id];
      if (!row || !feature.geometry || feature.geometry.type !== "Point") {
        return;
      }
      var position = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
      var level = row.dataset.level;
      L.circleMarker(position, {
        radius: 9,
        color: "#ffffff",
        weight: 2,
        fillColor: COLOURS[level],
        fillOpacity: level === "stale" ? 0.45 : 0.95,
        dashArray: level === "stale" ? "3 3" : null,
      })
        .bindPopup(popup(row))
        .addTo(map);
      bounds.push(position);
    });
    if (bounds.length) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
    }
  }

  var districtOutlines = null;  // the districts' GeoJSON once loaded (startDistricts), drawn on the map

  function drawDistricts() {
    if (map && districtOutlines) {
      L.geoJSON(districtOutlines, { interactive: false, style: { color: "#6b6b6b", weight: 1, fill: false } }).addTo(map);
    }
  }

  function startMap() {
    // First view: the car parks of the table (the same the GeoJSON will show), without a detour over the city.
    var positions = Array.prototype.filter.call(tbody.rows, function (row) { return row.dataset.lat; })
      .map(function (row) { return [Number(row.dataset.lat), Number(row.dataset.lon)]; });
    map = window.chemnitzMap(mapElement, {
      tiles: config.tiles, attribution: config.tilesAttribution, notice: notice, noTilesText: texts.noTiles,
      bounds: positions.length ? L.latLngBounds(positions) : null, boundsOptions: { padding: [24, 24], maxZoom: 15 },
    });
    drawDistricts();
    drawOrigin();
    map.on("click", function (event) {
      setOrigin([event.latlng.lat, event.latlng.lng], texts.mapPoint);
    });
    if (config.mapUrl) {
      fetch(config.mapUrl)
        .then(function (answer) {
          if (!answer.ok) {
            throw new Error(answer.status);
          }
          return answer.json();
        })
        .then(function (collection) {
          addCarParks(collection.features || []);
          mapElement.dataset.carParks = String((collection.features || []).length);
        })
        .catch(function () {
          showNotice(texts.noMapData);
        });
    }
  }

  /* --- free spaces near me --------------------------------------------------------------- */

  function distanceKm(a, b) {
    var rad = Math.PI / 180;
    var dLat = (b[0] - a[0]) * rad;
    var dLon = (b[1] - a[1]) * rad;
    var h = Math.sin(dLat / 2) * Math.sin(dLat / 2) +
      Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
    return 12742 * Math.asin(Math.sqrt(h));
  }

  function kilometres(value) {
    return value.toLocaleString(document.documentElement.lang || "de", { maximumFractionDigits: 1, minimumFractionDigits: 1 }) + " km";
  }

  function setOrigin(position, place) {
    var column = headers.findIndex(function (header) {
      return header.dataset.sortKey === "distance";
    });
    headers[column].hidden = false;
    Array.prototype.forEach.call(tbody.rows, function (row) {
      var cell = row.cells[column];
      cell.hidden = false;
      if (row.dataset.lat && row.dataset.lon) {
        var km = distanceKm(position, [Number(row.dataset.lat), Number(row.dataset.lon)]);
        cell.dataset.sortValue = km.toFixed(3);
        cell.textContent = kilometres(km);
      } else {
        cell.dataset.sortValue = "";
        cell.textContent = "–";
      }
    });
    sortBy(headers[column], "ascending");
    var nearest = Array.prototype.find.call(tbody.rows, function (row) {
      return ["many", "some"].indexOf(row.dataset.level) >= 0;
    });
    status.textContent = nearest
      ? format(texts.sortedByDistance, {
        place: place,
        name: nearest.cells[0].textContent.trim(),
        distance: nearest.cells[column].textContent,
        free: nearest.cells[1].textContent.trim(),
      })
      : format(texts.sortedByDistanceNone, { place: place });
    originPosition = position;
    drawOrigin();
  }

  function drawOrigin() {
    if (!map || !originPosition) {
      return;
    }
    if (origin) {
      origin.setLatLng(originPosition);
    } else {
      origin = L.circleMarker(originPosition, { radius: 6, color: "#1d4ed8", weight: 3, fillOpacity: 1, fillColor: "#ffffff" }).addTo(map);
    }
  }

  /* Area-weighted centre of a polygon's outer ring (lon/lat), good enough to measure from. */
  function ringCentre(ring) {
    var area = 0, x = 0, y = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      area += cross;
      x += (ring[j][0] + ring[i][0]) * cross;
      y += (ring[j][1] + ring[i][1]) * cross;
    }
    return area ? { lat: y / (3 * area), lon: x / (3 * area), size: Math.abs(area) } : null;
  }

  function districtCentre(geometry) {
    var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.type === "MultiPolygon" ? geometry.coordinates : [];
    var best = null;
    polygons.forEach(function (polygon) {
      var centre = ringCentre(polygon[0]);
      if (centre && (!best || centre.size > best.size)) {
        best = centre;
      }
    });
    return best;
  }

  function districtName(properties) {
    var keys = ["name", "NAME", "Name", "stadtteil", "STADTTEIL", "Stadtteil", "STADTTNAME", "stadttname"];
    for (var i = 0; i < keys.length; i++) {
      if (properties[keys[i]]) {
        return String(properties[keys[i]]);
      }
    }
    return null;
  }

  function startDistricts() {
    var select = document.getElementById("parking-district");
    var locate = document.getElementById("parking-locate");
    // An address is looked up in the portal's own house coordinates (/karte/adresse), nowhere else.
    var address = document.getElementById("parking-address");
    if (address) {
      address.addEventListener("submit", function (event) {
        event.preventDefault();
        fetch(address.dataset.url + "?adresse=" + encodeURIComponent(address.elements.adresse.value))
          .then(function (answer) {
            return answer.json();
          })
          .then(function (found) {
            if (found.error) {
              status.textContent = found.error;
            } else {
              setOrigin([found.lat, found.lon], found.label);
            }
          });
      });
    }
    if (!("geolocation" in navigator)) {
      locate.hidden = true;  // shown from the start: nothing moves on a phone while the page loads
    } else {
      locate.addEventListener("click", function () {
        navigator.geolocation.getCurrentPosition(function (where) {
          setOrigin([where.coords.latitude, where.coords.longitude], texts.myPosition);
        }, function () {
          status.textContent = texts.positionDenied;
        });
      });
    }
    if (config.districtsUrl) {
      window.chemnitzAfterFirstPaint(loadDistricts);
    }

    function loadDistricts() {
      fetch(config.districtsUrl)
        .then(function (answer) {
          return answer.json();
        })
        .then(function (collection) {
          var districts = [];
          (collection.features || []).forEach(function (feature) {
            var name = districtName(feature.properties || {});
            var centre = feature.geometry && districtCentre(feature.geometry);
            if (name && centre) {
              districts.push({ name: name, centre: [centre.lat, centre.lon] });
            }
          });
          var collator = new Intl.Collator("de");
          districts.sort(function (a, b) {
            return collator.compare(a.name, b.name);
          });
          districts.forEach(function (district, index) {
            var option = document.createElement("option");
            option.value = String(index);
            option.textContent = district.name;
            select.appendChild(option);
          });
          select.disabled = districts.length === 0;
          select.addEventListener("change", function () {
            if (select.value !== "") {
              var district = districts[Number(select.value)];
              setOrigin(district.centre, district.name);
            }
          });
          districtOutlines = collection;
          drawDistricts();
        })
        .catch(function () {
          select.disabled = true;
        });
    }
  }

  /* --- today's chart --------------------------------------------------------------------- */

  var SVG = "http://www.w3.org/2000/svg";

  function svg(name, attributes, text) {
    var element = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) {
      element.setAttribute(key, attributes[key]);
    });
    if (text !== undefined) {
      element.textContent = text;
    }
    return element;
  }

  function clock(date) {
    return format(texts.oclock, { time: date.toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Berlin" }) });
  }

  function drawChart(plot, name, readings, dayStart) {
    var width = 640, height = 240, left = 44, bottom = 28, top = 10, right = 10;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": format(texts.chartLabel, { name: name }) });
    var x = function (date) { return left + (width - left - right) * (date - dayStart) / 864e5; };
    var y = function (percent) { return height - bottom - (height - bottom - top) * percent / 100; };
    [0, 50, 100].forEach(function (percent) {
      chart.appendChild(svg("line", { class: "grid", x1: left, x2: width - right, y1: y(percent), y2: y(percent) }));
      chart.appendChild(svg("text", { x: left - 6, y: y(percent) + 4, "text-anchor": "end" }, percent + " %"));
    });
    [0, 6, 12, 18, 24].forEach(function (hour) {
      var at = x(dayStart.getTime() + hour * 36e5);
      chart.appendChild(svg("line", { class: "axis", x1: at, x2: at, y1: height - bottom, y2: height - bottom + 4 }));
      chart.appendChild(svg("text", { x: at, y: height - 8, "text-anchor": "middle" }, hour + ":00"));
    });
    chart.appendChild(svg("line", { class: "axis", x1: left, x2: width - right, y1: height - bottom, y2: height - bottom }));
    chart.appendChild(svg("polyline", {
      class: "line",
      points: readings.map(function (r) { return x(r.at) + "," + y(r.percent); }).join(" "),
    }));
    plot.replaceChildren(chart);
  }

  // A DataStore time: with its offset from a timestamptz column; a table from before the pipelines
  // stored the zone gives UTC without one.
  function instant(text) {
    return new Date(/(Z|[+-]\d\d:?\d\d)$/.test(text) ? text : text + "Z");
  }

  function startChart() {
    var select = document.getElementById("parking-chart-car-park");
    var plot = document.getElementById("parking-chart");
    var summary = document.getElementById("parking-chart-summary");
    if (!select || !config.historyId) {
      return;
    }
    function show() {
      var name = select.options[select.selectedIndex].textContent;
      var dayStart = new Date();
      dayStart.setHours(0, 0, 0, 0);
      var sql = "SELECT observed_at, free, total FROM \"" + config.historyId + "\" WHERE car_park = '" +
        select.value.replace(/'/g, "''") + "' AND observed_at >= '" + dayStart.toISOString() +
        "' ORDER BY observed_at";
      summary.textContent = texts.chartLoading;
      fetch(config.sqlUrl + "?sql=" + encodeURIComponent(sql))
        .then(function (answer) {
          if (!answer.ok) {
            throw new Error(answer.status);
          }
          return answer.json();
        })
        .then(function (body) {
          var readings = body.result.records.filter(function (r) { return r.total > 0 && r.free !== null; }).map(function (r) {
            return { at: instant(r.observed_at), percent: Math.round(100 * (r.total - r.free) / r.total) };
          });
          plot.dataset.readings = String(readings.length);
          if (!readings.length) {
            plot.replaceChildren();
            summary.textContent = format(texts.chartEmpty, { name: name });
            return;
          }
          var highest = readings.reduce(function (a, b) { return b.percent > a.percent ? b : a; });
          drawChart(plot, name, readings, dayStart);
          summary.textContent = format(texts.chartSummary, {
            name: name,
            count: readings.length,
            first: clock(readings[0].at),
            last: clock(readings[readings.length - 1].at),
            max: highest.percent,
            maxTime: clock(highest.at),
            latest: readings[readings.length - 1].percent,
          });
        })
        .catch(function () {
          summary.textContent = texts.chartError;
        });
    }
    select.addEventListener("change", show);
    window.chemnitzAfterFirstPaint(show);
  }

  if (typeof L !== "undefined" && mapElement) {
    window.chemnitzMapWhenVisible(mapElement, startMap);
  }
  startDistricts();
  startChart();
}());
