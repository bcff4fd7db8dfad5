// Accessibility of every page type in headless Chromium: axe-core's WCAG 2.1
// A and AA rules in the light and the dark colour scheme (colour contrast
// included), on the fixture site and on the repository's example site, and
// the keyboard path to the viewer, the citation style
// switcher and the copy button. Pages with a map are checked once its
// markers are drawn.
"use strict";

const { describe, test, before, after } = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const L = require("./lib.js");

// The fixture site's page types.
const PAGES = [
  ["landing page", "ark/99999/fk4land/"],
  ["collection", "doi/10.5555/browser.coll/"],
  ["annotation", "hdl/20.500.99999/note-1/"],
  ["tombstone", "ark/99999/fk4gone/"],
  ["home page", ""],
  ["Markdown page", "about/"],
  ["404 page", "no/such/page/"],
];

// The repository's example site, served under its base path /pidsite/: real
// manifests' metadata, a version history, a long manifest's image list. Its
// images are on other hosts, so the viewer shows none (those requests are
// aborted like any other).
const EXAMPLE_PAGES = [
  ["home page", ""],
  ["Markdown page", "how-to-cite/"],
  ["manuscript", "ark/12345/bd7p3m178/"],
  ["image list", "ark/12345/bd7p3m178/images/"],
  ["versioned PID", "hdl/20.500.12345/vudl-30471/"],
  ["one version", "hdl/20.500.12345/vudl-30471/v1/"],
  ["collection", "ark/12345/c4nalmaps/"],
  ["annotation", "id/anno-mirador21/"],
  ["tombstone", "ark/12345/h0lland25k/"],
  ["browse pages", "browse/"],
  ["404 page", "no/such/page/"],
  // A collection whose members carry navPlace (cookbook 0318), and the map
  // page (issue 20): offline, the markers on a blank map.
  ["collection with a map", "ark/12345/rome0318/"],
  ["map page", "map/"],
];

let site;
let example;
let german;
let browser;
const contexts = [];

before(async () => {
  [site, example, german] = await Promise.all([
    L.startSite(),
    L.startSite({ site: L.ROOT, basePath: "/pidsite/" }),
    // The example site with its interface in German (issue 20).
    L.startSite({ site: L.ROOT, basePath: "/pidsite/", language: "de" }),
  ]);
  browser = await L.launch();
});

after(async () => {
  if (browser) { await browser.close(); }
  if (site) { await site.close(); }
  if (example) { await example.close(); }
  if (german) { await german.close(); }
});

/** Loads a page as a visitor sees it once its scripts have run (the style
 * tabs in place, the viewer drawn) and runs axe in the light and the dark
 * scheme; returns the violations of both. */
async function check(base, url, { blockedOk = false } = {}) {
  const context = await L.newContext(browser, { reducedMotion: "reduce" });
  if (!blockedOk) { contexts.push(context); }
  const page = await context.newPage();
  await page.goto(base + url);
  await page.waitForLoadState("load");
  if (await page.locator("#viewer").count()) {
    await page.locator("#viewer .openseadragon-canvas, #viewer [class*='Mirador']").first().waitFor({ timeout: 30000 });
    await page.waitForTimeout(500);
  }
  if (await page.locator("[data-map]").count()) {
    await page.locator(".map .leaflet-marker-icon").first().waitFor({ timeout: 15000 });
  }
  const found = [];
  const backgrounds = new Set();
  for (const colorScheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme });
    backgrounds.add(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));
    for (const v of await L.axe(page)) { found.push({ ...v, id: `${v.id} [${colorScheme}]` }); }
  }
  assert.strictEqual(backgrounds.size, 2, "the dark scheme changes the colours");
  await context.close();
  return found;
}

describe("axe: WCAG 2.1 A/AA, light and dark, fixture site", () => {
  test("axe finds a problem that is there (the harness works)", async () => {
    const context = await L.newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(site.base + "about/");
    await page.evaluate(() => {
      const p = document.createElement("p");
      p.innerHTML = '<img src="images/thumb1.png"> <span style="color:#999;background:#aaa">grey on grey</span>';
      document.querySelector("main").appendChild(p);
    });
    const ids = (await L.axe(page)).map((v) => v.id).sort();
    assert.deepStrictEqual(ids, ["color-contrast", "image-alt"]);
    await context.close();
  });
  for (const [name, url] of PAGES) {
    test(`${name}: no violations`, async () => {
      const violations = await check(site.base, url);
      assert.strictEqual(violations.length, 0, `${site.base}${url}:\n${L.describeViolations(violations)}`);
    });
  }
});

