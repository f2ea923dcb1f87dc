#!/usr/bin/env bash
# Packs one release asset: sl-doctor-<tag>-<target>.tar.gz (.zip for Windows) holding the
# directory sl-doctor-<tag>-<target>/ with the binary, LICENSE, README.md and CHANGELOG.md.
# The release workflow runs it per target; the Action's install test packs the locally built
# binary with it, so both agree on the layout that scripts/action-install.sh and
# `cargo binstall` ([package.metadata.binstall] in Cargo.toml) expect.
#
# Usage: package-release.sh BINARY TAG TARGET OUT_DIR   (prints the archive's path)
set -euo pipefail

if [ "$#" -ne 4 ]; then
  echo "usage: package-release.sh BINARY TAG TARGET OUT_DIR" >&2
  exit 2
fi
binary="$1" tag="$2" target="$3" out="$4"
repo="$(cd "$(dirname "$0")/.." && pwd)"
name="sl-doctor-$tag-$target"

mkdir -p "$out"
out="$(cd "$out" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/$name"
cp "$binary" "$stage/$name/"
cp "$repo/LICENSE" "$repo/README.md" "$repo/CHANGELOG.md" "$stage/$name/"

case "$target" in
  *windows*)
    archive="$out/$name.zip"
    rm -f "$archive"
    if command -v 7z >/dev/null 2>&1; then
      (cd "$stage" && 7z a -tzip -bd "$archive" "$name" >/dev/null)
    else
      (cd "$stage" && zip -qr "$archive" "$name")
    fi
    ;;
  *)
    archive="$out/$name.tar.gz"
    chmod 755 "$stage/$name/sl-doctor"
    tar -czf "$archive" -C "$stage" "$name"
    ;;
esac
echo "$archive"
