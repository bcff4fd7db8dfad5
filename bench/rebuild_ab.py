#!/usr/bin/env python3
"""Compare pidsite binaries on incremental rebuilds, interleaved.

    python3 bench/rebuild_ab.py SITE REPS BIN [BIN ...]

SITE is a bench site (bench/gen_sites.py, e.g. target/bench/1000/pidsite).
Each binary builds SITE into its own folder under BENCH_OUT (default
/dev/shm/pidsite-ab) twice, then REPS rounds of: a no-op rebuild with each
binary, one with m000000.json's label changed (and changed back on the next
round), one with a registry row added (and taken out). The binaries take
turns within each round, so a machine that slows down or speeds up slows
them alike. Prints the median and minimum wall milliseconds of each binary
and kind. SITE is left as it was found.
"""

import collections
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

site, reps, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
out_root = os.environ.get("BENCH_OUT", "/dev/shm/pidsite-ab")
manifest = os.path.join(site, "content", "manifests", "m000000.json")
registry = os.path.join(site, "content", "registry.csv")
original, rows = open(manifest, "rb").read(), open(registry, "rb").read()
changed = json.loads(original)
changed["label"] = {"en": ["Changed label"]}
changed = json.dumps(changed).encode()
extra = b"ark:99999/bnew0001,manifests/m000001.json\n"


def build(binary):
    out = os.path.join(out_root, str(bins.index(binary)), "out")
    start = time.perf_counter()
    subprocess.run([binary, "build", "--quiet", "--site", site, "--out", out],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000


times = collections.defaultdict(list)
try:
    shutil.rmtree(out_root, ignore_errors=True)
    for b in bins:
        build(b)
        build(b)
    for i in range(reps):
        for b in bins:
            times[(b, "no-op")].append(build(b))
        open(manifest, "wb").write(changed if i % 2 == 0 else original)
        for b in bins:
            times[(b, "1 manifest")].append(build(b))
        open(registry, "wb").write(rows + extra if i % 2 == 0 else rows)
        for b in bins:
            times[(b, "1 row")].append(build(b))
finally:
    open(manifest, "wb").write(original)
    open(registry, "wb").write(rows)
    shutil.rmtree(out_root, ignore_errors=True)
for kind in ("no-op", "1 manifest", "1 row"):
    for b in bins:
        v = times[(b, kind)]
        print(f"{kind:10} {b:40} median {statistics.median(v):8.1f} ms  min {min(v):8.1f} ms")
