#!/usr/bin/env bash
# Zotero's browser connector on every landing page of the example site, the
# basic fixture and the resource-types fixture (audio, video, book…), with Zotero's own code: the npm package
# zotero-translators (pinned in package-lock.json; AGPL code of Zotero,
# installed here as a test tool and never copied into this repository) holds
# a build of Zotero's translation-server with its translators of early 2019.
# import.js loads each page into jsdom at its canonical URL, lets the
# framework pick the translators that detect it, runs the first one (the one
# the connector saves with) and Embedded Metadata, and checks item type,
# title, creators, date and URL against the page's cite.json.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
(cd tests/zotero && npm ci --no-audit --no-fund --loglevel=error)
work=target/zotero
rm -rf "$work"
mkdir -p "$work"
cargo build --locked --quiet
SOURCE_DATE_EPOCH=1764072000 target/debug/pidsite build --site . --out "$work/example" --quiet
SOURCE_DATE_EPOCH=1764072000 target/debug/pidsite build --site tests/fixtures/basic --out "$work/basic" --quiet
SOURCE_DATE_EPOCH=1764072000 target/debug/pidsite build --site tests/fixtures/types --out "$work/types" --quiet
node tests/zotero/import.js "$work/results.json" "$work/example" "$work/basic" "$work/types"
