//! Uploaded media: image checks and re-encoding (pure), storage, its copy in the
//! replica, garbage collection.

pub mod gc;
pub mod images;
pub mod library;
pub mod replica;
pub mod store;

pub use store::MediaDir;

/// Only the types we write, by extension; anything else in the folder is not served.
/// `blog nginx-config` gives nginx the same list.
pub const TYPES: [(&str, &str); 5] = [
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("png", "image/png"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
];
