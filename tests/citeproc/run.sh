#!/usr/bin/env bash
# pidsite's CSL processor against citeproc-js (the reference CSL processor),
# with the same official styles and locale, on the CSL-JSON of every PID of
# the example site, the basic fixture and the shared IIIF corpus.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
(cd tests/citeproc && npm ci --no-audit --no-fund --silent)
work=target/citeproc
mkdir -p "$work"
cargo build --locked --quiet
cargo build --locked --quiet --example csl_format
SOURCE_DATE_EPOCH=1764072000 target/debug/pidsite build --site . --out "$work/example" --quiet
SOURCE_DATE_EPOCH=1764072000 target/debug/pidsite build --site tests/fixtures/basic --out "$work/basic" --quiet
# The shared real-world IIIF corpus as one site (as tests/corpus.rs builds
# it), each file's PID named after its path so that adding a file changes
# no other item's id.
corpus="${PIDSITE_CORPUS:-../shared/corpus}"
if [ -d "$corpus" ]; then
  rm -rf "$work/corpus-site" "$work/corpus"
  python3 - "$corpus" "$work/corpus-site" <<'PY'
import pathlib, re, shutil, sys
corpus, site = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
(site / "content/manifests").mkdir(parents=True)
(site / "site.toml").write_text('base_url = "https://example.org/corpus/"\ntitle = "Corpus"\n')
rows = ["pid,target"]
for f in sorted(corpus.rglob("*.json")):
    name = re.sub(r"[^A-Za-z0-9]+", "-", str(f.relative_to(corpus).with_suffix(""))).strip("-").lower()
    shutil.copy(f, site / "content/manifests" / f"{name}.json")
    rows.append(f"{name},manifests/{name}.json")
(site / "content/registry.csv").write_text("\n".join(rows) + "\n")
PY
  SOURCE_DATE_EPOCH=1764072000 target/debug/pidsite build --site "$work/corpus-site" --out "$work/corpus" --quiet
else
  echo "no IIIF corpus at $corpus (set PIDSITE_CORPUS): example site and fixture only" >&2
fi
# Every cite.json holds one item; its id becomes the page's path, unique
# and stable as PIDs are added.
python3 - "$work" <<'PY'
import json, pathlib, sys
work = pathlib.Path(sys.argv[1])
items = []
for f in sorted(work.glob("*/**/cite.json")):
    for item in json.loads(f.read_text()):
        item["id"] = str(f.parent.relative_to(work))
        items.append(item)
(work / "items.json").write_text(json.dumps(items, ensure_ascii=False, indent=1))
print(f"{len(items)} CSL-JSON items")
PY
styles=(tests/citeproc/styles/*.csl)
target/debug/examples/csl_format "$work/items.json" "${styles[@]}" > "$work/pidsite.json"
node tests/citeproc/compare.js "$work/items.json" "$work/pidsite.json" "${styles[@]}"
