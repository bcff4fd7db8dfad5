#!/usr/bin/env bash
# install.sh against a fake release served on loopback (server.py): the
# archive for each platform is chosen (uname faked), a checksum mismatch is
# refused with a clear message and installs nothing, the binary lands in
# ~/.local/bin as README says (or --to / PIDSITE_INSTALL_DIR), with curl
# and with wget alone.
#   bash tests/install/install_script.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

work=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

fail() { echo "install.sh test: FAILED: $*" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }

targets="x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin"

# A release as the release workflow lays it out: pidsite-TARGET.tar.gz
# holding pidsite-TARGET/pidsite (here a script that names its release and
# target), and SHA256SUMS over the archives.
make_release() {
  local tag=$1 dir=$work/releases/download/$1
  mkdir -p "$dir"
  for target in $targets; do
    local stage=$work/stage/$tag/pidsite-$target
    mkdir -p "$stage"
    printf '#!/bin/sh\necho "pidsite fake %s %s"\n' "$tag" "$target" >"$stage/pidsite"
    chmod 755 "$stage/pidsite"
    cp README.md "$stage/"
    tar -czf "$dir/pidsite-$target.tar.gz" -C "$work/stage/$tag" "pidsite-$target"
  done
  (cd "$dir" && sha256sum pidsite-*.tar.gz >SHA256SUMS)
}
make_release v0.1.0
make_release v0.2.0
# v0.0.9: every archive damaged after SHA256SUMS was written.
make_release v0.0.9
for f in "$work"/releases/download/v0.0.9/*.tar.gz; do printf 'x' >>"$f"; done

python3 tests/install/server.py "$work/releases" v0.2.0 "$work/port" &
server=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "the fake release server did not start"
PIDSITE_DOWNLOAD_URL="http://127.0.0.1:$(cat "$work/port")/releases"
export PIDSITE_DOWNLOAD_URL
unset PIDSITE_INSTALL_DIR PIDSITE_VERSION

# A folder with `uname` (and `sysctl`) answering as OS ARCH [ARM64].
fake_platform() {
  local bin=$work/fake-$1-$2-${3:-0}
  mkdir -p "$bin"
  # shellcheck disable=SC2016 # $1 is the fake uname's own argument
  printf '#!/bin/sh\ncase "$1" in -s) echo %s ;; -m) echo %s ;; *) echo %s ;; esac\n' "$1" "$2" "$1" >"$bin/uname"
  printf '#!/bin/sh\n[ "%s" = 1 ] && echo 1 || exit 1\n' "${3:-0}" >"$bin/sysctl"
  chmod 755 "$bin/uname" "$bin/sysctl"
  echo "$bin"
}

# install HOME OS ARCH ARM64 [install.sh arguments]: stdout+stderr in $work/log.
install() {
  local home=$1 bin
  bin=$(fake_platform "$2" "$3" "$4")
  shift 4
  mkdir -p "$home"
  HOME=$home PATH="$bin:$PATH" /bin/sh "$repo/install.sh" "$@" >"$work/log" 2>&1
}

# The folder README's Install section names is the default.
# shellcheck disable=SC2016 # backquotes of Markdown
grep -q 'installs into `~/.local/bin`' README.md || fail "README does not say install.sh installs into ~/.local/bin"

h=$work/home1
install "$h" Linux x86_64 0 || { cat "$work/log"; fail "install on Linux x86_64"; }
[ "$("$h/.local/bin/pidsite")" = "pidsite fake v0.2.0 x86_64-unknown-linux-musl" ] \
  || fail "Linux x86_64 did not get the latest x86_64 musl build: $("$h/.local/bin/pidsite")"
grep -q "installed $h/.local/bin/pidsite (pidsite fake v0.2.0" "$work/log" || { cat "$work/log"; fail "no installed line"; }
ok "Linux x86_64: the latest release's x86_64-unknown-linux-musl archive, into ~/.local/bin"

install "$work/home2" Linux aarch64 0 --version v0.1.0 || { cat "$work/log"; fail "Linux aarch64"; }
[ "$("$work/home2/.local/bin/pidsite")" = "pidsite fake v0.1.0 aarch64-unknown-linux-musl" ] || fail "Linux aarch64"
ok "Linux aarch64, --version v0.1.0: aarch64-unknown-linux-musl of v0.1.0"

install "$work/home3" Darwin arm64 0 --to "$work/custom bin" || { cat "$work/log"; fail "macOS arm64"; }
[ "$("$work/custom bin/pidsite")" = "pidsite fake v0.2.0 aarch64-apple-darwin" ] || fail "macOS arm64"
[ ! -e "$work/home3/.local/bin/pidsite" ] || fail "--to still wrote ~/.local/bin"
ok "macOS arm64, --to a folder with a space: aarch64-apple-darwin there"

PIDSITE_INSTALL_DIR=$work/envdir PIDSITE_VERSION=0.1.0 install "$work/home4" Darwin x86_64 0 \
  || { cat "$work/log"; fail "macOS x86_64"; }
[ "$("$work/envdir/pidsite")" = "pidsite fake v0.1.0 x86_64-apple-darwin" ] || fail "macOS x86_64"
ok "macOS x86_64, PIDSITE_INSTALL_DIR and PIDSITE_VERSION=0.1.0: x86_64-apple-darwin of v0.1.0"

install "$work/home5" Darwin x86_64 1 || { cat "$work/log"; fail "Rosetta"; }
[ "$("$work/home5/.local/bin/pidsite")" = "pidsite fake v0.2.0 aarch64-apple-darwin" ] || fail "Rosetta"
ok "macOS x86_64 shell on Apple silicon (Rosetta): the native aarch64-apple-darwin"

h=$work/home6
if install "$h" Linux x86_64 0 --version v0.0.9; then fail "a damaged archive was installed"; fi
grep -q "error: checksum mismatch for pidsite-x86_64-unknown-linux-musl.tar.gz of pidsite v0.0.9" "$work/log" \
  || { cat "$work/log"; fail "no clear checksum message"; }
grep -q "nothing was installed" "$work/log" || fail "the refusal does not say nothing was installed"
[ ! -e "$h/.local/bin" ] || fail "a folder was created for a refused install"
# A good pidsite already there stays as it was.
install "$h" Linux x86_64 0 --version v0.1.0 || fail "reinstall"
if install "$h" Linux x86_64 0 --version v0.0.9; then fail "a damaged archive was installed over one"; fi
[ "$("$h/.local/bin/pidsite")" = "pidsite fake v0.1.0 x86_64-unknown-linux-musl" ] || fail "the installed pidsite was touched"
ok "checksum mismatch: refused with the expected and actual sums, nothing installed or replaced"

if install "$work/home7" FreeBSD amd64 0; then fail "FreeBSD was served"; fi
grep -q "no pidsite release for FreeBSD" "$work/log" || { cat "$work/log"; fail "FreeBSD message"; }
if install "$work/home7" Linux riscv64 0; then fail "riscv64 was served"; fi
grep -q "no pidsite release for the processor riscv64" "$work/log" || { cat "$work/log"; fail "riscv64 message"; }
ok "no release for FreeBSD or riscv64: refused, pointing to cargo install"

if install "$work/home8" Linux x86_64 0 --version v9.9.9; then fail "a missing release"; fi
grep -q "could not download .*/download/v9.9.9/pidsite-x86_64-unknown-linux-musl.tar.gz" "$work/log" \
  || { cat "$work/log"; fail "missing release message"; }
