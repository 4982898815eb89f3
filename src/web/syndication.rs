//! Feeds, the sitemap and robots.txt: documents for feed readers and crawlers. Their
//! URLs come from `[site] base_url`, never from the Host header, which a client
//! chooses. They are not in the page cache (only HTML pages are), so each read
//! queries afresh; browsers, feed readers and shared caches may keep them for
//! `[cache] feed_max_age` or `sitemap_max_age`.

use super::request::Ctx;
use super::router::FeedFormat;
use super::WebError;
use crate::content::{Tag, UserId};
use crate::db;
use crate::serving::cache_control;
use crate::serving::response::{self, Response};
use crate::urls;
use crate::views::syndication::{self, Feed, SitemapEntries};

/// How many posts a feed carries: enough for a reader who looks in weekly.
const FEED_ENTRIES: u32 = 20;

const ATOM: &str = "application/atom+xml; charset=utf-8";
const JSON_FEED: &str = "application/feed+json; charset=utf-8";

/// The site's feed: the latest published posts of every author.
pub async fn feed(ctx: &Ctx, format: FeedFormat) -> Result<Response, WebError> {
    let posts = ctx
        .app
        .db
        .read(|conn| db::posts::published(conn, None, FEED_ENTRIES, 0))
        .await?;
    let title = ctx.site.title.clone();
    let urls = FeedUrls::of(urls::feed(), urls::feed_json(), urls::index());
    Ok(answer(ctx, format, &title, &urls, &posts))
}

/// One author's feed; 404 for an unknown author.
pub async fn author_feed(ctx: &Ctx, id: UserId, format: FeedFormat) -> Result<Response, WebError> {
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
    let title = format!("{} · {}", author.name(), ctx.site.title);
    let urls = FeedUrls::of(
        urls::author_feed(id),
        urls::author_feed_json(id),
        urls::author(id),
    );
    Ok(answer(ctx, format, &title, &urls, &posts))
}

/// The feed of a tag's published posts; 404 for a tag no published post has, like its page.
pub async fn tag_feed(ctx: &Ctx, tag: Tag, format: FeedFormat) -> Result<Response, WebError> {
    let listed = tag.clone();
    let posts = ctx
        .app
        .db
        .read(move |conn| db::tags::published(conn, &listed, FEED_ENTRIES, 0))
        .await?;
    if posts.is_empty() {
        return Err(WebError::NotFound);
    }
    let title = format!("#{tag} · {}", ctx.site.title);
    let urls = FeedUrls::of(
        urls::tag_feed(&tag),
        urls::tag_feed_json(&tag),
        urls::tag(&tag),
    );
    Ok(answer(ctx, format, &title, &urls, &posts))
}

/// A feed's addresses (local paths): its two formats and the page it mirrors.
struct FeedUrls {
    atom: String,
    json: String,
    page: String,
}

impl FeedUrls {
    fn of(atom: String, json: String, page: String) -> Self {
        Self { atom, json, page }
    }
}

/// The feed in the format asked for, every URL absolute under `[site] base_url`.
fn answer(
    ctx: &Ctx,
    format: FeedFormat,
    title: &str,
    paths: &FeedUrls,
    posts: &[crate::content::Post],
) -> Response {
    let base = &ctx.app.config.site.base_url;
    let (atom, json, page) = (
        base.join(&paths.atom),
        base.join(&paths.json),
        base.join(&paths.page),
    );
    let cache = cache_control::feed(&ctx.app.config.cache);
    match format {
        FeedFormat::Atom => {
            let feed = Feed {
                title,
                self_url: &atom,
                page_url: &page,
            };
            response::document(ATOM, syndication::atom(&feed, base.as_str(), posts), cache)
        }
        FeedFormat::Json => {
            let feed = Feed {
                title,
                self_url: &json,
                page_url: &page,
            };
            let language = ctx.app.config.site.language.code();
            let body = syndication::json_feed(&feed, base.as_str(), language, posts);
            response::document(JSON_FEED, body, cache)
        }
    }
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
