// Format the same CSL-JSON items with citeproc-js, the reference CSL
// processor, and compare with pidsite's output (from examples/csl_format.rs).
// usage: node compare.js [--update] ITEMS.json PIDSITE.json STYLE.csl...
//
// Where hayagriva (pidsite's CSL processor) is known to differ from
// citeproc-js, the difference is recorded, both texts verbatim, in
// known-differences.json: the comparison fails on any other difference,
// and on a recorded one that changed or went away (so the record stays
// true). `--update` rewrites the record; review its diff before committing.
"use strict";
const fs = require("fs");
const path = require("path");
const CSL = require("citeproc");

const args = process.argv.slice(2);
const update = args[0] === "--update";
const [itemsFile, pidsiteFile, ...styleFiles] = update ? args.slice(1) : args;
const knownFile = path.join(__dirname, "known-differences.json");
const known = fs.existsSync(knownFile) ? JSON.parse(fs.readFileSync(knownFile, "utf8")) : {};
const found = {};
const items = JSON.parse(fs.readFileSync(itemsFile, "utf8"));
const ours = JSON.parse(fs.readFileSync(pidsiteFile, "utf8"));
const byId = new Map(items.map((item) => [item.id, item]));
const locale = fs.readFileSync(path.join(__dirname, "locales-en-US.xml"), "utf8");

// Both processors' plain text, compared without differences in spacing.
const norm = (s) => s.replace(/\s+/g, " ").trim();

let failures = 0;
let checked = 0;
for (const file of styleFiles) {
  const name = path.basename(file, ".csl");
  const xml = fs.readFileSync(file, "utf8");
  let agree = 0;
  // One engine per style (building one parses the style, most of the
  // time); updateItems() then registers one item alone each time, as
  // pidsite cites it: no disambiguation or numbering across items.
  const sys = {
    retrieveLocale: () => locale,
    retrieveItem: (id) => byId.get(id),
  };
  const engine = new CSL.Engine(sys, xml, "en-US", true);
  engine.setOutputFormat("text");
  items.forEach((item, i) => {
    engine.updateItems([item.id]);
    const bib = engine.makeBibliography();
    const theirs = norm(bib ? bib[1].join("") : engine.makeCitationCluster([{ id: item.id }]));
    const mine = norm(((ours[name] || [])[i]) || "");
    checked++;
    // A numbered style's bibliography numbers its entries; pidsite cites
    // one item alone, without the number.
    const strip = (t) => t.replace(/^(\[1\]|1\.)\s+/, "");
    if (strip(theirs) === strip(mine)) {
      agree++;
      if (known[name] && known[name][item.id]) {
        failures++;
        console.log(`FIXED ${name} ${item.id}: now agrees; run with --update to drop it`);
      }
      return;
    }
    const key = `${name} ${item.id}`;
    (found[name] = found[name] || {})[item.id] = { "citeproc-js": theirs, pidsite: mine };
    const was = known[name] && known[name][item.id];
    if (!was || was["citeproc-js"] !== theirs || was.pidsite !== mine) {
      failures++;
      console.log(`DIFF ${key}\n  citeproc-js: ${theirs}\n  pidsite:     ${mine}`);
    }
  });
  const recorded = Object.keys(found[name] || {}).length;
  console.log(`${name}: ${agree}/${items.length} agree, ${recorded} recorded differences`);
}
console.log(`citeproc-js comparison: ${checked} citations in ${styleFiles.length} styles, ${checked - Object.values(found).reduce((n, o) => n + Object.keys(o).length, 0)} agree`);
if (update) {
  fs.writeFileSync(knownFile, JSON.stringify(found, null, 1) + "\n");
  console.log(`wrote ${knownFile}`);
  process.exit(0);
}
process.exit(failures ? 1 : 0);
