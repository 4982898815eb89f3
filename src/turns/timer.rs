//! A timer that has the thread which armed it offer its core after each turn of CPU
//! time. A thread cannot yield in the middle of a library call that computes for a
//! quarter second (bcrypt), so a POSIX timer sends it a real-time signal, and the
//! handler yields. CPU-time timers fire only at the kernel's tick (4 ms), too coarse,
//! so the timer ticks by the wall clock and the handler counts the CPU time itself.

#[cfg(target_os = "linux")]
pub use linux::*;

#[cfg(not(target_os = "linux"))]
pub struct TurnTimer;

#[cfg(not(target_os = "linux"))]
impl TurnTimer {
    pub fn arm(_turn: std::time::Duration) -> Option<Self> {
        None
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::cell::Cell;
    use std::sync::OnceLock;
    use std::time::Duration;

    thread_local! {
        /// This thread's CPU time (ns) when it last offered its core.
        static OFFERED_AT: Cell<u64> = const { Cell::new(0) };
        /// How much CPU time it computes before it offers its core again (ns).
        static TURN_NS: Cell<u64> = const { Cell::new(u64::MAX) };
        /// How many times it has offered its core.
        static OFFERS: Cell<u64> = const { Cell::new(0) };
    }

    /// A real-time signal: the timer sends it to the thread that armed it alone.
    fn turn_signal() -> libc::c_int {
        libc::SIGRTMIN()
    }

    /// The CPU time this thread has used, in ns.
    pub fn cpu_time() -> u64 {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime only writes the timespec we own; it is async-signal-safe.
        unsafe {
            libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now);
        }
        u64::try_from(now.tv_sec).unwrap_or(0) * 1_000_000_000
            + u64::try_from(now.tv_nsec).unwrap_or(0)
    }

    /// How many times this thread has offered its core.
    #[cfg(test)]
    pub fn offers_on_this_thread() -> u64 {
        OFFERS.get()
    }

    /// The timer ticks by the wall clock, also while the thread waits for a core. It
    /// yields only once it has computed a whole turn since it last did: a signal that
    /// waited would otherwise hand the core back as soon as the thread got it, and a
    /// login then took up to 5 s (report e).
    extern "C" fn offer_core(_signal: libc::c_int) {
        // Const-initialised thread locals without Drop are plain TLS reads and writes:
        // no allocation, no lock, safe in a signal handler.
        let used = cpu_time();
        if used.saturating_sub(OFFERED_AT.get()) >= TURN_NS.get() {
            // SAFETY: sched_yield is a bare system call: no arguments, no memory, no
            // lock, and on Linux it never fails, so errno stays as the code had it.
            unsafe {
                libc::sched_yield();
            }
            OFFERED_AT.set(cpu_time());
            OFFERS.set(OFFERS.get() + 1);
        }
    }

    fn handler_installed() -> bool {
        static INSTALLED: OnceLock<bool> = OnceLock::new();
        *INSTALLED.get_or_init(|| {
            // SAFETY: the sigaction struct is plain data, zeroed and then filled in;
            // sigaction copies it. The handler only reads the clock and yields.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = offer_core as *const () as usize;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(turn_signal(), &action, std::ptr::null_mut()) == 0
            }
        })
    }

    /// Armed on one thread, and dropped there: the turn is that thread's.
    pub struct TurnTimer {
        timer: libc::timer_t,
    }

    impl TurnTimer {
        /// Has this thread offer its core after each `turn` of CPU time; `None` when
        /// the system refuses the signal or the timer.
        pub fn arm(turn: Duration) -> Option<Self> {
            if !handler_installed() {
                return None;
            }
            // Ticks twice a turn: a turn lasts between one and one and a half.
            let tick = libc::timespec {
                tv_sec: 0,
                tv_nsec: (turn / 2).subsec_nanos().into(),
            };
            let spec = libc::itimerspec {
                it_interval: tick,
                it_value: tick,
            };
            // SAFETY: sigevent is plain data, zeroed then filled in; timer_create copies
            // it and writes the new timer's id into `timer`, which timer_settime reads.
            unsafe {
                let mut event: libc::sigevent = std::mem::zeroed();
                event.sigev_notify = libc::SIGEV_THREAD_ID;
                event.sigev_signo = turn_signal();
                event.sigev_notify_thread_id = libc::gettid();
                let mut timer: libc::timer_t = std::ptr::null_mut();
                if libc::timer_create(libc::CLOCK_MONOTONIC, &mut event, &mut timer) != 0 {
                    return None;
                }
                // Set before the timer runs; a timer that fails to start sends nothing.
                TURN_NS.set(u64::try_from(turn.as_nanos()).unwrap_or(u64::MAX));
                OFFERED_AT.set(cpu_time());
                if libc::timer_settime(timer, 0, &spec, std::ptr::null_mut()) != 0 {
                    libc::timer_delete(timer);
                    return None;
                }
                Some(Self { timer })
            }
        }
    }

    impl Drop for TurnTimer {
        fn drop(&mut self) {
            // A signal already on its way finds no turn left to end.
            TURN_NS.set(u64::MAX);
            // SAFETY: `timer` came from timer_create and is deleted once, here.
            unsafe {
                libc::timer_delete(self.timer);
            }
        }
    }
}
