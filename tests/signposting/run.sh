#!/usr/bin/env bash
# FAIR Signposting as a real client reads it (issue 16): the reference
# client, PyPI `signposting`, over every landing, version and tombstone
# page and every linkset.json (page-level and site-wide) of the example
# site, the basic fixture and a site of the shared IIIF corpus, served on
# loopback. Fails when the client drops a link, rejects a linkset or warns,
# or when the site-wide linkset lacks a page. From anywhere:
#   bash tests/signposting/run.sh
# Corpus: $PIDSITE_CORPUS, else ../shared/corpus (from the repo root).
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/signposting-venv

bash tests/venv.sh "$venv" tests/signposting/requirements.txt

cargo build --locked --quiet
bin=target/debug/pidsite
work=target/signposting

sites=(".:$work/example" "tests/fixtures/basic:$work/basic")
# A site with a PID for each corpus file, as tests/corpus.rs builds it.
src="$work/corpus-src"
bash tests/corpus-site.sh "$src"
sites+=("$src:$work/corpus")

for s in "${sites[@]}"; do
  site=${s%%:*}
  out=${s#*:}
  rm -rf "$out"
  "$bin" build --site "$site" --out "$out" --full --quiet
  "$venv/bin/python" tests/signposting/check.py "$out"
done
