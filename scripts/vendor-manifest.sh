#!/usr/bin/env bash
# Rewrites vendor/hayagriva/SHA256SUMS, the record of the vendored CSL processor
# that tests/vendored.rs checks: hayagriva's upstream version and a SHA-256 per
# file (sha256sum's format, so `sha256sum -c` reads it too). Run it only after
# changing vendor/hayagriva on purpose, with the change written up in
# vendor/hayagriva/PATCHES.md; commit the new file with the change.
#
# Hashed: every file the crate is built from (src/, archive/, Cargo.toml) and
# its licences and README. Not hashed: PATCHES.md, upstream/ (the write-ups of
# the patches for upstream) and this record itself.
set -euo pipefail
cd "$(dirname "$0")/../vendor/hayagriva"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
new=$(mktemp)
{
  echo "# hayagriva $version from crates.io with pidsite's patches (PATCHES.md)."
  echo "# Regenerate with scripts/vendor-manifest.sh after a deliberate change."
  find . -type f ! -name SHA256SUMS ! -name PATCHES.md ! -path './upstream/*' \
    | sed 's|^\./||' | LC_ALL=C sort | while read -r f; do sha256sum "$f"; done
} >"$new"
mv "$new" SHA256SUMS && chmod 644 SHA256SUMS
echo "vendor/hayagriva/SHA256SUMS: $(grep -vc '^#' SHA256SUMS) files, hayagriva $version"