describe("axe: WCAG 2.1 A/AA, light and dark, example site", () => {
  for (const [name, url] of EXAMPLE_PAGES) {
    test(`${name}: no violations`, async () => {
      const violations = await check(example.base, url, { blockedOk: true });
      assert.strictEqual(violations.length, 0, `${example.base}${url}:\n${L.describeViolations(violations)}`);
    });
  }
});

/** The README's screenshot of a search page: its top at 1,000 by 760
 * pixels, in the light scheme (target/browser-screenshots/NAME.png; copied
 * to docs/screenshots/ by hand when the page changes). */
async function shot(page, name) {
  fs.mkdirSync(L.SHOTS, { recursive: true });
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1000, height: 760 });
  await page.evaluate(() => {
    if (document.activeElement) { document.activeElement.blur(); }
    // The example site's images are on other hosts, which the tests block.
    for (const img of document.querySelectorAll("img")) { if (!img.naturalWidth) { img.style.visibility = "hidden"; } }
  });
  await page.screenshot({ path: path.join(L.SHOTS, `${name}.png`), clip: { x: 0, y: 0, width: 1000, height: 760 } });
}

describe("search page of the example site", () => {
  test("an empty query lists every PID with its facets (the README's screenshot)", async () => {
    const context = await L.newContext(browser, { reducedMotion: "reduce" });
    const page = await context.newPage();
    await page.goto(example.base + "search/");
    await page.waitForFunction(() => /^\d+ results?$/.test(document.querySelector(".search-status").textContent));
    await page.locator(".search-facets fieldset").first().waitFor();
    // Every PID, dated or not: as many as the type facet counts.
    const shown = parseInt(await page.locator(".search-status").innerText(), 10);
    const types = await page.locator(".search-facets fieldset").first().locator("label").allInnerTexts();
    const counted = types.reduce((n, t) => n + parseInt(t.match(/\((\d+)\)$/)[1], 10), 0);
    assert.strictEqual(shown, counted, `the empty query lists ${shown} PIDs, the type facet counts ${counted}`);
    await shot(page, "search");
    await context.close();
  });
});

describe("axe: WCAG 2.1 A/AA, light and dark, example site in German", () => {
  for (const [name, url] of EXAMPLE_PAGES) {
    test(`${name}: no violations`, async () => {
      const violations = await check(german.base, url, { blockedOk: true });
      assert.strictEqual(violations.length, 0, `${german.base}${url}:\n${L.describeViolations(violations)}`);
    });
  }
  test("search page with its results and facets: no violations, no English left", async () => {
    // Not among `contexts`: the results' thumbnails are on other hosts
    // (aborted, and not counted by the last test).
    const context = await L.newContext(browser, { reducedMotion: "reduce" });
    try {
      const page = await context.newPage();
      await page.goto(german.base + "search/");
      // An empty query lists every PID: the status counts them in German.
      await page.waitForFunction(() => /^\d+ Treffer$/.test(document.querySelector(".search-status").textContent));
      await page.locator(".search-facets fieldset").first().waitFor();
      const found = [];
      for (const colorScheme of ["light", "dark"]) {
        await page.emulateMedia({ colorScheme });
        for (const v of await L.axe(page)) { found.push({ ...v, id: `${v.id} [${colorScheme}]` }); }
      }
      assert.deepStrictEqual(found, [], L.describeViolations(found));
      // What the script writes (status, facet names and values) and what
      // the template does, as a visitor sees and hears it
      // (the results' text is content, left out).
      const shown = await page.evaluate(() => [...document.querySelectorAll(
        "main h1, main h2, main h3, .search-form, .search-facets, .search-status, .search-more:not([hidden]), noscript")]
        .map((e) => e.innerText || e.textContent).join("\n"));
      const heard = await page.evaluate(() => [...document.querySelectorAll("main [aria-label]")].map((e) => e.getAttribute("aria-label")).join("\n"));
      for (const english of ["Search titles", "Filters", "More results", "results", "Nothing found", "Identifier scheme",
        "Provider", "Rights", "Language", "active", "withdrawn", "Browse", "By type", "By collection", "By date"]) {
        assert.ok(!new RegExp(`(^|\\W)${english}(\\W|$)`).test(shown + "\n" + heard), `"${english}" on the German search page`);
      }
      assert.match(shown, /Objekttyp/);
      assert.match(shown, /Nach Zeit/);
      assert.match(shown, /\d0er-Jahre/, "decades in German");
      await shot(page, "search-de");
    } finally {
      await context.close();
    }
  });
});

