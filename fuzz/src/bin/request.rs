//! AFL target: each input is the raw bytes of one HTTP/1.1 connection. A panic
//! anywhere, a 500 or a hang is a finding. Built and run by `fuzz/run.sh`.
//!
//! The blog is built in the process that runs the inputs, at its first input: AFL's
//! fork server forks at `afl::fuzz!`, and a child forked from a process that already
//! had the bcrypt, tokio and cache-watcher threads has none of them, so every login,
//! signup and password change would wait forever. Each child so gets its own blog and
//! database, for `AFL_FUZZER_LOOPCOUNT` inputs (`run.sh` sets it), and then exits.
//!
//! `FUZZ_TALLY_DIR`: where each child, as it exits, writes how many requests of each
//! `Class` it served, by status (`run.sh` adds them up, to show each class ran).
//!
//! `request --replay FILE…` runs each file once outside AFL and prints what each
//! request got and how long the input took; it exits 1 if any was a finding.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use blog_fuzz::harness::{Class, Harness, Outcome};

/// Requests served, by class and status.
#[derive(Default)]
struct Tally(BTreeMap<(Class, u16), u64>);

impl Tally {
    fn add(&mut self, outcome: &Outcome) {
        for &(class, status) in &outcome.requests {
            *self.0.entry((class, status)).or_default() += 1;
        }
    }

    /// `class status count` lines, into a file of this process's own.
    fn write(&self) {
        let Some(dir) = std::env::var_os("FUZZ_TALLY_DIR") else {
            return;
        };
        let text: String = self
            .0
            .iter()
            .map(|((class, status), count)| format!("{} {status} {count}\n", class.name()))
            .collect();
        let path = std::path::Path::new(&dir).join(format!("{}.tally", std::process::id()));
        // A lost tally only makes the summary smaller; the fuzzing goes on.
        let _ = std::fs::write(path, text);
    }
}

fn start() -> Harness {
    match Harness::start() {
        Ok(harness) => harness,
        Err(err) => panic!("cannot start the harness: {err:#}"),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--replay") {
        std::process::exit(replay(&args[1..]));
    }
    let harness = AssertUnwindSafe(OnceCell::new());
    let tally = AssertUnwindSafe(RefCell::new(Tally::default()));
    afl::fuzz!(|data: &[u8]| {
        let harness = harness.get_or_init(start);
        let outcome = harness.run(data);
        tally.borrow_mut().add(&outcome);
        if let Some(failure) = outcome.failure() {
            panic!(
                "{failure}\ninput: {:?}\nresponse: {:?}",
                String::from_utf8_lossy(data),
                String::from_utf8_lossy(&outcome.bytes)
            );
        }
    });
    tally.borrow().write();
}

/// Each file through a blog of its own, as a fuzzing child would run it first.
fn replay(files: &[String]) -> i32 {
    let mut status = 0;
    for file in files {
        let input = match std::fs::read(file) {
            Ok(input) => input,
            Err(err) => {
                eprintln!("error: cannot read {file}: {err}");
                return 2;
            }
        };
        let harness = start();
        let started = Instant::now();
        let outcome = harness.run(&input);
        let millis = started.elapsed().as_millis();
        let requests: Vec<String> = outcome
            .requests
            .iter()
            .map(|(class, status)| format!("{} {status}", class.name()))
            .collect();
        let name = std::path::Path::new(file)
            .file_name()
            .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
        match outcome.failure() {
            None => println!("{name:<32} {millis:>6} ms  {}", requests.join(", ")),
            Some(failure) => {
                println!("{name:<32} {millis:>6} ms  FAILED: {failure}");
                status = 1;
            }
        }
    }
    status
}
