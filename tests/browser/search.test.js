// Site-wide search and browse pages (issue 20, section 1) in headless
// Chromium: the fixture site with 70 more PIDs, so that the home page's
// first page (60 cards) does not hold them all; the last one, a map, is
// what the searches look for.
"use strict";

const { describe, test, before, after } = require("node:test");
const assert = require("node:assert");
const L = require("./lib.js");

const FILLERS = 70;
const TARGET_PID = "ark:/99999/fk4zanzibar";
const rows = [];
for (let i = 0; i < FILLERS; i++) {
  rows.push(`ark:/99999/fk4fill${i},manifests/book.json,Manifest,,,,,,Filler volume ${i},"Filler, Fred",1950,book,,`);
}
rows.push(`${TARGET_PID},manifests/book.json,Manifest,,,,,,Zanzibar harbour chart,"Chartmaker, Carla",1890,map,,`);
const EXTRA = "\n" + rows.join("\n") + "\n";

let site;
let browser;
let context;

before(async () => {
  site = await L.startSite({ extraRows: EXTRA });
  browser = await L.launch();
  context = await L.newContext(browser);
});

after(async () => {
  if (browser) { await browser.close(); }
  if (site) { await site.close(); }
});

/** The search page, with its facets drawn. */
async function searchPage(query = "") {
  const page = await context.newPage();
  const q = query ? `?q=${encodeURIComponent(query)}` : "";
  await page.goto(`${site.base}search/${q}`);
  await page.locator(".search-form:not([hidden])").waitFor();
  return page;
}

describe("search", () => {
  test("the PID is not on the home page's first page", async () => {
    const page = await context.newPage();
    await page.goto(site.base);
    assert.strictEqual(await page.locator(".cards .card").count(), 60);
    assert.strictEqual(await page.getByText("Zanzibar harbour chart").count(), 0);
    await page.close();
  });

  test("a query finds a PID that is not on the first home page, by title and by PID", async () => {
    const page = await searchPage("zanzibar");
    const first = page.locator(".results .result").first();
    await first.waitFor();
    assert.match(await first.innerText(), /Zanzibar harbour chart/);
    assert.match(await first.innerText(), /ark:\/?99999\/fk4zanzibar/);
    assert.match(await first.locator("img").getAttribute("src"), /./, "a thumbnail");
    // Another written form of the PID (no slash after ark:).
    await page.fill("#search-query", "fk4zanzibar");
    await page.press("#search-query", "Enter");
    await page.locator(".results .result", { hasText: "Zanzibar" }).first().waitFor();
    await page.close();
  });

  test("a facet narrows the results", async () => {
    const page = await searchPage();
    await page.waitForFunction(() => /^\d+ results/.test(document.querySelector(".search-status").textContent));
    const n0 = parseInt(await page.locator(".search-status").innerText(), 10);
    assert.ok(n0 > 60, `an empty query lists every PID: ${n0}`);
    await page.getByLabel(/^1890s/).check();
    await page.waitForFunction(() => /^1 result$/.test(document.querySelector(".search-status").textContent));
    assert.match(await page.locator(".results").innerText(), /Zanzibar/);
    // The facet keeps the focus, so a keyboard user stays where they were.
    assert.strictEqual(await page.evaluate(() => document.activeElement.type), "checkbox");
    await page.close();
  });

  test("search works with the keyboard alone", async () => {
    const page = await context.newPage();
    await page.goto(site.base);
    // Tab from the top of the page to the header's search box.
    let focused = "";
    for (let i = 0; i < 40 && !focused; i++) {
      await page.keyboard.press("Tab");
      focused = await page.evaluate(() => document.activeElement && document.activeElement.matches("form.site-search input[name=q]"));
    }
    assert.ok(focused, "the header's search box is reachable by Tab");
    await page.keyboard.type("zanzibar");
    await page.keyboard.press("Enter");
    await page.waitForURL(/search\/\?q=zanzibar/);
    await page.locator(".results .result").first().waitFor();
    // Tab on to the first result and open it with Enter.
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press("Tab");
      const text = await page.evaluate(() => document.activeElement && document.activeElement.textContent);
      if (/Zanzibar harbour chart/.test(text || "")) { break; }
    }
    await page.keyboard.press("Enter");
    await page.waitForURL(/ark\/99999\/fk4zanzibar\/$/);
    await page.close();
  });

  test("withdrawn PIDs are found only when asked", async () => {
    const page = await searchPage();
    await page.waitForFunction(() => /^\d+ results/.test(document.querySelector(".search-status").textContent));
    const all = parseInt(await page.locator(".search-status").innerText(), 10);
    await page.getByLabel(/^active/).check();
    await page.waitForFunction(() => /^\d+ results/.test(document.querySelector(".search-status").textContent));
    assert.strictEqual(parseInt(await page.locator(".search-status").innerText(), 10), all, "no withdrawn PID among the results");
    await page.getByLabel(/^active/).uncheck();
    await page.getByLabel(/^withdrawn/).check();
    await page.waitForFunction(() => /^1 result$/.test(document.querySelector(".search-status").textContent));
    assert.strictEqual(await page.locator('.results a[href$="ark/99999/fk4gone/"]').count(), 1);
    await page.close();
  });

  test("without JavaScript the header links to the browse pages, which list every PID", async () => {
    const noJs = await L.newContext(browser, { javaScriptEnabled: false });
    const page = await noJs.newPage();
    await page.goto(site.base);
    assert.strictEqual(await page.locator("form.site-search").isVisible(), false);
    await page.locator("a.browse-link").click();
    await page.getByRole("link", { name: "1890s" }).click();
    assert.match(await page.locator("main").innerText(), /Zanzibar harbour chart/);
    // Paginated like the home page: 60 per page.
    await page.goto(`${site.base}browse/decade/1950s/`);
    assert.strictEqual(await page.locator(".cards .card").count(), 60);
    await page.getByRole("link", { name: /Next/ }).click();
    assert.strictEqual(await page.locator(".cards .card").count(), FILLERS - 60);
    await noJs.close();
  });

  test("axe: 0 violations on the search and browse pages, light and dark", async () => {
    const found = [];
    for (const colorScheme of ["light", "dark"]) {
      const c = await L.newContext(browser, { colorScheme });
      const page = await c.newPage();
      for (const url of ["search/?q=zanzibar", "browse/", "browse/decade/1950s/"]) {
        await page.goto(site.base + url);
        if (url.startsWith("search")) { await page.locator(".results .result").first().waitFor(); }
        for (const v of await L.axe(page)) { found.push({ ...v, id: `${v.id} [${colorScheme}] ${url}` }); }
      }
      await c.close();
    }
    assert.deepStrictEqual(found, [], L.describeViolations(found));
  });
});
