//! The media folder and its catalogue together: storing an upload or an avatar writes
//! the files first, then records them; replacing an avatar deletes the old files at
//! once. Blocking: call these on a blocking thread.

use super::images::{self, Encoded, ImageError, Purpose, Variant};
use super::store::MediaDir;
use crate::content::{MediaId, UserId};
use crate::db::{self, media::File, media::Kind, Db};

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The upload is not an image we accept; the message is for the user.
    #[error(transparent)]
    Image(ImageError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<ImageError> for MediaError {
    /// Failing to re-encode our own pixels is our fault, not the file's.
    fn from(err: ImageError) -> Self {
        match err {
            ImageError::Encoding(detail) => {
                Self::Internal(anyhow::anyhow!("cannot re-encode an image: {detail}"))
            }
            other => Self::Image(other),
        }
    }
}

impl From<std::io::Error> for MediaError {
    fn from(err: std::io::Error) -> Self {
        Self::Internal(anyhow::Error::new(err).context("cannot write to the media folder"))
    }
}

/// The memory converting an editor upload takes, for `App::image_job`; 0 for a file
/// that is refused from its header (the job then answers why, at no cost).
pub fn upload_memory(bytes: &[u8]) -> u64 {
    images::memory_needed(bytes, Purpose::Upload).unwrap_or(0)
}

/// `upload_memory` for an avatar, which may take less.
pub fn avatar_memory(bytes: &[u8]) -> u64 {
    images::memory_needed(bytes, Purpose::Avatar).unwrap_or(0)
}

/// Stores an editor upload with its variants for `srcset`; returns the path to show in
/// the page (the 1600 px copy of a wide image, else the re-encoded original).
pub fn store_upload(
    db: &Db,
    media: &MediaDir,
    owner: UserId,
    bytes: &[u8],
) -> Result<String, MediaError> {
    let prepared = images::upload(bytes)?;
    let mut images = vec![("original", &prepared.original)];
    images.extend(prepared.display.iter().map(|display| ("display", display)));
    let shown_index = images.len() - 1;
    images.extend(
        prepared
            .variants
            .iter()
            .map(|(variant, encoded)| (variant_name(*variant), encoded)),
    );
    let files = save_all(media, &images)?;
    let shown = files[shown_index].path.clone();
    record(db, media, owner, Kind::Upload, files, |_, _| Ok(Vec::new()))?;
    Ok(shown)
}

/// What `rebuild_variants` did to one image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rebuilt {
    /// It had every variant already.
    Complete,
    /// This many variants were made.
    Made(usize),
    /// It was released while its variants were being made: nothing kept.
    Gone,
}

/// Makes the variants an upload is missing (after `media_files` rows or files were
/// lost, or for images stored before variants existed), from its stored original,
/// through the same encoders as an upload. A variant whose row exists is not made
/// again, so running it twice does nothing the second time.
pub fn rebuild_variants(db: &Db, media: &MediaDir, id: MediaId) -> Result<Rebuilt, MediaError> {
    let files = db.read_now(|conn| db::media::files(conn, id))?;
    let Some(original) = files.iter().find(|f| f.variant == "original") else {
        return Ok(Rebuilt::Gone);
    };
    let have = |variant: Variant| {
        files
            .iter()
            .any(|f| f.variant == variant_name(variant) && f.width == variant.width())
    };
    let missing: Vec<Variant> = Variant::wanted(original.width)
        .into_iter()
        .filter(|&variant| !have(variant))
        .collect();
    if missing.is_empty() {
        return Ok(Rebuilt::Complete);
    }
    let stored = std::fs::read(media.root().join(&original.path)).map_err(|err| {
        MediaError::Internal(anyhow::Error::new(err).context(format!(
            "cannot read {}: restore the media folder from a backup, or delete the image's posts",
            original.path
        )))
    })?;
    let made = images::variants_of_original(&stored, &missing)?;
    let images: Vec<(&'static str, &Encoded)> = made
        .iter()
        .map(|(variant, encoded)| (variant_name(*variant), encoded))
        .collect();
    let new = save_all(media, &images)?;
    let count = new.len();
    let paths: Vec<String> = new.iter().map(|f| f.path.clone()).collect();
    match db.write_now(|tx| db::media::add_files(tx, id, &new)) {
        Ok(true) => Ok(Rebuilt::Made(count)),
        Ok(false) => {
            media.remove_released(paths);
            Ok(Rebuilt::Gone)
        }
        Err(err) => {
            media.remove_released(paths);
            Err(err.into())
        }
    }
}

fn variant_name(variant: Variant) -> &'static str {
    match variant {
        Variant::Narrow(_) => "narrow",
        Variant::Webp(_) => "webp",
    }
}

