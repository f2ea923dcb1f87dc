#!/usr/bin/env bash
# Builds the npm packages of packaging/npm/ as installable tarballs (`npm pack`): the
# `sl-doctor` package (the launcher, bin/sl-doctor.js) and one platform package
# (@sl-doctor/<os>-<cpu>) per binary, holding that binary in bin/. Nothing here or in the
# packages downloads anything: the launcher runs the binary of the platform package npm
# installed as an optional dependency.
#
# Usage: build-npm.sh [--out DIR] [--profile PROFILE] [--offline] [TARGET=BINARY ...]
#   TARGET=BINARY  a target triple and its built binary; release.yml passes the five release
#                  binaries. Without any, this machine's binary is built with cargo
#                  (cargo build --profile PROFILE, default dev: the build the tests use).
#   --out DIR      where the tarballs go (default target/npm); old tarballs there are removed
#   --offline      passed to cargo (the build must not touch the network)
# Environment: CARGO (default cargo). Prints the tarballs' paths.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/lib-package.sh
. "$repo/scripts/lib-package.sh"

out="$repo/target/npm" profile=dev offline=() pairs=()
while [ "$#" -gt 0 ]; do
  case "$1" in
    --out) out="$2" && shift 2 ;;
    --profile) profile="$2" && shift 2 ;;
    --offline) offline=(--offline) && shift ;;
    *=*) pairs+=("$1") && shift ;;
    *) die "usage: build-npm.sh [--out DIR] [--profile PROFILE] [--offline] [TARGET=BINARY ...]" ;;
  esac
done

version=$(bash "$repo/scripts/version.sh")
if [ "${#pairs[@]}" = 0 ]; then
  pairs=("$(host_target)=$(build_host_binary "$profile" ${offline[@]+"${offline[@]}"})")
fi

mkdir -p "$out"
out="$(cd "$out" && pwd)"
rm -f "$out"/sl-doctor-*.tgz
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# Packs the package staged in directory $1 into $out and prints the tarball's path.
pack() {
  local name
  name=$(cd "$1" && npm pack --silent --ignore-scripts --pack-destination "$out")
  echo "$out/$name"
}

cp -R "$repo/packaging/npm/sl-doctor" "$stage/sl-doctor"
cp "$repo/LICENSE" "$stage/sl-doctor/"
pack "$stage/sl-doctor"

for pair in "${pairs[@]}"; do
  target="${pair%%=*}" binary="${pair#*=}"
  platform=$(npm_platform "$target") || die "no npm platform package for target $target"
  src="$repo/packaging/npm/platforms/$platform"
  [ -d "$src" ] || die "no npm platform package for target $target (no $src)"
  [ -f "$binary" ] || die "no binary at $binary"
  [ "$(json_version "$src/package.json")" = "$version" ] || die "$src/package.json is not version $version"
  dir="$stage/$platform"
  mkdir -p "$dir/bin"
  cp "$src/package.json" "$repo/LICENSE" "$dir/"
  sed "s|<platform>|$platform|" "$repo/packaging/npm/platforms/README.md" > "$dir/README.md"
  exe=""
  case "$platform" in win32-*) exe=".exe" ;; esac
  cp "$binary" "$dir/bin/sl-doctor$exe"
  # npm keeps the executable bit in the tarball; the launcher runs the file as it is.
  chmod 755 "$dir/bin/sl-doctor$exe"
  pack "$dir"
done
