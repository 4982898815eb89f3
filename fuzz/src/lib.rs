//! The fuzzing harness of `blog`, shared by the AFL target (`src/bin/request.rs`), the
//! seed writer (`src/bin/seeds.rs`) and, through `#[path]`, the blog's regression test.

pub mod harness;
