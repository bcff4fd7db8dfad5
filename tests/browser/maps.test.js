// Maps (issue 20, section 3) in headless Chromium: tests/fixtures/maps (the
// corpus's IIIF Cookbook recipes with navPlace, one manifest without, a
// withdrawn one) built and served under /repo/. The tests run offline: every
// tile request is aborted like any other non-loopback request, so the
// markers stand on a blank background, and the list is there either way.
"use strict";

const { describe, test, before, after } = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const L = require("./lib.js");

const FIXTURE = path.join(L.ROOT, "tests", "fixtures", "maps");
// Places on the map page: 1 (0154) + 2 (0240, on canvases) + 5 (0318's
// members); the withdrawn PID's place is not there.
const PLACES = 8;

let site;
let copy;
let browser;

before(async () => {
  // A copy: a build writes pidsite.lock into the site folder.
  copy = fs.mkdtempSync(path.join(os.tmpdir(), "pidsite-maps-"));
  fs.cpSync(FIXTURE, copy, { recursive: true });
  site = await L.startSite({ site: copy, basePath: "/repo/" });
  browser = await L.launch();
  fs.mkdirSync(L.SHOTS, { recursive: true });
});

after(async () => {
  if (browser) { await browser.close(); }
  if (site) { await site.close(); }
  if (copy) { fs.rmSync(copy, { recursive: true, force: true }); }
});

/** A page once its map is drawn (its markers placed). */
async function mapPage(context, url) {
  const page = await context.newPage();
  await page.goto(site.base + url);
  await page.locator(".map .leaflet-marker-icon").first().waitFor({ timeout: 15000 });
  // A landing page's viewer too, as the accessibility tests wait for it.
  if (await page.locator("#viewer").count()) {
    await page.locator("#viewer .openseadragon-canvas, #viewer [class*='Mirador']").first().waitFor({ timeout: 30000 });
    await page.waitForTimeout(500);
  }
  return page;
}

describe("maps", () => {
  test("the map page shows a marker for every place of the navPlace recipes, and the list", async () => {
    const context = await L.newContext(browser, { reducedMotion: "reduce" });
    const page = await mapPage(context, "map/");
    assert.strictEqual(await page.locator(".map .leaflet-marker-icon").count(), PLACES);
    assert.strictEqual(await page.locator("#place-list li[data-lat]").count(), PLACES);
    for (const pid of ["fk4geo", "fk4canvases", "fk4rome"]) {
      assert.strictEqual(await page.locator(`#place-list a[href="/repo/ark/99999/${pid}/"]`).count(), 1, pid);
    }
    assert.strictEqual(await page.locator("#place-list a[href*='fk4plain'], #place-list a[href*='fk4gone']").count(), 0);
    // Offline: the tiles were asked for and aborted, and no tile is drawn.
    assert.ok(context.blocked.some((u) => u.startsWith("https://tile.openstreetmap.org/")), context.blocked.join("\n"));
    assert.strictEqual(await page.locator(".leaflet-tile-loaded").count(), 0);
    // The attribution the tile policy asks for is on the map.
    assert.match(await page.locator(".leaflet-control-attribution").innerText(), /OpenStreetMap contributors/);
    // Rome's five places are near one another; the map shows them all.
    const inView = await page.evaluate(() => {
      const box = document.querySelector(".map").getBoundingClientRect();
      return Array.from(document.querySelectorAll(".map .leaflet-marker-icon")).filter((m) => {
        const r = m.getBoundingClientRect();
        return r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
      }).length;
    });
    assert.strictEqual(inView, PLACES);
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({
      path: path.join(L.SHOTS, "map.png"),
      fullPage: true,
      clip: { x: 0, y: 0, width: 1200, height: Math.min(height, 1100) },
    });
    await context.close();
  });

  test("markers are buttons in the tab order; Enter opens the place and its PID's link", async () => {
    const context = await L.newContext(browser, { reducedMotion: "reduce" });
    const page = await mapPage(context, "map/");
    const marker = page.locator(".map .leaflet-marker-icon[title*='The Colosseum']");
    assert.strictEqual(await marker.getAttribute("role"), "button");
    assert.strictEqual(await marker.getAttribute("tabindex"), "0");
    // Tab from the map (which pans with the arrow keys) until the marker
    // has the focus.
    await page.locator(".map").focus();
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await marker.evaluate((m) => m === document.activeElement);
    }
    assert.ok(reached, "Tab does not reach the Colosseum's marker");
    await page.keyboard.press("Enter");
    const popup = page.locator(".leaflet-popup-content");
    await popup.waitFor({ timeout: 5000 });
    assert.match(await popup.innerText(), /The Colosseum/);
    assert.strictEqual(await popup.locator("a[href='/repo/ark/99999/fk4rome/']").count(), 1);
    await context.close();
  });

  test("a landing page with navPlace shows its places on a map; one without loads no map", async () => {
    const context = await L.newContext(browser, { reducedMotion: "reduce" });
    const page = await mapPage(context, "ark/99999/fk4canvases/");
    assert.strictEqual(await page.locator(".map .leaflet-marker-icon").count(), 2);
    assert.strictEqual(await page.locator("#place-list li").count(), 2);
    assert.match(await page.locator(".places").innerText(), /Current Location of Painting/);
    const plain = await context.newPage();
    const requests = [];
    plain.on("request", (r) => requests.push(r.url()));
    await plain.goto(site.base + "ark/99999/fk4plain/");
    await plain.waitForLoadState("load");
    assert.strictEqual(await plain.locator(".map, .places").count(), 0);
    assert.ok(!requests.some((u) => /leaflet|map\.js|tile\./.test(u)), requests.join("\n"));
    await context.close();
  });

  test("without JavaScript the map page is its list of places", async () => {
    const context = await L.newContext(browser, { javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(site.base + "map/");
    assert.strictEqual(await page.locator(".map").isVisible(), false);
    assert.strictEqual(await page.locator("#place-list li[data-lat]").count(), PLACES);
    assert.ok(await page.locator("#place-list").isVisible());
    assert.match(await page.locator("#place-list").innerText(), /latitude 41\.890278, longitude 12\.492222/);
    await context.close();
  });

  for (const [name, url] of [["map page", "map/"], ["landing page with a map", "ark/99999/fk4canvases/"], ["collection with a map", "ark/99999/fk4rome/"]]) {
    test(`axe, light and dark: ${name} has no violations`, async () => {
      const context = await L.newContext(browser, { reducedMotion: "reduce" });
      const page = await mapPage(context, url);
      const found = [];
      for (const colorScheme of ["light", "dark"]) {
        await page.emulateMedia({ colorScheme });
        for (const v of await L.axe(page)) { found.push({ ...v, id: `${v.id} [${colorScheme}]` }); }
      }
      assert.strictEqual(found.length, 0, `${site.base}${url}:\n${L.describeViolations(found)}`);
      await context.close();
    });
  }
});
