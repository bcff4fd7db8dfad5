#!/usr/bin/env bash
# Validators (issue 4): every HTML page pidsite writes passes the Nu Html
# Checker (vnu, npm `vnu-jar`) with zero errors, and extruct reads the
# landing pages' JSON-LD, Open Graph and citation_* tags with the expected
# name, identifier and URL. From anywhere:
#   bash tests/validate/run.sh
# Sites built, each into target/validate-*:
#   the repository's example site (minified output) -> target/validate-site
#   tests/fixtures/basic (unminified)                -> target/validate-basic
#   tests/fixtures/hostile (hostile manifests)       -> target/validate-hostile
#   a generated site of 65 PIDs, so the home page
#   has a page/2/ (minified)                         -> target/validate-paged
#   when the shared IIIF corpus is there ($PIDSITE_CORPUS, else
#   ../shared/corpus), a site with a PID for each of its files, as
#   tests/corpus.rs builds it: real-world manifests  -> target/validate-corpus
set -euo pipefail
cd "$(dirname "$0")/../.."

venv=target/validate-venv
vnu_dir=tests/validate

apt_install() {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Java runs vnu.jar; npm brings the jar (its install script, which would
# download a Java runtime, is not run: Debian's is used).
command -v java >/dev/null 2>&1 || apt_install default-jre-headless
command -v npm >/dev/null 2>&1 || apt_install nodejs npm
(cd "$vnu_dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
vnu_jar="$vnu_dir/node_modules/vnu-jar/build/dist/vnu.jar"

bash tests/venv.sh "$venv" tests/validate/requirements.txt

cargo build --locked
bin=target/debug/pidsite

# A site whose home page needs a second page (the home page lists 60 PIDs a
# page): 65 local IDs naming copies of one fixture manifest.
paged_src=target/validate-paged-src
rm -rf "$paged_src"
mkdir -p "$paged_src/content/manifests"
cp tests/fixtures/basic/content/manifests/photo-v3.json "$paged_src/content/manifests/"
cat >"$paged_src/site.toml" <<'EOF'
base_url = "https://org.github.io/paged/"
title = "Paged fixture"
publisher = "Fixture Library"
EOF
{
  echo "pid,target"
  for i in $(seq -w 1 65); do echo "item-$i,manifests/photo-v3.json"; done
} >"$paged_src/content/registry.csv"

sites=(
  ".:target/validate-site"
  "tests/fixtures/basic:target/validate-basic"
  "tests/fixtures/hostile:target/validate-hostile"
  "$paged_src:target/validate-paged"
)

corpus="${PIDSITE_CORPUS:-../shared/corpus}"
if [ -d "$corpus" ]; then
  corpus_src=target/validate-corpus-src
  bash tests/corpus-site.sh "$corpus_src"
  sites+=("$corpus_src:target/validate-corpus")
else
  echo "validate: no IIIF corpus found (set PIDSITE_CORPUS); its pages are not checked" >&2
fi
outs=()
for s in "${sites[@]}"; do
  site=${s%%:*}
  out=${s#*:}
  rm -rf "$out"
  "$bin" build --site "$site" --out "$out" --full --quiet
  outs+=("$out")
done
# One file of each page type, so that a change to the sites cannot quietly
# take a type out of vnu's sight.
page_types=(
  "home:target/validate-site/index.html"
  "home page 2:target/validate-paged/page/2/index.html"
  "landing, IIIF v3:target/validate-basic/ark/99999/fk4photo/index.html"
  "landing, IIIF v2:target/validate-basic/doi/10.5555/coin.1/index.html"
  "collection:target/validate-basic/hdl/20.500.99999/maps/index.html"
  "annotation:target/validate-basic/id/comment-1/index.html"
  "tombstone:target/validate-basic/ark/99999/fk4gone/index.html"
  "versioned PID:target/validate-site/hdl/20.500.12345/vudl-30471/index.html"
  "version page:target/validate-site/hdl/20.500.12345/vudl-30471/v1/index.html"
  "redirect stub (moved):target/validate-basic/ark/99999/fk4moved/index.html"
  "redirect stub (alias path):target/validate-site/items/marsh-178.html"
  "Markdown page:target/validate-site/about/index.html"
  "404:target/validate-site/404.html"
  "images/ page:target/validate-site/doi/10.5555/nga.highlights/images/index.html"
  "members/ page:target/validate-site/ark/12345/nlw-ardd/members/index.html"
)
for t in "${page_types[@]}"; do
  [ -f "${t#*:}" ] || {
    echo "validate: no ${t%%:*} page at ${t#*:}" >&2
    exit 1
  }
done

# vnu over every HTML file of every output, in one JVM.
pages=$(find "${outs[@]}" -name '*.html' | wc -l)
for out in "${outs[@]}"; do
  echo "vnu: $(find "$out" -name '*.html' | wc -l) pages in $out"
done
report=target/validate-vnu.json
status=0
java -jar "$vnu_jar" --errors-only --format json --skip-non-html "${outs[@]}" 2>"$report" || status=$?
errors=$(
  "$venv/bin/python" - "$report" <<'EOF'
import json, sys
try:
    msgs = json.load(open(sys.argv[1], encoding="utf-8"))["messages"]
except (OSError, ValueError, KeyError) as e:
    print(f"vnu gave no JSON report ({e}):", file=sys.stderr)
    print(open(sys.argv[1], encoding="utf-8", errors="replace").read()[:2000], file=sys.stderr)
    print(1)
    sys.exit(0)
# FAIR Signposting gives a link's format profile as a `profile` attribute
# beside its bare `type` (signposting.org/FAIR; the reference client, PyPI
# signposting, reads it so and drops a link whose type carries
# `;profile=`): HTML has no such attribute, so vnu's one error about it is
# expected (tests/signposting/run.sh checks those links).
SIGNPOSTING_PROFILE = "Attribute \u201cprofile\u201d not allowed on element \u201clink\u201d at this point."
bad = [
    m
    for m in msgs
    if m.get("type") in ("error", "non-document-error") and m.get("message") != SIGNPOSTING_PROFILE
]
for m in bad:
    where = m.get("url", "").replace("file:", "")
    print(f"{where}:{m.get('lastLine', '?')}: {m.get('message')}", file=sys.stderr)
    if m.get("extract"):
        print(f"    {m['extract']!r}", file=sys.stderr)
print(len(bad))
EOF
)
echo "vnu: $pages pages checked, $errors errors"
# vnu exits 1 on any error, the expected `profile` one too: what counts is
# the count of the others (and a report it failed to write counts as one).
if [ "$errors" != 0 ]; then
  echo "vnu: failed (exit $status); the report is $report" >&2
  exit 1
fi

# extruct over the landing, version and tombstone pages of the fixture site,
# the example site and the corpus site.
"$venv/bin/python" tests/validate/extract_check.py --site tests/fixtures/basic --out target/validate-basic
"$venv/bin/python" tests/validate/extract_check.py --site . --out target/validate-site
if [ -n "$corpus" ]; then
  "$venv/bin/python" tests/validate/extract_check.py --site "$corpus_src" --out target/validate-corpus
fi
