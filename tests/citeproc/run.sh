#!/usr/bin/env bash
# pidsite's CSL processor against citeproc-js (the reference CSL processor),
# with the same official styles and locale, on the CSL-JSON of every PID of
# the example site and the basic fixture.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
(cd tests/citeproc && npm ci --no-audit --no-fund --silent)
work=target/citeproc
mkdir -p "$work"
cargo build --release --locked --quiet
cargo build --release --locked --quiet --example csl_format
SOURCE_DATE_EPOCH=1764072000 target/release/pidsite build --site . --out "$work/example" --quiet
SOURCE_DATE_EPOCH=1764072000 target/release/pidsite build --site tests/fixtures/basic --out "$work/basic" --quiet
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
target/release/examples/csl_format "$work/items.json" "${styles[@]}" > "$work/pidsite.json"
node tests/citeproc/compare.js "$work/items.json" "$work/pidsite.json" "${styles[@]}"