if install "$work/home8" Linux x86_64 0 --version nightly; then fail "a bad tag"; fi
grep -q "takes a release tag such as v0.2.0, or latest; not nightly" "$work/log" || { cat "$work/log"; fail "bad tag message"; }
ok "a release that does not exist, or a bad tag: a clear error"

install "$work/home9" Linux x86_64 0 --resolve || fail "--resolve"
[ "$(tail -n 1 "$work/log")" = v0.2.0 ] || { cat "$work/log"; fail "--resolve latest"; }
[ ! -e "$work/home9/.local/bin" ] || fail "--resolve installed something"
ok "--resolve: latest is v0.2.0 (the tag GitHub's redirect names), nothing installed"

# wget alone: a PATH holding only what install.sh needs, without curl.
tools=$work/no-curl
mkdir -p "$tools"
for tool in wget mktemp rm awk sha256sum tar gzip mkdir cp chmod mv sed tr tail cat; do
  ln -s "$(command -v "$tool")" "$tools/$tool"
done
bin=$(fake_platform Linux x86_64 0)
mkdir -p "$work/home10"
HOME=$work/home10 PATH="$bin:$tools" /bin/sh install.sh >"$work/log" 2>&1 || { cat "$work/log"; fail "wget install"; }
[ "$("$work/home10/.local/bin/pidsite")" = "pidsite fake v0.2.0 x86_64-unknown-linux-musl" ] || fail "wget install"
if HOME=$work/home10 PATH="$bin:$tools" /bin/sh install.sh --version v0.0.9 >"$work/log" 2>&1; then
  fail "wget: a damaged archive was installed"
fi
grep -q "checksum mismatch" "$work/log" || fail "wget: no checksum message"
ok "wget alone: latest resolved through the redirect, installed; mismatch refused"

# POSIX sh: install.sh runs under dash and is clean under shellcheck -s sh
# (where installed; scripts/test.sh installs it).
if command -v shellcheck >/dev/null 2>&1; then
  shellcheck -s sh install.sh || fail "shellcheck install.sh"
  ok "shellcheck -s sh install.sh"
fi

echo "install.sh: $passed passed, 0 failed"
