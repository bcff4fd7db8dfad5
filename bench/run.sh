#!/usr/bin/env bash
# pidsite vs Hugo on comparable sites of N PIDs/pages. One command from a fresh
# clone:   bash bench/run.sh            (N = 1000 10000 100000)
#          bash bench/run.sh 1000 10000 (chosen sizes)
# Prints, per N: wall seconds and peak RSS of each full build from nothing
# (from /usr/bin/time -v), pages/s, the ratio, and pidsite's incremental
# rebuild times: nothing changed, one manifest changed, one registry row
# added (each the mean of BENCH_REPEAT rebuilds, default 3). Full builds
# alternate (pidsite, Hugo, pidsite, Hugo) and the best of two runs is kept.
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

. bench/lib.sh
best() { # best of two "s rss" lines by seconds
  if awk "BEGIN{exit !($1 < $3)}"; then echo "$1 $2"; else echo "$3 $4"; fi
}

printf '%-8s %10s %10s %7s %11s %8s %10s %9s %11s %9s\n' N pidsite_s hugo_s ratio pidsite_MB hugo_MB pidsite_pg/s noop_s manifest_s row_s
for n in "${SIZES[@]}"; do
  dir=$WORK/$n
  bench_site "$n" "$dir"
  # Every full build writes into a folder never used before, and old
  # outputs are deleted only after the last measurement of this size: on a
  # journal-less ext4 (like the development VM) creating files right after
  # tens of thousands were deleted makes the kernel skip each recently freed
  # inode (ext4 `recently_deleted`), which would time the previous run's
  # `rm -rf` rather than the tool. Set BENCH_KEEP_RM=1 to measure that case.
  # BENCH_OUT=/dev/shm/pidsite-bench puts the outputs of both tools on a
  # tmpfs, which takes the disk's writeback out of the figures; each run's
  # output is then deleted before the next (tmpfs frees at once), but for the
  # pidsite output the incremental runs rebuild.
  runs=${BENCH_OUT:+$BENCH_OUT/$n}; runs=${runs:-$dir/runs}; rm -rf "$runs"; mkdir -p "$runs"; sync
  k=0; pout=
  fresh() { k=$((k + 1)); out=$runs/$1-$k; sync; }
  if [ -n "${BENCH_OUT:-}" ]; then
    fresh() {
      k=$((k + 1)); out=$runs/$1-$k
      for old in "$runs"/*; do [ "$old" = "$pout" ] || rm -rf "$old"; done
    }
  fi
  if [ "${BENCH_KEEP_RM:-}" = 1 ]; then fresh() { out=$runs/$1; rm -rf "$out" "$runs/.pidsite-cache"; sync; }; fi
  # Full builds from nothing, alternating the two tools.
  fresh p; p1=$(measure "$PIDSITE" build --quiet --site "$dir/pidsite" --out "$out")
  fresh h; h1=$(measure hugo --quiet --source "$dir/hugo" --destination "$out")
  fresh p; p2=$(measure "$PIDSITE" build --quiet --site "$dir/pidsite" --out "$out")
  pout=$out
  fresh h; h2=$(measure hugo --quiet --source "$dir/hugo" --destination "$out")
  read -r ps prss <<<"$(best $p1 $p2)"
  read -r hs hrss <<<"$(best $h1 $h2)"
  # Incremental: nothing changed; one manifest changed; one registry row
  # added. Each is the mean of BENCH_REPEAT rebuilds (default 3): a change
  # and its undoing are each one rebuild of that kind.
  reps=${BENCH_REPEAT:-3}
  rebuild() { measure "$PIDSITE" build --quiet --site "$dir/pidsite" --out "$pout" | cut -d' ' -f1; }
  noop=$(for _ in $(seq "$reps"); do rebuild; done | mean)
  m="$dir/pidsite/content/manifests/m000000.json"
  cp "$m" "$m.orig"
  python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["label"]={"en":["Changed label"]}; json.dump(d,open(p,"w"))' "$m"
  cp "$m" "$m.changed"
  man=$(for i in $(seq "$reps"); do
    if [ $((i % 2)) = 1 ]; then cp "$m.changed" "$m"; else cp "$m.orig" "$m"; fi
    rebuild
  done | mean)
  mv "$m.orig" "$m"; rm -f "$m.changed"
  [ $((reps % 2)) = 0 ] || rebuild >/dev/null
  reg="$dir/pidsite/content/registry.csv"
  cp "$reg" "$reg.orig"
  row=$(for i in $(seq "$reps"); do
    if [ $((i % 2)) = 1 ]; then echo "ark:99999/bnew0001,manifests/m000001.json" >>"$reg"; else cp "$reg.orig" "$reg"; fi
    rebuild
  done | mean)
  mv "$reg.orig" "$reg"
  awk -v n="$n" -v ps="$ps" -v hs="$hs" -v pr="$prss" -v hr="$hrss" -v noop="$noop" -v man="$man" -v row="$row" 'BEGIN {
    printf "%-8d %10.2f %10.2f %7.2f %11.0f %8.0f %10.0f %9.3f %11.3f %9.3f\n", n, ps, hs, ps/hs, pr/1024, hr/1024, n/ps, noop, man, row }'
done
# Outputs go only now, after every measurement (see above).
for n in "${SIZES[@]}"; do rm -rf "$WORK/$n/runs" ${BENCH_OUT:+"$BENCH_OUT/$n"}; done
