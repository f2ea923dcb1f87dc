#!/usr/bin/env bash
# CPU profile of live doctor runs (not a test): `perf record` over RUNS full live runs
# against `sl-doctor mock --https` on loopback, then the top symbols of the doctor
# processes (the mock is a separate process and not counted).
# Needs a build with symbols, e.g.
#   CARGO_TARGET_DIR=/tmp/target-perf CARGO_PROFILE_RELEASE_DEBUG=line-tables-only \
#     CARGO_PROFILE_RELEASE_STRIP=false cargo build --release
#
# Usage: bench/profile.sh BINARY [RUNS] [TOP]   (defaults: 50 runs, 25 symbols)
set -euo pipefail
bin=$(realpath "$1"); runs=${2:-50}; top=${3:-25}
command -v perf >/dev/null || { echo "perf is needed (apt-get install linux-perf)"; exit 2; }
tmp=$(mktemp -d)
mock=""
cleanup() { [ -n "$mock" ] && kill "$mock" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
key="Prof$(head -c 24 /dev/urandom | base64 | tr -d '\n/+=' | head -c 38)="
"$bin" mock --https --no-rate-limit --key "both:$key" --ca-out "$tmp/ca.pem" --exit-after 600 \
  >"$tmp/mock.out" 2>&1 &
mock=$!
for _ in $(seq 50); do grep -q '^keys' "$tmp/mock.out" 2>/dev/null && break; sleep 0.1; done
base=$(grep '^base URL' "$tmp/mock.out" | awk '{print $3}')
cat >"$tmp/loop.sh" <<LOOP
for i in \$(seq $runs); do
  SALESLAYER_API_KEY='$key' HOME='$tmp' "$bin" --base-url "$base" --ca-cert "$tmp/ca.pem" --no-proxy >/dev/null 2>&1
done
LOOP
# Thread names: the binary's (first 15 bytes) and tokio's workers and blocking threads.
comms="$(basename "$bin" | cut -c1-15),tokio-rt-worker,tokio-runtime-w"
perf record -q -F 20000 -g -o "$tmp/perf.data" -- sh "$tmp/loop.sh" 2>/dev/null
echo "perf: $runs live runs of $bin against the mock; self time, doctor processes (main and tokio threads) only"
perf report -i "$tmp/perf.data" --comm "$comms" --no-children --sort sym --stdio -g none \
  --percent-limit 0.7 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n "$top"
echo "by shared object:"
perf report -i "$tmp/perf.data" --comm "$comms" --no-children --sort dso --stdio -g none \
  2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 8
