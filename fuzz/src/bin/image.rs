//! AFL target: each input is an uploaded file, through the image pipeline alone
//! (`blog::media::images`: sniffing, decoding, orientation, resizing, encoding), as
//! both an editor upload and a profile picture. A panic or an `Encoding` error (our
//! fault, not the file's) is a finding; so is an input over AFL's time (`-t`) or
//! memory (`-m`) limit, which `fuzz/run.sh` sets: the work per image must stay bounded.
//!
//! `FUZZ_TALLY_DIR`: where each child, as it exits, writes how many inputs of each
//! kind (by their first bytes) gave each result.
//!
//! `image --replay FILE…` runs each file once outside AFL and prints its result and
//! time; it exits 1 if any was a finding.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use blog::media::images::{self, ImageError};

/// What one input gave: the sniffed kind and the results of both pipelines.
fn run(data: &[u8]) -> (&'static str, &'static str) {
    let kind = match images::sniff(data) {
        Ok(kind) => kind.extension(),
        Err(_) => "none",
    };
    let upload = images::upload(data).map(|_| ());
    let avatar = images::avatar(data).map(|_| ());
    for result in [&upload, &avatar] {
        if let Err(ImageError::Encoding(detail)) = result {
            panic!("decoded pixels could not be encoded: {detail}");
        }
    }
    let result = match (upload, avatar) {
        (Ok(()), Ok(())) => "ok",
        (Err(err), _) | (_, Err(err)) => match err {
            ImageError::NotAnImage => "not-an-image",
            ImageError::Unsupported(_) => "unsupported",
            ImageError::TooLarge { .. } => "too-large",
            ImageError::Corrupt => "corrupt",
            ImageError::Encoding(_) => "encoding",
        },
    };
    (kind, result)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--replay") {
        std::process::exit(replay(&args[1..]));
    }
    let tally: AssertUnwindSafe<RefCell<BTreeMap<(&str, &str), u64>>> =
        AssertUnwindSafe(RefCell::new(BTreeMap::new()));
    afl::fuzz!(|data: &[u8]| {
        let key = run(data);
        *tally.borrow_mut().entry(key).or_default() += 1;
    });
    if let Some(dir) = std::env::var_os("FUZZ_TALLY_DIR") {
        let text: String = tally
            .borrow()
            .iter()
            .map(|((kind, result), count)| format!("{kind} {result} {count}\n"))
            .collect();
        let path = std::path::Path::new(&dir).join(format!("{}.tally", std::process::id()));
        // A lost tally only makes the summary smaller.
        let _ = std::fs::write(path, text);
    }
}

fn replay(files: &[String]) -> i32 {
    let mut status = 0;
    for file in files {
        let data = match std::fs::read(file) {
            Ok(data) => data,
            Err(err) => {
                eprintln!("error: cannot read {file}: {err}");
                return 2;
            }
        };
        let name = std::path::Path::new(file)
            .file_name()
            .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned());
        let started = Instant::now();
        match std::panic::catch_unwind(|| run(&data)) {
            Ok((kind, result)) => println!(
                "{name:<32} {:>6} ms  {kind} {result}",
                started.elapsed().as_millis()
            ),
            Err(_) => {
                println!("{name:<32} FAILED (panicked)");
                status = 1;
            }
        }
    }
    status
}
