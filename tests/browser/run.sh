#!/usr/bin/env bash
# The browser tests from a fresh clone: Debian's chromium (never a downloaded
# browser), the pinned npm packages (package-lock.json), a debug build of
# pidsite, then node's own test runner over tests/browser/*.test.js.
# Screenshots go to target/browser-screenshots/.
set -euo pipefail
cd "$(dirname "$0")/../.."
start=$SECONDS

apt_install() {
  if [ -z "${APT_UPDATED:-}" ]; then apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}
if [ -z "${CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ] && ! command -v chromium >/dev/null 2>&1; then
  apt_install chromium
fi
command -v node >/dev/null 2>&1 || apt_install nodejs
command -v npm >/dev/null 2>&1 || apt_install npm

(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
cargo build --locked --quiet
export PIDSITE_BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/pidsite"

cd tests/browser
node --test --test-reporter=spec
echo "browser tests: $((SECONDS - start)) s"
