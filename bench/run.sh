#!/usr/bin/env bash
# pidsite vs Hugo on comparable sites of N PIDs/pages. One command from a fresh
# clone:   bash bench/run.sh            (N = 1000 10000 100000)
#          bash bench/run.sh 1000 10000 (chosen sizes)
# Prints, per N: wall seconds and peak RSS of each full build from nothing
# (from /usr/bin/time -v), pages/s, the ratio, and pidsite's incremental
# rebuild times: nothing changed, one manifest changed, one registry row
# added. Full builds alternate (pidsite, Hugo, pidsite, Hugo) and the best of
# two runs is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CORPUS=${PIDSITE_CORPUS:-$ROOT/../shared/corpus}
WORK=${BENCH_DIR:-$ROOT/target/bench}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 100000)

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hugo || ! need /usr/bin/time; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo time >/dev/null
fi
cargo build --release --locked --quiet
PIDSITE=$ROOT/target/release/pidsite

# measure OUT_PREFIX CMD...: prints "seconds rss_kb"
measure() {
  local log; log=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  rm -f "$log"
  echo "$wall $rss"
}
best() { # best of two "s rss" lines by seconds
  if awk "BEGIN{exit !($1 < $3)}"; then echo "$1 $2"; else echo "$3 $4"; fi
}

printf '%-8s %10s %10s %7s %11s %8s %10s %9s %11s %9s\n' N pidsite_s hugo_s ratio pidsite_MB hugo_MB pidsite_pg/s noop_s manifest_s row_s
for n in "${SIZES[@]}"; do
  dir=$WORK/$n
  if [ ! -f "$dir/pidsite/content/registry.csv" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    python3 bench/gen_sites.py "$n" "$CORPUS" "$dir" >&2
  fi
  # Every full build writes into a folder never used before, and old
  # outputs are deleted only after the last measurement of this size: on a
  # journal-less ext4 (like the development VM) creating files right after
  # tens of thousands were deleted makes the kernel skip each recently freed
  # inode (ext4 `recently_deleted`), which would time the previous run's
  # `rm -rf` rather than the tool. Set BENCH_KEEP_RM=1 to measure that case.
  runs=$dir/runs; rm -rf "$runs"; mkdir -p "$runs"; sync
  k=0
  fresh() { k=$((k + 1)); out=$runs/$1-$k; sync; }
  if [ "${BENCH_KEEP_RM:-}" = 1 ]; then fresh() { out=$runs/$1; rm -rf "$out" "$runs/.pidsite-cache"; sync; }; fi
  # Full builds from nothing, alternating the two tools.
  fresh p; p1=$(measure "$PIDSITE" build --quiet --site "$dir/pidsite" --out "$out")
  fresh h; h1=$(measure hugo --quiet --source "$dir/hugo" --destination "$out")
  fresh p; p2=$(measure "$PIDSITE" build --quiet --site "$dir/pidsite" --out "$out")
  pout=$out
  fresh h; h2=$(measure hugo --quiet --source "$dir/hugo" --destination "$out")
  read -r ps prss <<<"$(best $p1 $p2)"
  read -r hs hrss <<<"$(best $h1 $h2)"
  # Incremental: nothing changed; one manifest changed; one registry row added.
  read -r noop _ <<<"$(measure "$PIDSITE" build --quiet --site "$dir/pidsite" --out "$pout")"
  m="$dir/pidsite/content/manifests/m000000.json"
  cp "$m" "$m.orig"
  python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["label"]={"en":["Changed label"]}; json.dump(d,open(p,"w"))' "$m"
  read -r man _ <<<"$(measure "$PIDSITE" build --quiet --site "$dir/pidsite" --out "$pout")"
  mv "$m.orig" "$m"
  reg="$dir/pidsite/content/registry.csv"
  cp "$reg" "$reg.orig"
  echo "ark:99999/bnew0001,manifests/m000001.json" >>"$reg"
  read -r row _ <<<"$(measure "$PIDSITE" build --quiet --site "$dir/pidsite" --out "$pout")"
  mv "$reg.orig" "$reg"
  awk -v n="$n" -v ps="$ps" -v hs="$hs" -v pr="$prss" -v hr="$hrss" -v noop="$noop" -v man="$man" -v row="$row" 'BEGIN {
    printf "%-8d %10.2f %10.2f %7.2f %11.0f %8.0f %10.0f %9.2f %11.2f %9.2f\n", n, ps, hs, ps/hs, pr/1024, hr/1024, n/ps, noop, man, row }'
done
# Outputs go only now, after every measurement (see above).
for n in "${SIZES[@]}"; do rm -rf "$WORK/$n/runs"; done
