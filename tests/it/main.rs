//! The one integration test binary: every test runs the real `blog` executable in a
//! temporary folder and drives it over HTTP like a browser would (see `support`).

mod support;

mod abuse;
mod accounts;
mod actions;
mod admin;
mod browser;
mod cache;
mod claims;
mod cli;
mod comments;
mod connections;
mod deploy;
mod design;
mod disk_full;
mod editor;
mod federation;
mod fedify;
mod first_run;
mod hostile;
mod images;
mod language;
mod mail;
mod markup;
mod media;
mod moving_in;
mod nginx;
mod pages;
mod paging;
mod portability;
mod posts;
mod production;
mod proxy_cache;
mod readers;
mod redirects;
mod replication;
mod search;
mod security;
mod server;
mod startup;
mod systemd;
mod webmentions;
mod writing;
