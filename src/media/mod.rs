//! Uploaded media: image checks and re-encoding (pure), storage, garbage collection.

pub mod gc;
pub mod images;
pub mod library;
pub mod store;

pub use store::MediaDir;
