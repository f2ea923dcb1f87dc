#!/usr/bin/env bash
# Installs sl-doctor for the GitHub Action (action.yml): the release binary for this
# runner's OS and architecture, verified against the release's SHA256SUMS before it is
# used; `cargo install` from the action's own checkout only when the release has no
# asset for this runner (or `version: source`).
#
# Usage: action-install.sh resolve   prints tag=, target= and dir= (for the cache key)
#        action-install.sh install   installs; prints bin= (the path of the binary)
# Both write their key=value lines to $GITHUB_OUTPUT when it is set, else to stdout.
#
# Environment (all optional except SL_SOURCE_DIR):
#   SL_SOURCE_DIR     the action's checkout: its Cargo.toml names the default version,
#                     and the fallback builds from it
#   SL_VERSION        "" (the checkout's version), "0.1.0" or "v0.1.0", or "source"
#   SL_INSTALL_ROOT   where binaries go (default $RUNNER_TEMP/sl-doctor, else ./sl-doctor-bin)
#   SL_DOWNLOAD_BASE  base URL of the release downloads; "<base>/<tag>/<asset>" is fetched.
#                     Overridable so the tests can serve a fake release on loopback.
#   SL_TARGET         the target triple to download (default: detected from uname)
set -euo pipefail

# The repository whose releases hold the binaries (one place to change it).
DEFAULT_DOWNLOAD_BASE="https://github.com/OWNER/sl-doctor/releases/download"

die() {
  echo "::error title=sl-doctor install::$*" >&2
  exit 1
}

output() {
  if [ -n "${GITHUB_OUTPUT:-}" ]; then
    echo "$1" >>"$GITHUB_OUTPUT"
  else
    echo "$1"
  fi
}

# The release tag to install, or "source".
resolve_tag() {
  local v="${SL_VERSION:-}"
  if [ -z "$v" ]; then
    # The first `version = "…"` of Cargo.toml is the [package] version.
    v=$(sed -n 's/^version = "\([^"]*\)"$/\1/p' "$SL_SOURCE_DIR/Cargo.toml" | head -n 1)
    [ -n "$v" ] || die "no version in $SL_SOURCE_DIR/Cargo.toml; set the action's version input"
  fi
  if [ "$v" = source ]; then
    echo source
    return
  fi
  # Strictly a semantic version: the value ends up in URLs, paths and step outputs.
  if [[ ! "$v" =~ ^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?$ ]]; then
    die "version must be like 0.1.0, v0.1.0 or source"
  fi
  echo "v${v#v}"
}

# The release target triple for this machine, or "" when no release binary is built for it.
resolve_target() {
  if [ -n "${SL_TARGET:-}" ]; then
    echo "$SL_TARGET"
    return
  fi
  local os arch
  os=$(uname -s)
  arch=$(uname -m)
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) echo "" && return ;;
  esac
  case "$os" in
    # Static musl binaries run on any Linux distribution.
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin) echo "$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN*)
      # Git Bash on a Windows runner; only x86_64 is released.
      if [ "$arch" = x86_64 ]; then echo "x86_64-pc-windows-msvc"; else echo ""; fi
      ;;
    *) echo "" ;;
  esac
}

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d ' ' -f 1
  else
    shasum -a 256 "$1" | cut -d ' ' -f 1
  fi
}

# Downloads $1 to $2. Returns 0 when done, 4 when the server says 404 (no such release or
# asset), 1 on any other failure. Redirects (GitHub sends downloads to its CDN) must stay https.
download() {
  local code
  code=$(curl --silent --show-error --location --proto-redir '=https' --retry 3 \
    --connect-timeout 20 --max-time 300 --output "$2" --write-out '%{http_code}' "$1") || return 1
  case "$code" in
    200) return 0 ;;
    404) return 4 ;;
    *)
      echo "sl-doctor: GET $1 answered HTTP $code" >&2
      return 1
      ;;
  esac
}

extract() {
  local archive="$1" into="$2"
  case "$archive" in
    *.tar.gz) tar -xzf "$archive" -C "$into" ;;
    *.zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -q "$archive" -d "$into"
      elif command -v 7z >/dev/null 2>&1; then
        7z x -y -o"$into" "$archive" >/dev/null
      else
        powershell -NoProfile -Command "Expand-Archive -LiteralPath '$archive' -DestinationPath '$into'"
      fi
      ;;
  esac
}

