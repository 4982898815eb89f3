//! AFL target: each input is the raw bytes of one HTTP/1.1 connection. A panic
//! anywhere, a 500 or a hang is a finding. Built and run by `fuzz/run.sh`.

use std::panic::AssertUnwindSafe;

use blog_fuzz::harness::Harness;

fn main() {
    // AFL starts a fresh process every few thousand inputs: each gets a new blog, so
    // what one run's inputs wrote does not pile up.
    let harness = match Harness::start() {
        Ok(harness) => AssertUnwindSafe(harness),
        Err(err) => {
            eprintln!("error: cannot start the harness: {err:#}");
            std::process::exit(1);
        }
    };
    afl::fuzz!(|data: &[u8]| {
        harness.check(data);
    });
}
