#!/usr/bin/env bash
# Compare pidsite binaries on full builds, interleaved.
#
#   bash bench/full_ab.sh SITE ROUNDS BIN [BIN ...]
#
# SITE is a bench site (bench/gen_sites.py). Each round builds SITE once with
# each binary, in turn, from nothing (`--full`, into a fresh folder under
# BENCH_OUT, default /dev/shm/pidsite-ab-full), so a machine that slows down
# or speeds up slows them alike; a build's output is removed before the next.
# Prints each binary's median wall and CPU (user + system) seconds and peak
# RSS. SITE's pidsite.lock is put back after every build.
set -euo pipefail
site=$1 rounds=$2
shift 2
out=${BENCH_OUT:-/dev/shm/pidsite-ab-full}
lock=$(mktemp)
cp "$site/pidsite.lock" "$lock" 2>/dev/null || true
runs=$(mktemp)
for _ in $(seq "$rounds"); do
  for bin in "$@"; do
    rm -rf "$out"
    /usr/bin/time -f "$bin %e %U %S %M" -a -o "$runs" \
      "$bin" build --quiet --full --site "$site" --out "$out/site" >/dev/null
    if [ -s "$lock" ]; then cp "$lock" "$site/pidsite.lock"; fi
  done
done
rm -rf "$out" "$lock"
# median COLUMN BIN: the median of COLUMN over BIN's builds.
median() { awk -v b="$2" -v c="$1" '$1 == b { print $c }' "$runs" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
awk '{ $3 = $3 + $4; print }' "$runs" >"$runs.cpu" && mv "$runs.cpu" "$runs"
for bin in "$@"; do
  printf '%s: median wall %s s, CPU %s s, peak %s kB\n' "$bin" "$(median 2 "$bin")" "$(median 3 "$bin")" "$(median 5 "$bin")"
done
rm -f "$runs"
