//! The run's deadline as a hard stop.
//!
//! The runner ends every check at `--deadline` (an unfinished check is inconclusive),
//! but a thread blocked in a system call cannot be cancelled: `getaddrinfo`, a `git`
//! on a hung filesystem, a read the checks did not expect to block. So a watchdog thread
//! ends the process shortly after the deadline if the report is not ready by then,
//! whatever is still running, with a message that names the deadline and the
//! inconclusive exit code.

use crate::exit;
use sl_doctor_checks::input::files::Deadline;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long after the deadline the watchdog waits for the runner's own report (which
/// marks the unfinished checks inconclusive) before it stops the process.
pub const GRACE: Duration = Duration::from_millis(500);

/// The watchdog of one run; [`Watchdog::disarm`] it when the report is ready.
pub struct Watchdog {
    // Dropping the sender wakes the thread, which then exits without doing anything.
    _disarm: mpsc::Sender<()>,
}

impl Watchdog {
    /// Starts the watchdog for `deadline`.
    pub fn arm(deadline: Deadline) -> Watchdog {
        let (tx, rx) = mpsc::channel::<()>();
        let spawned = std::thread::Builder::new()
            .name("sl-doctor-deadline".into())
            .spawn(move || {
                let wait = (deadline.at + GRACE).saturating_duration_since(Instant::now());
                if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(wait) {
                    stop(deadline);
                }
            });
        // Without the thread the run is still bounded by the runner's own timeouts.
        drop(spawned);
        Watchdog { _disarm: tx }
    }

    /// The report is ready: the process is no longer stopped at the deadline.
    pub fn disarm(self) {}
}

/// The message (the same for every command that has a deadline).
pub fn message(deadline: Deadline) -> String {
    format!(
        "deadline of {} reached (--deadline); stopping with work still running (a file, DNS or git operation did not finish): inconclusive",
        deadline.shown()
    )
}

fn stop(deadline: Deadline) -> ! {
    eprintln!("error: {}", message(deadline));
    std::process::exit(i32::from(exit::INCONCLUSIVE))
}
