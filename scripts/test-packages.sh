#!/usr/bin/env bash
# Installs the packages that build-wheel.sh and build-npm.sh made, as a user would, and runs
# sl-doctor from each:
#   - the wheel (target/wheels/) into a fresh virtual environment, with pip and no index;
#   - the npm tarballs (target/npm/) into an empty npm project, offline, then `npx sl-doctor`.
# The installs run without network: in a network namespace where one can be made (root on
# Linux), else with pip --no-index and npm --offline. Each `sl-doctor --version` must name the
# version of scripts/version.sh, and `sl-doctor demo` (a diagnosis against a loopback mock)
# must succeed. Used by .ci/run and .github/workflows/ci.yml.
#
# Usage: test-packages.sh [wheel] [npm]   (default: both)
# Environment: PYTHON (default python3, else python).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/lib-package.sh
. "$repo/scripts/lib-package.sh"

version=$(bash "$repo/scripts/version.sh")
work="$repo/target/package-test"
exe=$(exe_suffix "$(host_target)")

if unshare --net true 2>/dev/null; then
  no_network() { unshare --net "$@"; }
  echo "installs run in a network namespace (no network at all)"
else
  no_network() { "$@"; }
  echo "installs run with pip --no-index and npm --offline (no network namespace here)"
fi

# Runs the installed sl-doctor ($1 = how to run it, as words) and checks what it says.
check_runs() {
  local got
  got=$("$@" --version)
  case "$got" in
    "sl-doctor $version" | "sl-doctor $version "*) ;;
    *) die "'$* --version' printed '$got', expected sl-doctor $version" ;;
  esac
  "$@" demo >"$work/demo.txt" 2>&1 || {
    cat "$work/demo.txt" >&2
    die "'$* demo' failed"
  }
  grep -q "verdict" "$work/demo.txt" || die "'$* demo' printed no verdict: $(head -c 2000 "$work/demo.txt")"
  echo "ok: '$*' runs: $got; demo gave a verdict"
}

test_wheel() {
  local py="${PYTHON:-}" wheels venv bin
  [ -n "$py" ] || py=$(command -v python3 || command -v python) || die "no python3"
  wheels=("$repo"/target/wheels/sl_doctor-*.whl)
  [ -f "${wheels[0]}" ] || die "no wheel in target/wheels: run scripts/build-wheel.sh"
  venv="$work/venv"
  "$py" -m venv "$venv"
  bin="$venv/bin"
  [ -d "$bin" ] || bin="$venv/Scripts"
  no_network "$bin/python" -m pip install --quiet --disable-pip-version-check --no-index --no-deps "${wheels[@]}"
  [ -x "$bin/sl-doctor$exe" ] || die "the wheel installed no $bin/sl-doctor$exe"
  echo "ok: $(basename "${wheels[0]}") installed into a fresh virtual environment"
  check_runs "$bin/sl-doctor$exe"
}

test_npm() {
  local tarballs t project
  tarballs=("$repo"/target/npm/sl-doctor-*.tgz)
  [ -f "${tarballs[0]}" ] || die "no tarballs in target/npm: run scripts/build-npm.sh"
  # No install script in any package: the binary comes inside the tarball, nothing runs at
  # install time (npm would run preinstall/install/postinstall below).
  for t in "${tarballs[@]}"; do
    if tar -xOzf "$t" package/package.json | grep -q '"scripts"'; then
      die "$(basename "$t") has scripts; the packages must install without running any"
    fi
  done
  project="$work/npm-project"
  mkdir -p "$project"
  echo '{ "name": "sl-doctor-package-test", "version": "1.0.0", "private": true }' >"$project/package.json"
  (cd "$project" && no_network npm install --offline --no-audit --no-fund --loglevel=error "${tarballs[@]}")
  echo "ok: ${#tarballs[@]} tarballs installed offline into an empty npm project"
  cd "$project"
  check_runs npx --offline sl-doctor
  cd "$repo"
}

rm -rf "$work"
mkdir -p "$work"
[ "$#" -gt 0 ] || set -- wheel npm
for what in "$@"; do
  case "$what" in
    wheel) test_wheel ;;
    npm) test_npm ;;
    *) die "usage: test-packages.sh [wheel] [npm]" ;;
  esac
done
