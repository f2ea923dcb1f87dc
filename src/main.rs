#[allow(dead_code, unused_imports)] // until the CLI wires `sl-doctor mock` and `demo`
mod mock;

fn main() {}
