//! `blog collectstatic DIR`: the embedded assets as files, under the same hashed names
//! `/static/` serves, each with `.gz` and `.br` twins holding the very bytes the
//! binary would send, so nginx can serve them with `gzip_static` and `brotli_static`.

use std::path::Path;

use anyhow::Context;

use crate::assets;
use crate::compress::Encoding;

pub fn run(dir: &Path) -> anyhow::Result<()> {
    let mut files = 0;
    let mut bytes = 0;
    for asset in assets::all() {
        let target = dir.join(&asset.hashed_name);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        write(&target, &asset.body)?;
        files += 1;
        bytes += asset.body.len();
        for encoding in [Encoding::Gzip, Encoding::Brotli] {
            if let Some(packed) = asset.compressed(encoding) {
                let mut twin = target.clone().into_os_string();
                twin.push(encoding.file_suffix());
                write(Path::new(&twin), packed)?;
                files += 1;
                bytes += packed.len();
            }
        }
    }
    println!(
        "wrote {} ({}) to {}",
        super::count(files as u64, "file"),
        super::count(bytes as u64, "byte"),
        dir.display()
    );
    Ok(())
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
