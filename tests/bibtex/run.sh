#!/usr/bin/env bash
# BibTeX as biblatex reads it (issue 16): biber's data-model check
# (`biber --tool --validate-datamodel`, Debian's biber) over every cite.bib
# of the example site, the basic fixture and a site of the shared IIIF
# corpus. Each site's entries are checked together, so a key two pages share
# (a version page reusing its PID's key) is caught as a duplicate too. Fails
# on any warning or error: a field the entry type does not take (biblatex's
# styles leave it out), a missing mandatory field, a duplicate key, a
# syntax error (not the missing date of an undated object, nor the
# missing author of an anonymous book). From anywhere:
#   bash tests/bibtex/run.sh
# Corpus: $PIDSITE_CORPUS, else ../shared/corpus (from the repo root).
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v biber >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq biber >/dev/null
fi

cargo build --locked --quiet
bin=target/debug/pidsite
work=target/bibtex

# A site with a PID for each corpus file, as tests/corpus.rs builds it.
src="$work/corpus-src"
bash tests/corpus-site.sh "$src"

status=0
for s in ".:$work/example" "tests/fixtures/basic:$work/basic" "$src:$work/corpus"; do
  site=${s%%:*}
  out=${s#*:}
  rm -rf "$out" "$out.check"
  "$bin" build --site "$site" --out "$out" --full --quiet
  mkdir -p "$out.check"
  files=$(find "$out" -name cite.bib | sort)
  count=$(echo "$files" | grep -c . || true)
  if [ "$count" = 0 ]; then
    echo "bibtex: no cite.bib in $out" >&2
    exit 1
  fi
  # One file of all entries, each preceded by a comment naming its file.
  for f in $files; do
    printf '%% %s\n' "$f"
    cat "$f"
    echo
  done >"$out.check/all.bib"
  (cd "$out.check" && biber --tool --validate-datamodel --output-file=/dev/null all.bib >biber.log 2>&1) || true
  # An undated object has no date to give: biblatex asks every @misc for
  # one, but a made-up date would be wrong, so that one warning is expected.
  # Likewise an anonymous book (@book asks for an author; a book whose
  # catalogue names none has none to give, and biblatex's styles cite it
  # by its title).
  problems=$(grep -E '^(WARN|ERROR)' "$out.check/biber.log" |
    grep -v "Missing mandatory field - one of 'date, year' must be defined" |
    grep -v "Missing mandatory field 'author'" || true)
  if [ -n "$problems" ]; then
    echo "bibtex: biber on the $count cite.bib of $out (each entry's file is in $out.check/all.bib):" >&2
    echo "$problems" >&2
    status=1
  else
    echo "bibtex: $count cite.bib of $out pass biber's data-model check, keys distinct"
  fi
done
exit $status
