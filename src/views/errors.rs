//! Error pages: the status, a sentence saying what happened, a way home.

use http::StatusCode;
use maud::html;

use super::{layout, PageCtx};
use crate::urls;

pub fn page(ctx: &PageCtx, status: StatusCode, message: &str) -> maud::Markup {
    let title = status.canonical_reason().unwrap_or("Error");
    layout::page(
        ctx,
        title,
        html! {
            section.error-page {
                h1 { (status.as_u16()) " · " (title) }
                p { (message) }
                p { a href=(urls::index()) { "Back to the front page" } }
            }
        },
    )
}
