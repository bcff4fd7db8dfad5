#!/usr/bin/env bash
# pidsite against the floor and two Hugo sites, on sites of N PIDs. One command
# from a fresh clone:
#   bash bench/run.sh             (N = 1000 10000 100000)
#   bash bench/run.sh 1000 10000  (chosen sizes)
# For each N, BENCH_RUNS alternating rounds (default 5 up to 10,000 PIDs, 3 above)
# of: a pidsite full build; the floor (writing pidsite's finished output tree
# again + parsing the input manifests, examples/floor.rs); the like-for-like Hugo
# site (bench/gen_hugo_full.py, made from pidsite's output); the one-page-per-PID
# Hugo site (bench/gen_sites.py). Then pidsite's incremental rebuilds (nothing
# changed, one manifest changed, one registry row added; each the mean of
# BENCH_REPEAT, default 3) and the bytes published per PID (bench/bytes.py).
# Prints median wall and CPU (user+sys) seconds, median peak RSS, the ratios and,
# at the end, one Markdown row per N. bench/README.md explains every column.
#
# Environment:
#   BENCH_DIR   where the input sites are generated (target/bench)
#   BENCH_OUT   where the builds write (/dev/shm/pidsite-bench, a tmpfs)
#   BENCH_RUNS  rounds per N;  BENCH_REPEAT  rebuilds of each kind
#   BENCH_FLOOR=0, BENCH_HUGO=0: skip the floor, the one-page Hugo site
#   BENCH_HUGO_FULL=0 skips the like-for-like Hugo site, =1 runs it even when
#     the memory estimate says it does not fit (BENCH_HUGO likewise with =1)
#   BENCH_SEARCH=1 builds the pidsite site with its search and browse pages
#     (off by default: the Hugo sites have none; bench/search.sh measures them)
#   BENCH_OUT_KB  output KB (1,000 bytes) per PID assumed before the first
#     build (60), for the room check
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CORPUS=${PIDSITE_CORPUS:-$ROOT/../shared/corpus}
WORK=${BENCH_DIR:-$ROOT/target/bench}
OUT=${BENCH_OUT:-/dev/shm/pidsite-bench}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 100000)
. bench/lib.sh

need() { command -v "$1" >/dev/null 2>&1; }
if ! need hugo || ! need /usr/bin/time; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo time >/dev/null
fi
cargo build --release --locked --quiet
cargo build --release --locked --quiet --example floor
PIDSITE=$ROOT/target/release/pidsite
FLOOR=$ROOT/target/release/examples/floor
GB() { awk -v b="$1" 'BEGIN { printf "%.1f GB", b / 1e9 }'; }
fs_of() { local d=$1; while [ ! -d "$d" ]; do d=$(dirname "$d"); done; df --output=fstype "$d" | tail -1; }
mkdir -p "$OUT"
OUT_FS=$(fs_of "$OUT")
MARGIN=1000000000 # memory kept free

# fits WHAT BYTES_ON_OUT RSS_BYTES: whether a step writing BYTES_ON_OUT into
# $OUT with a peak RSS of RSS_BYTES fits now (outputs on a tmpfs are memory
# too). Says why not ("WHAT skipped: ...", or WHAT as given).
fits() {
  local what=$1 disk=$2 rss=$3 free mem need_mem
  [[ "$what" == *:* ]] || what="$what skipped:"
  free=$(free_bytes "$OUT"); mem=$(mem_available)
  need_mem=$rss; [ "$OUT_FS" != tmpfs ] || need_mem=$((rss + disk))
  if [ "$disk" -gt "$free" ]; then
    echo "$what needs $(GB "$disk") in $OUT, $(GB "$free") free" >&2; return 1
  fi
  if [ $((need_mem + MARGIN)) -gt "$mem" ]; then
    echo "$what needs about $(GB "$need_mem") of memory (+1 GB kept free), $(GB "$mem") available" >&2; return 1
  fi
}

