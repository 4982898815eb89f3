//! `blog init`: write blog.toml with every key and its default, and the data folder.

use std::path::Path;

use anyhow::{bail, Context};

use crate::config::{Config, DEFAULT_FILE, EXAMPLE};

pub fn run(file: Option<&Path>, force: bool) -> anyhow::Result<()> {
    let path = file.unwrap_or(Path::new(DEFAULT_FILE));
    if path.exists() && !force {
        bail!(
            "{} already exists: edit it, or run `blog init --force` to overwrite it",
            path.display()
        );
    }
    std::fs::write(path, EXAMPLE).with_context(|| format!("cannot write {}", path.display()))?;
    let config = Config::load(Some(path), std::env::vars())?;
    let media = config.storage.media_dir();
    super::create_private_dir(&config.storage.data_dir)
        .and_then(|()| std::fs::create_dir_all(&media))
        .with_context(|| format!("cannot create {}", media.display()))?;
    println!(
        "wrote {}; data goes in {}",
        path.display(),
        config.storage.data_dir.display()
    );
    println!(
        "next: blog createsuperuser --email you@example.com --name \"Your Name\", then blog serve"
    );
    Ok(())
}
