//! The command line, as clap types only; `commands` runs them.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::{Bind, ReplicaUrl};

#[derive(Debug, Parser)]
#[command(
    name = "blog",
    version,
    about = "A multi-author blog in one executable"
)]
pub struct Cli {
    /// Config file to read (default: ./blog.toml when it exists).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server.
    Serve {
        /// Listen here instead of [server] bind ("host:port" or "unix:/path").
        #[arg(long, value_name = "ADDRESS")]
        bind: Option<Bind>,
        /// Serve a read-only follower of this replica (file:///path or sftp://…),
        /// kept up to date by `litestream restore -f` in [storage] data_dir; every
        /// write is redirected to the primary at [site] base_url.
        #[arg(long, value_name = "URL")]
        replica: Option<ReplicaUrl>,
    },
    /// Write blog.toml (every key, with its default) and create the data folder.
    Init {
        /// Overwrite an existing blog.toml.
        #[arg(long)]
        force: bool,
    },
    /// Create an admin account.
    Createsuperuser {
        #[arg(long)]
        email: String,
        /// The name pages show for the account (asked for when not given).
        #[arg(long)]
        name: Option<String>,
        /// Read the password from the first line of standard input instead of a prompt.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Manage accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Check the configuration, the data folder and the database.
    Check {
        /// Also report every setting unsafe in production (exit code 1 if any).
        #[arg(long)]
        deploy: bool,
    },
    /// Copy the database (SQLite online backup) to FILE and the media folder to
    /// FILE.media.tar, while the server runs. The secret key is not included.
    Backup {
        /// Where to write the database copy, e.g. /var/backups/blog-2026-01-31.sqlite3.
        file: PathBuf,
        /// Replace FILE and FILE.media.tar if they exist.
        #[arg(long)]
        force: bool,
    },
    /// Write every embedded asset under its hashed name, with .gz and .br twins, for
    /// nginx to serve (`gzip_static`, `brotli_static`).
    Collectstatic {
        /// The folder to write (created if missing), e.g. /var/www/blog/static.
        dir: PathBuf,
    },
    /// Print an nginx site for the current config: /static/ and /media/ served by
    /// nginx, everything else proxied to [server] bind. TLS is left to certbot.
    NginxConfig {
        /// The folder `blog collectstatic` wrote.
        #[arg(long, value_name = "DIR", default_value = crate::commands::nginx_config::DEFAULT_STATIC_DIR)]
        static_dir: PathBuf,
        /// Where nginx listens: a port (IPv4 and IPv6), or one address such as 127.0.0.1:8080.
        #[arg(long, value_name = "ADDR", default_value = "80")]
        listen: crate::commands::nginx_config::Listen,
        /// Also keep anonymous readers' pages in nginx's proxy_cache, as blog's
        /// Cache-Control allows ([cache] s_maxage), and serve them while blog is down.
        #[arg(long)]
        cache: bool,
        /// Read-only followers (`blog serve --replica`) that take readers' GETs, as
        /// host:port[,host:port...]; writes and everything else go to [server] bind.
        #[arg(long, value_name = "ADDRS", value_delimiter = ',')]
        replicas: Vec<std::net::SocketAddr>,
        /// The proxy_cache folder (with --cache).
        #[arg(long, value_name = "DIR", default_value = crate::commands::nginx_config::DEFAULT_CACHE_DIR)]
        cache_dir: PathBuf,
    },
    /// Print a litestream.yml that replicates the database to URL/db, for running
    /// `litestream replicate -exec "blog serve"`.
    LitestreamConfig {
        /// The replica, such as file:///srv/blog-replica (default: [storage] replica).
        #[arg(long, value_name = "URL")]
        replica: Option<ReplicaUrl>,
    },
    /// Bring a blog back from its replica into an empty data folder: the database by
    /// `litestream restore`, then exactly the media files it names.
    Restore {
        /// The replica, as given to litestream-config (file:///srv/blog-replica).
        #[arg(long, value_name = "URL")]
        from: ReplicaUrl,
        /// The database as it was at this time (RFC 3339), instead of the latest.
        #[arg(long, value_name = "RFC3339")]
        timestamp: Option<String>,
        /// The new data folder (its blog.sqlite3 must not exist).
        #[arg(long, value_name = "DIR")]
        data_dir: PathBuf,
    },
    /// List, publish, unpublish and delete posts.
    Posts {
        #[command(subcommand)]
        command: PostsCommand,
    },
    /// The mail outbox: what is queued, sent and failed.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Manage uploaded media.
    Media {
        #[command(subcommand)]
        command: MediaCommand,
    },
    /// Import posts and their authors from WordPress, Ghost, a Django blog or Markdown files. Nothing
    /// is imported twice, so running it again is safe.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Old addresses that answer 301 (moved for good) to their new place: those an
    /// import added and those added by hand.
    Redirects {
        #[command(subcommand)]
        command: RedirectsCommand,
    },
    /// Write every post (drafts too) as Markdown with front matter, with its images,
    /// plus authors.json and comments.json, into DIR.
    Export {
        /// The folder to write (created if missing; must be empty unless --force).
        dir: PathBuf,
        /// Write into a folder that is not empty, replacing files of the same name.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Posts and users from `python manage.py dumpdata auth.user blog.post` (the Django
    /// Girls blog); users get no password but a reset link each.
    Django {
        /// The JSON file dumpdata wrote.
        file: PathBuf,
    },
    /// One post per .md file with YAML front matter (title, date, tags, draft, author),
    /// with the images beside them; a folder written by `blog export` also brings back
    /// its authors and comments.
    Markdown {
        dir: PathBuf,
        /// Who wrote the posts whose front matter names no author (default: the first admin).
        #[arg(long, value_name = "EMAIL")]
        author: Option<String>,
    },
    /// Posts, pages, authors, tags and feature images from a Ghost export (Settings →
    /// Advanced → Import/Export), with the images from a copy of the site's content/images
    /// folder; every old address then answers 301 to its new one.
    Ghost {
        /// The .json file Ghost exported.
        file: PathBuf,
        /// A copy of the old site's content/images folder.
        #[arg(long, value_name = "DIR")]
        images: Option<PathBuf>,
    },
    /// Posts, pages, authors, comments, categories and tags from a WordPress export
    /// (Tools → Export → All content), with their images from a copy of the site's
    /// wp-content/uploads folder; every old address then answers 301 to its new one.
    Wordpress {
        /// The .xml file WordPress exported.
        file: PathBuf,
        /// A copy of the old site's wp-content/uploads folder.
        #[arg(long, value_name = "DIR")]
        uploads: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RedirectsCommand {
    /// Every redirect: old address, where it leads, and who added it (manual, wordpress, …).
    List,
    /// Make FROM (a path like /2024/05/hello/ or /?p=12, or the old site's whole
    /// address) answer 301 to TO (a path here like /posts/hello, or an http(s) address).
    Add { from: String, to: String },
    /// Stop redirecting FROM.
    Remove { from: String },
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// How many mails are queued, sent and failed, and the ones not sent with why.
    Status,
}

#[derive(Debug, Subcommand)]
pub enum PostsCommand {
    /// Every post, drafts too, then the standalone pages: slug, status (published,
    /// scheduled, draft) and its time (published, scheduled for, or created).
    List {
        /// Only the scheduled drafts, soonest first: what the server will publish.
        #[arg(long)]
        scheduled: bool,
    },
    /// Publish a post (a published one keeps its original time).
    Publish { slug: String },
    /// Make a post a draft again.
    Unpublish { slug: String },
    /// Delete a post with its comments and the media only it used.
    Delete {
        slug: String,
        /// Confirm: without it nothing is deleted.
        #[arg(long)]
        yes: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Delete media files that nothing uses and that are older than [media] gc_grace;
    /// prints each file and the bytes freed.
    Gc {
        /// Only list what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
    /// Make the smaller and WebP copies that uploaded images are missing (images from
    /// before they existed, or whose copies were lost), with a progress bar. Safe to
    /// run again: what exists is not made twice.
    Rebuild,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List every account with its role.
    List,
    /// Change an account's role (admin, author or reader); open sessions follow at
    /// their next request.
    SetRole { email: String, role: String },
    /// Stop an account from logging in and end its sessions.
    Deactivate { email: String },
    /// Let a deactivated account log in again.
    Reactivate { email: String },
    /// Delete an account with its posts, sessions and the media only they used.
    Delete {
        email: String,
        /// Confirm: without it nothing is deleted.
        #[arg(long)]
        yes: bool,
    },
    /// Print a one-time invitation URL (valid 7 days) for someone to join with ROLE
    /// (author, reader or admin), also while registration is closed.
    Invite {
        email: String,
        #[arg(long, default_value = "author")]
        role: String,
    },
    /// List the invitations nobody has used yet: address, role, who invited, expiry.
    Invitations,
    /// Revoke the pending invitations for an address: their links stop working.
    RevokeInvite { email: String },
    /// Print a one-time password-reset URL for an account (valid for 24 hours).
    ResetLink { email: String },
    /// End every session of an account: each browser must log in again.
    Logout { email: String },
    /// Remove every second factor of an account (authenticator app, recovery codes,
    /// passkeys) for an owner who lost them all; its sessions end.
    #[command(name = "reset-2fa")]
    Reset2fa { email: String },
}
