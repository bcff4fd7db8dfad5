// The 404 page's near-miss lookup, run with node's own test runner
// (`node --test tests/js/`), against the rows pids.csv holds.
const test = require("node:test");
const assert = require("node:assert");
const { parse, find } = require("../../static/js/near-miss.js");

const csv = [
  "pid,url,status",
  "ark:12345/x6-np1wh8k,https://org.github.io/repo/ark/12345/x6-np1wh8k/,active",
  "doi:10.5555/coin.1,https://org.github.io/repo/doi/10.5555/coin.1/,active",
  "hdl:20.500.99999/maps,https://org.github.io/repo/hdl/20.500.99999/maps/,active",
  "urn:nbn:de:gbv:7-3216958,https://org.github.io/repo/urn/nbn/de/gbv/7-3216958/,active",
  "\"local,odd\",https://org.github.io/repo/id/local~2Codd/,active",
  "café-über,https://org.github.io/repo/id/caf~C3~A9-~C3~BCber/,active",
  "/islandora/object/uofm:1234,https://org.github.io/repo/islandora/object/uofm~3A1234/,alias",
  "https://org.github.io/repo/items/Marsh%20178/,https://org.github.io/repo/items/Marsh~2520178/,alias",
].join("\n");
const rows = parse(csv);
const base = "/repo/";

test("csv rows parse, quoted cells included", () => {
  assert.strictEqual(rows.length, 8);
  assert.strictEqual(rows[4].pid, "local,odd");
});

for (const [typed, pid] of [
  ["ark:/12345/x6np1wh8k", "ark:12345/x6-np1wh8k"],
  ["ark:12345/x6np1wh8k/", "ark:12345/x6-np1wh8k"],
  ["ark/12345/X6NP1WH8K", "ark:12345/x6-np1wh8k"],
  ["doi/10.5555/COIN.1/", "doi:10.5555/coin.1"],
  ["10.5555/coin.1", "doi:10.5555/coin.1"],
  ["doi:10.5555/coin.1).", "doi:10.5555/coin.1"],
  ["hdl:20.500.99999/maps", "hdl:20.500.99999/maps"],
  ["urn:nbn:de:gbv:7-3216958", "urn:nbn:de:gbv:7-3216958"],
  // Pages are at escaped paths (`~XX`): the path a person writes, with the
  // identifier or old URL as it is, finds them.
  ["id/local,odd/", "local,odd"],
  ["id/caf%C3%A9-%C3%BCber/", "café-über"],
  ["islandora/object/uofm:1234", "/islandora/object/uofm:1234"],
  ["items/Marsh%20178/", "https://org.github.io/repo/items/Marsh%20178/"],
]) {
  test(`${typed} finds ${pid}`, () => {
    const row = find(rows, typed, base);
    assert.ok(row, `${typed}: no match`);
    assert.strictEqual(row.pid, pid);
  });
}

test("an unknown path finds nothing", () => {
  assert.strictEqual(find(rows, "ark/12345/nothing", base), null);
  assert.strictEqual(find(rows, "", base), null);
});
