# Shared by bench/run.sh and bench/search.sh (sourced).

# measure CMD...: prints "seconds rss_kb". The wall time is taken to the
# millisecond around the command (GNU time prints hundredths, too coarse for
# the rebuilds of small sites); the peak RSS comes from GNU time.
measure() {
  local log; log=$(mktemp)
  local t0 t1; t0=$(date +%s%N)
  /usr/bin/time -v "$@" >/dev/null 2>"$log" || { cat "$log" >&2; exit 1; }
  t1=$(date +%s%N)
  local wall rss
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  rm -f "$log"
  echo "$wall $rss"
}

# bench_site N DIR [PARTS]: generate the bench sites of N PIDs under DIR
# (PARTS: pidsite,hugo by default) unless there. gen_sites.py refuses when
# they do not fit.
bench_site() {
  local n=$1 dir=$2 parts=${3:-pidsite,hugo} missing=()
  [ -f "$dir/pidsite/content/registry.csv" ] || missing+=(pidsite)
  [[ ",$parts," != *,hugo,* ]] || [ -f "$dir/hugo/hugo.toml" ] || missing+=(hugo)
  [ ${#missing[@]} -gt 0 ] || return 0
  local p; for p in "${missing[@]}"; do rm -rf "${dir:?}/$p"; done
  mkdir -p "$dir"
  python3 bench/gen_sites.py "$n" "$CORPUS" "$dir" "$(IFS=,; echo "${missing[*]}")" >&2
}

# bench_search DIR on|off: the bench site's search and browse pages on or off
# (`[search] enabled = false` appended to its site.toml, or taken out).
# run.sh measures with search off, as the Hugo sites have none (BENCH_SEARCH=1
# keeps it on); search.sh measures both.
bench_search() {
  python3 - "$1/pidsite/site.toml" "$2" <<'PY'
import sys
path, mode = sys.argv[1:]
off = "\n[search]\nenabled = false\n"
text = open(path).read().replace(off, "")
open(path, "w").write(text + (off if mode == "off" else ""))
PY
}

mean() { awk '{ s += $1 } END { printf "%.3f", s / NR }'; }

# measure_cpu CMD...: prints "wall_s cpu_s rss_kb": wall to the millisecond
# around the command, CPU (user + system, all threads) and peak RSS from GNU
# time.
measure_cpu() {
  local log; log=$(mktemp)
  local t0 t1; t0=$(date +%s%N)
  /usr/bin/time -f '%U %S %M' -o "$log" "$@" >/dev/null 2>"$log.err" || { cat "$log.err" "$log" >&2; exit 1; }
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" '{ printf "%.3f %.2f %d\n", (b - a) / 1e9, $1 + $2, $3 }' "$log"
  rm -f "$log" "$log.err"
}

# median < "v1\nv2\n...": the median of the first column.
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# free_bytes DIR: bytes free on DIR's file system (DIR or its nearest parent
# that exists).
free_bytes() {
  local d=$1
  while [ ! -d "$d" ]; do d=$(dirname "$d"); done
  df --output=avail -B1 "$d" | tail -1 | tr -d ' '
}

# mem_available: bytes of memory the kernel can give without swapping.
# (%.0f: mawk's %d stops at 2^31.)
mem_available() { awk '/^MemAvailable:/ { printf "%.0f\n", $2 * 1024 }' /proc/meminfo; }
