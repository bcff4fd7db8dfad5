// Shared by the browser tests: build the fixture site with pidsite, serve it
// on 127.0.0.1 the way GitHub Pages does (under the site's base path, the
// site's 404.html for a miss), and start Debian's Chromium through
// playwright-core with every non-loopback request aborted and recorded.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..", "..");
const FIXTURE = path.join(__dirname, "site");
/** The port the fixture's site.toml and manifests name; rewritten per run. */
const FIXTURE_HOST = "127.0.0.1:47213";
const BASE_PATH = "/fixture/";
const SHOTS = path.join(ROOT, "target", "browser-screenshots");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".json": "application/json",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".svg": "image/svg+xml",
  ".csv": "text/csv; charset=utf-8",
  ".xml": "application/xml",
  ".txt": "text/plain; charset=utf-8",
  ".bib": "application/x-bibtex",
};

/** The pidsite binary: $PIDSITE_BIN, else target/debug/pidsite (what
 * `cargo build` and `cargo test` leave), else target/release/pidsite. */
function pidsiteBinary() {
  if (process.env.PIDSITE_BIN) { return process.env.PIDSITE_BIN; }
  const found = ["debug", "release"]
    .map((p) => path.join(ROOT, "target", p, "pidsite"))
    .find((p) => fs.existsSync(p));
  if (!found) { throw new Error("no pidsite binary: run `cargo build` first"); }
  return found;
}

/** Debian's chromium, wherever `which` finds it. */
function chromiumPath() {
  if (process.env.CHROMIUM) { return process.env.CHROMIUM; }
  for (const p of ["/usr/bin/chromium", "/usr/bin/chromium-browser"]) {
    if (fs.existsSync(p)) { return p; }
  }
  try { return execFileSync("which", ["chromium"]).toString().trim(); } catch (e) {
    throw new Error("no chromium: apt-get install -y chromium (tests/browser/run.sh does)");
  }
}

function copyTree(from, to, rewrite) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) { copyTree(src, dst, rewrite); continue; }
    if (/\.(toml|csv|json|md)$/.test(entry.name)) {
      fs.writeFileSync(dst, rewrite(fs.readFileSync(src, "utf8")));
    } else {
      fs.copyFileSync(src, dst);
    }
  }
}

/** A static server of `dir` on 127.0.0.1 (any free port); `served` lists
 * every request it answered. */
function serve(dir, basePath) {
  const served = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    served.push(url.pathname + url.search);
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
      if (!url.pathname.endsWith("/")) {
        res.writeHead(301, { Location: url.pathname + "/" + url.search }).end();
        return;
      }
      file = path.join(file, "index.html");
    }
    let status = 200;
    if (!fs.existsSync(file)) {
      // GitHub Pages answers a miss with the site's own 404.html.
      status = 404;
      file = path.join(dir, basePath, "404.html");
    }
    const type = TYPES[path.extname(file)] || "application/octet-stream";
    res.writeHead(status, { "Content-Type": type, "Access-Control-Allow-Origin": "*" });
    res.end(fs.readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve({ server, served, port: server.address().port }));
  });
}

/**
 * Builds a site and serves it on a free port. By default the fixture site,
 * copied with the server's real port written in; `{ site: ROOT, basePath:
 * "/pidsite/" }` builds the repository's example site as it is (its links are
 * root-relative, so it works under its base path on any host).
 * `extraRows` (CSV text) is appended to the fixture's registry.
 * Returns { origin, base, served, close, outDir, buildMs }.
 */
async function startSite({ site = null, basePath = BASE_PATH, language = null, extraRows = "" } = {}) {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pidsite-browser-"));
  if (site && language) {
    // A copy of the site in another interface language (site.toml's
    // `language`), its inputs only.
    const copy = path.join(work, "site");
    fs.mkdirSync(copy);
    for (const part of ["content", "static", "templates", "i18n", "pidsite.lock"]) {
      if (fs.existsSync(path.join(site, part))) {
        fs.cpSync(path.join(site, part), path.join(copy, part), { recursive: true });
      }
    }
    const toml = fs.readFileSync(path.join(site, "site.toml"), "utf8");
    fs.writeFileSync(path.join(copy, "site.toml"), toml.replace(/^language = ".*"$/m, `language = "${language}"`));
    site = copy;
  }
  const www = path.join(work, "www");
  fs.mkdirSync(www);
  const { server, served, port } = await serve(www, basePath);
  const host = `127.0.0.1:${port}`;
  if (!site) {
    site = path.join(work, "site");
    copyTree(FIXTURE, site, (text) => text.split(FIXTURE_HOST).join(host));
    // More registry rows (the search tests need more PIDs than a page holds).
    if (extraRows) { fs.appendFileSync(path.join(site, "content", "registry.csv"), extraRows); }
  }
  const outDir = path.join(www, basePath);
  const t0 = Date.now();
  execFileSync(pidsiteBinary(), ["build", "--quiet", "--site", site, "--out", outDir], { stdio: ["ignore", "ignore", "inherit"] });
  const buildMs = Date.now() - t0;
  return {
    origin: `http://${host}`,
    base: `http://${host}${basePath}`,
    served,
    outDir,
    buildMs,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => { fs.rmSync(work, { recursive: true, force: true }); resolve(); });
    }),
  };
}

/** Launches Chromium headless. */
async function launch() {
  const { chromium } = require("playwright-core");
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Root in a container: Chromium's sandbox needs user namespaces.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

/**
 * A browser context in which every request that is not for 127.0.0.1 or
 * localhost is aborted and pushed to `blocked`.
 */
async function newContext(browser, options = {}) {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 }, ...options });
  const blocked = [];
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === "127.0.0.1" || url.hostname === "localhost") { return route.continue(); }
    blocked.push(url.href);
    return route.abort("blockedbyclient");
  });
  context.blocked = blocked;
  return context;
}

const AXE = require.resolve("axe-core/axe.min.js");

/** Runs axe-core with the WCAG 2.1 A and AA rules; returns its violations. */
async function axe(page, options = {}) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async (opts) => {
    const result = await window.axe.run(opts.exclude ? { exclude: opts.exclude } : document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
      resultTypes: ["violations"],
    });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary.replace(/\s+/g, " ")}`),
    }));
  }, options);
}

/** Formats axe violations for an assertion message. */
function describeViolations(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n  ${v.nodes.join("\n  ")}`).join("\n");
}

/**
 * The colour of the pixel at (x, y) of a screenshot of `locator`, decoded in
 * the page: [r, g, b]. The viewer draws with WebGL or a canvas, so its
 * pixels are read from what is on screen.
 */
async function pixels(page, locator, points) {
  const png = await locator.screenshot();
  return page.evaluate(async ({ b64, points }) => {
    const img = new Image();
    img.src = "data:image/png;base64," + b64;
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    return points.map(([fx, fy]) => {
      const d = g.getImageData(Math.floor(fx * (c.width - 1)), Math.floor(fy * (c.height - 1)), 1, 1).data;
      return [d[0], d[1], d[2]];
    });
  }, { b64: png.toString("base64"), points });
}

/** Polls `fn` until it returns a truthy value or `ms` pass. */
async function until(fn, ms = 15000, step = 150) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) { return last; }
    await new Promise((r) => setTimeout(r, step));
  }
  return last;
}

module.exports = {
  ROOT, SHOTS, BASE_PATH, startSite, launch, newContext, axe, describeViolations, pixels, until,
};
