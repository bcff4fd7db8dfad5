#!/usr/bin/env python3
"""Check that `pidsite enrich` keeps IIIF Presentation 3 documents valid.

Two steps, both driven by tests/py/run.sh:

  prezi3_check.py prepare --site DIR CORPUS_DIR...
      Finds every IIIF Presentation 3 Manifest or Collection (an @context
      containing "presentation/3") under the corpus folders, and lays out a
      pidsite site in DIR: site.toml, content/manifests/<copy>.json and a
      content/registry.csv giving each copy an ARK. DIR/prezi3-files.json
      records which original each copy came from.

  prezi3_check.py check --site DIR --enriched OUT
      Loads each original and its enriched copy (OUT/manifests/<copy>.json)
      with iiif_prezi3.Manifest(**doc) or iiif_prezi3.Collection(**doc),
      according to "type":
        original loads, enriched loads  -> OK
        original loads, enriched fails  -> FAILURE (the pydantic error is printed)
        original fails                  -> SKIP (counted and printed)
      An original that loads but has no enriched copy, or whose copy lacks
      the landing page pidsite should have added, is a FAILURE too.
      Exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

BASE_URL = "https://example.org/prezi3/"
MAP_FILE = "prezi3-files.json"
KINDS = ("Manifest", "Collection")


def is_v3(doc: object) -> bool:
    if not isinstance(doc, dict):
        return False
    ctx = doc.get("@context")
    ctxs = ctx if isinstance(ctx, list) else [ctx]
    return any(isinstance(c, str) and "presentation/3" in c for c in ctxs)


def find_v3(corpora: list[Path]) -> tuple[list[tuple[Path, Path, str]], int]:
    """(corpus root, file, type) of each v3 Manifest/Collection, and how many
    other v3 documents (annotation pages, canvases...) were passed over."""
    seen: set[Path] = set()
    found: list[tuple[Path, Path, str]] = []
    others = 0
    for root in corpora:
        root = root.resolve()
        for path in sorted(root.rglob("*.json")):
            real = path.resolve()
            if real in seen:
                continue
            seen.add(real)
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, UnicodeDecodeError):
                continue
            if not is_v3(doc):
                continue
            kind = doc.get("type")
            if kind in KINDS:
                found.append((root, path, kind))
            else:
                others += 1
    return found, others


def prepare(args: argparse.Namespace) -> int:
    corpora = []
    seen_roots: set[Path] = set()
    for c in args.corpus:
        p = Path(c)
        if p.is_dir() and p.resolve() not in seen_roots:
            seen_roots.add(p.resolve())
            corpora.append(p)
    if not corpora:
        print(f"prezi3: no corpus folder found among {args.corpus}", file=sys.stderr)
        return 2
    found, others = find_v3(corpora)
    if not found:
        print("prezi3: no IIIF Presentation 3 manifest or collection in the corpus", file=sys.stderr)
        return 2

    site = Path(args.site)
    if site.exists():
        shutil.rmtree(site)
    manifests = site / "content" / "manifests"
    manifests.mkdir(parents=True)
    (site / "site.toml").write_text(
        f'base_url = "{BASE_URL}"\ntitle = "prezi3 check"\nminify = false\n', encoding="utf-8"
    )
    rows = ["pid,target"]
    files = []
    for i, (root, path, kind) in enumerate(found):
        rel = path.relative_to(root).as_posix()
        copy = f"{i:03d}-{rel.replace('/', '__')}"
        shutil.copyfile(path, manifests / copy)
        pid = f"ark:/99999/fk4prezi{i:03d}"
        rows.append(f"{pid},manifests/{copy}")
        files.append({"pid": pid, "original": str(path), "copy": f"manifests/{copy}", "type": kind})
    (site / "content" / "registry.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (site / MAP_FILE).write_text(json.dumps(files, indent=2) + "\n", encoding="utf-8")
    print(
        f"prezi3: {len(files)} Presentation 3 manifests/collections from "
        f"{', '.join(str(c) for c in corpora)} laid out in {site} "
        f"({others} other v3 documents passed over)"
    )
    return 0


def load(doc: dict, kind: str) -> str | None:
    """None if the document loads in iiif_prezi3's model for `kind`, else
    the pydantic error text."""
    import iiif_prezi3

    model = getattr(iiif_prezi3, kind)
    try:
        model(**doc)
    except Exception as e:  # pydantic.ValidationError, and TypeError from odd keys
        return f"{type(e).__name__}: {e}"
    return None


def has_landing_page(doc: dict) -> bool:
    home = doc.get("homepage")
    homes = home if isinstance(home, list) else [home]
    return any(isinstance(h, dict) and str(h.get("id", "")).startswith(BASE_URL) for h in homes)


def check(args: argparse.Namespace) -> int:
    import iiif_prezi3  # noqa: F401  (fail early if the venv lacks it)

    files = json.loads((Path(args.site) / MAP_FILE).read_text(encoding="utf-8"))
    out = Path(args.enriched)
    ok = skipped = 0
    failures: list[tuple[str, str]] = []
    for f in files:
        original_path = f["original"]
        kind = f["type"]
        original = json.loads(Path(original_path).read_text(encoding="utf-8"))
        err = load(original, kind)
        if err is not None:
            skipped += 1
            first = err.splitlines()[0]
            print(f"SKIP     {original_path}: original does not load ({first})")
            continue
        enriched_path = out / f["copy"]
        if not enriched_path.is_file():
            failures.append((original_path, f"no enriched copy at {enriched_path}"))
            print(f"FAILURE  {original_path}: no enriched copy at {enriched_path}")
            continue
        enriched = json.loads(enriched_path.read_text(encoding="utf-8"))
        err = load(enriched, kind)
        if err is not None:
            failures.append((original_path, err))
            print(f"FAILURE  {original_path}: enriched copy {enriched_path} does not load:\n{err}")
            continue
        if not has_landing_page(enriched):
            msg = f"enriched copy {enriched_path} has no homepage under {BASE_URL}"
            failures.append((original_path, msg))
            print(f"FAILURE  {original_path}: {msg}")
            continue
        ok += 1
        if args.verbose:
            print(f"OK       {original_path}")
    print(
        f"prezi3: {ok} enriched manifests load, {skipped} skipped "
        f"(original does not load), {len(failures)} failures"
    )
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="lay out a pidsite site over the corpus's v3 manifests")
    p.add_argument("--site", required=True)
    p.add_argument("corpus", nargs="+")
    p.set_defaults(run=prepare)
    c = sub.add_parser("check", help="load originals and enriched copies with iiif_prezi3")
    c.add_argument("--site", required=True)
    c.add_argument("--enriched", required=True)
    c.add_argument("-v", "--verbose", action="store_true", help="print the OK files too")
    c.set_defaults(run=check)
    args = parser.parse_args()
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
