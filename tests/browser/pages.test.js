// What a visitor does on the fixture site's pages, in headless Chromium:
// the viewer, the citation switcher and copy button, redirect stubs, the 404
// page's near-miss lookup, the pages without JavaScript, lazy loading and
// layout shift, printing, and screenshots of each page type.
"use strict";

const { describe, test, before, after } = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const L = require("./lib.js");

const LANDING = "ark/99999/fk4land/";
const COLLECTION = "doi/10.5555/browser.coll/";
const ANNOTATION = "hdl/20.500.99999/note-1/";
const TOMBSTONE = "ark/99999/fk4gone/";

let site;
let browser;
const contexts = [];

async function context(options) {
  const c = await L.newContext(browser, options);
  contexts.push(c);
  return c;
}

/** The viewer's OpenSeadragon canvas, once Mirador has drawn it. */
async function viewerCanvas(page) {
  const osd = page.locator("#viewer .openseadragon-canvas");
  await osd.waitFor({ state: "visible", timeout: 30000 });
  return osd;
}

/** A screenshot for the README: the page's top 1,500 pixels at 1,200 wide. */
async function shot(page, name) {
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.screenshot({
    path: path.join(L.SHOTS, `${name}.png`),
    fullPage: true,
    clip: { x: 0, y: 0, width: 1200, height: Math.min(height, 1500) },
  });
}

const isRed = ([r, g, b]) => r > 110 && r < 170 && g < 80 && b < 50;

before(async () => {
  site = await L.startSite();
  browser = await L.launch();
  fs.mkdirSync(L.SHOTS, { recursive: true });
});

after(async () => {
  const blocked = contexts.flatMap((c) => c.blocked);
  if (browser) { await browser.close(); }
  if (site) { await site.close(); }
  // Recorded for the report; the assertion is in the last test below.
  if (blocked.length) { console.log(`blocked non-loopback requests:\n  ${blocked.join("\n  ")}`); }
});

