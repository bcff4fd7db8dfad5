#!/usr/bin/env bash
# What search costs. One command from a fresh clone:
#   bash bench/search.sh            (N = 1000 10000 100000)
#   bash bench/search.sh 1000 10000 (chosen sizes)
# For each N, on the sites bench/run.sh makes (target/bench/N/pidsite), a full
# build from nothing with `[search] enabled = false` and one with search on
# (the default), each followed by rebuilds: one manifest changed, one
# registry row added (each the mean of BENCH_REPEAT rebuilds, default 3; a
# change and its undoing are each one rebuild). Prints, per N and mode: wall
# seconds and peak RSS of the full build, the rebuilds' seconds, and with
# search on the index (`pagefind/`: files, MB) and the browse pages (pages,
# MB). What search costs is the difference between the two rows.
# BENCH_OUT=/dev/shm/pidsite-search puts the outputs on a tmpfs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CORPUS=${PIDSITE_CORPUS:-$ROOT/../shared/corpus}
WORK=${BENCH_DIR:-$ROOT/target/bench}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 100000)
command -v /usr/bin/time >/dev/null 2>&1 ||
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
. bench/lib.sh
cargo build --release --locked --quiet
PIDSITE=$ROOT/target/release/pidsite
reps=${BENCH_REPEAT:-3}

printf '%-7s %-6s %8s %8s %11s %8s %10s %9s %11s %9s\n' \
  N search full_s full_MB manifest_s row_s index_files index_MB browse_pages browse_MB
for n in "${SIZES[@]}"; do
  dir=$WORK/$n
  bench_site "$n" "$dir" pidsite
  site=$dir/pidsite
  for mode in off on; do
    bench_search "$dir" "$mode"
    # Each mode builds into a folder of its own (its cache beside it).
    runs=${BENCH_OUT:-$dir/search-runs}/$n-$mode
    rm -rf "$runs"; mkdir -p "$runs"; out=$runs/out; sync
    read -r full rss <<<"$(measure "$PIDSITE" build --quiet --full --site "$site" --out "$out")"
    rebuild() { measure "$PIDSITE" build --quiet --site "$site" --out "$out" | cut -d' ' -f1; }
    m=$site/content/manifests/m000000.json
    cp "$m" "$m.orig"
    python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["label"]={"en":["Changed label"]}; json.dump(d,open(p,"w"))' "$m"
    cp "$m" "$m.changed"
    man=$(for i in $(seq "$reps"); do
      if [ $((i % 2)) = 1 ]; then cp "$m.changed" "$m"; else cp "$m.orig" "$m"; fi
      rebuild
    done | mean)
    mv "$m.orig" "$m"; rm -f "$m.changed"
    [ $((reps % 2)) = 0 ] || rebuild >/dev/null
    reg=$site/content/registry.csv
    cp "$reg" "$reg.orig"
    row=$(for i in $(seq "$reps"); do
      if [ $((i % 2)) = 1 ]; then echo "ark:99999/bnew0001,manifests/m000001.json" >>"$reg"; else cp "$reg.orig" "$reg"; fi
      rebuild
    done | mean)
    mv "$reg.orig" "$reg"
    files=- mb=- pages=- bmb=-
    if [ "$mode" = on ]; then
      files=$(find "$out/pagefind" -type f | wc -l)
      mb=$(du -sb "$out/pagefind" | awk '{ printf "%.1f", $1 / 1e6 }')
      pages=$(find "$out/browse" -name index.html | wc -l)
      bmb=$(du -sb "$out/browse" | awk '{ printf "%.1f", $1 / 1e6 }')
    fi
    printf '%-7d %-6s %8.2f %8.0f %11.3f %9.3f %10s %9s %11s %9s\n' \
      "$n" "$mode" "$full" "$((rss / 1024))" "$man" "$row" "$files" "$mb" "$pages" "$bmb"
    rm -rf "$runs"
  done
done
