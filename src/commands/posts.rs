//! `blog posts list|publish|unpublish|delete`: the author's buttons, from the server's
//! own machine. Each change is the same action the buttons run, so it is in the audit
//! log (as "cli") and releases the same media.

use anyhow::{bail, Context};

use crate::actions::posts::Visibility;
use crate::actions::{self, Blog};
use crate::auth::Actor;
use crate::cli::PostsCommand;
use crate::config::Config;
use crate::content::Slug;
use crate::db;
use crate::media::MediaDir;

pub fn run(config: &Config, command: PostsCommand) -> anyhow::Result<()> {
    let db = super::open_db(config)?;
    let media = MediaDir::new(config.storage.media_dir());
    let letters = super::letters(config)?;
    // Activities and webmentions are queued here and sent by the server's workers
    // (they look every 15 s).
    let federation = crate::federation::Federation::of(config);
    let webmentions = crate::webmentions::Webmentions::of(config);
    let blog = Blog::new(&db, &media)
        .with_letters(letters.as_ref())
        .with_federation(federation.as_ref())
        .with_webmentions(webmentions.as_ref());
    let zone = jiff::tz::TimeZone::get(config.site.timezone.as_str())?;
    match command {
        PostsCommand::List { scheduled } => {
            let posts = if scheduled {
                db.read_now(db::posts::scheduled)?
            } else {
                db.read_now(|conn| {
                    let mut all = db::admin::posts(conn, u32::MAX, 0)?;
                    all.extend(db::pages::all(conn)?);
                    Ok(all)
                })?
            };
            if posts.is_empty() {
                println!(
                    "{}",
                    if scheduled {
                        "no scheduled posts"
                    } else {
                        "no posts yet"
                    }
                );
            }
            for post in posts {
                let (status, at) = match (post.published_at, post.publish_at) {
                    (Some(at), _) => ("published", at),
                    (None, Some(at)) => ("scheduled", at),
                    (None, None) => ("draft", post.created_at),
                };
                println!("{}\t{status}\t{}", post.slug, time(at, &zone));
            }
        }
        PostsCommand::Publish { slug } => {
            let post = actions::posts::set_visibility(
                blog,
                &Actor::Cli,
                &parse(&slug)?,
                Visibility::Published,
            )?;
            println!("published {}", post.slug);
        }
        PostsCommand::Unpublish { slug } => {
            let post = actions::posts::set_visibility(
                blog,
                &Actor::Cli,
                &parse(&slug)?,
                Visibility::Draft,
            )?;
            println!("{} is a draft again", post.slug);
        }
        PostsCommand::Delete { slug, yes } => {
            let slug = parse(&slug)?;
            if !yes {
                bail!("this deletes {slug} and its comments for good: run again with --yes to confirm");
            }
            let post = actions::posts::delete(blog, &Actor::Cli, &slug)?;
            println!("deleted {} ({})", post.slug, post.title);
        }
    }
    Ok(())
}

fn parse(text: &str) -> anyhow::Result<Slug> {
    text.parse()
        .with_context(|| format!("{text:?} is not a post's slug (see `blog posts list`)"))
}

/// `2026-12-06 14:03` in the site's time zone.
fn time(millis: i64, zone: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_millisecond(millis)
        .map(|ts| {
            ts.to_zoned(zone.clone())
                .strftime("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_default()
}