describe("viewer", () => {
  test("a manifest's landing page opens its first canvas", async () => {
    const page = await (await context()).newPage();
    await page.goto(site.base + LANDING);
    const osd = await viewerCanvas(page);
    // Mirador names the canvas it shows: "1 of 2 • Page 1".
    await page.getByText(/1 of 2\s*•\s*Page 1/).waitFor({ timeout: 15000 });
    // The first image has a red square in its middle; the second has none.
    const centre = await L.until(async () => {
      const [px] = await L.pixels(page, osd, [[0.5, 0.5]]);
      return isRed(px) ? px : null;
    });
    assert.ok(centre, "the centre of the viewer shows the first image's red square");
    assert.ok(site.served.includes(`${L.BASE_PATH}ark/99999/fk4land/manifest.json`));
    assert.ok(site.served.includes(`${L.BASE_PATH}images/page1.png`), "the image came from the loopback server");
    await shot(page, "landing");
  });

  test("a PID with a canvas in the registry opens the manifest at that canvas", async () => {
    const page = await (await context()).newPage();
    await page.goto(site.base + "id/book-page-2/");
    const osd = await viewerCanvas(page);
    await page.getByText(/2 of 2\s*•\s*Page 2/).waitFor({ timeout: 15000 });
    // The second image: a dark bar on the left, no red square.
    const dark = ([r, g, b]) => r < 60 && g < 60 && b < 60;
    const ok = await L.until(async () => {
      const [centre, bar] = await L.pixels(page, osd, [[0.5, 0.5], [0.5 - 0.2 * 0.75, 0.5]]);
      return !isRed(centre) && dark(bar);
    });
    assert.ok(ok, `the viewer shows the second image: ${JSON.stringify(await L.pixels(page, osd, [[0.5, 0.5], [0.35, 0.5]]))}`);
  });

  test("an annotation's page opens its canvas zoomed to the region", async () => {
    const page = await (await context()).newPage();
    await page.goto(site.base + ANNOTATION);
    const osd = await viewerCanvas(page);
    await page.getByText(/1 of 2\s*•\s*Page 1/).waitFor({ timeout: 15000 });
    // The region is the red square (300,200,200,200): zoomed to it, the
    // viewer is red from side to side.
    const points = [[0.5, 0.5], [0.4, 0.5], [0.6, 0.5], [0.5, 0.35], [0.5, 0.65]];
    const ok = await L.until(async () => (await L.pixels(page, osd, points)).every(isRed));
    assert.ok(ok, `the viewer shows only the region: ${JSON.stringify(await L.pixels(page, osd, points))}`);
    await shot(page, "annotation");
  });

  test("a collection page lists its members, linked to their PID pages", async () => {
    const page = await (await context()).newPage();
    await page.goto(site.base + COLLECTION);
    const member = page.locator(".members a", { hasText: "A test book of two pages" });
    assert.strictEqual(await member.getAttribute("href"), `${L.BASE_PATH}${LANDING}`);
    await page.locator("#viewer .mirador-viewer, #viewer [class*='Mirador']").first().waitFor({ timeout: 30000 });
    await page.waitForTimeout(500);
    await shot(page, "collection");
  });

  test("the home page's filter finds a card by title or PID", async () => {
    const page = await (await context()).newPage();
    await page.goto(site.base);
    const filter = page.getByRole("searchbox", { name: "Filter this page" });
    await filter.waitFor();
    const cards = page.locator(".cards .card");
    const total = await cards.count();
    assert.ok(total > 2, `${total} cards`);
    // What a card is found by comes from its own title and PID (issue 22:
    // the page no longer repeats them in a data-search attribute).
    await filter.fill("FK4GONE");
    assert.strictEqual(await page.locator(".cards .card:visible").count(), 1);
    assert.match(await page.locator(".cards .card:visible .card-meta code").textContent(), /fk4gone/);
    await filter.fill("red square");
    const found = await page.locator(".cards .card:visible .card-title").allTextContents();
    assert.deepStrictEqual(found, ["A note on the red square"]);
    await filter.fill("");
    assert.strictEqual(await page.locator(".cards .card:visible").count(), total);
  });

  test("a tombstone has no viewer and says why", async () => {
    const page = await (await context()).newPage();
    await page.goto(site.base + TOMBSTONE);
    assert.strictEqual(await page.locator("#viewer").count(), 0);
    await page.getByText("The rights holder asked for its removal.").waitFor();
    assert.strictEqual(await page.locator('meta[name="robots"]').getAttribute("content"), "noindex");
    await shot(page, "tombstone");
  });
});

