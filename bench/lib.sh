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

# Generate the bench sites of N PIDs under DIR unless there.
bench_site() {
  local n=$1 dir=$2
  if [ ! -f "$dir/pidsite/content/registry.csv" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    python3 bench/gen_sites.py "$n" "$CORPUS" "$dir" >&2
  fi
}

mean() { awk '{ s += $1 } END { printf "%.3f", s / NR }'; }
