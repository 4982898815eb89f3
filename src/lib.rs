//! `blog`: a multi-author blogging server in one executable.
//!
//! Data flows one way: `server` accepts a connection and hands each request to
//! `web::handle`, which finds the `web::router::Route`, checks the session and CSRF
//! token (`auth`), calls `db` and `content`, and renders `views`. The command line
//! (`cli`, `commands`) shares `config`, `db` and `auth` with the server.
//!
//! - `config`: defaults, `blog.toml`, `BLOG_*` variables, the secret key
//! - `app`: what every request shares
//! - `server`: accept loop, timeouts, graceful shutdown
//! - `web`: routing, request context, handlers, responses
//! - `urls`: every link, the inverse of the router
//! - `auth`: passwords, sessions, CSRF, throttling, permissions
//! - `content`: typed values (Email, Slug, Role, SanitizedHtml, pages); pure
//! - `db`: SQLite, one file per table
//! - `media`: image checks and re-encoding, the media folder, its garbage collector
//! - `views`: maud templates
//! - `i18n`: the interface's words in English and Korean (`locales/`)
//! - `assets`: embedded CSS and scripts under hashed names
//! - `compress`: gzip and brotli, and choosing between them
//! - `outbound`: every request to another server
//! - `webmentions`: receiving, checking and sending webmentions

pub mod actions;
pub mod app;
pub mod assets;
pub mod auth;
pub mod cli;
pub mod commands;
pub mod compress;
pub mod config;
pub mod content;
pub mod db;
pub mod federation;
pub mod files;
pub mod i18n;
pub mod mail;
pub mod media;
pub mod outbound;
pub mod retry;
pub mod server;
pub mod serving;
pub mod turns;
pub mod urls;
pub mod views;
pub mod web;
pub mod webmentions;