describe("citations", () => {
  test("the style switcher shows one style at a time and remembers it", async () => {
    const page = await (await context()).newPage();
    await page.goto(site.base + LANDING);
    const tabs = page.getByRole("tablist", { name: "Citation style" });
    await tabs.waitFor();
    const names = await tabs.getByRole("tab").allTextContents();
    assert.deepStrictEqual(names, ["APA 7", "MLA 9", "Chicago (author-date)", "Harvard", "BibTeX"]);
    assert.ok(await page.locator("#cite-apa").isVisible());
    assert.ok(await page.locator("#cite-mla").isHidden());

    await tabs.getByRole("tab", { name: "MLA 9" }).click();
    assert.ok(await page.locator("#cite-mla").isVisible());
    assert.ok(await page.locator("#cite-apa").isHidden());
    assert.strictEqual(await tabs.getByRole("tab", { name: "MLA 9" }).getAttribute("aria-selected"), "true");

    // Arrow keys move between tabs (the WAI-ARIA tabs pattern).
    await page.keyboard.press("ArrowRight");
    assert.ok(await page.locator("#cite-chicago-author-date").isVisible());
    assert.strictEqual(await page.evaluate(() => document.activeElement.textContent), "Chicago (author-date)");

    await page.reload();
    await tabs.waitFor();
    assert.ok(await page.locator("#cite-chicago-author-date").isVisible(), "the chosen style is remembered");
  });

  test("the copy button puts the citation on the clipboard and says so", async () => {
    const c = await context({ permissions: ["clipboard-read", "clipboard-write"] });
    const page = await c.newPage();
    await page.goto(site.base + LANDING);
    await page.getByRole("tab", { name: "MLA 9" }).click();
    const figure = page.locator("#cite-mla");
    const button = figure.getByRole("button", { name: "Copy citation" });
    // The citation as the page shows it (the page does not repeat it).
    const expected = (await figure.locator(".cite-text").textContent()).replace(/\s+/g, " ").trim();
    await button.click();
    const status = page.locator(".citations [role=status]");
    await assertText(status, "Copied to the clipboard.");
    assert.strictEqual(await page.evaluate(() => navigator.clipboard.readText()), expected);
    assert.match(expected, /Tester, Ada/);
    assert.match(expected, /ark:\/99999\/fk4land|n2t\.net/);

    await page.getByRole("tab", { name: "BibTeX" }).click();
    await page.locator("#cite-bibtex").getByRole("button", { name: "Copy BibTeX" }).click();
    const bib = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(bib, /^@\w+\{[^\n]+,\n/);
    assert.match(bib, /title\s+= \{/);

    await page.getByRole("button", { name: "Copy link" }).click();
    assert.match(await page.evaluate(() => navigator.clipboard.readText()), /fk4land/);
  });
});

async function assertText(locator, text) {
  const got = await L.until(async () => ((await locator.textContent()) === text ? text : null), 5000);
  assert.strictEqual(got, text);
}

describe("old addresses", () => {
  test("a moved PID's redirect stub lands on its target, query and fragment kept", async () => {
    const page = await (await context()).newPage();
    await page.goto(`${site.base}ark/99999/fk4moved/?from=mail&x=1#cite-h`);
    await page.waitForURL(`${site.base}${LANDING}?from=mail&x=1#cite-h`);
    await page.locator("h1", { hasText: "A test book of two pages" }).waitFor();
  });

  test("an alias's redirect stub lands on its PID's page", async () => {
    const page = await (await context()).newPage();
    await page.goto(`${site.base}ark/99999/fk4oldland/?q=2#about-h`);
    await page.waitForURL(`${site.base}${LANDING}?q=2#about-h`);
  });

  test("without JavaScript a redirect stub still lands (meta refresh)", async () => {
    const page = await (await context({ javaScriptEnabled: false })).newPage();
    await page.goto(`${site.base}ark/99999/fk4moved/`);
    await page.waitForURL(`${site.base}${LANDING}`);
  });

  for (const [typed, target] of [
    ["ark/99999/FK4LAND", LANDING],
    ["ark:/99999/fk4land", LANDING],
    ["DOI/10.5555/BROWSER.COLL/", COLLECTION],
    ["hdl:20.500.99999/note-1).", ANNOTATION],
  ]) {
    test(`the 404 page sends ${typed} to its page`, async () => {
      const page = await (await context()).newPage();
      const response = await page.goto(`${site.base}${typed}?v=1#cite-h`, { waitUntil: "commit" });
      assert.strictEqual(response.status(), 404);
      await page.waitForURL(`${site.base}${target}?v=1#cite-h`, { timeout: 10000 });
    });
  }

  test("the 404 page leaves an unknown address alone", async () => {
    const page = await (await context()).newPage();
    const response = await page.goto(`${site.base}ark/99999/nothing-here`);
    assert.strictEqual(response.status(), 404);
    await page.waitForLoadState("networkidle");
    assert.strictEqual(page.url(), `${site.base}ark/99999/nothing-here`);
    await page.getByRole("heading", { name: "Page not found" }).waitFor();
  });
});

describe("without JavaScript", () => {
  for (const [name, url] of [["landing page", LANDING], ["annotation page", ANNOTATION]]) {
    test(`the ${name} shows thumbnail, metadata, citations and manifest link`, async () => {
      const page = await (await context({ javaScriptEnabled: false })).newPage();
      await page.goto(site.base + url);
      const poster = page.locator("#viewer img.viewer-poster");
      if (url === LANDING) {
        await poster.waitFor({ state: "visible" });
        assert.ok(await poster.evaluate(async (img) => { await img.decode(); return img.naturalWidth > 0; }));
        assert.ok(await page.getByText("Pixels on a grid").isVisible(), "metadata");
      }
      // playwright turns scripts off without the parser's scripting flag, so
      // <noscript> stays raw text here: check that it is in place.
      assert.match(await page.locator("#viewer noscript").textContent(), /The image viewer needs JavaScript/);
      // Every style is shown, one after the other, with its name.
      for (const id of ["apa", "mla", "chicago-author-date", "harvard", "bibtex"]) {
        assert.ok(await page.locator(`#cite-${id} .cite-text`).isVisible(), id);
        assert.ok(await page.locator(`#cite-${id} figcaption`).isVisible(), `${id} caption`);
      }
      const manifest = page.locator(".facts a[href$='manifest.json']").first();
      assert.ok(await manifest.isVisible(), "manifest link");
      assert.ok(await page.locator("button.copy").first().isHidden(), "copy buttons need JavaScript");
    });
  }
});

describe("loading", () => {
  test("text and citation render before the viewer's script", async () => {
    const c = await context();
    const page = await c.newPage();
    let release;
    const held = new Promise((resolve) => { release = resolve; });
    let requested = false;
    await page.route("**/mirador.min.js", async (route) => {
      // Hold the viewer's script: the page must paint without it.
      requested = true;
      await held;
      return route.continue();
    });
    await page.goto(site.base + LANDING, { waitUntil: "domcontentloaded" });
    assert.ok(await L.until(async () => requested, 10000), "the viewer's script is requested");
    const state = await L.until(() => page.evaluate(() => {
      const cite = document.querySelector("#cite-apa .cite-text");
      return performance.getEntriesByName("first-contentful-paint").length === 1 && {
        citation: !!cite && cite.getBoundingClientRect().height > 0 && cite.textContent.includes("Tester"),
        title: document.querySelector(".landing-header h1").textContent,
        mirador: typeof window.Mirador,
      };
    }), 10000);
    assert.deepStrictEqual(state, { citation: true, title: "A test book of two pages", mirador: "undefined" });
    // The page's HTML names no viewer script: it is added when the box is in view.
    const html = await (await fetch(site.base + LANDING)).text();
    assert.ok(!/<script[^>]+mirador/.test(html));
    release();
    await viewerCanvas(page);
  });

  test("the viewer appears without shifting the layout", async () => {
    const page = await (await context()).newPage();
    await page.addInitScript(() => {
      window.__cls = 0;
      window.__shifts = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          if (!e.hadRecentInput) {
            window.__cls += e.value;
            window.__shifts.push({ value: e.value, sources: (e.sources || []).map((s) => s.node && (s.node.className || s.node.nodeName)) });
          }
        }
      }).observe({ type: "layout-shift", buffered: true });
    });
    await page.goto(site.base + LANDING);
    const box = await page.locator("#viewer").boundingBox();
    await viewerCanvas(page);
    await page.waitForTimeout(1500);
    const after = await page.locator("#viewer").boundingBox();
    assert.deepStrictEqual(after, box, "the viewer's box keeps its size and place");
    const { cls, shifts } = await page.evaluate(() => ({ cls: window.__cls, shifts: window.__shifts }));
    // Nothing moves: not when the viewer draws into its reserved box, nor
    // when the script shows the copy buttons and the style tabs (below the fold).
    assert.ok(cls < 0.001, `cumulative layout shift ${cls}: ${JSON.stringify(shifts)}`);
  });

});

describe("print", () => {
  test("printing shows the citations, not the navigation, viewer or buttons", async () => {
    const page = await (await context()).newPage();
    await page.goto(site.base + LANDING);
    await page.getByRole("tablist").waitFor();
    await page.emulateMedia({ media: "print" });
    for (const selector of [".site-header nav", "#viewer", ".style-tabs", "button.copy", ".site-footer", ".downloads", ".canvases", ".iiif-dnd"]) {
      const shown = await page.locator(selector).evaluateAll((els) => els.some((e) => e.getClientRects().length > 0));
      assert.ok(!shown, `${selector} is hidden in print`);
    }
    for (const id of ["apa", "mla", "chicago-author-date", "harvard"]) {
      assert.ok(await page.locator(`#cite-${id} .cite-text`).isVisible(), `${id} prints`);
    }
    assert.ok(await page.locator(".landing-header h1").isVisible());
    const pdf = await page.pdf({ format: "A4" });
    assert.ok(pdf.length > 1000);
  });
});

// Last: every page above ran with non-loopback requests aborted and recorded.
test("no request left the machine", () => {
  const blocked = contexts.flatMap((c) => c.blocked);
  assert.deepStrictEqual(blocked, []);
});
