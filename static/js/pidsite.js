/* pidsite: progressive enhancement only. Every page works without it:
   citations are in the HTML, the viewer has a thumbnail in its place. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // The page's own words where its language is not English: the script
  // tag's data-i18n (see script_strings in the README's Templates).
  var own = {};
  try {
    var tag = document.currentScript;
    own = JSON.parse((tag && tag.getAttribute("data-i18n")) || "{}");
  } catch (e) { /* English */ }
  function word(key, english) { return typeof own[key] === "string" ? own[key] : english; }

  function say(box, text) {
    var status = box && box.querySelector(".status");
    if (status) { status.textContent = text; }
  }

  function copy(text, box) {
    var done = function () { say(box, word("copied_status", "Copied to the clipboard.")); };
    var fail = function () { say(box, word("copy_by_hand", "Press Ctrl+C (⌘C) to copy the selected text.")); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fail);
      return;
    }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy") ? done() : fail(); } catch (e) { fail(); }
    document.body.removeChild(area);
  }

  // What a copy button copies: its own data-copy text (the PID link), or
  // the citation shown beside it, which the page does not repeat (that
  // doubled each citation's bytes).
  function copyText(button) {
    var own = button.getAttribute("data-copy");
    if (own !== null) { return own; }
    var figure = button.closest("figure");
    var shown = figure && figure.querySelector(".cite-text");
    if (!shown) { return ""; }
    if (shown.tagName === "PRE") { return shown.textContent; }
    return shown.textContent.replace(/\s+/g, " ").trim();
  }

  // Each citation's copy button, labelled from its box (issue 22: the
  // page no longer carries one hidden button per style). A figure that
  // already has one (an older site template) keeps it.
  document.querySelectorAll(".citations[data-copy-label]").forEach(function (box) {
    box.querySelectorAll("figure.cite-style").forEach(function (figure) {
      if (figure.querySelector("button.copy")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy";
      var bibtex = figure.getAttribute("data-style") === "bibtex" && box.getAttribute("data-copy-bibtex");
      button.textContent = bibtex || box.getAttribute("data-copy-label");
      figure.appendChild(button);
    });
  });

  // Copy buttons (hidden until script runs).
  document.querySelectorAll("button.copy").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var box = button.closest(".citations") || document.querySelector(".citations");
      copy(copyText(button), box);
      if (!button.closest(".citations")) {
        var label = button.textContent;
        button.textContent = word("copied", "Copied");
        setTimeout(function () { button.textContent = label; }, 1500);
      }
    });
  });

  // Citation style switcher: tabs over the styles rendered in the page.
  document.querySelectorAll(".citations").forEach(function (box) {
    var styles = Array.prototype.slice.call(box.querySelectorAll(".cite-style"));
    if (styles.length < 2) { return; }
    var saved = null;
    try { saved = localStorage.getItem("pidsite-style"); } catch (e) { /* private mode */ }
    var tabs = document.createElement("div");
    tabs.className = "style-tabs";
    tabs.setAttribute("role", "tablist");
    tabs.setAttribute("aria-label", word("style_tabs", "Citation style"));
    var buttons = styles.map(function (style, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.id = "tab-" + style.id;
      // The tab's label is the figure's caption (a data-label, which
      // templates before issue 22 wrote beside it, still wins).
      var caption = style.querySelector("figcaption");
      b.textContent = style.getAttribute("data-label") || (caption ? caption.textContent : style.id);
      b.setAttribute("role", "tab");
      b.setAttribute("aria-controls", style.id);
      style.setAttribute("role", "tabpanel");
      style.setAttribute("aria-labelledby", b.id);
      b.addEventListener("click", function () { select(i, true); });
      b.addEventListener("keydown", function (e) {
        var next = e.key === "ArrowRight" ? i + 1 : e.key === "ArrowLeft" ? i - 1 : null;
        if (next === null) { return; }
        e.preventDefault();
        next = (next + styles.length) % styles.length;
        select(next, true);
        buttons[next].focus();
      });
      tabs.appendChild(b);
      return b;
    });
    function select(index, remember) {
      styles.forEach(function (style, i) {
        var on = i === index;
        style.hidden = !on;
        buttons[i].setAttribute("aria-selected", on ? "true" : "false");
        buttons[i].tabIndex = on ? 0 : -1;
      });
      if (remember) {
        try { localStorage.setItem("pidsite-style", styles[index].getAttribute("data-style")); } catch (e) { /* ignore */ }
      }
    }
    box.insertBefore(tabs, box.firstChild);
    var wanted = saved || box.getAttribute("data-default");
    var start = Math.max(0, styles.findIndex(function (s) { return s.getAttribute("data-style") === wanted; }));
    select(start, false);
  });

  // The header's search box: without JavaScript the header links to the
  // browse pages only.
  var siteSearch = document.querySelector("form.site-search");
  if (siteSearch) siteSearch.hidden = false;

  // Home page filter.
  var filter = document.querySelector("form.filter");
  if (filter) {
    filter.hidden = false;
    filter.addEventListener("submit", function (e) { e.preventDefault(); });
    var input = filter.querySelector("input");
    // What a card is found by: its title and its PID, read from the card
    // (a data-search, which templates before issue 22 wrote, still wins).
    function searchable(card) {
      var own = card.getAttribute("data-search");
      if (own !== null) { return own; }
      var parts = card.querySelectorAll(".card-title, .card-meta code");
      return Array.prototype.map.call(parts, function (p) { return p.textContent; }).join(" ").toLowerCase();
    }
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      document.querySelectorAll(".cards .card").forEach(function (card) {
        card.hidden = q !== "" && searchable(card).indexOf(q) === -1;
      });
    });
  }

  // The viewer's script (megabytes) loads only when its box comes into view,
  // so the page's text and citation render first.
  var viewer = document.querySelector(".viewer[data-manifest]");
  if (!viewer) { return; }
  // IIIF Content State 1.0: base64url (no padding) of the
  // encodeURIComponent'd JSON; the 0.9 draft used encodeURI, which
  // decodeURIComponent also undoes. Mirador has no Content State support
  // (Mirador #4386), so the state is turned into canvasId and a zoom.
  function decodeState(encoded) {
    try {
      var b64 = encoded.replace(/-/g, "+").replace(/_/g, "/");
      while (b64.length % 4) { b64 += "="; }
      var raw = window.atob(b64);
      var json;
      try { json = decodeURIComponent(raw); } catch (e) { json = raw; }
      var state = JSON.parse(json);
      var target = state && state.target ? state.target : state;
      if (Array.isArray(target)) { target = target[0]; }
      if (!target) { return null; }
      var id = typeof target === "string" ? target : (target.id || target["@id"] || "");
      var source = target.source;
      if (source && typeof source === "object") { source = source.id || source["@id"]; }
      var selector = target.selector && (Array.isArray(target.selector) ? target.selector[0] : target.selector);
      var region = null;
      var hash = id.indexOf("#xywh=");
      if (hash >= 0) { region = id.slice(hash + 6); id = id.slice(0, hash); }
      if (source) { id = source; }
      if (selector && typeof selector.value === "string" && selector.value.indexOf("xywh=") === 0) {
        region = selector.value.slice(5);
      }
      var partOf = target.partOf || (source && target.source.partOf);
      if (Array.isArray(partOf)) { partOf = partOf[0]; }
      var manifest = partOf && (partOf.id || partOf["@id"] || partOf);
      var xywh = region ? region.replace(/^pixel:/, "").split(",").map(Number) : null;
      if (xywh && (xywh.length !== 4 || xywh.some(isNaN))) { xywh = null; }
      return { canvas: id, manifest: typeof manifest === "string" ? manifest : null, region: xywh };
    } catch (e) {
      return null;
    }
  }

  function wantedState() {
    var match = /[?&]iiif-content=([^&#]+)/.exec(window.location.search);
    var fromUrl = match ? decodeState(decodeURIComponent(match[1])) : null;
    if (fromUrl) { return fromUrl; }
    var own = viewer.getAttribute("data-iiif-content");
    return own ? decodeState(own) : null;
  }

  function start() {
    var script = document.createElement("script");
    script.src = viewer.getAttribute("data-script");
    var integrity = viewer.getAttribute("data-integrity");
    if (integrity) { script.integrity = integrity; script.crossOrigin = "anonymous"; }
    script.onload = function () {
      if (!window.Mirador) { return; }
      var win = { manifestId: viewer.getAttribute("data-manifest") };
      var canvas = viewer.getAttribute("data-canvas");
      if (canvas) { win.canvasId = canvas; }
      var state = wantedState();
      if (state && state.canvas) {
        win.canvasId = state.canvas;
        if (state.region) {
          var r = state.region;
          // Mirador's viewer works in canvas coordinates: centre the region
          // and zoom so that its width (or height) fills the view.
          win.initialViewerConfig = { x: r[0] + r[2] / 2, y: r[1] + r[3] / 2, zoom: 1 / Math.max(r[2], r[3], 1) };
        }
      }
      viewer.classList.add("loaded");
      window.Mirador.viewer({
        id: viewer.id,
        windows: [win],
        window: { allowClose: false, allowMaximize: false, defaultSideBarPanel: "info", sideBarOpenByDefault: false },
        workspace: { showZoomControls: true },
        workspaceControlPanel: { enabled: false }
      });
    };
    document.head.appendChild(script);
  }
  if ("IntersectionObserver" in window) {
    var seen = new IntersectionObserver(function (entries) {
      if (entries.some(function (e) { return e.isIntersecting; })) { seen.disconnect(); start(); }
    }, { rootMargin: "200px" });
    seen.observe(viewer);
  } else {
    start();
  }
})();

