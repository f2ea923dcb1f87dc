#!/usr/bin/env bash
# Takes the binaries out of release archives (scripts/package-release.sh's layout), so the
# npm packages and the container image of a release hold exactly the binaries of its
# archives. release.yml runs it on the archives the build jobs made.
#
# Usage: unpack-release.sh DIST TAG OUT TARGET...
#   For each TARGET, extracts sl-doctor[.exe] from DIST/sl-doctor-TAG-TARGET.tar.gz (.zip for
#   Windows) to OUT/TARGET/ and prints TARGET=PATH (the form build-npm.sh takes).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/lib-package.sh
. "$repo/scripts/lib-package.sh"

[ "$#" -ge 4 ] || die "usage: unpack-release.sh DIST TAG OUT TARGET..."
dist="$1" tag="$2" out="$3"
shift 3
for target in "$@"; do
  name="sl-doctor-$tag-$target"
  exe=$(exe_suffix "$target")
  mkdir -p "$out/$target"
  case "$target" in
    *windows*) unzip -q -o -j "$dist/$name.zip" "$name/sl-doctor$exe" -d "$out/$target" ;;
    *) tar -xzf "$dist/$name.tar.gz" -C "$out/$target" --strip-components=1 "$name/sl-doctor" ;;
  esac
  [ -f "$out/$target/sl-doctor$exe" ] || die "$name has no sl-doctor$exe"
  echo "$target=$out/$target/sl-doctor$exe"
done
