//! `blog media gc [--dry-run]`: delete orphaned media, listing each file.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::actions::{self, media::Pass, Blog};
use crate::auth::Actor;
use crate::cli::MediaCommand;
use crate::config::Config;
use crate::media::MediaDir;

pub fn run(config: &Config, command: MediaCommand) -> anyhow::Result<()> {
    let MediaCommand::Gc { dry_run } = command;
    let db = super::open_db(config)?;
    let media = MediaDir::new(config.storage.media_dir());
    let verb = if dry_run { "would delete" } else { "deleted" };
    // A spinner on a terminal, for folders large enough to take a while; plain lines
    // (one per file) otherwise, for scripts and logs.
    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new_spinner();
        bar.set_style(ProgressStyle::with_template(
            "{spinner} {pos} files, {msg}",
        )?);
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        Some(bar)
    } else {
        None
    };
    let mut freed = 0u64;
    let pass = if dry_run { Pass::DryRun } else { Pass::Delete };
    let report = actions::media::collect_garbage(
        Blog::new(&db, &media),
        &Actor::Cli,
        config.media.gc_grace,
        pass,
        &mut |path, bytes| {
            freed += bytes;
            match &progress {
                Some(bar) => {
                    bar.inc(1);
                    bar.set_message(format!("{} bytes", freed));
                    bar.println(format!("{verb} {path} ({bytes} bytes)"));
                }
                None => println!("{verb} {path} ({bytes} bytes)"),
            }
        },
    )?;
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let freed_word = if dry_run { "would be freed" } else { "freed" };
    println!(
        "{} files, {} bytes {freed_word}",
        report.files.len(),
        report.bytes()
    );
    Ok(())
}
