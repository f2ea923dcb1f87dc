//! The run's deadline as a hard stop.
//!
//! The runner ends every check at `--deadline` (an unfinished check is inconclusive),
//! but a thread blocked in a system call cannot be cancelled: `getaddrinfo`, a `git`
//! on a hung filesystem, a read the checks did not expect to block. So a watchdog ends
//! the process shortly after the deadline if the report is not ready by then, whatever
//! is still running, with a message that names the deadline and the inconclusive exit
//! code.
//!
//! On Unix the watchdog is a timer signal (`setitimer` and a `SIGALRM` handler that
//! writes the message and calls `_exit`): every run arms it, and starting a thread for
//! it cost a measurable part of an offline run (docs/performance.md). Elsewhere it is a
//! thread that waits for the deadline.

use crate::exit;
use sl_doctor_checks::input::files::Deadline;
use std::time::{Duration, Instant};

/// How long after the deadline the watchdog waits for the runner's own report (which
/// marks the unfinished checks inconclusive) before it stops the process.
pub const GRACE: Duration = Duration::from_millis(500);

/// The watchdog of one part of a run (the diagnosis, then writing the outputs): armed
/// until it is dropped or [`Watchdog::disarm`]ed. One is armed at a time.
pub struct Watchdog {
    #[cfg(not(unix))]
    _disarm: std::sync::mpsc::Sender<()>,
}

impl Watchdog {
    /// Starts the watchdog for `deadline`.
    pub fn arm(deadline: Deadline) -> Watchdog {
        let wait = (deadline.at + GRACE).saturating_duration_since(Instant::now());
        let line = format!("error: {}\n", message(deadline));
        imp::arm(wait, line)
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

#[cfg(unix)]
mod imp {
    use super::{Watchdog, exit};
    use std::sync::Once;
    use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
    use std::time::Duration;

    // The message the handler writes: set before the timer is armed, read in the
    // handler, which may only make async-signal-safe calls (write, _exit).
    static LINE: AtomicPtr<u8> = AtomicPtr::new(std::ptr::null_mut());
    static LINE_LEN: AtomicUsize = AtomicUsize::new(0);

    extern "C" fn on_alarm(_: libc::c_int) {
        let (ptr, len) = (LINE.load(Ordering::SeqCst), LINE_LEN.load(Ordering::SeqCst));
        // SAFETY: `ptr` is null or a leaked message of `len` bytes (see `arm`); write and
        // _exit are async-signal-safe.
        unsafe {
            if !ptr.is_null() {
                libc::write(2, ptr.cast(), len);
            }
            libc::_exit(i32::from(exit::INCONCLUSIVE));
        }
    }

    pub fn arm(wait: Duration, line: String) -> Watchdog {
        static HANDLER: Once = Once::new();
        HANDLER.call_once(|| {
            // SAFETY: installs a handler that only calls async-signal-safe functions;
            // SA_RESTART so no other thread's system call sees EINTR.
            unsafe {
                let mut sa: libc::sigaction = std::mem::zeroed();
                sa.sa_sigaction = on_alarm as extern "C" fn(libc::c_int) as libc::sighandler_t;
                sa.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut sa.sa_mask);
                libc::sigaction(libc::SIGALRM, &sa, std::ptr::null_mut());
            }
        });
        // A few short messages per process, kept for the handler: never freed.
        let line: &'static mut [u8] = Box::leak(line.into_bytes().into_boxed_slice());
        LINE_LEN.store(line.len(), Ordering::SeqCst);
        LINE.store(line.as_mut_ptr(), Ordering::SeqCst);
        // A zero timer disarms: wait at least a microsecond.
        set_timer(wait.max(Duration::from_micros(1)));
        Watchdog {}
    }

    fn set_timer(wait: Duration) {
        let value = libc::timeval {
            tv_sec: libc::time_t::try_from(wait.as_secs()).unwrap_or(libc::time_t::MAX),
            tv_usec: libc::suseconds_t::from(wait.subsec_micros()),
        };
        let timer = libc::itimerval {
            it_interval: libc::timeval {
                tv_sec: 0,
                tv_usec: 0,
            },
            it_value: value,
        };
        // SAFETY: plain system call on owned values. Without the timer the run is still
        // bounded by the runner's own timeouts.
        unsafe {
            libc::setitimer(libc::ITIMER_REAL, &timer, std::ptr::null_mut());
        }
    }

    impl Drop for Watchdog {
        fn drop(&mut self) {
            set_timer(Duration::ZERO);
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use super::{Watchdog, exit};
    use std::sync::mpsc;
    use std::time::Duration;

    pub fn arm(wait: Duration, line: String) -> Watchdog {
        let (tx, rx) = mpsc::channel::<()>();
        // Dropping the sender wakes the thread, which then exits without doing anything.
        let spawned = std::thread::Builder::new()
            .name("sl-doctor-deadline".into())
            .spawn(move || {
                if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(wait) {
                    eprint!("{line}");
                    std::process::exit(i32::from(exit::INCONCLUSIVE))
                }
            });
        // Without the thread the run is still bounded by the runner's own timeouts.
        drop(spawned);
        Watchdog { _disarm: tx }
    }
}
