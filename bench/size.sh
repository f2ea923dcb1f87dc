#!/usr/bin/env bash
# Size budget of the release binary (not a test): fails when it is larger than the budget.
# Also lists what would bring a second TLS or crypto stack back (aws-lc, openssl).
#
# Usage: bench/size.sh [BUDGET_MIB]   (default 8)
# Env:   CARGO      cargo command used to build (default: cargo)
#        SL_DOCTOR  check this binary instead of building the release one
set -euo pipefail
cd "$(dirname "$0")/.."
budget_mib=${1:-8}
. bench/release-binary.sh
budget=$((budget_mib * 1024 * 1024))
mib=$(awk -v s="$size" 'BEGIN{printf "%.2f", s/1048576}')
echo "release binary: $bin, $size bytes ($mib MiB), budget $budget_mib MiB"
# One TLS stack: rustls with ring. `cargo tree -i` fails when the crate is not in the graph.
for crate in aws-lc-rs aws-lc-sys openssl-sys native-tls; do
  if ${CARGO:-cargo} tree -q --workspace -e normal -i "$crate" >/dev/null 2>&1; then
    echo "FAIL: $crate is a dependency again (cargo tree -e features -i $crate)"
    exit 1
  fi
done
if [ "$size" -gt "$budget" ]; then
  echo "FAIL: $mib MiB is over the $budget_mib MiB budget"
  exit 1
fi
echo "ok: under budget by $(awk -v s="$size" -v b="$budget" 'BEGIN{printf "%.2f", (b-s)/1048576}') MiB"
