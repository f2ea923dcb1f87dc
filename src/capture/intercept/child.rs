//! Running the command: its standard streams are capture's own (inherited, untouched),
//! it runs in a process group of its own, and nothing of it outlives capture.
//!
//! * **Process group.** On Unix the command leads a new process group, so that at
//!   `--timeout`, on SIGINT/SIGTERM/SIGHUP sent to capture, and after the command exits,
//!   everything it started (a shell's children, a server it left behind) is ended
//!   together: SIGTERM, then SIGKILL after a grace period.
//! * **The terminal.** When capture runs in the foreground of a terminal, the command's
//!   group becomes the terminal's foreground group while it runs (as a shell does for a
//!   job), so it can read the terminal and Ctrl-C reaches it; capture takes the terminal
//!   back when it ends.

use std::ffi::OsString;
use std::process::ExitStatus;
use std::time::Duration;

/// How long the command's group has between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(2);

/// How the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ending {
    /// It exited by itself (or was killed by a signal nobody here sent).
    Exited,
    /// Capture ended it at `--timeout`.
    Timeout,
    /// Capture ended it because capture itself was interrupted (SIGINT, SIGTERM, SIGHUP).
    Interrupted,
}

/// A started command.
pub(super) struct Running {
    child: tokio::process::Child,
    /// The command's process group (its pid).
    #[cfg(unix)]
    group: Option<libc::pid_t>,
    /// Whether the command was given the terminal.
    #[cfg(unix)]
    terminal: bool,
}

/// Starts `command` with exactly `env` as its environment.
pub(super) fn spawn(command: &[OsString], env: &[(OsString, OsString)]) -> Result<Running, String> {
    let (program, args) = command.split_first().ok_or("no command given after --")?;
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .kill_on_drop(true);
    #[cfg(unix)]
    let terminal = unix::prepare(&mut cmd);
    #[cfg(target_os = "linux")]
    linux::adopt_orphans();
    // A program that looks like a key is not named (usage errors never echo one).
    let name = program.to_string_lossy();
    let shown = if crate::usage::key_like(&name) {
        "the command after --".into()
    } else {
        name
    };
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {shown}: {e}"))?;
    #[cfg(unix)]
    let group = child.id().map(|p| p as libc::pid_t);
    #[cfg(unix)]
    if terminal && let Some(g) = group {
        unix::give_terminal(g);
    }
    Ok(Running {
        child,
        #[cfg(unix)]
        group,
        #[cfg(unix)]
        terminal,
    })
}

impl Running {
    /// Waits until the command exits, `timeout` passes, or capture is asked to stop;
    /// ends whatever remains of its process group; gives the terminal back.
    pub(super) async fn finish(mut self, timeout: Duration) -> (Ending, Option<ExitStatus>) {
        let ending = tokio::select! {
            s = self.child.wait() => {
                let status = s.ok();
                self.end_group().await;
                self.restore_terminal();
                return (Ending::Exited, status);
            }
            _ = tokio::time::sleep(timeout) => Ending::Timeout,
            _ = stop_signal() => Ending::Interrupted,
        };
        self.signal(Signal::Term);
        let status = match tokio::time::timeout(GRACE, self.child.wait()).await {
            Ok(s) => s.ok(),
            Err(_) => {
                self.signal(Signal::Kill);
                self.child.wait().await.ok()
            }
        };
        self.end_group().await;
        self.restore_terminal();
        (ending, status)
    }

