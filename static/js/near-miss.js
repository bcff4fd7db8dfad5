/* 404: a visitor who typed or pasted a PID a little wrong (the other ARK
   form, a DOI in capitals, hyphens, trailing punctuation from a sentence,
   `doi:` or `ark:` as a path) is sent to its page, found in pids.csv. */
var pidsiteNearMiss = (function () {
  "use strict";
  // The comparable form of a site path or a PID as written.
  function key(text) {
    var s = text.trim();
    try { s = decodeURIComponent(s); } catch (e) { /* keep it as it is */ }
    s = s.toLowerCase()
      .replace(/^https?:\/\/[^/]+\//, "")
      .replace(/index\.html?$/, "")
      .replace(/[\s.,;:)\]>'"]+$/, "")
      .replace(/\/+$/, "");
    s = s.replace(/^(?:.*\/)?ark:\/?/, "ark/")
      .replace(/^doi:\/?/, "doi/")
      .replace(/^hdl:\/?/, "hdl/")
      .replace(/^(10\.\d)/, "doi/$1")
      .replace(/^urn:/, "urn/")
      .replace(/^urn\/(.*)$/, function (_, rest) { return "urn/" + rest.replace(/:/g, "/"); });
    return s.replace(/-/g, "");
  }
  function parse(csv) {
    return csv.split(/\r?\n/).slice(1).filter(Boolean).map(function (line) {
      var cells = [], cell = "", quoted = false;
      for (var i = 0; i < line.length; i++) {
        var c = line[i];
        if (quoted) {
          if (c === '"' && line[i + 1] === '"') { cell += '"'; i++; }
          else if (c === '"') { quoted = false; }
          else { cell += c; }
        } else if (c === '"') { quoted = true; }
        else if (c === ",") { cells.push(cell); cell = ""; }
        else { cell += c; }
      }
      cells.push(cell);
      return { pid: cells[0], url: cells[1] };
    });
  }
  // A path of this site relative to the base (a URL or a `/` path).
  function relative(text, base) {
    var path = text.replace(/^https?:\/\/[^/]+/, "");
    if (path.indexOf(base) === 0) { return path.slice(base.length); }
    return path.replace(/^\/+/, "");
  }
  // The row whose page the requested path (relative to the base) means.
  function find(rows, requested, base) {
    var want = key(requested);
    if (!want) { return null; }
    var hits = rows.filter(function (row) {
      var path = relative(row.url, base);
      // Pages sit at escaped paths (`~XX` for each byte of anything but
      // letters, digits, `-`, `_`, `.`): also compare them unescaped, and
      // an old URL or path of this site (an alias) as written.
      var unescaped = path.replace(/~([0-9A-Fa-f]{2})/g, "%$1");
      return key(path) === want || key(unescaped) === want || key(row.pid) === want ||
        (/^(https?:\/\/|\/)/.test(row.pid) && key(relative(row.pid, base)) === want);
    });
    return hits.length ? hits[0] : null;
  }
  if (typeof document !== "undefined") {
    var box = document.getElementById("near-miss");
    if (box && window.fetch) {
      var base = box.getAttribute("data-base") || "/";
      var path = location.pathname;
      if (path.indexOf(base) === 0) { path = path.slice(base.length); }
      fetch(base + "pids.csv").then(function (r) { return r.ok ? r.text() : ""; }).then(function (csv) {
        var row = find(parse(csv), path, base);
        // Never send a visitor back to the address that just failed.
        if (!row || row.url.replace(/^https?:\/\/[^/]+/, "") === location.pathname) { return; }
        var link = document.createElement("a");
        link.href = row.url + location.search + location.hash;
        link.textContent = row.pid;
        // The page's words where its language is not English (data-i18n).
        var own = {};
        try { own = JSON.parse(box.getAttribute("data-i18n") || "{}"); } catch (e) { /* English */ }
        var words = (typeof own.to_page === "string" ? own.to_page : "Taking you to the page of {pid}").split("{pid}");
        box.textContent = words[0];
        box.appendChild(link);
        if (words[1]) { box.appendChild(document.createTextNode(words[1])); }
        box.hidden = false;
        location.replace(link.href);
      });
    }
  }
  return { key: key, parse: parse, find: find };
})();
if (typeof module !== "undefined") { module.exports = pidsiteNearMiss; }
