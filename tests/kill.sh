#!/usr/bin/env bash
# Killed builds: incremental builds of a ~1,000-PID site (bench/gen_sites.py,
# from the shared corpus) are SIGKILLed at random points; after each kill the
# output must be exactly the previous build's or the new one's (the trees'
# hashes, less the build marker), and the next build, run to its end, must
# leave no staging folder behind. Then two builds at once: the second must
# fail naming the first, and the output stay whole.
#   bash tests/kill.sh [BINARY]   (default target/debug/pidsite)
# KILL_PIDS (default 1000) and KILLS (default 16) size it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-target/debug/pidsite}")
CORPUS=${PIDSITE_CORPUS:-../shared/corpus}
PIDS=${KILL_PIDS:-1000}
KILLS=${KILLS:-16}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH=1764072000

python3 bench/gen_sites.py "$PIDS" "$CORPUS" "$work/gen" >/dev/null
site=$work/gen/pidsite
reg=$site/content/registry.csv
m=$site/content/manifests/m000000.json
# Two versions of the site that differ in many files: B drops every tenth
# row, adds as many new PIDs, and changes a manifest's label.
cp "$reg" "$work/reg.A"; cp "$m" "$work/m.A"
awk 'NR == 1 || (NR % 10) != 0 { print } (NR % 10) == 0 { sub(/^ark:99999\//, "ark:99999/new"); print }' \
  "$work/reg.A" >"$work/reg.B"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["label"]={"en":["Changed label"]}; json.dump(d,open(sys.argv[2],"w"))' "$m" "$work/m.B"
use() { cp "$work/reg.$1" "$reg"; cp "$work/m.$1" "$m"; }
build() { "$BIN" build --quiet --site "$site" --out "$1"; }
# The hash of a tree: every file's path and bytes, not the marker (it names
# the build).
hash() { (cd "$1" && find . -type f ! -name .pidsite-build -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16); }
leftovers() { ls -A "$work" | grep -cE '^\.pidsite-(build-|old-)' || true; }

# The two expected outputs, each a clean build.
use A; build "$work/refA"; hA=$(hash "$work/refA")
use B; build "$work/refB"; hB=$(hash "$work/refB")
rm -rf "$work/refA" "$work/refB"
[ "$hA" != "$hB" ] || { echo "kill.sh: the two versions build the same output" >&2; exit 1; }

out=$work/out
use A; build "$out"
# How long an incremental build takes here, to kill within it.
use B; t0=$(date +%s%N); build "$out"; t1=$(date +%s%N)
span=$(( (t1 - t0) / 1000000 ))
[ "$(hash "$out")" = "$hB" ] || { echo "kill.sh: incremental build differs from a clean one" >&2; exit 1; }

mixed=0; survived=0; stale=0; ver=B
for i in $(seq "$KILLS"); do
  from=$ver
  if [ "$ver" = A ]; then ver=B; else ver=A; fi
  use "$ver"
  "$BIN" build --quiet --site "$site" --out "$out" >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v s="$span" -v r="$RANDOM" 'BEGIN { printf "%.3f", s * (0.1 + 0.9 * r / 32767) / 1000 }')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  h=$( [ -d "$out" ] && hash "$out" || echo missing)
    if [ "$h" = "$hA" ] || [ "$h" = "$hB" ]; then
    survived=$((survived + 1))
  else
    mixed=$((mixed + 1))
    echo "kill $i: the output is neither the old ($from) nor the new ($ver) build" >&2
  fi
  # Finish this version; then nothing of the killed build is left.
  build "$out"
  want=$hA; [ "$ver" = B ] && want=$hB
  [ "$(hash "$out")" = "$want" ] || { echo "kill $i: the next build's output is wrong" >&2; exit 1; }
  left=$(leftovers)
  if [ "$left" != 0 ]; then
    stale=$((stale + 1))
    echo "kill $i: $left staging folders left after the next build" >&2
  fi
done
echo "kill.sh: $KILLS kills of incremental builds ($PIDS PIDs, ~${span} ms each): $survived outputs whole, $mixed mixed; stale staging folders after the next build: $stale times"
[ "$mixed" = 0 ] && [ "$stale" = 0 ] || exit 1

# Two builds at once into the same output: the second fails naming the
# first; the first finishes and the output is whole.
if [ "$ver" = A ]; then ver=B; else ver=A; fi
use "$ver"
"$BIN" build --quiet --full --site "$site" --out "$out" >/dev/null 2>&1 &
first=$!
# Until it holds the lock (the lock file names it).
for _ in $(seq 200); do
  grep -qx "$first" "$work/.pidsite-cache/build-out.lock" 2>/dev/null && break
  sleep 0.05
done
if msg=$("$BIN" build --quiet --site "$site" --out "$out" 2>&1); then
  echo "kill.sh: a second build into the same output did not fail" >&2; exit 1
fi
grep -q "process $first" <<<"$msg" || { echo "kill.sh: the second build's error does not name the first: $msg" >&2; exit 1; }
wait "$first"
want=$hA; [ "$ver" = B ] && want=$hB
[ "$(hash "$out")" = "$want" ] || { echo "kill.sh: concurrent builds left a wrong output" >&2; exit 1; }
echo "kill.sh: a second build at once was refused: ${msg##*: }"
