#!/usr/bin/env bash
# A registry with one chain of N moves (issue 19): m0 moved to m1, … m(N-1)
# moved to mN, written last to first, and mN an active PID with one corpus
# manifest. Prints, per N, the wall and CPU (user + system) seconds of a full
# `pidsite build` and of `pidsite check` after it (on a shared machine the CPU
# seconds are the steadier figure). Every moved PID's stub redirects to mN in
# one hop, so each entry's chain is resolved; before it was memoised,
# following each chain from each of its entries was super-quadratic. Then
# `cargo bench --bench move_chain` times the registry's loading with the chain
# and without (each moved PID moved straight to mN): the difference is the
# chain's resolution (`resolve_cpu_s`). NO_RESOLVER_BENCH=1 skips it.
#   bash bench/move_chain.sh                  (N = 1000 4000 100000)
#   bash bench/move_chain.sh 2000             (chosen sizes)
#   PIDSITE=path/to/pidsite bash bench/move_chain.sh   (another binary)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${BENCH_DIR:-$ROOT/target/bench}
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 4000 100000)
if [ -z "${PIDSITE:-}" ]; then
  cargo build --release --locked --quiet
  PIDSITE=$ROOT/target/release/pidsite
fi

seconds() { # CMD...: wall seconds to the millisecond, and CPU seconds
  local t0 t1 cpu; t0=$(date +%s%N)
  /usr/bin/time -f "%U %S" -o "$WORK/cpu" "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; "$@" >&2 || true; exit 1; }
  t1=$(date +%s%N)
  cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$WORK/cpu")
  awk -v a="$t0" -v b="$t1" -v c="$cpu" 'BEGIN { printf "%.3f %s", (b - a) / 1e9, c }'
}

mkdir -p "$WORK"
echo "moves build_s build_cpu_s check_s check_cpu_s"
for n in "${SIZES[@]}"; do
  site=$WORK/chain-$n
  rm -rf "$site"
  mkdir -p "$site/content/manifests"
  printf 'base_url = "https://bench.example.org/"\ntitle = "Chain"\n' >"$site/site.toml"
  # A corpus manifest (its SOURCES.md says where it is from).
  cp tests/fixtures/basic/content/manifests/photo-v3.json "$site/content/manifests/"
  awk -v n="$n" 'BEGIN {
    print "pid,status,replaced_by,target"
    for (i = n - 1; i >= 0; i--) printf "ark:/99999/m%d,moved,ark:/99999/m%d,\n", i, i + 1
    printf "ark:/99999/m%d,active,,manifests/photo-v3.json\n", n
  }' >"$site/content/registry.csv"
  build=$(seconds "$PIDSITE" build --site "$site" --out "$site/public")
  check=$(seconds "$PIDSITE" check --site "$site" --out "$site/public")
  echo "$n $build $check"
  rm -rf "$site"
done
[ -n "${NO_RESOLVER_BENCH:-}" ] || cargo bench --locked --quiet --bench move_chain -- "${SIZES[@]}"
