//! Workers take turns with the other threads that want a core. A worker under load
//! never sleeps: it always has another request. Left alone, the kernel switches it out
//! only at its tick (4 ms at `HZ=250`), and while it waits out another thread's tick,
//! every connection it holds waits as long: that was the p99 of reads when the cores
//! are saturated (bench report c). So a worker that has served for `TURN` offers its
//! core (`sched_yield`, which returns at once when nothing else wants it).
//!
//! Not while a login's bcrypt or background work (`app::in_background`: image
//! conversions, the start-up's page check) runs: a yield hands such a job the core for
//! a whole slice, and readers' p99 rose from 7 to 14-21 ms during a login (report d).
//! Those jobs say they are running with `Busy`.

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a worker serves before it offers its core.
const TURN: Duration = Duration::from_micros(100);

/// Long CPU jobs (bcrypt at normal priority, image conversions) running now.
static BUSY: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static TURN_STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Called by a worker before each request.
pub fn take_turns() {
    if BUSY.load(Ordering::Relaxed) > 0 {
        return;
    }
    let now = Instant::now();
    TURN_STARTED.with(|started| match started.get() {
        Some(since) if now.duration_since(since) < TURN => {}
        Some(_) => {
            std::thread::yield_now();
            started.set(Some(Instant::now()));
        }
        None => started.set(Some(now)),
    });
}

/// Held by a long CPU job while it runs: workers keep their cores meanwhile.
pub struct Busy(());

impl Busy {
    pub fn start() -> Self {
        BUSY.fetch_add(1, Ordering::Relaxed);
        Self(())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        BUSY.fetch_sub(1, Ordering::Relaxed);
    }
}
