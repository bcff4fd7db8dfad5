#!/usr/bin/env bash
# Lay out a site with a PID for each file of the shared IIIF corpus, as
# tests/corpus.rs builds it (corpus-000, corpus-001… in file order), for the
# scripts that check built pages (signposting, bibtex, validate).
#   bash tests/corpus-site.sh DEST
# Corpus: $PIDSITE_CORPUS, else ../shared/corpus (from the repo root). Exits
# 2, writing nothing, when there is none.
set -euo pipefail
dest="$1"
corpus="${PIDSITE_CORPUS:-../shared/corpus}"
if [ ! -d "$corpus" ]; then
  echo "corpus-site: no corpus at $corpus (set PIDSITE_CORPUS)" >&2
  exit 2
fi
rm -rf "$dest"
mkdir -p "$dest/content/manifests"
printf 'base_url = "https://example.org/corpus/"\ntitle = "Corpus"\n' >"$dest/site.toml"
{
  echo "pid,target"
  i=0
  while IFS= read -r -d '' f; do
    n=$(printf '%03d' "$i")
    cp "$f" "$dest/content/manifests/$n.json"
    echo "corpus-$n,manifests/$n.json"
    i=$((i + 1))
  done < <(find "$corpus" -name '*.json' -print0 | sort -z)
} >"$dest/content/registry.csv"
