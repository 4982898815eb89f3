//! bcrypt on threads of its own, at the lowest CPU priority. A login costs a core a
//! quarter second at cost 12; on a small VPS a login storm would otherwise take every
//! core from the readers. Under SCHED_IDLE (nice 19 where that is refused) the
//! scheduler gives pages the CPU first, and logins still run at full speed on an idle
//! machine.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};

type Job = Box<dyn FnOnce() + Send>;

pub struct Hasher {
    jobs: Mutex<Sender<Job>>,
}

impl Hasher {
    /// Starts `threads` workers (at least one).
    pub fn start(threads: usize) -> std::io::Result<Self> {
        let (jobs, queue) = channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for n in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("bcrypt-{n}"))
                .spawn(move || work(&queue))?;
        }
        Ok(Self {
            jobs: Mutex::new(jobs),
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
        self.jobs
            .lock()
            .map_err(|_| anyhow::anyhow!("the bcrypt queue is poisoned"))?
            .send(job)
            .map_err(|_| anyhow::anyhow!("the bcrypt workers have stopped"))?;
        result
            .await
            .map_err(|_| anyhow::anyhow!("a bcrypt job panicked"))
    }
}

fn work(queue: &Mutex<Receiver<Job>>) {
    lower_priority();
    loop {
        let job = match queue.lock() {
            Ok(receiver) => receiver.recv(),
            Err(_) => return,
        };
        match job {
            // A panicking job drops its reply (the request gets a 500); the worker lives on.
            Ok(job) => {
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
    // pointer to it; setpriority only reads integers. `0` names this thread.
    unsafe {
        let param = libc::sched_param { sched_priority: 0 };
        if libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) != 0 {
            libc::setpriority(libc::PRIO_PROCESS, 0, 19);
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

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn jobs_run_at_idle_priority() {
        let hasher = Hasher::start(1).unwrap();
        // SAFETY: reads the calling thread's policy; no pointers.
        let policy = hasher
            .run(|| unsafe { libc::sched_getscheduler(0) })
            .await
            .unwrap();
        assert_eq!(policy, libc::SCHED_IDLE);
    }
}