    /// Ends what the command left running: its group and (Linux) the processes that
    /// left the group but were adopted by capture: SIGTERM, then SIGKILL after
    /// [`GRACE`] for what is still there. Called once the command itself was reaped.
    async fn end_group(&mut self) {
        if !self.signal(Signal::Term) {
            return;
        }
        let until = tokio::time::Instant::now() + GRACE;
        while tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(20)).await;
            #[cfg(target_os = "linux")]
            linux::reap_adopted();
            if !self.signal(Signal::Probe) {
                return;
            }
        }
        self.signal(Signal::Kill);
        #[cfg(target_os = "linux")]
        linux::reap_adopted();
    }

    /// Sends a signal to the command's process group (Unix; a stopped process is
    /// continued so that it gets SIGTERM), or kills the command (elsewhere, where
    /// there is no group). Whether anything was there to receive it.
    fn signal(&mut self, s: Signal) -> bool {
        #[cfg(unix)]
        {
            let Some(g) = self.group else { return false };
            let sig = match s {
                Signal::Probe => 0,
                Signal::Term => libc::SIGTERM,
                Signal::Kill => libc::SIGKILL,
            };
            #[cfg(target_os = "linux")]
            let adopted = linux::signal_adopted(sig);
            #[cfg(not(target_os = "linux"))]
            let adopted = false;
            // SAFETY: kill(2) on the command's own process group.
            let group = unsafe {
                let delivered = libc::kill(-g, sig) == 0;
                if delivered && sig == libc::SIGTERM {
                    libc::kill(-g, libc::SIGCONT);
                }
                delivered
            };
            group || adopted
        }
        #[cfg(not(unix))]
        {
            match s {
                Signal::Probe => false,
                _ => self.child.start_kill().is_ok(),
            }
        }
    }

    fn restore_terminal(&mut self) {
        #[cfg(unix)]
        if std::mem::take(&mut self.terminal) {
            unix::take_terminal_back();
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Signal {
    /// Whether any process of the group is left (signal 0).
    Probe,
    Term,
    Kill,
}

/// Resolves when capture is asked to stop: Ctrl-C, and on Unix SIGTERM or SIGHUP.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
            _ = hup.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(unix)]
mod unix {
    /// Puts the command in a process group of its own and, when capture holds the
    /// terminal's foreground, makes that group the foreground one in the child before
    /// it runs the program. Whether the terminal is handed over.
    pub(super) fn prepare(cmd: &mut tokio::process::Command) -> bool {
        cmd.process_group(0);
        // SAFETY: plain libc calls on file descriptor 0, no allocation.
        let foreground = unsafe { libc::isatty(0) == 1 && libc::tcgetpgrp(0) == libc::getpgrp() };
        if !foreground {
            return false;
        }
        // SAFETY: runs in the child between fork and exec; it calls only
        // async-signal-safe functions (sigprocmask, tcsetpgrp, getpgrp) on memory of
        // its own stack.
        unsafe {
            cmd.pre_exec(|| {
                with_sigttou_blocked(|| {
                    libc::tcsetpgrp(0, libc::getpgrp());
                });
                Ok(())
            });
        }
        true
    }

    /// Runs `f` with SIGTTOU blocked in this thread: a process outside the terminal's
    /// foreground group may then change it (`tcsetpgrp`) without being stopped.
    fn with_sigttou_blocked(f: impl FnOnce()) {
        // SAFETY: sigset_t is plain data initialised by sigemptyset before use.
        unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, libc::SIGTTOU);
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
            f();
            libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        }
    }

    /// The command's group gets the terminal (also done in the child: whichever runs
    /// first, the command never reads the terminal from the background).
    pub(super) fn give_terminal(pgid: libc::pid_t) {
        // SAFETY: a libc call on file descriptor 0.
        with_sigttou_blocked(|| unsafe {
            libc::tcsetpgrp(0, pgid);
        });
    }

    /// Capture's group gets the terminal back.
    pub(super) fn take_terminal_back() {
        // SAFETY: libc calls on file descriptor 0.
        with_sigttou_blocked(|| unsafe {
            libc::tcsetpgrp(0, libc::getpgrp());
        });
    }
}

/// Linux: capture becomes a "child subreaper", so that a process the command started
/// and left behind, even one that left its process group (`setsid`), is adopted by
/// capture instead of by init: capture can then end it, and reaps it at once (a zombie
/// waiting for a busy init would keep the group alive).
#[cfg(target_os = "linux")]
mod linux {
    /// Makes capture the subreaper of everything the command starts.
    pub(super) fn adopt_orphans() {
        // SAFETY: prctl with integer arguments.
        unsafe {
            libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
        }
    }

    /// Reaps every child that has ended. Only called after the command itself was
    /// reaped: capture has no other children then.
    pub(super) fn reap_adopted() {
        // SAFETY: waitpid with WNOHANG on any child, status discarded.
        unsafe { while libc::waitpid(-1, std::ptr::null_mut(), libc::WNOHANG) > 0 {} }
    }

    /// The children of capture still running (the command's adopted leftovers), read
    /// from /proc.
    fn adopted() -> Vec<libc::pid_t> {
        // SAFETY: getpid has no preconditions.
        let me = unsafe { libc::getpid() };
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<libc::pid_t>().ok())
            .filter(|pid| {
                std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|st| {
                    // pid (comm) state ppid …: comm may hold spaces, so read after ')'.
                    let after = st.rsplit_once(')').map_or("", |(_, a)| a);
                    let mut f = after.split_whitespace();
                    let state = f.next();
                    state != Some("Z") && f.next().and_then(|p| p.parse().ok()) == Some(me)
                })
            })
            .collect()
    }

    /// Sends `sig` to each child of capture still running (the command itself, while
    /// it runs, and what it left behind). Whether there was one. Reaps nothing: the
    /// command's own exit status is tokio's to collect.
    pub(super) fn signal_adopted(sig: libc::c_int) -> bool {
        let pids = adopted();
        for pid in &pids {
            // SAFETY: kill(2) on a child of this process.
            unsafe {
                libc::kill(*pid, sig);
                if sig == libc::SIGTERM {
                    libc::kill(*pid, libc::SIGCONT);
                }
            }
        }
        !pids.is_empty()
    }
}
