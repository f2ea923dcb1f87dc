#!/usr/bin/env bash
# The one version of sl-doctor, kept in step across every file that states it: the two
# crates (Cargo.toml, checks/Cargo.toml, the `=` requirement on sl-doctor-checks and their
# Cargo.lock entries) and the npm packages (packaging/npm/**/package.json, including the
# exact versions of the platform packages the launcher depends on). The PyPI package has no
# version of its own: packaging/pypi/pyproject.toml declares it dynamic and maturin takes
# Cargo.toml's.
#
# Usage: version.sh          prints the version; exits 1 naming every file that disagrees
#        version.sh set X.Y.Z[-PRE]   writes that version everywhere (then run `version.sh`)
# .ci/run and release.yml run the check.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib-package.sh
. scripts/lib-package.sh

# A file's text without carriage returns: a Windows checkout may have CRLF line ends.
text() { tr -d '\r' <"$1"; }
# The first `version = "…"` line of a Cargo.toml is its [package] version.
cargo_version() { sed -n 's/^version = "\([^"]*\)"$/\1/p' <<<"$(text "$1")" | head -n 1; }
# The version of package $2 in Cargo.lock.
lock_version() { awk -v n="$2" '$0 == "name = \"" n "\"" { getline; gsub(/^version = "|"$/, ""); print; exit }' <<<"$(text "$1")"; }
# Whether file $1 has a line matching the basic regular expression $2.
has_line() { grep -q -e "$2" <<<"$(text "$1")"; }
platforms() { find packaging/npm/platforms -mindepth 2 -maxdepth 2 -name package.json | sort; }

check() {
  local v bad=0 f dir name deps
  v=$(cargo_version Cargo.toml)
  [ -n "$v" ] || { echo "version.sh: no version in Cargo.toml" >&2; exit 1; }
  drift() { echo "version drift: $1 (Cargo.toml says $v)" >&2; bad=1; }

  [ "$(cargo_version checks/Cargo.toml)" = "$v" ] || drift "checks/Cargo.toml has $(cargo_version checks/Cargo.toml)"
  has_line Cargo.toml "^sl-doctor-checks = { .*version = \"=$v\" }$" ||
    drift "Cargo.toml's requirement on sl-doctor-checks is not =$v"
  for name in sl-doctor sl-doctor-checks; do
    [ "$(lock_version Cargo.lock "$name")" = "$v" ] ||
      drift "Cargo.lock has $name $(lock_version Cargo.lock "$name") (run cargo update --workspace)"
  done
  if ! has_line packaging/pypi/pyproject.toml '^dynamic = \["version"\]$' || has_line packaging/pypi/pyproject.toml '^version *='; then
    drift "packaging/pypi/pyproject.toml must take its version from Cargo.toml (dynamic = [\"version\"])"
  fi

  for f in packaging/npm/sl-doctor/package.json $(platforms); do
    [ "$(json_version "$f")" = "$v" ] || drift "$f has version '$(json_version "$f")'"
  done
  # The launcher's optional dependencies: exactly the platform packages, each at this version.
  deps=$(sed -n '/"optionalDependencies"/,/}/s/^    "\(@sl-doctor\/[^"]*\)": "\([^"]*\)",\{0,1\}$/\1 \2/p' <<<"$(text packaging/npm/sl-doctor/package.json)")
  for f in $(platforms); do
    dir=$(basename "$(dirname "$f")")
    has_line "$f" "^  \"name\": \"@sl-doctor/$dir\",$" || drift "$f is not named @sl-doctor/$dir"
    grep -qx "@sl-doctor/$dir $v" <<<"$deps" || drift "packaging/npm/sl-doctor/package.json does not depend on @sl-doctor/$dir $v"
  done
  [ "$(wc -l <<<"$deps")" = "$(platforms | wc -l)" ] ||
    drift "packaging/npm/sl-doctor/package.json's optionalDependencies are not exactly packaging/npm/platforms/*"

  [ "$bad" = 0 ] || exit 1
  echo "$v"
}

set_version() {
  local v="$1" f
  # Semantic versioning, as Cargo and npm both require (the wheel gets the PEP 440 form).
  if [[ ! "$v" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
    echo "version.sh: '$v' is not a version like 0.2.0 or 0.2.0-rc.1" >&2
    exit 2
  fi
  # Each Cargo.toml has one line starting with `version =`: its [package] version.
  sed -i.bak -e "s/^version = \"[^\"]*\"$/version = \"$v\"/" \
    -e "s/^\(sl-doctor-checks = { .*version = \"=\)[^\"]*\(\" }\)$/\1$v\2/" Cargo.toml
  sed -i.bak "s/^version = \"[^\"]*\"$/version = \"$v\"/" checks/Cargo.toml
  for f in packaging/npm/sl-doctor/package.json $(platforms); do
    sed -i.bak -e "s/^  \"version\": \"[^\"]*\",$/  \"version\": \"$v\",/" \
      -e "s/^\(    \"@sl-doctor\/[^\"]*\": \)\"[^\"]*\"\(,\{0,1\}\)$/\1\"$v\"\2/" "$f"
  done
  rm -f Cargo.toml.bak checks/Cargo.toml.bak packaging/npm/sl-doctor/package.json.bak packaging/npm/platforms/*/package.json.bak
  "${CARGO:-cargo}" update --workspace --offline --quiet
}

case "${1:-check}" in
  check) check ;;
  set)
    [ "$#" = 2 ] || { echo "usage: version.sh set X.Y.Z" >&2; exit 2; }
    set_version "$2"
    check
    ;;
  *)
    echo "usage: version.sh [check | set X.Y.Z]" >&2
    exit 2
    ;;
esac
