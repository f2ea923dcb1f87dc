#!/usr/bin/env node
// The `sl-doctor` command of the npm package: runs the native binary that npm installed from
// this machine's platform package (@sl-doctor/<platform>-<arch>, one of the optional
// dependencies; npm installs only the one whose `os` and `cpu` match). Nothing is downloaded
// and no install script runs: the binary came inside the platform package's tarball.
"use strict";

const { spawn } = require("node:child_process");
const os = require("node:os");
const path = require("node:path");

// Exit code 2 is sl-doctor's "usage or input error: fix the pipeline", which a broken install is.
const BROKEN_INSTALL = 2;

function fail(message) {
  process.stderr.write(`sl-doctor: ${message}\n`);
  process.exit(BROKEN_INSTALL);
}

function binaryPath() {
  const platformPackage = `@sl-doctor/${process.platform}-${process.arch}`;
  let manifest;
  try {
    manifest = require.resolve(`${platformPackage}/package.json`);
  } catch {
    fail(
      `no binary for this platform (${process.platform}-${process.arch}): the package ` +
        `${platformPackage} is not installed. Binaries exist for linux-x64, linux-arm64, ` +
        "darwin-x64, darwin-arm64 and win32-x64; on one of those, reinstall without " +
        "--omit=optional (or --no-optional). Other install methods: " +
        "https://github.com/OWNER/sl-doctor#install",
    );
  }
  // A platform package of another version would run a binary that is not this release.
  const expected = require("../package.json").version;
  const found = require(manifest).version;
  if (found !== expected) {
    fail(`${platformPackage} is version ${found} but sl-doctor is ${expected}; reinstall sl-doctor`);
  }
  const exe = process.platform === "win32" ? "sl-doctor.exe" : "sl-doctor";
  return path.join(path.dirname(manifest), "bin", exe);
}

function run(binary) {
  // stdio is inherited: --key-stdin, the terminal prompt and colours behave as when the
  // binary is run directly.
  const child = spawn(binary, process.argv.slice(2), { stdio: "inherit" });
  // A signal sent to this launcher (a CI job cancelled, `kill`, Ctrl-C) goes on to the binary,
  // which decides how to stop. On Windows, Ctrl-C reaches the binary through the console
  // itself and child.kill() could only terminate it, so the launcher just waits.
  const forwarded = process.platform === "win32" ? [] : ["SIGINT", "SIGTERM", "SIGHUP"];
  const relay = (signal) => child.kill(signal);
  if (process.platform === "win32") {
    process.on("SIGINT", () => {});
  }
  for (const signal of forwarded) {
    process.on(signal, relay);
  }
  child.on("error", (err) => fail(`cannot run ${binary}: ${err.message}`));
  child.on("exit", (code, signal) => {
    for (const s of forwarded) {
      process.removeListener(s, relay);
    }
    if (signal) {
      // End the same way, so the caller sees the binary's signal, not a plain exit code
      // (128 + the signal's number if this process ignores that signal, as Node does SIGPIPE).
      process.exitCode = 128 + (os.constants.signals[signal] || 0);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code);
  });
}

run(binaryPath());
