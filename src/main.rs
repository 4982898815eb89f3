//! Parse the command line, run the command, and on failure print one `error: …` line:
//! exit code 2 for a bad configuration, 1 for anything else.

use std::process::ExitCode;

use clap::Parser;

use blog::cli::Cli;
use blog::config::ConfigError;

fn main() -> ExitCode {
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
