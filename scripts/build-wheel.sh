#!/usr/bin/env bash
# Builds the PyPI wheel of packaging/pypi/ with maturin (`bindings = "bin"`): the sl-doctor
# binary as the wheel's script, so that pip, pipx and uv put it on PATH. maturin compiles it
# with cargo (from PATH) and tags the wheel with the platforms the binary runs on.
#
# Usage: build-wheel.sh [--out DIR] [--profile PROFILE] [--offline] [MATURIN ARGS...]
#   --out DIR      where the wheel goes (default target/wheels); old sl_doctor wheels there
#                  are removed
#   --profile P    the cargo profile (default dev: what `cargo test` already built, so a local
#                  wheel costs a relink at most; release.yml builds with release)
#   --offline      passed to cargo (the build must not touch the network)
#   MATURIN ARGS   passed to `maturin build`, e.g. --target x86_64-unknown-linux-musl
#                  --compatibility manylinux2014 musllinux_1_2 (what release.yml does)
# Environment: MATURIN (default: target/ci-venv/bin/maturin if there, else maturin on PATH;
# .ci/tools/packaging.pip pins the version). Prints the wheel's path.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/lib-package.sh
. "$repo/scripts/lib-package.sh"

out="$repo/target/wheels" profile=dev args=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --out) out="$2" && shift 2 ;;
    --profile) profile="$2" && shift 2 ;;
    *) args+=("$1") && shift ;;
  esac
done

maturin="${MATURIN:-}"
if [ -z "$maturin" ]; then
  if [ -x "$repo/target/ci-venv/bin/maturin" ]; then
    maturin="$repo/target/ci-venv/bin/maturin"
  else
    maturin=$(command -v maturin) ||
      die "maturin not found: run bash .ci/install-tools (it installs the version of .ci/tools/packaging.pip), or set MATURIN"
  fi
fi

# No wheel of a version that disagrees with the other packages.
bash "$repo/scripts/version.sh" >/dev/null
mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out"/sl_doctor-*.whl
(cd "$repo/packaging/pypi" && "$maturin" build --quiet --profile "$profile" --out "$out" ${args[@]+"${args[@]}"}) >&2
wheels=("$out"/sl_doctor-*.whl)
[ -f "${wheels[0]}" ] || die "maturin wrote no wheel to $out"
printf '%s\n' "${wheels[@]}"
