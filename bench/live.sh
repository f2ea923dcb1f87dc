#!/usr/bin/env bash
# Benchmark of the live doctor (not a test). Starts `sl-doctor mock --https` on loopback and
# measures, in the same run:
#   1. the full live doctor (`sl-doctor`, both probes plus DNS/TLS checks) next to `curl` making
#      the single DAM probe request against the same server: median wall times and their ratio;
#   2. the same with the mock delaying every response by 300 ms: the doctor's run should take
#      about one delay (its requests run concurrently), not one per request.
#
# Usage: bench/live.sh [RUNS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
command -v curl >/dev/null || { echo "curl is needed"; exit 2; }
cargo build --release --quiet
bin=$PWD/target/release/sl-doctor
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
key="Bench$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=' | head -c 38)="

start_mock() { # $1 = delay in ms, $2 = name
  "$bin" mock --https --no-rate-limit --delay-ms "$1" --key "both:$key" --ca-out "$tmp/$2-ca.pem" \
    --exit-after 600 >"$tmp/$2.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do grep -q '^keys' "$tmp/$2.out" 2>/dev/null && break; sleep 0.1; done
  grep '^base URL' "$tmp/$2.out" | awk '{print $3}'
}

fast=$(start_mock 0 fast)
slow=$(start_mock 300 slow)

python3 - "$bin" "$runs" "$tmp" "$key" "$fast" "$slow" <<'PY'
import os, statistics, subprocess, sys, time
bin, runs, tmp, key, fast, slow = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
env = {"PATH": os.environ["PATH"], "HOME": tmp, "SALESLAYER_API_KEY": key}
def med(cmd):
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        r = subprocess.run(cmd, cwd=tmp, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ts.append((time.perf_counter() - t) * 1000)
        if r.returncode != 0:
            sys.exit(f"command failed ({r.returncode}): {' '.join(cmd)}")
    return statistics.median(ts)
def curl(base, ca):
    return ["curl", "-sS", "-f", "-o", "/dev/null", "--cacert", ca, base + "/dam/image?$top=1",
            "-H", "X-API-KEY: " + key]
def doctor(base, ca):
    return [bin, "--base-url", base, "--ca-cert", ca, "--no-proxy"]
for name, base in (("no delay", fast), ("300 ms delay per response", slow)):
    ca = f"{tmp}/{'fast' if base == fast else 'slow'}-ca.pem"
    c = med(curl(base, ca))
    d = med(doctor(base, ca))
    print(f"mock over HTTPS, {name}, {runs} runs each, median wall time:")
    print(f"  curl, the single DAM probe            {c:8.1f} ms")
    print(f"  sl-doctor, full live run (2 probes)   {d:8.1f} ms   ratio {d / c:.2f}x curl")
PY
