/* pidsite: the maps of located identifiers (IIIF navPlace), drawn with
   Leaflet. The list beside a map is its data: each item carries its place's
   coordinates (data-lat, data-lon; a shape's in data-line or data-polygon),
   so a page holds them once, and the list stays the way to every place
   without JavaScript or when the tiles cannot load (the markers then stand
   on a blank background). Loaded only on pages with a map. */
(function () {
  "use strict";
  if (!window.L) { return; }

  function escaped(text) {
    var div = document.createElement("div");
    div.textContent = text;
    return div.innerHTML.replace(/"/g, "&quot;");
  }

  // The tile provider's attribution, as its usage policy asks: its name,
  // linked to its copyright page.
  function credit(box) {
    var text = box.getAttribute("data-attribution") || "";
    var url = box.getAttribute("data-attribution-url") || "";
    if (!text) { return ""; }
    return url ? '<a href="' + escaped(url) + '">' + escaped(text) + "</a>" : escaped(text);
  }

  function draw(box) {
    var list = document.getElementById(box.getAttribute("data-map"));
    var items = list ? list.querySelectorAll("[data-lat]") : [];
    if (!items.length) { return; }
    box.hidden = false;
    var map = L.map(box, { zoomControl: false, scrollWheelZoom: false });
    L.control.zoom({
      zoomInTitle: box.getAttribute("data-zoom-in") || "Zoom in",
      zoomOutTitle: box.getAttribute("data-zoom-out") || "Zoom out"
    }).addTo(map);
    var tiles = box.getAttribute("data-tiles");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 19, attribution: credit(box) }).addTo(map);
    }
    var bounds = [];
    Array.prototype.forEach.call(items, function (item) {
      var lat = parseFloat(item.getAttribute("data-lat"));
      var lon = parseFloat(item.getAttribute("data-lon"));
      if (!isFinite(lat) || !isFinite(lon)) { return; }
      var name = item.querySelector(".place-name");
      var label = (name || item).textContent.trim();
      // On the map page a place is listed under its identifier's link.
      var entry = item.parentElement && item.parentElement.closest("li");
      var link = entry && entry.querySelector("a");
      var popup = document.createElement("div");
      if (link) {
        popup.appendChild(link.cloneNode(true));
        popup.appendChild(document.createElement("br"));
      }
      var named = document.createElement("span");
      named.textContent = label;
      if (name && name.lang) { named.lang = name.lang; }
      popup.appendChild(named);
      var title = link ? link.textContent.trim() + ": " + label : label;
      // A marker is a button in the tab order (Leaflet's keyboard
      // option); Enter opens its popup.
      L.marker([lat, lon], { title: title, alt: title, keyboard: true })
        .bindPopup(popup)
        .addTo(map);
      bounds.push([lat, lon]);
      ["polygon", "line"].forEach(function (kind) {
        var shape = item.getAttribute("data-" + kind);
        if (!shape) { return; }
        var points;
        try { points = JSON.parse(shape); } catch (e) { return; }
        var layer = kind === "polygon" ? L.polygon : L.polyline;
        layer(points, { interactive: false, weight: 2 }).addTo(map);
        bounds = bounds.concat(points);
      });
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 10);
    } else {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12 });
    }
  }

  document.querySelectorAll("[data-map]").forEach(draw);
}());
