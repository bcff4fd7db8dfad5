#!/usr/bin/env bash
# Rewrites vendor/CRATE/SHA256SUMS (CRATE: hayagriva, the default, tera or
# pagefind), the record of a vendored crate that tests/vendored.rs checks: its
# upstream version and a SHA-256 per file (sha256sum's format, so `sha256sum
# -c` reads it too). Run it only after changing vendor/CRATE on purpose, with
# the change written up in vendor/CRATE/PATCHES.md; commit the new file with
# the change.
#   bash scripts/vendor-manifest.sh [CRATE]
#
# Hashed: every file the crate is built from (src/, archive/ or vendor/, Cargo.toml) and
# its licences and README. Not hashed: PATCHES.md, upstream/ (the write-ups of
# the patches for upstream) and this record itself.
set -euo pipefail
crate=${1:-hayagriva}
cd "$(dirname "$0")/../vendor/$crate"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
new=$(mktemp)
{
  echo "# $crate $version from crates.io with pidsite's patches (PATCHES.md)."
  echo "# Regenerate with scripts/vendor-manifest.sh after a deliberate change."
  find . -type f ! -name SHA256SUMS ! -name PATCHES.md ! -path './upstream/*' \
    | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do sha256sum "$f"; done
} >"$new"
mv "$new" SHA256SUMS && chmod 644 SHA256SUMS
echo "vendor/$crate/SHA256SUMS: $(grep -vc '^#' SHA256SUMS) files, $crate $version"
