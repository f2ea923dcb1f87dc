# shellcheck shell=bash
# Helpers shared by the packaging scripts (build-npm.sh, build-wheel.sh, test-packages.sh,
# version.sh); sourced, not run.

die() {
  echo "$(basename "$0"): $*" >&2
  exit 1
}

# The target triple of this machine's Rust toolchain, e.g. x86_64-unknown-linux-gnu.
host_target() { rustc -vV | sed -n 's/^host: //p'; }

exe_suffix() { # of target $1
  case "$1" in *windows*) echo ".exe" ;; *) echo "" ;; esac
}

# The npm platform package (packaging/npm/platforms/<os>-<cpu>) for target triple $1, named
# after Node's process.platform and process.arch, which the launcher looks for.
npm_platform() {
  local os cpu
  case "$1" in
    *-linux-*) os=linux ;;
    *-apple-darwin) os=darwin ;;
    *-windows-*) os=win32 ;;
    *) return 1 ;;
  esac
  case "$1" in
    x86_64-*) cpu=x64 ;;
    aarch64-*) cpu=arm64 ;;
    *) return 1 ;;
  esac
  echo "$os-$cpu"
}

# The "version" of a package.json written as packaging/npm/ writes them (two-space indent;
# a Windows checkout's carriage returns ignored).
json_version() { tr -d '\r' <"$1" | sed -n 's/^  "version": "\([^"]*\)",$/\1/p'; }

# Builds this machine's sl-doctor with cargo profile $1 (further arguments go to cargo) and
# prints the binary's path. The dev profile reuses what `cargo test` built.
build_host_binary() {
  local profile="$1" dir
  shift
  "${CARGO:-cargo}" build --locked --quiet --profile "$profile" --bin sl-doctor "$@" >&2
  case "$profile" in dev | test) dir=debug ;; bench) dir=release ;; *) dir="$profile" ;; esac
  echo "${CARGO_TARGET_DIR:-$repo/target}/$dir/sl-doctor$(exe_suffix "$(host_target)")"
}