# Builds from the action's checkout into its own directory (never the cached one, which
# holds release binaries only).
fallback() {
  local why="$1" root="$2"
  echo "::warning title=sl-doctor install::$why; falling back to cargo install from the action's source (slower: builds sl-doctor, needs a Rust toolchain)"
  if ! command -v cargo >/dev/null 2>&1; then
    echo "::error title=sl-doctor install::cargo is not installed on this runner; add a Rust toolchain step first, or use a released version of the action" >&2
    exit 2
  fi
  cargo install --locked --quiet --path "$SL_SOURCE_DIR" --root "$root"
  local bin="$root/bin/sl-doctor$EXE"
  [ -x "$bin" ] || die "cargo install did not produce $bin"
  echo "sl-doctor: built from source: $("$bin" --version)"
  output "bin=$bin"
}

: "${SL_SOURCE_DIR:?must name the checkout of the action}"
root="${SL_INSTALL_ROOT:-${RUNNER_TEMP:-.}/sl-doctor}"
base="${SL_DOWNLOAD_BASE:-$DEFAULT_DOWNLOAD_BASE}"
base="${base%/}"
tag=$(resolve_tag)
target=$(resolve_target)
EXE=""
case "$target" in *windows*) EXE=".exe" ;; esac
# The verified release binary of this tag and target lives here (what the action caches).
dir="$root/$tag-${target:-unknown}"

case "${1:-}" in
  resolve)
    output "tag=$tag"
    output "target=${target:-unknown}"
    output "dir=$dir"
    exit 0
    ;;
  install) ;;
  *) die "usage: action-install.sh resolve|install" ;;
esac

if [ "$tag" = source ]; then
  fallback "version: source was asked for" "$root/source"
  exit 0
fi
if [ -z "$target" ]; then
  fallback "no release binary is built for $(uname -s) $(uname -m)" "$root/source"
  exit 0
fi

bin="$dir/sl-doctor$EXE"
case "$target" in
  *windows*) asset="sl-doctor-$tag-$target.zip" ;;
  *) asset="sl-doctor-$tag-$target.tar.gz" ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Downloads URL ($1) to FILE ($2). When the release server answers 404 (download returns
# 4), falls back to a build from the action's source, saying why ($3), and exits 0.
fetch() {
  local status=0
  download "$1" "$2" || status=$?
  if [ "$status" = 4 ]; then
    fallback "$3" "$root/source"
    exit 0
  elif [ "$status" != 0 ]; then
    die "could not download $1"
  fi
}

# SHA256SUMS is fetched on every run, cache hit or not: it is what the cache is checked
# against (a cache entry can be written by another job; a binary's --version proves nothing).
fetch "$base/$tag/SHA256SUMS" "$tmp/SHA256SUMS" "release $tag not found at $base"
# A line is "<64 hex digits>  <file name>" (sha256sum's format; "*" marks binary mode).
want=$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1; exit }' "$tmp/SHA256SUMS")
if [ -z "$want" ]; then
  fallback "release $tag has no asset $asset for this runner" "$root/source"
  exit 0
fi

# A cache hit: the archive kept beside the binary is copied out, checked against
# SHA256SUMS again, and the binary unpacked from it anew, so what runs is what the
# release lists whatever the cache held. A cache entry that does not match is replaced.
got=""
if [ -f "$dir/$asset" ]; then
  cp "$dir/$asset" "$tmp/$asset"
  got=$(sha256_of "$tmp/$asset")
fi
if [ -n "$got" ] && [ "$got" = "$want" ]; then
  echo "sl-doctor: using the cached $asset for $target: it matches SHA256SUMS (sha256 $got)"
else
  if [ -e "$dir" ]; then
    echo "sl-doctor: the cached $tag files for $target do not match SHA256SUMS: downloading them again"
  fi
  echo "sl-doctor: downloading $asset from $base/$tag"
  fetch "$base/$tag/$asset" "$tmp/$asset" "release $tag lists $asset but it is not there"
  got=$(sha256_of "$tmp/$asset")
  if [ "$got" != "$want" ]; then
    die "checksum mismatch for $asset: SHA256SUMS says $want, the download is $got; refusing to install it"
  fi
  echo "sl-doctor: $asset matches SHA256SUMS (sha256 $got)"
fi

mkdir -p "$tmp/x"
extract "$tmp/$asset" "$tmp/x"
found="$tmp/x/sl-doctor-$tag-$target/sl-doctor$EXE"
[ -f "$found" ] || die "$asset does not contain sl-doctor-$tag-$target/sl-doctor$EXE"
chmod +x "$found"
# Only now, verified and unpacked, does anything land in the install directory: the
# binary and the archive it came from (what the next cache hit is checked by).
rm -rf "$dir"
mkdir -p "$dir"
mv "$tmp/$asset" "$dir/$asset"
mv "$found" "$bin"
echo "sl-doctor: installed $("$bin" --version) to $bin"
output "bin=$bin"
