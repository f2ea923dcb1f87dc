#!/usr/bin/env bash
# Times `sl-doctor scan` on the two key-dense files of issue 10 against a baseline run
# on the same file in the same command (ripgrep `rg -c`, else `grep -c`), and prints the
# ratios. Not a test: timings depend on the machine; read the ratios.
#
#   bench/scan.sh [path/to/sl-doctor]     (default: target/release/sl-doctor)
#
# Files (in a temporary directory, removed at the end):
#   dense.log   about 15 MB: the key on each of 200,000 lines
#   one-line    about 1 MB: one line holding 40,000 copies of the key
set -euo pipefail

bin=${1:-${CARGO_TARGET_DIR:-target}/release/sl-doctor}
[ -x "$bin" ] || { echo "no binary at $bin: build it (cargo build --release) or pass its path" >&2; exit 2; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

# A made-up key (never a real one): 27 characters, with + / = like a real key.
key='BENCHkeyNotReal7Qx9+Zk/4mW2='
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

python3 - "$dir" "$key" <<'PY'
import sys
d, key = sys.argv[1], sys.argv[2]
with open(f"{d}/dense.log", "w") as f:
    for i in range(200_000):
        f.write(f"2024-05-01T10:00:{i % 60:02d}Z GET /dam/image X-API-KEY={key} status=401 id={i}\n")
with open(f"{d}/one-line", "w") as f:
    f.write(" ".join([key] * 40_000) + "\n")
PY

if command -v rg >/dev/null; then base=(rg -c --fixed-strings); base_name='rg -c'
else base=(grep -c -F); base_name='grep -c'; fi

now() { date +%s.%N; }

# "SECONDS BYTES" for one run of "$@": wall time, and the size of its standard output.
time_it() {
    local t0 t1 n
    t0=$(now)
    n=$("$@" 2>/dev/null | wc -c) || true
    t1=$(now)
    echo "$t0 $t1 $n" | awk '{printf "%.3f %d\n", $2 - $1, $3}'
}

printf '%-10s %7s %11s %11s %8s  %s\n' file size sl-doctor "$base_name" ratio 'scan output'
for f in dense.log one-line; do
    size=$(wc -c <"$dir/$f")
    read -r b _ < <(time_it "${base[@]}" -- "$key" "$dir/$f")
    read -r s out < <(cd "$dir" && SALESLAYER_API_KEY=$key time_it "$bin" scan --no-dotenv "$f")
    ratio=$(awk -v s="$s" -v b="$b" 'BEGIN { if (b > 0) printf "%.1fx", s / b; else print "-" }')
    printf '%-10s %6.1fM %10ss %10ss %8s  %d bytes\n' \
        "$f" "$(awk -v n="$size" 'BEGIN{print n/1048576}')" "$s" "$b" "$ratio" "$out"
done
