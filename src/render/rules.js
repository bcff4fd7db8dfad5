/* The 404 page on hosts without server rules (GitHub Pages): a request
   that one of the site's redirect rules matches is sent where the rule
   says, as Apache or nginx would send it (the page itself is answered 404;
   the browser then goes on). pidsite writes this file as redirect-rules.js
   after `var pidsiteRules = [...]`, only for a site that has rules. It runs
   before near-miss.js and, when it sends the visitor on, takes the near-miss
   box away so that no PID lookup follows. */
var pidsiteRedirectRules = (function () {
  "use strict";
  // Where the first rule matching `path` (percent-decoded, from the host's
  // root) sends it, or null: an exact rule matches the whole path, a prefix
  // rule its start and appends the rest.
  function answer(rules, path) {
    for (var i = 0; i < rules.length; i++) {
      var r = rules[i];
      var head = path.slice(0, r.from.length);
      var same = r.ignoreCase ? head.toLowerCase() === r.from.toLowerCase() : head === r.from;
      if (!same) { continue; }
      if (r.prefix) { return r.to + encodeURI(path.slice(r.from.length)); }
      if (head.length === path.length) { return r.to; }
    }
    return null;
  }
  // The query string is passed on, as Apache and nginx pass it.
  function withQuery(to, search) {
    if (!search || search === "?") { return to; }
    return to + (to.indexOf("?") < 0 ? search : "&" + search.slice(1));
  }
  if (typeof document !== "undefined" && typeof pidsiteRules !== "undefined") {
    var path = location.pathname;
    try { path = decodeURIComponent(path); } catch (e) { /* keep it as it is */ }
    var to = answer(pidsiteRules, path);
    if (to) {
      to = withQuery(to, location.search) + location.hash;
      var box = document.getElementById("near-miss");
      if (box) {
        box.removeAttribute("id");
        var link = document.createElement("a");
        link.href = to;
        link.textContent = to;
        // The page's words where its language is not English (data-i18n).
        var own = {};
        try { own = JSON.parse(box.getAttribute("data-i18n") || "{}"); } catch (e) { /* English */ }
        var words = (typeof own.to === "string" ? own.to : "Taking you to {url}").split("{url}");
        box.textContent = words[0];
        box.appendChild(link);
        if (words[1]) { box.appendChild(document.createTextNode(words[1])); }
        box.hidden = false;
      }
      location.replace(to);
    }
  }
  return { answer: answer, withQuery: withQuery };
})();
if (typeof module !== "undefined") { module.exports = pidsiteRedirectRules; }
