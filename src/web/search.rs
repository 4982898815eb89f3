//! `/search?q=…&page=N`: published posts that hold every word typed, best first,
//! paged like the home page. An empty query shows the form; an empty result is a
//! normal page saying so; a page past the end is 404.

use http::StatusCode;

use super::request::Ctx;
use super::WebError;
use crate::content::{PageNumber, Pagination};
use crate::db::{self, search::Query};
use crate::serving::response::{self, Response};
use crate::views;
use crate::views::search::{Found, Outcome};

/// Longer queries are refused: no reader types more, and each word is a scan when
/// it is short.
const MAX_QUERY_CHARS: usize = 200;

pub async fn show(ctx: &Ctx) -> Result<Response, WebError> {
    let page = PageNumber::parse(ctx.query("page")).ok_or(WebError::NotFound)?;
    let typed = ctx.query("q").unwrap_or_default().trim().to_string();
    let view = ctx.page();
    if typed.chars().count() > MAX_QUERY_CHARS {
        let why = view.tc("search.too_long", MAX_QUERY_CHARS as u64, &[]);
        return Ok(response::html(
            StatusCode::BAD_REQUEST,
            views::search::page(&view, &typed, Outcome::Rejected(&why)),
        ));
    }
    let Some(query) = Query::parse(&typed) else {
        return Ok(response::html(
            StatusCode::OK,
            views::search::page(&view, &typed, Outcome::Empty),
        ));
    };
    let per_page = ctx.app.config.site.posts_per_page.0;
    let (pages, hits) = ctx
        .app
        .db
        .read(move |conn| {
            let total = db::search::count(conn, &query)?;
            let Some(pages) = Pagination::new(page, per_page, total) else {
                return Ok(None);
            };
            let hits = db::search::page(conn, &query, per_page, pages.offset())?;
            Ok(Some((pages, hits)))
        })
        .await?
        .ok_or(WebError::NotFound)?;
    let found: Vec<Found> = hits
        .iter()
        .map(|hit| Found {
            post: &hit.post,
            title: &hit.title,
            snippet: &hit.snippet,
        })
        .collect();
    Ok(response::html(
        StatusCode::OK,
        views::search::page(&view, &typed, Outcome::Found(&found, &pages)),
    ))
}
