//! Error pages: the status, a sentence saying what happened, a way home.

use http::StatusCode;
use maud::html;

use super::{layout, PageCtx};
use crate::urls;

pub fn page(ctx: &PageCtx, status: StatusCode, message: &str) -> maud::Markup {
    let title = status_title(ctx, status);
    layout::page(
        ctx,
        title,
        html! {
            section.error-page {
                h1 { (status.as_u16()) " · " (title) }
                p { (message) }
                p { a href=(urls::index()) { (ctx.t("errors.back_home")) } }
            }
        },
    )
}

fn status_title(ctx: &PageCtx, status: StatusCode) -> &'static str {
    ctx.t(match status.as_u16() {
        400 => "errors.status_400",
        403 => "errors.status_403",
        404 => "errors.status_404",
        405 => "errors.status_405",
        408 => "errors.status_408",
        409 => "errors.status_409",
        411 => "errors.status_411",
        413 => "errors.status_413",
        429 => "errors.status_429",
        500 => "errors.status_500",
        507 => "errors.status_507",
        _ => "errors.error",
    })
}
