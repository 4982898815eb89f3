//! Workers take turns with the other threads that want a core. A worker under load
//! never sleeps: it always has another request. Left alone, the kernel switches it out
//! only at its tick (4 ms at `HZ=250`), and while it waits out another thread's tick,
//! every connection it holds waits as long: that was the p99 of reads when the cores
//! are saturated (bench report c). So a worker that has served for `TURN` offers its
//! core (`sched_yield`, which returns at once when nothing else wants it).
//!
//! A login's bcrypt computes at normal priority for a quarter second without a pause:
//! it takes turns too, interrupted by a timer (`Computing`, `timer.rs`), and while it
//! runs the workers' turns are shorter, so that it gets its share of a core in small
//! pieces (reads' p99 during a login fell from 7.4 ms to 3.1 ms; reports e and f).
//!
//! Background work (`app::in_background`: image conversions, the start-up's page check)
//! runs at a lower priority without a timer; while it runs the workers keep their
//! cores (`Busy`): a yield would hand such a job the core for a whole slice (readers'
//! p99 rose from 7 to 14-21 ms during a login when bcrypt ran that way; report d).

mod timer;

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long a worker serves before it offers its core. Shorter turns cut the tail
/// further but cost requests/s against nginx (report e measured 100 µs and 250 µs).
const TURN: Duration = Duration::from_micros(250);

/// The workers' turn while a login's bcrypt computes: at `TURN` it got too small a
/// share, and a login took up to 1.9 s.
const TURN_BESIDE_A_LOGIN: Duration = Duration::from_micros(100);

/// How much CPU time a computing job uses before it offers its core. At 50 µs a login
/// took 1.8 s; at 200 µs and more the readers' p99 tripled.
const JOB_TURN: Duration = Duration::from_micros(100);

/// Background jobs that keep the workers from yielding.
static BUSY: AtomicUsize = AtomicUsize::new(0);

/// Jobs taking timed turns now (logins' bcrypt).
static COMPUTING: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static TURN_STARTED: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Called by a worker before each request.
pub fn take_turns() {
    if BUSY.load(Ordering::Relaxed) > 0 {
        return;
    }
    let turn = if COMPUTING.load(Ordering::Relaxed) > 0 {
        TURN_BESIDE_A_LOGIN
    } else {
        TURN
    };
    let now = Instant::now();
    TURN_STARTED.with(|started| match started.get() {
        Some(since) if now.duration_since(since) < turn => {}
        Some(_) => {
            std::thread::yield_now();
            started.set(Some(Instant::now()));
        }
        None => started.set(Some(now)),
    });
}

/// Held by a background job while it runs: workers keep their cores meanwhile.
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

/// Held by a job that computes near the workers' priority without pause (a login's
/// bcrypt), on the thread that runs it: the thread offers its core after each
/// `JOB_TURN` of CPU time. Where the timer cannot be had, the job runs as `Busy`.
pub enum Computing {
    Timed(timer::TurnTimer),
    Untimed(Busy),
}

impl Computing {
    pub fn start() -> Self {
        match timer::TurnTimer::arm(JOB_TURN) {
            Some(timer) => {
                COMPUTING.fetch_add(1, Ordering::Relaxed);
                Self::Timed(timer)
            }
            None => Self::Untimed(Busy::start()),
        }
    }
}

impl Drop for Computing {
    fn drop(&mut self) {
        if let Self::Timed(_) = self {
            COMPUTING.fetch_sub(1, Ordering::Relaxed);
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Spins until this thread has used `cpu` of CPU time.
    fn compute_for(cpu: Duration) {
        let start = timer::cpu_time();
        let mut x = 0u64;
        while timer::cpu_time().saturating_sub(start) < cpu.as_nanos() as u64 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }

    #[test]
    fn a_computing_job_offers_its_core_and_stops_when_done() {
        let before = timer::offers_on_this_thread();
        compute_for(Duration::from_millis(5));
        assert_eq!(
            timer::offers_on_this_thread(),
            before,
            "no timer, no offers"
        );

        let computing = Computing::start();
        assert!(
            matches!(computing, Computing::Timed(_)),
            "the turn timer was refused"
        );
        compute_for(Duration::from_millis(20));
        drop(computing);
        let offered = timer::offers_on_this_thread() - before;
        // 20 ms of CPU in turns of 100 µs: about 200 offers; signals are not
        // queued while the thread waits for a core, so allow far fewer.
        assert!(offered >= 10, "offered its core only {offered} times");

        compute_for(Duration::from_millis(5));
        assert_eq!(timer::offers_on_this_thread(), before + offered);
    }
}
