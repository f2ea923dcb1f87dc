# Sourced by the bench scripts: sets `bin` to the release binary to measure, building it
# with ${CARGO:-cargo} unless SL_DOCTOR names one, and `size` to its size in bytes.
if [ -z "${SL_DOCTOR:-}" ]; then
  ${CARGO:-cargo} build --release --quiet
  bin=${CARGO_TARGET_DIR:-$PWD/target}/release/sl-doctor
else
  bin=$SL_DOCTOR
fi
size=$(stat -c %s "$bin")
