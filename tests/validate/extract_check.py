#!/usr/bin/env python3
"""Read the landing pages' embedded metadata with extruct, as harvesters do.

    extract_check.py --site SITE_DIR --out BUILD_DIR

Which PIDs have a landing page comes from the site's registry
(content/registry.csv and content/registry/*.csv: status empty or `active`)
and from the build's pids.csv (`active` rows, plus one `version` row per
page of an older or current version). Every such page is checked:

  JSON-LD (extruct, syntax json-ld)
    a node whose `name` is the page's <h1> text, whose `url` is the page's
    canonical URL, and whose `identifier` is a PropertyValue whose `value`
    is the PID;
  Open Graph (extruct, syntax opengraph)
    og:title is the <h1> text, og:url the canonical URL;
  Highwire and Dublin Core (<meta name="citation_*">, <meta name="DC.*">,
  read with lxml, which extruct parses with)
    citation_title is the <h1> text; citation_abstract_html_url is the
    canonical URL and citation_public_url, when present, the page's cite-as
    URL (Zotero's item URL: the PID's resolver URL); DC.title is the <h1>
    text, DC.identifier names the PID, <link rel="schema.DC"> is there;
  COinS: one span.Z3988 with rft.title;
  FAIR Signposting: one <link rel="cite-as">, a <link rel="linkset"> and a
    linkset.json beside the page whose anchor is the canonical URL and whose
    cite-as is the page's.

Tombstones (withdrawn PIDs) must still say in JSON-LD which PID they are.
Every failure is printed as `extruct: PAGE: what`; the exit status is 1 on any.
"""

from __future__ import annotations

import argparse
import json
import csv
import re
import sys
import tomllib
from pathlib import Path
from typing import Any, Iterable

import extruct
import lxml.html


def registry_rows(site: Path) -> list[dict[str, str]]:
    """Every row of the site's CSV registry files (comment lines skipped)."""
    content = site / "content"
    files = [content / "registry.csv"] + sorted((content / "registry").glob("*.csv"))
    rows: list[dict[str, str]] = []
    for f in files:
        if not f.is_file():
            continue
        lines = [
            line
            for line in f.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        ]
        rows.extend(csv.DictReader(lines))
    return rows


def same_pid(registry_pid: str, listed_pid: str) -> bool:
    """Whether the registry's spelling and pids.csv's normalised form name
    one PID (enough for the fixtures: `ark:/` and `ark:` spellings, DOI
    case)."""

    def norm(p: str) -> str:
        p = p.strip()
        if p.lower().startswith("ark:/"):
            p = "ark:" + p[5:]
        if p.lower().startswith("doi:") or p.startswith("10."):
            p = p.lower()
        return p

    return norm(registry_pid) == norm(listed_pid)


def page_file(out: Path, base_url: str, url: str) -> Path:
    if not url.startswith(base_url):
        raise ValueError(f"{url} is not under {base_url}")
    rel = url[len(base_url) :]
    path = out / rel
    return path / "index.html" if rel == "" or rel.endswith("/") else path


def jsonld_nodes(items: Iterable[Any]) -> Iterable[dict[str, Any]]:
    """Every JSON object in the JSON-LD blocks, @graph members included."""
    for item in items:
        if isinstance(item, list):
            yield from jsonld_nodes(item)
        elif isinstance(item, dict):
            yield item
            if "@graph" in item:
                yield from jsonld_nodes(item["@graph"])


def as_list(v: Any) -> list[Any]:
    return v if isinstance(v, list) else [v]


def identifier_values(node: dict[str, Any]) -> list[str]:
    values = []
    for ident in as_list(node.get("identifier")):
        if isinstance(ident, dict) and ident.get("@type") == "PropertyValue":
            values.append(str(ident.get("value", "")))
    return values


def meta_names(doc: lxml.html.HtmlElement) -> dict[str, list[str]]:
    """`<meta name=… content=…>` by name: citation_*, DC.* and DCTERMS.*."""
    found: dict[str, list[str]] = {}
    for el in doc.iter("meta"):
        name = el.get("name")
        if name is None:
            continue
        if name.startswith("citation_") or name.split(".")[0] in ("DC", "DCTERMS", "dc", "dcterms"):
            found.setdefault(name, []).append(el.get("content", ""))
    return found


def text_of(doc: lxml.html.HtmlElement, xpath: str) -> str | None:
    els = doc.xpath(xpath)
    if not els:
        return None
    return " ".join(els[0].text_content().split())


