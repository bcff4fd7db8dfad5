#!/bin/sh
# Install pidsite from its GitHub releases, without Rust (Linux and macOS):
#
#   curl -fsSL https://raw.githubusercontent.com/pidsite/pidsite/main/install.sh | sh
#   curl -fsSL https://raw.githubusercontent.com/pidsite/pidsite/main/install.sh | sh -s -- --version v0.2.0
#
# It picks the archive for this machine (uname), downloads it and the
# release's SHA256SUMS with curl or wget, refuses to install when the
# archive's SHA-256 is not the one listed, and puts `pidsite` into
# ~/.local/bin (or --to DIR, or $PIDSITE_INSTALL_DIR).
#
# Options (each also an environment variable):
#   --version TAG   PIDSITE_VERSION       a release tag (v0.2.0) or `latest` [latest]
#   --to DIR        PIDSITE_INSTALL_DIR   the folder to install into [~/.local/bin]
#   --resolve                             print the tag that would be installed, and stop
# PIDSITE_DOWNLOAD_URL: where the releases are [https://github.com/pidsite/pidsite/releases];
# a copy or a local server for testing, laid out as GitHub's: latest/download/FILE,
# download/TAG/FILE, and latest redirecting to tag/TAG.
set -eu

base=${PIDSITE_DOWNLOAD_URL:-https://github.com/pidsite/pidsite/releases}
version=${PIDSITE_VERSION:-latest}
dir=${PIDSITE_INSTALL_DIR:-}
resolve_only=

say() { printf 'pidsite-install: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

while [ $# -gt 0 ]; do
  case $1 in
    --version) [ $# -ge 2 ] || die "--version needs a tag (v0.2.0) or latest"; version=$2; shift 2 ;;
    --to) [ $# -ge 2 ] || die "--to needs a folder"; dir=$2; shift 2 ;;
    --resolve) resolve_only=1; shift ;;
    -h | --help) sed -n '2,20p' "$0" 2>/dev/null | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
done
if [ -z "$dir" ]; then
  [ -n "${HOME:-}" ] || die "HOME is not set; name the folder with --to DIR"
  dir=$HOME/.local/bin
fi

# The release target for this machine; the archives are named after it.
target_for_platform() {
  os=$(uname -s)
  arch=$(uname -m)
  case $arch in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die "no pidsite release for the processor $arch; build it with cargo install (see README)" ;;
  esac
  case $os in
    Linux) printf '%s\n' "$arch-unknown-linux-musl" ;;
    Darwin)
      # A shell under Rosetta reports x86_64 on Apple silicon: the native
      # build is the better choice there.
      if [ "$arch" = x86_64 ] && [ "$(sysctl -n hw.optional.arm64 2>/dev/null || true)" = 1 ]; then
        arch=aarch64
      fi
      printf '%s\n' "$arch-apple-darwin" ;;
    *) die "no pidsite release for $os; on Windows download the .zip from the releases page, elsewhere build it with cargo install (see README)" ;;
  esac
}

# download URL FILE: fail (non-zero) on any HTTP error.
if command -v curl >/dev/null 2>&1; then
  download() { curl --proto '=https,http' -fsSL --retry 3 -o "$2" "$1"; }
  final_url() { curl --proto '=https,http' -fsSL --retry 3 -o /dev/null -w '%{url_effective}' "$1"; }
elif command -v wget >/dev/null 2>&1; then
  download() { wget -q --tries=3 -O "$2" "$1"; }
  final_url() {
    wget -q --tries=3 -S -O /dev/null "$1" 2>&1 | tr -d '\r' \
      | sed -n 's/^ *[Ll]ocation: *//p' | tail -n 1
  }
else
  die "neither curl nor wget is installed; install one of them first"
fi

# The tag: as given (with a leading v), or the one `latest` redirects to.
case $version in
  latest)
    url=$(final_url "$base/latest") || die "could not reach $base/latest"
    tag=${url##*/}
    case $tag in
      v[0-9]*) ;;
      *) die "could not tell the latest release from $base/latest (it led to ${url:-nothing})" ;;
    esac ;;
  v[0-9]*) tag=$version ;;
  [0-9]*) tag=v$version ;;
  *) die "--version takes a release tag such as v0.2.0, or latest; not $version" ;;
esac
if [ -n "$resolve_only" ]; then
  printf '%s\n' "$tag"
  exit 0
fi

target=$(target_for_platform)
archive=pidsite-$target.tar.gz
tmp=$(mktemp -d 2>/dev/null || mktemp -d -t pidsite)
trap 'rm -rf "$tmp"' EXIT INT TERM

say "downloading pidsite $tag for $target"
download "$base/download/$tag/$archive" "$tmp/$archive" \
  || die "could not download $base/download/$tag/$archive (is $tag a release?)"
download "$base/download/$tag/SHA256SUMS" "$tmp/SHA256SUMS" \
  || die "could not download $base/download/$tag/SHA256SUMS; not installing an archive that cannot be checked"

# The archive's line in SHA256SUMS: "<64 hex>  <name>" (or " *<name>").
expected=$(awk -v name="$archive" '$2 == name || $2 == "*" name { print $1; exit }' "$tmp/SHA256SUMS")
[ -n "$expected" ] || die "SHA256SUMS of $tag lists no $archive; nothing was installed"
if command -v sha256sum >/dev/null 2>&1; then
  actual=$(sha256sum "$tmp/$archive" | awk '{ print $1 }')
elif command -v shasum >/dev/null 2>&1; then
  actual=$(shasum -a 256 "$tmp/$archive" | awk '{ print $1 }')
else
  actual=$(openssl dgst -sha256 -r "$tmp/$archive" | awk '{ print $1 }') \
    || die "no sha256sum, shasum or openssl to check the download with"
fi
if [ "$actual" != "$expected" ]; then
  say "error: checksum mismatch for $archive of pidsite $tag:"
  say "  SHA256SUMS says $expected"
  say "  the download is $actual"
  die "the download is damaged or not the one released; nothing was installed"
fi

tar -xzf "$tmp/$archive" -C "$tmp" || die "could not unpack $archive"
binary=$tmp/pidsite-$target/pidsite
[ -f "$binary" ] || die "$archive holds no pidsite-$target/pidsite"
mkdir -p "$dir" || die "could not create $dir"
# Copy beside, then rename: a running pidsite is never overwritten halfway.
if ! { cp "$binary" "$dir/.pidsite.new" && chmod 755 "$dir/.pidsite.new" \
  && mv -f "$dir/.pidsite.new" "$dir/pidsite"; }; then
  die "could not write $dir/pidsite"
fi

say "installed $dir/pidsite ($("$dir/pidsite" --version 2>/dev/null || echo "pidsite $tag"))"
case ":${PATH:-}:" in
  *":$dir:"*) ;;
  *) say "note: $dir is not on your PATH; add it, e.g. in ~/.profile: export PATH=\"$dir:\$PATH\"" ;;
esac
say "shell completions and man pages: pidsite completions --help, pidsite man --help"
