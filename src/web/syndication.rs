//! Feeds, the sitemap and robots.txt: documents for feed readers and crawlers. Their
//! URLs come from `[site] base_url`, never from the Host header, which a client
//! chooses. They are not in the page cache (only HTML pages are), so each read
//! queries afresh; browsers, feed readers and shared caches may keep them for
//! `[cache] feed_max_age` or `sitemap_max_age`.

use super::request::Ctx;
use super::WebError;
use crate::content::UserId;
use crate::db;
use crate::serving::cache_control;
use crate::serving::response::{self, Response};
use crate::urls;
use crate::views::syndication::{self, Feed, SitemapEntries};

/// How many posts a feed carries: enough for a reader who looks in weekly.
const FEED_ENTRIES: u32 = 20;

const ATOM: &str = "application/atom+xml; charset=utf-8";

/// The site's feed: the latest published posts of every author.
pub async fn feed(ctx: &Ctx) -> Result<Response, WebError> {
    let posts = ctx
        .app
        .db
        .read(|conn| db::posts::published(conn, None, FEED_ENTRIES, 0))
        .await?;
    let base = &ctx.app.config.site.base_url;
    let feed = Feed {
        title: &ctx.app.config.site.title,
        self_url: &base.join(&urls::feed()),
        page_url: &base.join(&urls::index()),
    };
    let xml = syndication::atom(&feed, base.as_str(), &posts);
    Ok(response::document(
        ATOM,
        xml,
        cache_control::feed(&ctx.app.config.cache),
    ))
}

/// One author's feed; 404 for an unknown author.
pub async fn author_feed(ctx: &Ctx, id: UserId) -> Result<Response, WebError> {
    let (author, posts) = ctx
        .app
        .db
        .read(move |conn| {
            let author = db::users::by_id(conn, id)?;
            let posts = db::posts::published(conn, Some(id), FEED_ENTRIES, 0)?;
            Ok((author, posts))
        })
        .await?;
    let author = author.ok_or(WebError::NotFound)?;
    let base = &ctx.app.config.site.base_url;
    let title = format!("{} · {}", author.name(), ctx.app.config.site.title);
    let feed = Feed {
        title: &title,
        self_url: &base.join(&urls::author_feed(id)),
        page_url: &base.join(&urls::author(id)),
    };
    let xml = syndication::atom(&feed, base.as_str(), &posts);
    Ok(response::document(
        ATOM,
        xml,
        cache_control::feed(&ctx.app.config.cache),
    ))
}

pub async fn sitemap(ctx: &Ctx) -> Result<Response, WebError> {
    let entries = ctx
        .app
        .db
        .read(|conn| {
            Ok(SitemapEntries {
                posts: db::posts::published_slugs(conn)?,
                pages: db::pages::published_slugs(conn)?,
                authors: db::posts::published_authors(conn)?,
                tags: db::tags::in_use(conn)?,
            })
        })
        .await?;
    let base = ctx.app.config.site.base_url.as_str();
    let xml = syndication::sitemap(base, &entries);
    Ok(response::document(
        "application/xml; charset=utf-8",
        xml,
        cache_control::sitemap(&ctx.app.config.cache),
    ))
}

pub fn robots(ctx: &Ctx) -> Response {
    let text = syndication::robots(ctx.app.config.site.base_url.as_str());
    response::document(
        "text/plain; charset=utf-8",
        text,
        cache_control::sitemap(&ctx.app.config.cache),
    )
}
