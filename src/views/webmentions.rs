//! The mentions under a post (other sites' posts that link to it, checked and
//! approved), the moderators' buttons, and the page that asks before one is deleted.

use maud::{html, Markup};

use super::components::csrf_input;
use super::{layout, PageCtx};
use crate::content::{Post, Slug};
use crate::db::webmentions::{Mention, Status, Waiting};
use crate::urls;

/// What the mentions section of one post shows this visitor.
pub struct Mentions {
    /// The absolute address of our endpoint, for the head's `<link>`.
    pub endpoint: String,
    /// Approved ones, and for moderators those waiting too; oldest first.
    pub mentions: Vec<Mention>,
    pub can_moderate: bool,
}

/// The `<link rel="webmention">` of a post's head.
pub fn head(mentions: &Mentions) -> Markup {
    html! { link rel="webmention" href=(mentions.endpoint); }
}

/// The section under a post; nothing when there is nothing to show.
pub fn section(ctx: &PageCtx, mentions: &Mentions) -> Markup {
    html! {
        @if !mentions.mentions.is_empty() {
            section #mentions .mentions {
                h2 { (ctx.t("mentions.heading")) }
                ol.mention-list {
                    @for mention in &mentions.mentions {
                        li { (item(ctx, mention, mentions.can_moderate)) }
                    }
                }
            }
        }
    }
}

fn item(ctx: &PageCtx, mention: &Mention, can_moderate: bool) -> Markup {
    let summary = &mention.summary;
    let at = mention.verified_at.unwrap_or(mention.created_at);
    html! {
        article.mention id=(format!("mention-{}", mention.id)) data-status=(mention.status.as_str()) {
            header.mention-meta {
                // Another site's link: no credit from us, and marked as theirs.
                @if let Some(url) = &summary.author_url {
                    a.mention-author href=(url) rel="nofollow ugc" { (summary.author_name) }
                } @else {
                    span.mention-author { (summary.author_name) }
                }
                " · " time datetime=(ctx.datetime(at)) { (ctx.date(at)) }
                @if mention.status == Status::Pending {
                    " " span.badge.pending { (ctx.t("mentions.status_pending")) }
                }
            }
            p.mention-source {
                a href=(mention.source) rel="nofollow ugc" {
                    (summary.title.as_deref().unwrap_or(&mention.source))
                }
            }
            @if let Some(excerpt) = &summary.excerpt {
                p.mention-excerpt { (excerpt) }
            }
            @if can_moderate { (actions(ctx, mention)) }
        }
    }
}

/// Approve (while it waits), delete (asks first).
fn actions(ctx: &PageCtx, mention: &Mention) -> Markup {
    html! {
        div.mention-actions {
            @if mention.status == Status::Pending {
                form.inline method="post" action=(urls::webmention_approve(mention.id)) {
                    (csrf_input(ctx))
                    button.primary type="submit" { (ctx.t("mentions.approve")) }
                }
            }
            a.button.danger href=(urls::webmention_delete(mention.id)) { (ctx.t("mentions.delete_ellipsis")) }
        }
    }
}

/// The mentions waiting on every post, on the admins' comments page; each button
/// comes back to that page.
pub fn waiting(ctx: &PageCtx, waiting: &[Waiting]) -> Markup {
    let back = urls::admin_comments();
    html! {
        @if !waiting.is_empty() {
            section.mentions-waiting {
                h2 { (ctx.t("mentions.waiting")) }
                @for item in waiting {
                    article.admin-mention #{"mention-" (item.mention.id)} {
                        (item_on(ctx, &item.mention, &item.post_slug, &item.post_title))
                        div.mention-actions {
                            form.inline method="post" action=(urls::webmention_approve(item.mention.id)) {
                                (csrf_input(ctx))
                                input type="hidden" name="next" value=(back);
                                button.primary type="submit" { (ctx.t("mentions.approve")) }
                            }
                            a.button.danger href=(urls::asking_then(&urls::webmention_delete(item.mention.id), &back)) {
                                (ctx.t("mentions.delete_ellipsis"))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A waiting mention as the admin list shows it: who, on which post, from where.
fn item_on(ctx: &PageCtx, mention: &Mention, slug: &Slug, title: &str) -> Markup {
    let at = mention.verified_at.unwrap_or(mention.created_at);
    html! {
        h3 { (ctx.tf("mentions.by", &[("name", &mention.summary.author_name)])) }
        p.meta {
            a href=(urls::post_mentions_section(slug)) { (title) }
            " · " time datetime=(ctx.datetime(at)) { (ctx.date_time(at)) }
        }
        p.mention-source {
            a href=(mention.source) rel="nofollow ugc" {
                (mention.summary.title.as_deref().unwrap_or(&mention.source))
            }
        }
        @if let Some(excerpt) = &mention.summary.excerpt {
            p.mention-excerpt { (excerpt) }
        }
    }
}

/// Asks before a mention is deleted, showing where it comes from; the POST goes back
/// to `next` (the admins' list) when the page was opened with one.
pub fn delete_confirm(ctx: &PageCtx, post: &Post, mention: &Mention, next: Option<&str>) -> Markup {
    let title = ctx.t("mentions.delete_question");
    layout::page(
        ctx,
        title,
        html! {
            section.confirm {
                h1 { (title) }
                p { (ctx.tf("mentions.delete_context", &[("name", &mention.summary.author_name), ("title", &post.title)])) }
                p { a href=(mention.source) rel="nofollow ugc" { (mention.source) } }
                p { (ctx.t("mentions.delete_warning")) }
                form method="post" action=(urls::webmention_delete(mention.id)) {
                    (csrf_input(ctx))
                    @if let Some(next) = next {
                        input type="hidden" name="next" value=(next);
                    }
                    div.actions {
                        button.danger type="submit" { (ctx.t("mentions.delete")) }
                        a href=(next.map_or_else(|| urls::post_mentions_section(&post.slug), str::to_string)) { (ctx.t("mentions.keep_it")) }
                    }
                }
            }
        },
    )
}
