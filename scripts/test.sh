#!/usr/bin/env bash
# The whole test suite, as CI runs it (.ci/run calls this file), from a fresh
# clone: formatting, lints, docs, then every test (unit, golden, CLI, and the
# build of the shared IIIF corpus in ../shared/corpus).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --quiet
cargo test --locked

# The pages' scripts (the 404 page's near-miss lookup), with node's own test
# runner; node comes from Debian when the machine has none.
if ! command -v node >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null
fi
node --test tests/js/near_miss.test.js
bash tests/validate/run.sh
