'use strict';
// Imports every landing page of the given pidsite outputs the way Zotero's
// browser connector does, with Zotero's own code: the translation framework
// and the web translators come from the npm package zotero-translators (a
// build of Zotero's translation-server with the translators of early 2019).
// Nothing Zotero does is re-implemented here: this file only loads each page
// into jsdom, asks the framework which translators detect it (the connector
// saves with the first, by priority), runs the first one and Embedded
// Metadata, and compares each item with the page's own CSL-JSON (cite.json).
//
// usage: node import.js RESULTS.json OUT_DIR [OUT_DIR...]
process.env.DEBUG_LEVEL = process.env.ZOTERO_DEBUG_LEVEL || '0';
require('zotero-translators'); // defines the global Zotero, as translation-server does
const fs = require('fs');
const path = require('path');
const { JSDOM } = require('jsdom');
const wgxpath = require('wicked-good-xpath');

const EMBEDDED_METADATA = '951c027d-74ac-47d4-a107-9c3069ab7b48';
const COINS = '05d07af9-105a-4572-99f6-a8e231c0daef';

// The Zotero item type that a CSL type comes back from: Zotero's CSL
// mappings read backwards, as pidsite's kinds (src/model/genre.rs) write them:
// `motion_picture` is Zotero's film and videoRecording, and pidsite says
// videoRecording. `collection` and `musical_score` have no Zotero type of
// their own; `document` is Zotero's type for what fits no other.
// `dataset` and `preprint` exist since Zotero 7 only, so the 2019 framework
// here cannot check them (no page of the example or basic site has them).
const ZOTERO_TYPE = {
  graphic: 'artwork',
  manuscript: 'manuscript',
  map: 'map',
  book: 'book',
  collection: 'document',
  dataset: 'dataset',
  document: 'document',
  musical_score: 'document',
  song: 'audioRecording',
  motion_picture: 'videoRecording',
  periodical: 'newspaperArticle',
  personal_communication: 'letter',
  interview: 'interview',
  article: 'preprint',
  webpage: 'webpage',
};

function landingPages(root) {
  const found = [];
  (function walk(dir) {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === 'index.html' && fs.existsSync(path.join(dir, 'cite.json'))) found.push(dir);
    }
  })(root);
  return found.sort();
}

function pageUrl(doc) {
  const canonical = doc.querySelector('link[rel="canonical"]');
  if (canonical) return canonical.getAttribute('href');
  const og = doc.querySelector('meta[property="og:url"]');
  return og && og.getAttribute('content');
}

function load(file) {
  const html = fs.readFileSync(file, 'utf8');
  const first = new JSDOM(html);
  const url = pageUrl(first.window.document);
  if (!url) throw new Error(`${file}: no canonical URL`);
  // As translation-server does with a fetched page: the document at its own
  // URL, with wicked-good-xpath for document.evaluate.
  const dom = new JSDOM(html, { url, contentType: 'text/html' });
  wgxpath.install(dom.window, true);
  return { doc: dom.window.document, url };
}

async function detect(doc) {
  const t = new Zotero.Translate.Web();
  t.setDocument(doc);
  return t.getTranslators(true);
}

async function run(doc, translator) {
  const t = new Zotero.Translate.Web();
  t.setDocument(doc);
  t.setTranslator(translator);
  const items = await t.translate({ libraryID: false });
  return items;
}

function isoOf(dateParts) {
  return dateParts.map((n, i) => (i ? String(n).padStart(2, '0') : String(n))).join('-');
}

function expected(csl) {
  const issued = csl.issued || {};
  let date = null;
  if (issued['date-parts'] && issued['date-parts'][0]) date = isoOf(issued['date-parts'][0]);
  else if (issued.raw || issued.literal) date = issued.raw || issued.literal;
  return {
    itemType: ZOTERO_TYPE[csl.type] || `(no Zotero type for CSL ${csl.type})`,
    // cite.json marks a PID standing in for the title with CSL-JSON's
    // nocase markup; the page's title is the plain PID.
    title: csl.title.replace(/<span class="nocase">([^<]*)<\/span>/g, '$1'),
    creators: (csl.author || []).map((a) => (a.literal ? a.literal : [a.family, a.given].filter(Boolean).join(', '))),
    date,
    url: csl.URL,
  };
}

function creatorName(c) {
  if (c.fieldMode === 1 || !c.firstName) return c.lastName;
  return `${c.lastName}, ${c.firstName}`;
}

