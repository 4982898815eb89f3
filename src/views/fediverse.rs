//! `/fediverse`: a writer's place in the fediverse. Their address (`@handle@host`) and
//! follower count; following another account by its address; the accounts they follow
//! and those accounts' latest posts, each with a reply box. Admins also see the
//! delivery queue and block accounts or domains.

use maud::{html, Markup, PreEscaped};

use super::components::{csrf_input, form_errors};
use super::{layout, PageCtx};
use crate::content::Problems;
use crate::db::federation::{Following, Received};
use crate::urls;

pub struct Fediverse<'a> {
    /// `@handle@host`.
    pub address: String,
    pub followers: i64,
    pub following: &'a [Following],
    pub received: &'a [Received],
    /// Admins only.
    pub admin: Option<AdminView<'a>>,
    pub notice: Option<&'a str>,
}

/// What admins see besides: blocked accounts and domains, and the deliveries
/// (queued, sent, failed).
pub struct AdminView<'a> {
    pub blocks: &'a [String],
    pub deliveries: (i64, i64, i64),
}

pub fn page(ctx: &PageCtx, view: &Fediverse, problems: &Problems) -> Markup {
    layout::page(
        ctx,
        ctx.t("federation.title"),
        html! {
            h1 { (ctx.t("federation.title")) }
            @if let Some(notice) = view.notice {
                p.notice role="status" { (ctx.t(notice)) }
            }
            p #address {
                (ctx.t("federation.your_address")) " "
                strong { (view.address) }
            }
            p #followers { (ctx.tf("federation.followers", &[("n", &view.followers)])) }
            section aria-labelledby="follow-heading" {
                h2 #follow-heading { (ctx.t("federation.follow")) }
                form #follow method="post" action=(urls::fediverse_follow()) {
                    (csrf_input(ctx))
                    (form_errors(ctx, problems))
                    div.field {
                        label for="account" { (ctx.t("federation.account")) }
                        input #account name="account" type="text" required
                            placeholder="name@mastodon.example" autocomplete="off";
                    }
                    button type="submit" { (ctx.t("federation.follow_button")) }
                }
            }
            section aria-labelledby="following-heading" {
                h2 #following-heading { (ctx.t("federation.following")) }
                @if view.following.is_empty() {
                    p.empty { (ctx.t("federation.following_none")) }
                }
                ul.following {
                    @for account in view.following {
                        li {
                            a href=(account.url) rel="nofollow noopener" { (account.handle) }
                            @if !account.accepted { " " span.muted { (ctx.t("federation.pending")) } }
                            form.inline method="post" action=(urls::fediverse_unfollow()) {
                                (csrf_input(ctx))
                                input type="hidden" name="remote" value=(account.remote);
                                button.secondary type="submit" { (ctx.t("federation.unfollow")) }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="received-heading" {
                h2 #received-heading { (ctx.t("federation.received")) }
                @if view.received.is_empty() {
                    p.empty { (ctx.t("federation.received_none")) }
                }
                @for (i, post) in view.received.iter().enumerate() {
                    article.received {
                        h3 {
                            a href=(post.url) rel="nofollow noopener" {
                                @if post.name.is_empty() { (ctx.t("federation.untitled")) } @else { (post.name) }
                            }
                        }
                        p.byline {
                            (if post.actor_name.is_empty() { &post.actor_handle } else { &post.actor_name })
                            " · "
                            time datetime=(ctx.datetime(post.published_at)) { (ctx.date(post.published_at)) }
                        }
                        div.received-content { (PreEscaped(&post.content)) }
                        form.reply method="post" action=(urls::fediverse_reply()) {
                            (csrf_input(ctx))
                            input type="hidden" name="object" value=(post.object_id);
                            label for={"reply-" (i)} { (ctx.t("federation.reply")) }
                            textarea id={"reply-" (i)} name="body" rows="3" required {}
                            button type="submit" { (ctx.t("federation.reply_button")) }
                        }
                    }
                }
            }
            @if let Some(AdminView { blocks, deliveries: (queued, sent, failed) }) = &view.admin {
                section aria-labelledby="blocks-heading" {
                    h2 #blocks-heading { (ctx.t("federation.blocks")) }
                    p #deliveries {
                        (ctx.tf("federation.deliveries", &[("queued", &queued), ("sent", &sent), ("failed", &failed)]))
                    }
                    form #block method="post" action=(urls::fediverse_block()) {
                        (csrf_input(ctx))
                        div.field {
                            label for="target" { (ctx.t("federation.block_target")) }
                            input #target name="target" type="text" required
                                placeholder="spam.example" autocomplete="off";
                        }
                        button.danger type="submit" { (ctx.t("federation.block_button")) }
                    }
                    ul.blocks {
                        @for target in blocks.iter() {
                            li {
                                code { (target) }
                                form.inline method="post" action=(urls::fediverse_unblock()) {
                                    (csrf_input(ctx))
                                    input type="hidden" name="target" value=(target);
                                    button.secondary type="submit" { (ctx.t("federation.unblock")) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
