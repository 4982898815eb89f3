//! What a new admin meets on the home page before anything is published: the steps
//! that make the blog theirs, instead of a bare "Nothing published yet."

use maud::{html, Markup};

use super::PageCtx;
use crate::urls;

pub fn welcome(ctx: &PageCtx) -> Markup {
    html! {
        section.first-run aria-labelledby="first-run-title" {
            h2 #first-run-title { (ctx.t("posts.first_run_title")) }
            p { (ctx.t("posts.first_run_intro")) }
            ol.first-run-steps {
                li {
                    a href=(urls::admin_settings()) { (ctx.t("posts.first_run_settings")) }
                    " "
                    span.hint { (ctx.tf("posts.first_run_now", &[("title", &ctx.site_title)])) }
                }
                li { a href=(urls::new_post()) { (ctx.t("posts.first_run_write")) } }
                li { a href=(urls::admin_users()) { (ctx.t("posts.first_run_invite")) } }
            }
            p.hint { (ctx.t("posts.first_run_readers")) }
        }
    }
}
