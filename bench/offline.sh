#!/usr/bin/env bash
# Benchmark of the offline doctor (not a test): release binary size and the median wall
# time of `sl-doctor --offline`, next to `true` and `sl-doctor --version` as baselines
# measured in the same run, so the numbers are ratios on this machine, not absolutes.
#
# Usage: bench/offline.sh [RUNS]   (default 200)
# Env:   CARGO      cargo command used to build (default: cargo)
#        SL_DOCTOR  benchmark this binary instead of building the release one
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
. bench/release-binary.sh
echo "release binary: $bin, $size bytes ($(awk -v s="$size" 'BEGIN{printf "%.2f MiB", s/1048576}'))"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
python3 - "$bin" "$runs" "$tmp" <<'PY'
import os, statistics, subprocess, sys, time
bin, runs, tmp = sys.argv[1], int(sys.argv[2]), sys.argv[3]
env = {"PATH": os.environ.get("PATH", ""), "HOME": tmp,
       "SALESLAYER_API_KEY": "abc\u200bdef-benchmark-key\n"}
def run_ms(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1000
cmds = {"true": ["true"], "version": [bin, "--version"], "offline": [bin, "--offline"],
        "offline-json": [bin, "--offline", "--format", "json"]}
# Alternating, so a busy moment of the machine weighs on every command alike.
ts = {n: [] for n in cmds}
for _ in range(runs):
    for n, c in cmds.items():
        ts[n].append(run_ms(c))
base, ver, off, offj = (statistics.median(ts[n]) for n in cmds)
print(f"runs: {runs} each, alternating, median wall time (process spawn included)")
print(f"  true (spawn baseline)          {base:7.2f} ms")
print(f"  sl-doctor --version            {ver:7.2f} ms  ({ver/base:.1f}x true)")
print(f"  sl-doctor --offline            {off:7.2f} ms  ({off/base:.1f}x true, {off/ver:.2f}x --version)")
print(f"  sl-doctor --offline --format json {offj:4.2f} ms  ({offj/base:.1f}x true, {offj/ver:.2f}x --version)")
PY
