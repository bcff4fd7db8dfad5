#!/usr/bin/env bash
# Checks that `pidsite enrich` output still loads in iiif-prezi3's pydantic
# models wherever the original manifest does. From anywhere:
#   bash tests/py/run.sh
# Corpus: $PIDSITE_CORPUS, else ../shared/corpus (from the repo root), as in
# scripts/test.sh and tests/corpus.rs.
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/py-venv
site=target/prezi3-site
out=target/prezi3-enriched

bash tests/venv.sh "$venv" tests/py/requirements.txt

cargo build --locked
bin=target/debug/pidsite

corpus="${PIDSITE_CORPUS:-../shared/corpus}"
if [ ! -d "$corpus" ]; then
  echo "prezi3: no corpus at $corpus (set PIDSITE_CORPUS)" >&2
  exit 2
fi

# `pidsite enrich` works on a site's registry, not on loose files: lay out a
# site whose registry points at a copy of each v3 manifest/collection.
"$venv/bin/python" tests/py/prezi3_check.py prepare --site "$site" "$corpus"
rm -rf "$out"
"$bin" enrich --site "$site" --out "$out"
"$venv/bin/python" tests/py/prezi3_check.py check --site "$site" --enriched "$out"
