//! Parse the command line, run the command, and on failure print one `error: …` line:
//! exit code 2 for a bad configuration, 1 for anything else.

use std::process::ExitCode;

use clap::Parser;

use blog::cli::Cli;
use blog::config::ConfigError;

fn main() -> ExitCode {
    return_large_blocks_at_once();
    let cli = Cli::parse();
    match blog::commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            if err.downcast_ref::<ConfigError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// glibc's malloc serves blocks of up to 32 MB from its per-thread arenas once a block
/// that size has been freed (its threshold for mapping them on their own rises), and
/// `malloc_trim` never hands back the free top of a thread's arena: after a burst of
/// image conversions the server stayed near its peak (47 MB per image thread, measured
/// in `/proc/PID/smaps`). A fixed threshold keeps every block of a megabyte or more
/// (image buffers, large pages) mapped on its own, returned the moment it is freed;
/// a few mmap calls per conversion cost nothing next to decoding it.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn return_large_blocks_at_once() {
    // SAFETY: called first in `main`, before any other thread exists; `mallopt` only
    // sets a parameter of the allocator.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1024 * 1024);
    }
}

/// Other allocators (musl's) map large blocks on their own already.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn return_large_blocks_at_once() {}
