#!/usr/bin/env bash
# What Pagefind costs per record, without the rest of a build (issue 22):
# examples/search_memory.rs adds N records shaped like the bench mix's to
# pidsite's SearchIndex, as one index or in shards of S records each built and
# dropped in turn, and prints the peak RSS, the seconds spent adding the first
# and the last tenth of the records (Pagefind compares each new record's URL
# with every record's before it, so the last tenth costs more than the first
# as N grows), the seconds making the index, its size, and the CPU seconds.
#   bash bench/search_memory.sh                 (N = 10000 100000, one index)
#   bash bench/search_memory.sh 100000:10000    (N:S, shards of S)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null 2>&1 ||
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null; }
cargo build --release --locked --quiet --example search_memory
RUNS=("$@")
[ ${#RUNS[@]} -gt 0 ] || RUNS=(10000 100000)
for run in "${RUNS[@]}"; do
  /usr/bin/time -f 'cpu_s %U user %S sys' \
    target/release/examples/search_memory "${run%%:*}" $([ "${run#*:}" = "$run" ] || echo "${run#*:}") 2>&1 | paste -sd' '
done
