#!/usr/bin/env bash
# The Action's shell steps (action.yml), run outside GitHub by action.py
# against a fake release of the given pidsite binary served on loopback:
# the example site and a `pidsite new` site build into the folder the `out`
# output names; a second run is served from the cache without the network;
# the inputs' errors are clear; the source-ref path resolves a commit.
#   bash tests/install/action_test.sh target/release/pidsite
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)
bin=$(realpath "${1:?usage: action_test.sh PIDSITE_BINARY}")
python=${PYTHON:-python3}

work=$(mktemp -d)
server=
stop_server() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=; fi; }
trap 'stop_server; rm -rf "$work"' EXIT
fail() { echo "action test: FAILED: $*" >&2; exit 1; }
passed=0
ok() { passed=$((passed + 1)); echo "ok - $*"; }

# A release holding this machine's build under its target's archive name.
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) target=x86_64-unknown-linux-musl ;;
  Linux-aarch64) target=aarch64-unknown-linux-musl ;;
  *) echo "action test: skipped, runs on Linux x86_64 or aarch64"; exit 0 ;;
esac
version=v$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
dir=$work/releases/download/$version
mkdir -p "$dir" "$work/stage/pidsite-$target"
cp "$bin" "$work/stage/pidsite-$target/pidsite"
tar -czf "$dir/pidsite-$target.tar.gz" -C "$work/stage" "pidsite-$target"
(cd "$dir" && sha256sum ./*.tar.gz | sed 's| \./| |' >SHA256SUMS)

python3 tests/install/server.py "$work/releases" "$version" "$work/port" &
server=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || fail "the fake release server did not start"
PIDSITE_DOWNLOAD_URL="http://127.0.0.1:$(cat "$work/port")/releases"
export PIDSITE_DOWNLOAD_URL
export SOURCE_DATE_EPOCH=1764072000

# run WORKDIR NAME [--input k=v]...: the action in WORKDIR (the checkout),
# outputs in $work/NAME.json, log in $work/NAME.log.
run() {
  local workdir=$1 name=$2
  shift 2
  mkdir -p "$work/temp" "$work/cache"
  "$python" tests/install/action.py action.yml --workdir "$workdir" --cache "$work/cache" \
    --temp "$work/temp" --outputs "$work/$name.json" "$@" >"$work/$name.log" 2>&1
}
output() { "$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$work/$1.json" "$2"; }

# The example site, in a checkout of its own (site.toml at the top).
checkout=$work/checkout
mkdir -p "$checkout"
cp -r site.toml content static templates pidsite.lock "$checkout/"
run "$checkout" first --input strict=false || { cat "$work/first.log"; fail "the example site"; }
[ "$(output first out)" = "./public" ] || fail "out is $(output first out)"
[ -f "$checkout/public/index.html" ] || fail "no index.html in ./public"
[ -f "$checkout/public/sitemap.xml" ] || fail "no sitemap.xml"
[ "$(output first version)" = "$("$bin" --version)" ] || fail "version output: $(output first version)"
grep -q "cache miss for pidsite-$version-Linux-X64" "$work/first.log" || { cat "$work/first.log"; fail "not keyed by version"; }
grep -q "Installing pidsite $version" "$work/first.log" || fail "latest not resolved to $version"
ok "example site: latest resolved to $version, installed, built into ./public (out output), version output"

# Again, with the release server gone: the binary comes from the cache.
stop_server
rm -rf "$checkout/public"
run "$checkout" cached --input "version=$version" --input strict=false \
  || { cat "$work/cached.log"; fail "the cached run"; }
grep -q "cache hit for pidsite-$version-Linux-X64" "$work/cached.log" || fail "no cache hit"
grep -q "step 3 (Install pidsite): skipped" "$work/cached.log" || fail "installed again"
[ -f "$checkout/public/index.html" ] || fail "the cached run built nothing"
ok "second run, version $version, no network: pidsite from the cache, install skipped"

# A site that `pidsite new` made, with its own workflow's inputs; strict.
"$bin" new "$work/new-site" >/dev/null 2>&1
run "$work/new-site" new --input "version=$version" || { cat "$work/new.log"; fail "the new site"; }
[ "$(output new out)" = "./public" ] || fail "new site: out is $(output new out)"
[ -f "$work/new-site/public/index.html" ] || fail "the new site was not built"
ok "pidsite new's site: built with --strict into ./public"

# site.toml's output_dir, a site in a subfolder, and an explicit out.
mkdir -p "$work/mono"
cp -r "$work/new-site" "$work/mono/pids"
rm -rf "$work/mono/pids/public"
sed -i 's|^base_url = .*|&\noutput_dir = "site-out"|' "$work/mono/pids/site.toml"
run "$work/mono" sub --input "version=$version" --input site=pids/ || { cat "$work/sub.log"; fail "subfolder"; }
[ "$(output sub out)" = "pids/site-out" ] || fail "output_dir not followed: $(output sub out)"
[ -f "$work/mono/pids/site-out/index.html" ] || fail "nothing in pids/site-out"
run "$work/mono" explicit --input "version=$version" --input site=pids --input out=elsewhere \
  || { cat "$work/explicit.log"; fail "explicit out"; }
[ "$(output explicit out)" = "elsewhere" ] || fail "out input: $(output explicit out)"
[ -f "$work/mono/elsewhere/index.html" ] || fail "nothing in elsewhere/"
ok "site: pids/ with output_dir = \"site-out\" -> pids/site-out; out: elsewhere -> elsewhere"

# Clear errors: strict that is not a boolean, a warning under strict.
if run "$work/mono" badstrict --input "version=$version" --input site=pids --input strict=yes; then
  fail "strict=yes accepted"
fi
grep -q "::error::the strict input is true or false, not yes" "$work/badstrict.log" || fail "strict message"
echo 'not,a,registry' >>"$work/mono/pids/content/registry.csv"
if run "$work/mono" broken --input "version=$version" --input site=pids; then fail "a broken registry built"; fi
grep -q "registry.csv" "$work/broken.log" || { cat "$work/broken.log"; fail "the build error does not name the file"; }
ok "strict: yes refused by name; a broken registry fails the step, naming the file"

# source-ref: the commit is resolved from the repository (here this
# checkout), and the cache keyed by it; a cached build skips cargo install.
if git -C "$repo" rev-parse HEAD >/dev/null 2>&1; then
  sha=$(git -C "$repo" rev-parse HEAD)
  key=pidsite-source-$sha-Linux-X64
  mkdir -p "$work/cache/$key"
  cp "$bin" "$work/cache/$key/pidsite"
  rm -rf "$checkout/public"
  PIDSITE_REPOSITORY=$repo run "$checkout" source --input source-ref=HEAD --input strict=false \
    || { cat "$work/source.log"; fail "source-ref"; }
  grep -q "Building pidsite from source at HEAD ($sha)" "$work/source.log" || { cat "$work/source.log"; fail "source sha"; }
  grep -q "cache hit for $key" "$work/source.log" || fail "source cache key"
  [ -f "$checkout/public/index.html" ] || fail "source-ref built nothing"
  if PIDSITE_REPOSITORY=$repo run "$checkout" nosuchref --input source-ref=no-such-branch; then fail "a missing ref"; fi
  grep -q "::error::pidsite has no branch, tag or commit named no-such-branch" "$work/nosuchref.log" || fail "missing ref message"
  ok "source-ref: HEAD resolved to $sha, cache keyed by commit; a missing ref refused by name"
fi

# The scaffold's workflow gives the action only inputs it has, and uploads
# the folder its `out` output names.
"$python" - "$repo/action.yml" "$repo/scaffold/pages.yml" <<'PY' || fail "the scaffold's use of the action"
import sys, yaml
action = yaml.safe_load(open(sys.argv[1]))
workflow = yaml.safe_load(open(sys.argv[2]))
steps = workflow["jobs"]["build"]["steps"]
uses = [s for s in steps if str(s.get("uses", "")).startswith("pidsite/pidsite@")]
assert len(uses) == 1, "the scaffold uses the pidsite action once"
step = uses[0]
assert set(step.get("with", {})) <= set(action["inputs"]), step["with"]
upload = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact@")][0]
assert upload["with"]["path"] == "${{ steps.%s.outputs.out }}" % step["id"], upload
assert "out" in action["outputs"]
assert steps.index(step) < steps.index(upload)
PY
ok "scaffold pages.yml: the action's inputs only, and upload-pages-artifact takes its out output"

echo "action: $passed passed, 0 failed"
