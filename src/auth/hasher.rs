//! bcrypt on threads of its own. A login costs a core a quarter second at cost 12; on a
//! small VPS a login storm would otherwise take every core from the readers, and at the
//! lowest priority alone an author could not log in while the blog is busy. So there are
//! two lanes:
//! - the fair lane: one thread at nice 2 (about normal priority), with room for
//!   `FAIR_QUEUE` jobs waiting. A login while readers saturate the cores gets its share
//!   of one core, so it finishes in under 1.5 s, and takes at most that share from the
//!   readers. It takes that share in turns of 100 µs (`turns::Computing`), so readers
//!   wait for it a fraction of a millisecond at a time, not a 4 ms tick;
//! - the idle lane: the other threads, under SCHED_IDLE (nice 19 where that is refused),
//!   for what a storm sends beyond the fair lane's room: they run only on CPU that pages
//!   leave, at full speed on an idle machine.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

/// Jobs that may wait for the fair lane's thread; more go to the idle lane.
const FAIR_QUEUE: usize = 2;

/// The fair lane's nice, a little under the workers' 0. At 0 a login while reads
/// saturate two cores took 1.0-1.2 s and reads' p99 meanwhile was 1.7-2.4x the p99
/// alone; at 2, 1.1-1.4 s and 1.2-1.8x; at 3 and 4 logins neared 1.5 s (report f).
const FAIR_NICE: i32 = 2;

pub struct Hasher {
    fair: Mutex<SyncSender<Job>>,
    idle: Mutex<Sender<Job>>,
}

/// Which lane a thread serves, and so its priority.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lane {
    Fair,
    Idle,
}

impl Hasher {
    /// Starts the fair lane's thread and `idle_threads` idle ones (at least one).
    pub fn start(idle_threads: usize) -> std::io::Result<Self> {
        let (fair, fair_queue) = sync_channel::<Job>(FAIR_QUEUE);
        let fair_queue = Mutex::new(fair_queue);
        std::thread::Builder::new()
            .name("bcrypt-fair".into())
            .spawn(move || work(&fair_queue, Lane::Fair))?;
        let (idle, idle_queue) = channel::<Job>();
        let idle_queue = Arc::new(Mutex::new(idle_queue));
        for n in 0..idle_threads.max(1) {
            let queue = Arc::clone(&idle_queue);
            std::thread::Builder::new()
                .name(format!("bcrypt-idle-{n}"))
                .spawn(move || work(&queue, Lane::Idle))?;
        }
        Ok(Self {
            fair: Mutex::new(fair),
            idle: Mutex::new(idle),
        })
    }

    /// Runs `job` on a worker and waits for its result without blocking the reactor.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = done.send(job());
        });
        let poisoned = || anyhow::anyhow!("the bcrypt queue is poisoned");
        let stopped = || anyhow::anyhow!("the bcrypt workers have stopped");
        let spilled = match self.fair.lock().map_err(|_| poisoned())?.try_send(job) {
            Ok(()) => None,
            Err(TrySendError::Full(job)) => Some(job),
            Err(TrySendError::Disconnected(_)) => return Err(stopped()),
        };
        if let Some(job) = spilled {
            self.idle
                .lock()
                .map_err(|_| poisoned())?
                .send(job)
                .map_err(|_| stopped())?;
        }
        result
            .await
            .map_err(|_| anyhow::anyhow!("a bcrypt job panicked"))
    }
}

fn work(queue: &Mutex<Receiver<Job>>, lane: Lane) {
    match lane {
        Lane::Fair => crate::app::set_nice(FAIR_NICE),
        Lane::Idle => lower_priority(),
    }
    loop {
        let job = match queue.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            // A panicking job drops its reply (the request gets a 500); the worker lives on.
            Ok(job) => {
                // The fair lane's job takes turns with the workers, near their
                // priority; the idle lane runs only on what the workers leave.
                let _turns = (lane == Lane::Fair).then(crate::turns::Computing::start);
                let _ = catch_unwind(AssertUnwindSafe(job));
            }
            Err(_) => return,
        }
    }
}

/// On Linux, both the policy and nice apply to the calling thread alone.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: sched_setscheduler reads the parameter struct we pass and keeps no
    // pointer to it. `0` names this thread.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) != 0 {
            crate::app::set_nice(19);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_jobs_and_survives_a_panicking_one() {
        let hasher = Hasher::start(1).unwrap();
        assert_eq!(hasher.run(|| 2 + 2).await.unwrap(), 4);
        assert!(hasher.run(|| -> u32 { panic!("boom") }).await.is_err());
        assert_eq!(hasher.run(|| "still here").await.unwrap(), "still here");
    }

    /// The policy of the thread a job ran on.
    #[cfg(target_os = "linux")]
    fn policy() -> i32 {
        // SAFETY: reads the calling thread's policy; no pointers.
        unsafe { libc::sched_getscheduler(0) }
    }

    /// The nice of the thread a job ran on.
    #[cfg(target_os = "linux")]
    fn nice() -> i32 {
        // SAFETY: reads the calling thread's nice; no pointers.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn a_login_runs_on_the_fair_lane_and_a_storm_spills_to_idle_threads() {
        let hasher = Arc::new(Hasher::start(1).unwrap());
        let first = hasher.run(|| (policy(), nice())).await.unwrap();
        assert_eq!(first, (libc::SCHED_OTHER, FAIR_NICE));

        // Hold the fair thread, fill its queue: the next job goes to the idle lane.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let (started, running) = tokio::sync::oneshot::channel::<()>();
        let holding = {
            let hasher = Arc::clone(&hasher);
            tokio::spawn(async move {
                hasher
                    .run(move || {
                        let _ = started.send(());
                        let _ = held.recv();
                        policy()
                    })
                    .await
            })
        };
        // The fair thread has taken the holder: its queue is empty again.
        running.await.unwrap();
        let queued: Vec<_> = (0..FAIR_QUEUE)
            .map(|_| {
                let hasher = Arc::clone(&hasher);
                tokio::spawn(async move { hasher.run(policy).await })
            })
            .collect();
        // The holder and the queued jobs are in before the storm's next one.
        tokio::task::yield_now().await;
        let spilled = hasher.run(policy).await.unwrap();
        let _ = release.send(());
        assert_eq!(spilled, libc::SCHED_IDLE);
        assert_eq!(holding.await.unwrap().unwrap(), libc::SCHED_OTHER);
        for job in queued {
            assert_eq!(job.await.unwrap().unwrap(), libc::SCHED_OTHER);
        }
    }
}
