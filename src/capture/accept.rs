//! The accept loop of `capture`: bounded, whatever the clients or the system do.
//!
//! * **Accept errors back off.** `accept()` fails when the process runs out of file
//!   descriptors (EMFILE) or the system of memory; retrying at once spins a core while
//!   the condition lasts. Each failure in a row doubles a pause from 10 ms up to 1 s; a
//!   successful accept resets it.
//! * **Connections are capped.** At most [`MAX_CONNECTIONS`] connections are served at
//!   once; one over the cap is accepted and **closed at once** (not queued: a queue
//!   would let a client that opens connections and stays silent hold the others up for
//!   the 15 s first-byte timeout each). The number closed is counted and reported.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// Connections served at the same time; more are closed as they arrive.
pub const MAX_CONNECTIONS: usize = 64;

/// The first pause after a failed `accept()`, doubled on each failure in a row.
const BACKOFF_START: Duration = Duration::from_millis(10);

/// The longest pause after failed `accept()` calls.
pub const BACKOFF_MAX: Duration = Duration::from_secs(1);

/// The pause after `failures` failed accepts in a row (1 or more).
pub fn backoff(failures: u32) -> Duration {
    let factor = 1u32 << failures.saturating_sub(1).min(10);
    (BACKOFF_START * factor).min(BACKOFF_MAX)
}

/// What the loop counted, read when capture ends.
#[derive(Default)]
pub struct Counters {
    /// Connections closed because [`MAX_CONNECTIONS`] were being served.
    pub over_cap: AtomicUsize,
    /// Failed `accept()` calls.
    pub accept_errors: AtomicUsize,
}

/// Accepts connections forever, running `serve` on each (at most [`MAX_CONNECTIONS`] at
/// once). Abort the returned task to stop.
pub fn spawn<F, Fut>(
    listener: TcpListener,
    counters: Arc<Counters>,
    serve: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    tokio::spawn(async move {
        let mut failures = 0u32;
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _peer)) => {
                    failures = 0;
                    stream
                }
                Err(_) => {
                    failures = failures.saturating_add(1);
                    counters.accept_errors.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(backoff(failures)).await;
                    continue;
                }
            };
            let Ok(permit) = slots.clone().try_acquire_owned() else {
                counters.over_cap.fetch_add(1, Ordering::Relaxed);
                drop(stream);
                continue;
            };
            let fut = serve(stream);
            tokio::spawn(async move {
                fut.await;
                drop(permit);
            });
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_one_second() {
        let table = [(1, 10), (2, 20), (3, 40), (7, 640), (8, 1000), (40, 1000)];
        for (failures, ms) in table {
            assert_eq!(backoff(failures), Duration::from_millis(ms), "{failures}");
        }
    }

    #[tokio::test]
    async fn connections_over_the_cap_are_closed_and_counted() {
        use tokio::io::AsyncReadExt;
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let counters = Arc::new(Counters::default());
        let (release_tx, release_rx) = tokio::sync::watch::channel(false);
        let task = spawn(listener, counters.clone(), move |_stream| {
            let mut rx = release_rx.clone();
            async move {
                let _ = rx.wait_for(|v| *v).await;
            }
        });
        let mut held = Vec::new();
        for _ in 0..MAX_CONNECTIONS {
            held.push(TcpStream::connect(addr).await.unwrap());
        }
        // Wait until all are being served, then one more is closed at once.
        let mut extra = TcpStream::connect(addr).await.unwrap();
        let mut b = [0u8; 1];
        let n = tokio::time::timeout(Duration::from_secs(10), extra.read(&mut b))
            .await
            .expect("the connection over the cap is closed")
            .unwrap_or(0);
        assert_eq!(n, 0);
        assert_eq!(counters.over_cap.load(Ordering::Relaxed), 1);
        release_tx.send(true).unwrap();
        task.abort();
    }
}
