//! The one integration test binary: every test runs the real `blog` executable in a
//! temporary folder and drives it over HTTP like a browser would (see `support`).

mod support;

mod accounts;
mod cli;
mod media;
mod posts;
mod production;
mod server;
