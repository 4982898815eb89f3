//! `blog media gc [--dry-run]`: delete orphaned media, listing each file.
//! `blog media rebuild`: make the variants uploads are missing, with a progress bar.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressStyle};

use crate::actions::{self, media::Pass, Blog};
use crate::auth::Actor;
use crate::cli::MediaCommand;
use crate::config::Config;
use crate::db;
use crate::media::library::{MediaError, Rebuilt};
use crate::media::replica::MediaReplica;
use crate::media::MediaDir;

use super::import::progress::Progress;

pub fn run(config: &Config, command: MediaCommand) -> anyhow::Result<()> {
    match command {
        MediaCommand::Gc { dry_run } => gc(config, dry_run),
        MediaCommand::Rebuild => rebuild(config),
    }
}

/// Every upload in turn, through the upload pipeline's encoders. One image that fails
/// (its original lost from the disk, say) is named and skipped; the command fails at
/// the end, so a script notices.
fn rebuild(config: &Config) -> anyhow::Result<()> {
    let db = super::open_db(config)?;
    // New files go to the replica too, before their rows exist, as uploads do.
    let media =
        MediaDir::new(config.storage.media_dir()).replicated_to(MediaReplica::of(&config.storage));
    let uploads = db.read_now(db::media::uploads)?;
    let progress = Progress::new(uploads.len() as u64, "images");
    let (mut images, mut files, mut failed) = (0usize, 0usize, 0usize);
    for id in uploads {
        match actions::media::rebuild_variants(Blog::new(&db, &media), &Actor::Cli, id) {
            Ok(Rebuilt::Made(count)) => {
                images += 1;
                files += count;
            }
            Ok(Rebuilt::Complete | Rebuilt::Gone) => {}
            Err(MediaError::Image(err)) => {
                failed += 1;
                progress.warn(format!("image {}: {err}", id.0));
            }
            Err(MediaError::Internal(err)) => {
                failed += 1;
                progress.warn(format!("image {}: {err:#}", id.0));
            }
        }
        progress.inc();
    }
    progress.finish();
    println!(
        "{} made for {}",
        super::count(files as u64, "file"),
        super::count(images as u64, "image")
    );
    if failed > 0 {
        anyhow::bail!(
            "{} could not be given their copies (named above)",
            super::count(failed as u64, "image")
        );
    }
    Ok(())
}

fn gc(config: &Config, dry_run: bool) -> anyhow::Result<()> {
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
        "{}, {} {freed_word}",
        super::count(report.files.len() as u64, "file"),
        super::count(report.bytes(), "byte")
    );
    Ok(())
}
