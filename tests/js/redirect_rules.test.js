// The 404 page's redirect rules (redirect-rules.js, for hosts without server
// rules), run with node's own test runner (`node --test tests/js/`): the
// rules of tests/fixtures/purl as pidsite writes them into the script, and
// the answers OBO Foundry's test2.htaccess gives for the same requests.
const test = require("node:test");
const assert = require("node:assert");
const { execFileSync } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const vm = require("node:vm");
const { answer, withQuery } = require("../../src/render/rules.js");

const repo = path.join(__dirname, "..", "..");

// Build a copy of the purl fixture with the pidsite binary cargo built
// (a build writes the site's pidsite.lock) and read the rules from the
// script it wrote, as the browser does.
function builtRules() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pidsite-rules-"));
  fs.cpSync(path.join(repo, "tests", "fixtures", "purl"), path.join(tmp, "site"), { recursive: true });
  const bin = process.env.PIDSITE_BIN || path.join(repo, "target", "debug", "pidsite");
  execFileSync(bin, ["build", "--quiet", "--site", path.join(tmp, "site"), "--out", path.join(tmp, "out")]);
  const script = fs.readFileSync(path.join(tmp, "out", "redirect-rules.js"), "utf8");
  const sandbox = {};
  vm.runInNewContext(script + "\nthis.rules = pidsiteRules;", sandbox);
  fs.rmSync(tmp, { recursive: true, force: true });
  return { rules: sandbox.rules, script };
}

const { rules, script } = builtRules();

// The script as the 404 page runs it, at `pathname`: where it sends the
// browser, and what becomes of the near-miss box.
function onPage(pathname, search, i18n) {
  const box = { id: "near-miss", hidden: true, children: [], textContent: "",
    getAttribute(name) { return name === "data-i18n" && i18n ? i18n : null; },
    removeAttribute(name) { delete this[name]; }, appendChild(c) { this.children.push(c); } };
  const page = {
    document: {
      getElementById: (id) => (box.id === id ? box : null),
      createElement: () => ({}),
      createTextNode: (text) => ({ text }),
    },
    location: { pathname, search, hash: "", replaced: null, replace(to) { this.replaced = to; } },
  };
  vm.runInNewContext(script, page);
  return { to: page.location.replaced, box };
}

test("the 404 page goes on where a rule matches and stops the near-miss lookup", () => {
  const { to, box } = onPage("/obo/obo/branches/x%20y", "?a=1");
  assert.strictEqual(to, "http://example.org/branches/x%20y?a=1");
  // near-miss.js, which runs next, finds no box and looks nothing up.
  assert.strictEqual(box.id, undefined);
  assert.strictEqual(box.hidden, false);
});

test("the 404 page says where it goes in the page's language", () => {
  assert.strictEqual(onPage("/obo/obo/branches/x", "").box.textContent, "Taking you to ");
  // A Welsh page's words (data-i18n), the link where {url} stands.
  const { box } = onPage("/obo/obo/branches/x", "", '{"to":"Yn mynd \u00e2 chi i {url} nawr"}');
  assert.strictEqual(box.textContent, "Yn mynd \u00e2 chi i ");
  assert.deepStrictEqual(box.children.map((c) => c.text || c.href), [
    "http://example.org/branches/x", " nawr"]);
});

test("the 404 page stays where no rule matches", () => {
  const { to, box } = onPage("/obo/obo/nothing", "");
  assert.strictEqual(to, null);
  assert.strictEqual(box.id, "near-miss");
});

// What OBO's generated .htaccess answers: its first RedirectMatch whose
// pattern matches (PCRE's leading `(?i)` as JavaScript's flag), or null.
const htaccess = fs
  .readFileSync(path.join(repo, "tests", "fixtures", "purl", "test2.htaccess"), "utf8")
  .split("\n")
  .map((line) => line.match(/^RedirectMatch \S+ "(.*)" "(.*)"$/))
  .filter(Boolean)
  .map(([, pattern, to]) => {
    const i = pattern.startsWith("(?i)");
    return { re: new RegExp(i ? pattern.slice(4) : pattern, i ? "i" : ""), to };
  });
function byHtaccess(request) {
  for (const line of htaccess) {
    const m = request.match(line.re);
    if (m) { return line.to.replace(/\$(\d)/g, (_, n) => m[n] || ""); }
  }
  return null;
}

for (const request of [
  "/obo/obo/project",
  "/OBO/obo/Project",
  "/obo/obo/project/",
  "/obo/obo/branches/foo",
  "/obo/obo/Branches/a/b.owl",
  "/obo/obo/branches/",
  "/obo/obo/branches",
  "/obo/test2",
  "/obo/test2.owl",
  "/obo/TEST2.OBO",
  "/obo/test2.owl/x",
  "/ark/99999/fk4purl/",
]) {
  const expected = byHtaccess(request);
  test(`${request} -> ${expected}, as test2.htaccess says`, () => {
    assert.strictEqual(answer(rules, request), expected);
  });
}

test("the rest of a path below a prefix is sent encoded", () => {
  assert.strictEqual(answer(rules, "/obo/obo/branches/a b/c"), "http://example.org/branches/a%20b/c");
});

test("rules are tried in order, the first match wins", () => {
  const two = [
    { from: "/a/", to: "https://one.example/", prefix: true, ignoreCase: false },
    { from: "/a/b", to: "https://two.example/", prefix: false, ignoreCase: false },
  ];
  assert.strictEqual(answer(two, "/a/b"), "https://one.example/b");
  assert.strictEqual(answer(two, "/A/b"), null);
});

test("the query string is passed on", () => {
  assert.strictEqual(withQuery("https://e.org/x", "?a=1"), "https://e.org/x?a=1");
  assert.strictEqual(withQuery("https://e.org/x?b=2", "?a=1"), "https://e.org/x?b=2&a=1");
  assert.strictEqual(withQuery("https://e.org/x", ""), "https://e.org/x");
});
