#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this file), from a fresh
# clone: formatting, lints, docs, then every test (unit, golden, CLI, and the
# build of the shared IIIF corpus in ../shared/corpus).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# The shared real-world IIIF corpus: $PIDSITE_CORPUS, else ../shared/corpus
# beside the clone. Found once here and exported, so that the cargo tests and
# every script below read the same folder.
PIDSITE_CORPUS="${PIDSITE_CORPUS:-../shared/corpus}"
if [ ! -d "$PIDSITE_CORPUS" ]; then
  echo "test.sh: the shared IIIF corpus is missing at $PIDSITE_CORPUS (clone beside ../shared, or set PIDSITE_CORPUS)" >&2
  exit 2
fi
PIDSITE_CORPUS=$(cd "$PIDSITE_CORPUS" && pwd)
export PIDSITE_CORPUS
# Each step's wall time, printed at the end (and on failure), so that a CI
# log shows where the suite's minutes go.
steps=""
trap 'printf "test.sh: seconds per step:%b\n" "$steps" >&2' EXIT
timed() {
  local name=$1 start=$SECONDS
  shift
  "$@"
  steps="$steps\n  $name $((SECONDS - start))"
}

timed fmt cargo fmt --all -- --check
timed clippy cargo clippy --all-targets --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" timed doc cargo doc --no-deps --locked --quiet
timed cargo-test cargo test --locked

# The pages' scripts (the 404 page's near-miss lookup and redirect rules, the
# latter on a build of tests/fixtures/purl by the binary cargo test built),
# with node's own test runner; node comes from Debian when the machine has none.
if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
fi
timed js node --test tests/js/

# Incremental builds of a 1,000-PID site killed at random points (kill -9):
# the output is always the old or the new build, never a mix, and no staging
# folder survives the next build; a second build at once is refused. The
# test build's binary (cargo test built it; the build below only makes sure):
# its ~2 minutes here cost less than a release build of every dependency
# (~9 minutes on a fresh clone) would.
timed debug-build cargo build --locked --quiet
timed kill bash tests/kill.sh "${CARGO_TARGET_DIR:-target}/debug/pidsite"

# Installing without Rust (issue 21), offline from GitHub: actionlint over
# every workflow, the scaffold's and action.yml's steps; shellcheck;
# install.sh against a fake release on loopback (each platform's archive, a
# checksum mismatch refused); the Action's steps run on the example site;
# completions parsed by bash, zsh and fish, man pages through man -l.
timed install bash tests/install/run.sh "${CARGO_TARGET_DIR:-target}/debug/pidsite"

# Headless Chromium: the viewer, citations, redirects, 404 lookup, no-JS, print,
# layout shift, keyboard and axe (WCAG 2.1 A/AA) on every page type.
timed browser bash tests/browser/run.sh

# Enriched manifests still load in the IIIF Presentation 3 models of the
# PyPI package iiif-prezi3 wherever the original does (a venv in target/).
timed iiif-prezi3 bash tests/py/run.sh

# FAIR Signposting read by the reference client (PyPI signposting, a venv in
# target/) on every page and linkset of the example, fixture and corpus sites.
timed signposting bash tests/signposting/run.sh

# Every cite.bib of the example, fixture and corpus sites through biber's
# data-model check (Debian's biber): fields the entry type takes, distinct keys.
timed biber bash tests/bibtex/run.sh

# The redirect exports, served by real Apache and nginx on loopback.
timed servers bash tests/servers/run.sh

# pidsite's CSL processor against citeproc-js (npm), the reference processor,
# with the same official styles, on every PID's CSL-JSON; known differences
# of hayagriva are recorded in tests/citeproc/known-differences.json.
timed citeproc bash tests/citeproc/run.sh

# Zotero's connector on every landing page: Zotero's translation framework
# and translators (npm zotero-translators, a 2019 build) import each page;
# item type, title, creators, date and URL must match its cite.json.
timed zotero bash tests/zotero/run.sh

# Every page type through the Nu Html Checker (vnu-jar, Java) and extruct
# (JSON-LD, Open Graph, citation_* data).
timed validate bash tests/validate/run.sh
