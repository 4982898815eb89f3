//! The pages about mail: "forgot your password?", subscribing, confirming and
//! unsubscribing. Each answer page says the same whatever the database holds, so none
//! tells who has an account or a subscription.

use maud::{html, Markup};

use super::components::{csrf_input, field, form_errors, Field};
use super::{layout, PageCtx};
use crate::content::Problems;
use crate::urls;

pub fn forgot(ctx: &PageCtx, email: &str, problems: &Problems) -> Markup {
    let title = ctx.t("mail.forgot_title");
    layout::page(
        ctx,
        title,
        html! {
            section.narrow {
                h1 { (title) }
                p { (ctx.t("mail.forgot_help")) }
                form method="post" action=(urls::forgot_password()) {
                    (csrf_input(ctx))
                    (form_errors(ctx, problems))
                    (field(ctx, &Field { name: "email", label: ctx.t("accounts.email"), kind: "email", value: email, autocomplete: "username", required: true }, problems))
                    div.actions { button.primary type="submit" { (ctx.t("mail.forgot_send")) } }
                }
            }
        },
    )
}

/// A page of one heading and one paragraph: what happened.
pub fn told(ctx: &PageCtx, title: &str, sentence: &str) -> Markup {
    layout::page(
        ctx,
        title,
        html! {
            section.narrow {
                h1 { (title) }
                p role="status" { (sentence) }
            }
        },
    )
}

/// The subscription form, to the blog or to `author` (id and name).
pub fn subscribe(
    ctx: &PageCtx,
    author: Option<(crate::content::UserId, &str)>,
    email: &str,
    problems: &Problems,
) -> Markup {
    let title = match author {
        Some((_, name)) => ctx.tf("mail.subscribe_title_author", &[("author", &name)]),
        None => ctx.t("mail.subscribe_title").to_string(),
    };
    layout::page(
        ctx,
        &title,
        html! {
            section.narrow {
                h1 { (title) }
                p { (ctx.t("mail.subscribe_help")) }
                form method="post" action=(urls::subscribe(None)) {
                    (csrf_input(ctx))
                    @if let Some((id, _)) = author {
                        input type="hidden" name="author" value=(id);
                    }
                    (form_errors(ctx, problems))
                    (field(ctx, &Field { name: "email", label: ctx.t("accounts.email"), kind: "email", value: email, autocomplete: "email", required: true }, problems))
                    div.actions { button.primary type="submit" { (ctx.t("mail.subscribe_send")) } }
                }
            }
        },
    )
}

/// A question and one button that posts to `action`: confirming or unsubscribing.
/// The link in a mail only shows this page; the button does it, so a mail scanner
/// that opens every link changes nothing.
pub fn ask(ctx: &PageCtx, title: &str, question: &str, button: &str, action: &str) -> Markup {
    layout::page(
        ctx,
        title,
        html! {
            section.narrow {
                h1 { (title) }
                p { (question) }
                form method="post" action=(action) {
                    (csrf_input(ctx))
                    div.actions { button.primary type="submit" { (button) } }
                }
            }
        },
    )
}