/// Saves each image under `uploads/`; on a failure, those already saved are deleted.
fn save_all(
    media: &MediaDir,
    images: &[(&'static str, &Encoded)],
) -> Result<Vec<File>, MediaError> {
    let mut files = Vec::with_capacity(images.len());
    for (variant, image) in images {
        match save(media, "uploads", variant, image) {
            Ok(file) => files.push(file),
            Err(err) => {
                media.remove_released(files.into_iter().map(|f| f.path));
                return Err(err);
            }
        }
    }
    Ok(files)
}

/// Makes `bytes` the user's avatar (256 px and 64 px squares); the old one's files are
/// deleted at once.
pub fn store_avatar(
    db: &Db,
    media: &MediaDir,
    user: UserId,
    bytes: &[u8],
) -> Result<(), MediaError> {
    store_square(db, media, user, "avatars", bytes, |tx, id| {
        let old = db::media::set_avatar(tx, user, Some(id))?;
        released_paths(tx, old)
    })
}

/// A square picture (the avatar's 256 px and 64 px) saved under `area`, then recorded
/// in one transaction with `then`, which points something at it (an account, the site)
/// and returns the paths it released.
pub fn store_square<F>(
    db: &Db,
    media: &MediaDir,
    owner: UserId,
    area: &str,
    bytes: &[u8],
    then: F,
) -> Result<(), MediaError>
where
    F: FnOnce(&rusqlite::Transaction, crate::content::MediaId) -> rusqlite::Result<Vec<String>>,
{
    let (large, small) = images::avatar(bytes)?;
    let large = save(media, area, "large", &large)?;
    let small = match save(media, area, "small", &small) {
        Ok(file) => file,
        Err(err) => {
            media.remove_released([large.path]);
            return Err(err);
        }
    };
    record(db, media, owner, Kind::Avatar, vec![large, small], then)
}

/// Releases the image something stopped using (if nothing else uses it); the paths
/// of its files, to delete once the transaction commits.
pub fn released_paths(
    tx: &rusqlite::Connection,
    old: Option<crate::content::MediaId>,
) -> rusqlite::Result<Vec<String>> {
    db::media::release_unused(tx, &old.into_iter().collect::<Vec<_>>())
        .map(|files| files.into_iter().map(|f| f.path).collect())
}

/// Removes the user's avatar and deletes its files.
pub fn remove_avatar(db: &Db, media: &MediaDir, user: UserId) -> anyhow::Result<()> {
    let released = db.write_now(|tx| {
        let old = db::media::set_avatar(tx, user, None)?;
        db::media::release_unused(tx, &old.into_iter().collect::<Vec<_>>())
    })?;
    media.remove_released(released.into_iter().map(|f| f.path));
    Ok(())
}

fn save(
    media: &MediaDir,
    area: &str,
    variant: &'static str,
    image: &Encoded,
) -> Result<File, MediaError> {
    let path = media.save(area, image.kind.extension(), &image.bytes)?;
    Ok(File {
        path,
        variant,
        bytes: image.bytes.len() as u64,
        width: image.width,
        height: image.height,
    })
}

/// Records the files in one transaction with `then` (which returns paths it released);
/// if that fails, the new files are deleted again, so nothing is left unrecorded.
fn record<F>(
    db: &Db,
    media: &MediaDir,
    owner: UserId,
    kind: Kind,
    files: Vec<File>,
    then: F,
) -> Result<(), MediaError>
where
    F: FnOnce(&rusqlite::Transaction, crate::content::MediaId) -> rusqlite::Result<Vec<String>>,
{
    let paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    let written = db.write_now(|tx| {
        let id = db::media::insert(tx, owner, kind, &files, db::now_ms())?;
        then(tx, id)
    });
    match written {
        Ok(released) => {
            media.remove_released(released);
            Ok(())
        }
        Err(err) => {
            media.remove_released(paths);
            Err(err.into())
        }
    }
}