describe("print, example site", () => {
  test("a long manifest's image list prints its links (the landing page's link to it does not)", async () => {
    const context = await L.newContext(browser);
    const page = await context.newPage();
    await page.goto(example.base + "ark/12345/bd7p3m178/images/");
    await page.emulateMedia({ media: "print" });
    const links = page.locator("main ol.canvases a");
    assert.ok((await links.count()) > 6, "the whole list is on the page");
    assert.ok(await links.first().isVisible(), "the image list is printed");
    await page.goto(example.base + "ark/12345/bd7p3m178/");
    await page.emulateMedia({ media: "print" });
    // Issue 22: the landing page links to that list rather than listing
    // its first images; on paper the link is left out.
    const link = page.locator(".landing .canvases");
    assert.strictEqual(await link.count(), 1, "the landing page links to the list");
    assert.ok(!(await link.isVisible()), "the link is not printed");
    await context.close();
  });
});

describe("keyboard", () => {
  test("Tab reaches the viewer, the style switcher and the copy button", async () => {
    const context = await L.newContext(browser, { permissions: ["clipboard-read", "clipboard-write"] });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(site.base + "ark/99999/fk4land/");
    await page.locator("#viewer .openseadragon-canvas").waitFor({ timeout: 30000 });
    await page.getByRole("tablist").waitFor();
    const reached = { viewer: false, tab: false, copy: false };
    const seen = [];
    for (let i = 0; i < 80 && !(reached.viewer && reached.tab && reached.copy); i++) {
      await page.keyboard.press("Tab");
      const where = await page.evaluate(() => {
        const el = document.activeElement;
        return {
          inViewer: !!el.closest("#viewer"),
          role: el.getAttribute("role"),
          text: (el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 40),
          copy: el.matches("button.copy") && !!el.closest(".citations"),
          focusVisible: el.matches(":focus-visible"),
        };
      });
      seen.push(where.text);
      if (where.inViewer) { reached.viewer = true; }
      if (where.role === "tab") {
        reached.tab = true;
        assert.strictEqual(where.text, "APA 7", "Tab lands on the selected style");
        assert.ok(where.focusVisible);
      }
      if (where.copy) {
        reached.copy = true;
        // Enter on the focused copy button copies and says so.
        await page.keyboard.press("Enter");
        const status = page.locator(".citations [role=status]");
        assert.ok(await L.until(async () => (await status.textContent()) === "Copied to the clipboard.", 5000));
      }
    }
    assert.deepStrictEqual(reached, { viewer: true, tab: true, copy: true }, `focus went: ${seen.join(" | ")}`);
  });

  test("the scripts speak the page's language (German example site)", async () => {
    // Not among `contexts`: the example site's pages name images on other
    // hosts (aborted, and not counted by the last test).
    const context = await L.newContext(browser, { permissions: ["clipboard-read", "clipboard-write"] });
    try {
      const page = await context.newPage();
      await page.goto(german.base + "ark/12345/bd7p3m178/");
      const tabs = page.getByRole("tablist");
      await tabs.waitFor();
      assert.strictEqual(await tabs.getAttribute("aria-label"), "Zitierstil");
      // Clicked by script: offline, the viewer's error dialog covers the page.
      await page.locator(".citations button.copy").first().evaluate((b) => b.click());
      const status = page.locator(".citations [role=status]");
      assert.ok(await L.until(async () => (await status.textContent()) === "In die Zwischenablage kopiert.", 5000),
        `status: ${await status.textContent()}`);
      const link = page.locator("p.pid button.copy");
      await link.evaluate((b) => b.click());
      assert.ok(await L.until(async () => (await link.textContent()) === "Kopiert", 1000));
    } finally {
      await context.close();
    }
  });

  test("the skip link is the first stop and leads to the content", async () => {
    const context = await L.newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(site.base + "ark/99999/fk4gone/");
    await page.keyboard.press("Tab");
    assert.strictEqual(await page.evaluate(() => document.activeElement.textContent), "Skip to content");
    assert.ok(await page.locator("a.skip").isVisible(), "the skip link shows when focused");
    await page.keyboard.press("Enter");
    assert.ok(page.url().endsWith("#main"));
  });
});

// The example site's pages name images on other hosts: those requests were
// aborted (newContext does so for every context) and are not counted here.
test("no request left the machine", () => {
  assert.deepStrictEqual(contexts.flatMap((c) => c.blocked), []);
});