SUMMARY=() STATUS=0
for n in "${SIZES[@]}"; do
  dir=$WORK/$n
  runs=${BENCH_RUNS:-$([ "$n" -le 10000 ] && echo 5 || echo 3)}
  reps=${BENCH_REPEAT:-3}
  # Peak RSS estimates (bytes per PID) for the room checks, measured at
  # 10,000 and 100,000 PIDs: Hugo like-for-like 1.9 GB at 10,000, Hugo one
  # page 3.8 GB at 100,000.
  hf_rss=$((n * 200000)); h1_rss=$((n * 40000))
  do_floor=${BENCH_FLOOR:-1} do_hf=${BENCH_HUGO_FULL:-} do_h1=${BENCH_HUGO:-}
  out_kb=${BENCH_OUT_KB:-60}
  echo
  echo "== $n PIDs: $runs alternating rounds, inputs in $dir, outputs in $OUT ($OUT_FS) =="
  [ "$OUT_FS" = tmpfs ] || echo "note: $OUT is not a tmpfs: the figures include the disk"
  if [ "$do_h1" != 1 ] && [ "$do_h1" != 0 ] && ! fits "Hugo one page" $((n * 10000)) "$h1_rss"; then do_h1=0; fi
  parts=pidsite; [ "$do_h1" = 0 ] || parts=pidsite,hugo
  bench_site "$n" "$dir" "$parts"
  bench_search "$dir" "$([ "${BENCH_SEARCH:-0}" = 1 ] && echo on || echo off)"
  # Room for one pidsite output (each round's replaces the last; a rebuild
  # stages only what changes) and its peak RSS (~300 MB at 100,000 PIDs).
  need=$((n * out_kb * 1000))
  if ! fits "refusing $n PIDs: a pidsite output ($out_kb KB a PID, BENCH_OUT_KB)" "$need" $((n * 3000 + 100000000)); then
    echo "refusing $n PIDs: set BENCH_OUT to a folder with the room" >&2
    STATUS=1; continue
  fi
  base=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["base_url"])' "$dir/pidsite/site.toml")
  r=$OUT/$n; rm -rf "$r"; mkdir -p "$r"
  hsrc=$dir/hugo-full; rm -rf "$hsrc"
  : >"$r/p.txt"; : >"$r/f.txt"; : >"$r/fw.txt"; : >"$r/fp.txt"; : >"$r/hf.txt"; : >"$r/h1.txt"
  for i in $(seq "$runs"); do
    # pidsite: a full build into a new folder, its cache beside it (the last
    # round's output stays for the rebuilds below).
    rm -rf "$r/p"; mkdir "$r/p"; sync
    measure_cpu "$PIDSITE" build --quiet --site "$dir/pidsite" --out "$r/p/out" >>"$r/p.txt"
    if [ "$i" = 1 ]; then
      bytes=$(du -sb "$r/p/out" | cut -f1)
      echo "pidsite output: $(GB "$bytes"), $((bytes / n)) bytes a PID"
      # The floor holds at most a batch of FLOOR_BATCH_MB (1 GiB) of the tree.
      batch=$((${FLOOR_BATCH_MB:-1024} << 20)); [ "$bytes" -gt "$batch" ] || batch=$bytes
      if [ "$do_floor" = 1 ] && ! fits "floor" "$bytes" $((batch + 50000000)); then do_floor=0; fi
      if [ -z "$do_hf" ] && ! fits "Hugo like-for-like" "$bytes" "$hf_rss"; then do_hf=0; fi
      if [ "$do_hf" != 0 ]; then
        free=$(free_bytes "$dir")
        if [ "$bytes" -gt "$free" ]; then
          echo "Hugo like-for-like skipped: its source (~$(GB "$bytes")) does not fit in $dir ($(GB "$free") free)"; do_hf=0
        else
          python3 bench/gen_hugo_full.py "$r/p/out" "$base" "$hsrc"
        fi
      fi
    fi
    if [ "$do_floor" = 1 ]; then
      rm -rf "$r/f"; sync
      read -r _ ww wc _ <<<"$("$FLOOR" write "$r/p/out" "$r/f")"
      rm -rf "$r/f"
      read -r _ pw pc _ <<<"$("$FLOOR" parse "$dir/pidsite/content")"
      echo "$ww $wc" >>"$r/fw.txt"; echo "$pw $pc" >>"$r/fp.txt"
      awk -v a="$ww" -v b="$pw" -v c="$wc" -v d="$pc" 'BEGIN { printf "%.3f %.3f 0\n", a + b, c + d }' >>"$r/f.txt"
    fi
    if [ "$do_hf" != 0 ]; then
      rm -rf "$r/hf"; sync
      measure_cpu hugo --quiet --source "$hsrc" --destination "$r/hf" >>"$r/hf.txt"
      rm -rf "$r/hf"
    fi
    if [ "$do_h1" != 0 ]; then
      rm -rf "$r/h1"; sync
      measure_cpu hugo --quiet --source "$dir/hugo" --destination "$r/h1" >>"$r/h1.txt"
      rm -rf "$r/h1"
    fi
  done
  rm -rf "$hsrc"

  # Incremental rebuilds of the last round's output: nothing changed; one
  # manifest changed; one registry row added. A change and its undoing are
  # each one rebuild of that kind.
  # rebuild: "wall_s cpu_s" of one rebuild; means: the mean of each column.
  rebuild() { measure_cpu "$PIDSITE" build --quiet --site "$dir/pidsite" --out "$r/p/out" | cut -d' ' -f1,2; }
  means() { awk '{ w += $1; c += $2 } END { printf "%.3f %.3f", w / NR, c / NR }'; }
  noop=$(for _ in $(seq "$reps"); do rebuild; done | means)
  m="$dir/pidsite/content/manifests/m000000.json"
  cp "$m" "$m.orig"
  python3 -c 'import json,sys; p=sys.argv[1]; d=json.load(open(p)); d["label"]={"en":["Changed label"]}; json.dump(d,open(p,"w"))' "$m"
  cp "$m" "$m.changed"
  man=$(for i in $(seq "$reps"); do
    if [ $((i % 2)) = 1 ]; then cp "$m.changed" "$m"; else cp "$m.orig" "$m"; fi
    rebuild
  done | means)
  mv "$m.orig" "$m"; rm -f "$m.changed"
  [ $((reps % 2)) = 0 ] || rebuild >/dev/null
  reg="$dir/pidsite/content/registry.csv"
  cp "$reg" "$reg.orig"
  row=$(for i in $(seq "$reps"); do
    if [ $((i % 2)) = 1 ]; then echo "ark:99999/bnew0001,manifests/m000001.json" >>"$reg"; else cp "$reg.orig" "$reg"; fi
    rebuild
  done | means)
  mv "$reg.orig" "$reg"
  [ $((reps % 2)) = 0 ] || rebuild >/dev/null

  # col FILE N: the median of column N of FILE ("nan" when empty).
  col() { awk -v c="$2" '{ print $c }' "$1" | median; }
  pw=$(col "$r/p.txt" 1) pc=$(col "$r/p.txt" 2) pm=$(col "$r/p.txt" 3)
  fw=$(col "$r/f.txt" 1) fc=$(col "$r/f.txt" 2)
  fww=$(col "$r/fw.txt" 1) fwc=$(col "$r/fw.txt" 2) fpw=$(col "$r/fp.txt" 1) fpc=$(col "$r/fp.txt" 2)
  hfw=$(col "$r/hf.txt" 1) hfc=$(col "$r/hf.txt" 2) hfm=$(col "$r/hf.txt" 3)
  h1w=$(col "$r/h1.txt" 1) h1c=$(col "$r/h1.txt" 2) h1m=$(col "$r/h1.txt" 3)
  awk -v pw="$pw" -v pc="$pc" -v pm="$pm" -v fw="$fw" -v fc="$fc" -v fww="$fww" -v fwc="$fwc" \
    -v fpw="$fpw" -v fpc="$fpc" -v hfw="$hfw" -v hfc="$hfc" -v hfm="$hfm" -v h1w="$h1w" \
    -v h1c="$h1c" -v h1m="$h1m" -v noop="$noop" -v man="$man" -v row="$row" -v reps="$reps" 'BEGIN {
    printf "%-28s %8s %8s %8s\n", "median of the rounds", "wall_s", "cpu_s", "peak_MB"
    printf "%-28s %8.3f %8.2f %8.0f\n", "pidsite", pw, pc, pm / 1024
    if (fw != "nan") {
      printf "%-28s %8.3f %8.2f %8s\n", "floor (write + parse)", fw, fc, "-"
      printf "%-28s %8.3f %8.2f %8s\n", "  write the output tree", fww, fwc, "-"
      printf "%-28s %8.3f %8.2f %8s\n", "  parse the manifests", fpw, fpc, "-"
    }
    if (hfw != "nan") printf "%-28s %8.3f %8.2f %8.0f\n", "Hugo like-for-like", hfw, hfc, hfm / 1024
    if (h1w != "nan") printf "%-28s %8.3f %8.2f %8.0f\n", "Hugo one page per PID", h1w, h1c, h1m / 1024
    printf "ratios (wall, CPU):"
    if (fw != "nan") printf " pidsite/floor %.2f, %.2f;", pw / fw, pc / fc
    if (hfw != "nan") printf " pidsite/Hugo like-for-like %.2f, %.2f;", pw / hfw, pc / hfc
    if (h1w != "nan") printf " pidsite/Hugo one page %.2f, %.2f;", pw / h1w, pc / h1c
    printf "\n"
    split(noop, a, " "); split(man, b, " "); split(row, c, " ")
    printf "incremental (mean of %d; wall s, %% of the full build; CPU s, %%):", reps
    printf " no-op %.3f, %.1f%%; %.2f, %.1f%% |", a[1], 100 * a[1] / pw, a[2], 100 * a[2] / pc
    printf " one manifest %.3f, %.1f%%; %.2f, %.1f%% |", b[1], 100 * b[1] / pw, b[2], 100 * b[2] / pc
    printf " one row %.3f, %.1f%%; %.2f, %.1f%%\n", c[1], 100 * c[1] / pw, c[2], 100 * c[2] / pc
  }'
  python3 bench/bytes.py "$r/p/out" "$base" | tee "$r/bytes.txt"
  kbpid=$(awk '$1 == "total" { print $4 }' "$r/bytes.txt")
  fit=$(sed -n 's/^GitHub Pages.*: \([0-9,]*\) PIDs.*/\1/p' "$r/bytes.txt")
  SUMMARY+=("$(awk -v n="$n" -v pw="$pw" -v pc="$pc" -v pm="$pm" -v fw="$fw" -v hfw="$hfw" -v h1w="$h1w" \
    -v noop="${noop% *}" -v man="${man% *}" -v row="${row% *}" -v kb="$kbpid" -v fit="$fit" '
    function ratio(a, b) { return b == "nan" ? "-" : sprintf("%.2f", a / b) }
    function sec(a) { return a == "nan" ? "-" : sprintf("%.2f", a) }
    BEGIN { printf "| %s | %.2f | %.2f | %.0f | %s | %s | %s | %s | %s | %s | %.1f%% | %.1f%% | %.1f%% | %s | %s |",
      n, pw, pc, pm / 1024, sec(fw), ratio(pw, fw), sec(hfw), ratio(pw, hfw), sec(h1w), ratio(pw, h1w),
      100 * noop / pw, 100 * man / pw, 100 * row / pw, kb, fit }')")
  rm -rf "$r"
done
echo
echo "| N | pidsite s | pidsite CPU s | pidsite MB | floor s | ×floor | Hugo like-for-like s | ×Hugo l-f-l | Hugo one page s | ×Hugo 1 page | no-op | 1 manifest | 1 row | KB/PID | fit in 1 GB |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
[ ${#SUMMARY[@]} = 0 ] || printf '%s\n' "${SUMMARY[@]}"
exit $STATUS
