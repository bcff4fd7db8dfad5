// Accessibility of every page type in headless Chromium: axe-core's WCAG 2.1
// A and AA rules in the light and the dark colour scheme (colour contrast
// included), and the keyboard path to the viewer, the citation style
// switcher and the copy button.
"use strict";

const { describe, test, before, after } = require("node:test");
const assert = require("node:assert");
const L = require("./lib.js");

const PAGES = [
  ["landing page", "ark/99999/fk4land/"],
  ["collection", "doi/10.5555/browser.coll/"],
  ["annotation", "hdl/20.500.99999/note-1/"],
  ["tombstone", "ark/99999/fk4gone/"],
  ["home page", ""],
  ["Markdown page", "about/"],
  ["404 page", "no/such/page/"],
];

let site;
let browser;
const contexts = [];

before(async () => {
  site = await L.startSite();
  browser = await L.launch();
});

after(async () => {
  if (browser) { await browser.close(); }
  if (site) { await site.close(); }
});

for (const scheme of ["light", "dark"]) {
  describe(`axe, ${scheme} scheme`, () => {
    for (const [name, url] of PAGES) {
      test(`${name} has no WCAG 2.1 A/AA violations`, async () => {
        const context = await L.newContext(browser, { colorScheme: scheme, reducedMotion: "reduce" });
        contexts.push(context);
        const page = await context.newPage();
        await page.goto(site.base + url);
        // Check the page as a visitor sees it once its scripts have run:
        // the tabs are in place and, where there is one, the viewer too.
        await page.waitForLoadState("load");
        if (await page.locator("#viewer").count()) {
          await page.locator("#viewer .openseadragon-canvas, #viewer [class*='Mirador']").first().waitFor({ timeout: 30000 });
          await page.waitForTimeout(500);
        }
        const violations = await L.axe(page);
        assert.strictEqual(violations.length, 0, `${site.base}${url} (${scheme}):\n${L.describeViolations(violations)}`);
      });
    }
  });
}

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

test("no request left the machine", () => {
  assert.deepStrictEqual(contexts.flatMap((c) => c.blocked), []);
});
