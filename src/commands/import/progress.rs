//! A progress bar for long imports and exports: drawn on stderr when it is a terminal,
//! absent otherwise, so scripts and logs get only the lines that matter.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress(ProgressBar);

impl Progress {
    /// `what` names the unit counted: "posts", "files".
    pub fn new(len: u64, what: &str) -> Self {
        if !std::io::stderr().is_terminal() {
            return Self(ProgressBar::hidden());
        }
        let template = format!("{{bar:30}} {{pos}}/{{len}} {what} {{msg}}");
        let bar = ProgressBar::new(len);
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(Duration::from_millis(100));
        Self(bar)
    }

    pub fn inc(&self) {
        self.0.inc(1);
    }

    /// Prints a line on stdout without tearing the bar.
    pub fn say(&self, line: impl AsRef<str>) {
        self.0.suspend(|| println!("{}", line.as_ref()));
    }

    /// Prints a line on stderr without tearing the bar.
    pub fn warn(&self, line: impl AsRef<str>) {
        self.0.suspend(|| eprintln!("{}", line.as_ref()));
    }

    /// Leaves the full bar on the terminal above the final count (drawn even when
    /// the run was shorter than the bar's refresh interval).
    pub fn finish(self) {
        self.0.finish();
    }
}
