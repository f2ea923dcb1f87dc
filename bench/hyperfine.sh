#!/usr/bin/env bash
# Benchmark (not a test): an offline run against the binary's own `--version`, in one
# hyperfine run, so the ratio is measured on this machine at this moment. The target is
# an offline run at most 1.3x `--version` (docs/performance.md).
#
# Usage: bench/hyperfine.sh [RUNS]   (default 200; needs hyperfine)
#        On a shared machine, `chrt -f 50 bench/hyperfine.sh` keeps other work from landing between
#        the runs of one command and not the other (docs/performance.md).
# Env:   CARGO      cargo command used to build (default: cargo)
#        SL_DOCTOR  benchmark this binary instead of building the release one
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 2; }
# shellcheck source=bench/release-binary.sh
. bench/release-binary.sh
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
# A key with a defect, so the offline checks have findings to report; no .env, no config.
export HOME="$tmp" SALESLAYER_API_KEY=$'abc\u200bdef-benchmark-key\n'
hyperfine --runs "$runs" --warmup 20 -N -i --export-json "$tmp/result.json" \
  --command-name version "$bin --version" \
  --command-name offline "$bin --offline" \
  --command-name offline-json "$bin --offline --format json" >&2
python3 - "$tmp/result.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
v = r["version"]["median"]
for name in ("offline", "offline-json"):
    m = r[name]["median"]
    print(f"{name:13} median {m*1000:6.2f} ms = {m/v:.2f}x --version ({v*1000:.2f} ms); target <= 1.3x")
PY