// Zotero stores a creator whose role the type lacks under the type's primary
// role, so `author` is as good as the primary role here.
function compare(item, want) {
  const got = {
    itemType: item.itemType,
    title: item.title,
    creators: (item.creators || []).map(creatorName),
    date: item.date ? Zotero.Date.strToISO(item.date) || item.date : null,
    url: item.url || null,
  };
  const failures = [];
  for (const k of ['itemType', 'title', 'date', 'url']) {
    if ((got[k] || null) !== (want[k] || null)) failures.push(`${k}: got ${JSON.stringify(got[k])}, want ${JSON.stringify(want[k])}`);
  }
  if (JSON.stringify(got.creators) !== JSON.stringify(want.creators)) {
    failures.push(`creators: got ${JSON.stringify(got.creators)}, want ${JSON.stringify(want.creators)}`);
  }
  return { got, failures };
}

async function main() {
  const [resultsFile, ...roots] = process.argv.slice(2);
  // Differences that Zotero's code cannot avoid, recorded verbatim with the
  // reason: { page: { translator: { reason, failures: [...] } } }. Any other
  // difference fails, and so does a recorded one that no longer occurs.
  const known = JSON.parse(fs.readFileSync(path.join(__dirname, 'known-differences.json'), 'utf8'));
  const seen = new Set();
  if (!resultsFile || !roots.length) {
    console.error('usage: node import.js RESULTS.json OUT_DIR [OUT_DIR...]');
    process.exit(2);
  }
  const em = await Zotero.Translators.get(EMBEDDED_METADATA);
  const coins = await Zotero.Translators.get(COINS);
  console.log(`Zotero translators: ${em.label} ${em.lastUpdated}, ${coins.label} ${coins.lastUpdated}`);
  const results = [];
  let passed = 0;
  let failed = 0;
  for (const root of roots) {
    for (const dir of landingPages(root)) {
      const rel = path.relative(root, dir) || '.';
      const name = `${path.basename(root)}/${rel}`;
      const csl = JSON.parse(fs.readFileSync(path.join(dir, 'cite.json'), 'utf8'))[0];
      const want = expected(csl);
      const { doc, url } = load(path.join(dir, 'index.html'));
      const detected = await detect(doc);
      const record = {
        page: name,
        url,
        expected: want,
        detected: detected.map((t) => ({ translator: t.label, priority: t.priority, itemType: t.itemType })),
        imports: [],
      };
      // The connector saves with the first translator; Embedded Metadata is
      // the one the requirement names, so it runs too when it is not first.
      const chosen = [];
      if (detected.length) chosen.push(detected[0]);
      if (!chosen.some((t) => t.translatorID === EMBEDDED_METADATA)) chosen.push(em);
      for (const translator of chosen) {
        let outcome;
        try {
          const items = await run(load(path.join(dir, 'index.html')).doc, translator);
          if (items.length !== 1) outcome = { failures: [`${items.length} items, want 1`], got: items };
          else outcome = compare(items[0], want);
        } catch (e) {
          outcome = { failures: [`translation failed: ${e && e.stack ? e.stack : e}`] };
        }
        const role = translator === detected[0] ? 'first' : 'explicit';
        const recorded = ((known[name] || {})[translator.label] || {}).failures;
        let ok = outcome.failures.length === 0;
        if (recorded) {
          seen.add(`${name}\t${translator.label}`);
          if (JSON.stringify(recorded) === JSON.stringify(outcome.failures)) {
            ok = true;
            outcome.known = true;
          } else {
            ok = false;
            outcome.failures.push(`recorded in known-differences.json as ${JSON.stringify(recorded)}`);
          }
        }
        record.imports.push({ translator: translator.label, role, ...outcome });
        if (ok) passed++;
        else failed++;
        const g = outcome.got || {};
        console.log(
          `${ok ? (outcome.known ? 'know' : 'ok  ') : 'FAIL'} ${name} [${translator.label}${role === 'first' ? ', first' : ''}] ` +
            `${g.itemType || '-'} | ${g.title || '-'} | ${(g.creators || []).join('; ') || '-'} | ${g.date || '-'} | ${g.url || '-'}`,
        );
        for (const f of outcome.failures) console.log(`       ${f}`);
      }
      if (!detected.length) {
        failed++;
        console.log(`FAIL ${name}: no translator detects the page`);
      }
      results.push(record);
    }
  }
  for (const [page, byTranslator] of Object.entries(known)) {
    for (const label of Object.keys(byTranslator)) {
      if (!seen.has(`${page}\t${label}`)) {
        failed++;
        console.log(`FAIL ${page} [${label}]: recorded in known-differences.json but not imported`);
      }
    }
  }
  fs.mkdirSync(path.dirname(resultsFile), { recursive: true });
  fs.writeFileSync(resultsFile, `${JSON.stringify(results, null, 1)}\n`);
  console.log(`${results.length} pages imported; results in ${resultsFile}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