def check_page(path: Path, url: str, pid: str, tombstone: bool) -> list[str]:
    html = path.read_text(encoding="utf-8")
    problems: list[str] = []
    doc = lxml.html.fromstring(html)
    h1 = text_of(doc, "//h1")
    if not h1:
        return ["no <h1>"]
    canonical = doc.xpath("//link[@rel='canonical']/@href")
    if canonical != [url]:
        problems.append(f"canonical link {canonical}, expected [{url!r}]")

    data = extruct.extract(
        html, base_url=url, syntaxes=["json-ld", "opengraph"], uniform=True
    )
    nodes = list(jsonld_nodes(data.get("json-ld", [])))
    if not nodes:
        problems.append("no JSON-LD")
    else:
        main = [n for n in nodes if n.get("url") == url or n.get("@id") == url]
        if not main:
            problems.append(f"no JSON-LD node with url {url!r}")
        for n in main[:1]:
            if n.get("name") != h1:
                problems.append(f"JSON-LD name {n.get('name')!r} != <h1> {h1!r}")
            if n.get("url") != url:
                problems.append(f"JSON-LD url {n.get('url')!r} != {url!r}")
            values = identifier_values(n)
            if pid not in values:
                problems.append(
                    f"JSON-LD identifier PropertyValue values {values}, expected {pid!r}"
                )
    if tombstone:
        return problems

    og = {}
    for item in data.get("opengraph", []):
        for k, v in item.items():
            og.setdefault(k, v)
    if og.get("og:title") != h1:
        problems.append(f"og:title {og.get('og:title')!r} != <h1> {h1!r}")
    if og.get("og:url") != url:
        problems.append(f"og:url {og.get('og:url')!r} != {url!r}")

    meta = meta_names(doc)
    if meta.get("citation_title") != [h1]:
        problems.append(f"citation_title {meta.get('citation_title')} != [<h1> {h1!r}]")
    if "citation_abstract_html_url" in meta and meta["citation_abstract_html_url"] != [url]:
        problems.append(f"citation_abstract_html_url {meta['citation_abstract_html_url']} != [{url!r}]")
    cite_as_href = doc.xpath("//link[@rel='cite-as']/@href")
    if "citation_public_url" in meta and meta["citation_public_url"] != cite_as_href:
        problems.append(f"citation_public_url {meta['citation_public_url']} != cite-as {cite_as_href}")
    if "citation_public_url" not in meta and "citation_abstract_html_url" not in meta:
        problems.append("neither citation_public_url nor citation_abstract_html_url")

    # Dublin Core (read by Zotero with the schema.DC link) and COinS.
    if meta.get("DC.title") != [h1]:
        problems.append(f"DC.title {meta.get('DC.title')} != [<h1> {h1!r}]")
    if pid not in meta.get("DC.identifier", []):
        problems.append(f"DC.identifier {meta.get('DC.identifier')} lacks {pid!r}")
    if not doc.xpath("//link[@rel='schema.DC']"):
        problems.append("no <link rel=schema.DC>")
    coins = doc.xpath("//span[contains(concat(' ', @class, ' '), ' Z3988 ')]/@title")
    if len(coins) != 1 or "rft.title=" not in coins[0]:
        problems.append(f"COinS spans {coins}")

    # FAIR Signposting: one cite-as, and the page's linkset file agrees.
    cite_as = doc.xpath("//link[@rel='cite-as']/@href")
    if len(cite_as) != 1:
        problems.append(f"cite-as links {cite_as}, expected one")
    linkset_href = doc.xpath("//link[@rel='linkset']/@href")
    linkset_file = path.parent / "linkset.json"
    if not linkset_href or not linkset_file.is_file():
        problems.append("no linkset link or no linkset.json beside the page")
    else:
        contexts = json.loads(linkset_file.read_text(encoding="utf-8")).get("linkset", [])
        ctx = contexts[0] if contexts else {}
        if ctx.get("anchor") != url:
            problems.append(f"linkset anchor {ctx.get('anchor')!r} != {url!r}")
        if [t.get("href") for t in ctx.get("cite-as", [])] != cite_as:
            problems.append(f"linkset cite-as {ctx.get('cite-as')} != page {cite_as}")
    return problems


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--site", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    args = ap.parse_args()

    listed = list(csv.DictReader((args.out / "pids.csv").open(encoding="utf-8")))
    base_url = tomllib.loads((args.site / "site.toml").read_text(encoding="utf-8"))["base_url"]
    base_url = base_url.rstrip("/") + "/"

    failures: list[str] = []
    pages: list[tuple[str, str, bool]] = []  # (pid, url, tombstone)
    for row in registry_rows(args.site):
        pid = row.get("pid", "").strip()
        status = (row.get("status") or "active").strip()
        if not pid or status not in ("active", "withdrawn"):
            continue
        want = "active" if status == "active" else "withdrawn"
        hits = [r for r in listed if r["status"] == want and same_pid(pid, r["pid"])]
        if not hits:
            failures.append(f"registry PID {pid} ({status}): no `{want}` row in pids.csv")
            continue
        for r in hits:
            entry = (r["pid"], r["url"], want == "withdrawn")
            if entry not in pages:
                pages.append(entry)
    for r in listed:
        if r["status"] == "version":
            pages.append((r["pid"], r["url"], False))

    checked = tombstones = 0
    for pid, url, tombstone in pages:
        try:
            path = page_file(args.out, base_url, url)
        except ValueError as e:
            failures.append(str(e))
            continue
        if not path.is_file():
            failures.append(f"{url}: no page at {path}")
            continue
        # A withdrawn PID's version pages are stubs to its tombstone
        # (listed `withdrawn` in pids.csv): the tombstone is checked itself.
        stub = re.search(r"http-equiv=[\"']?refresh", path.read_text(encoding="utf-8"))
        if tombstone and stub:
            continue
        checked += 1
        tombstones += tombstone
        for p in check_page(path, url, pid, tombstone):
            failures.append(f"{path.relative_to(args.out)}: {p}")

    for f in failures:
        print(f"extruct: {f}")
    print(
        f"extruct: {checked} pages checked in {args.out} "
        f"({checked - tombstones} landing and version pages, {tombstones} tombstones), "
        f"{len(failures)} failures"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
