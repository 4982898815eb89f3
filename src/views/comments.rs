//! Comments under a post: the list, the moderators' buttons, the form (or why there is
//! none), the switch that closes them; and the pages a refused comment gets.

use maud::{html, Markup};

use super::components::{csrf_input, field_errors, form_errors};
use super::{layout, PageCtx};
use crate::content::comment::MAX_BODY_CHARS;
use crate::content::{Comment, CommentStatus, Post, Problems, Slug};
use crate::urls;

/// What the comments section of one post shows this visitor.
pub struct Thread {
    pub slug: Slug,
    /// Oldest first; moderators get pending and hidden ones too.
    pub comments: Vec<Comment>,
    pub can_moderate: bool,
    pub closed: bool,
    /// Comments waiting for approval, told to moderators.
    pub waiting: u64,
    pub composer: Composer,
    /// The visitor just sent a comment that waits for approval.
    pub held: bool,
}

/// Who may write here, and so which form (if any) the section shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Composer {
    /// A signed-in user: the body field.
    Member,
    /// A visitor where `[comments] anonymous = true`: a name and the body.
    Visitor,
    /// A visitor where only members comment: a link to log in.
    LogIn,
    /// The post's comments are closed.
    Closed,
}

/// What the comment form holds: as typed, so a refused comment comes back unchanged.
pub struct CommentForm<'a> {
    pub name: &'a str,
    pub body: &'a str,
}

const EMPTY: CommentForm<'static> = CommentForm { name: "", body: "" };

/// The section under a post.
pub fn section(ctx: &PageCtx, thread: &Thread) -> Markup {
    html! {
        section #comments .comments {
            h2 { (ctx.t("comments.heading")) }
            // The moderators' switch sits apart from the comment form, under the
            // heading; closing asks first (its own page), opening does not.
            @if thread.can_moderate {
                (switch(ctx, &thread.slug, thread.closed))
            }
            @if thread.held {
                p.notice role="status" { (ctx.t("comments.held_notice")) }
            }
            @if thread.can_moderate && thread.waiting > 0 {
                p.notice { (ctx.tc("comments.waiting", thread.waiting, &[])) }
            }
            @if thread.comments.is_empty() {
                p.empty { (ctx.t("comments.none_yet")) }
            }
            ol.comment-list {
                @for comment in &thread.comments {
                    @let parent = comment.parent_id.and_then(|id| thread.comments.iter().find(|c| c.id == id));
                    li.reply[parent.is_some()] {
                        @if let Some(parent) = parent {
                            p.in-reply-to {
                                a href=(format!("#comment-{}", parent.id)) {
                                    (ctx.tf("comments.in_reply_to", &[("name", &parent.author_name)]))
                                }
                            }
                        }
                        (item(ctx, comment, thread.can_moderate))
                    }
                }
            }
            @match thread.composer {
                Composer::Member | Composer::Visitor => {
                    (form(ctx, &thread.slug, thread.composer, &EMPTY, &Problems::new()))
                }
                Composer::LogIn => {
                    p.comment-login {
                        a href=(urls::login_then(&urls::post(&thread.slug))) { (ctx.t("comments.log_in")) }
                    }
                }
                Composer::Closed => { p.comments-closed { (ctx.t("comments.closed")) } }
            }
        }
    }
}

fn item(ctx: &PageCtx, comment: &Comment, can_moderate: bool) -> Markup {
    let status = match comment.status {
        CommentStatus::Approved => None,
        CommentStatus::Pending => Some(("pending", ctx.t("comments.status_pending"))),
        CommentStatus::Hidden => Some(("hidden", ctx.t("comments.status_hidden"))),
    };
    html! {
        article.comment id=(format!("comment-{}", comment.id)) data-status=(comment.status.as_str()) {
            header.comment-meta {
                @if let Some(avatar) = &comment.author_avatar {
                    img.avatar.comment-avatar src=(urls::media(avatar)) alt="" width="48" height="48";
                }
                // The commenter's name is the comment's heading, under the section's h2.
                h3.commenter {
                    @if let Some(id) = comment.author_id {
                        a href=(urls::author(id)) { (comment.author_name) }
                    } @else if let Some(url) = &comment.remote_url {
                        a href=(url) rel="nofollow ugc noopener" { (comment.author_name) }
                    } @else {
                        (comment.author_name)
                    }
                }
                @if comment.remote_url.is_some() {
                    " " span.badge { (ctx.t("federation.via")) }
                } @else if comment.author_id.is_none() {
                    " " span.badge { (ctx.t("comments.guest")) }
                }
                " · " time datetime=(ctx.datetime(comment.created_at)) { (ctx.date(comment.created_at)) }
                @if let Some((class, label)) = status {
                    " " span class=(format!("badge {class}")) { (label) }
                }
            }
            div.comment-body { (comment.body) }
            @if can_moderate {
                (actions(ctx, comment))
            }
        }
    }
}

/// Approve (unless approved), hide (unless hidden), delete.
fn actions(ctx: &PageCtx, comment: &Comment) -> Markup {
    html! {
        div.comment-actions {
            @if comment.status != CommentStatus::Approved {
                form.inline method="post" action=(urls::comment_approve(comment.id)) {
                    (csrf_input(ctx))
                    button.primary type="submit" { (ctx.t("comments.approve")) }
                }
            }
            @if comment.status != CommentStatus::Hidden {
                form.inline method="post" action=(urls::comment_hide(comment.id)) {
                    (csrf_input(ctx))
                    button type="submit" { (ctx.t("comments.hide")) }
                }
            }
            // A GET: the page it opens asks before anything is deleted.
            a.button.danger href=(urls::comment_delete(comment.id)) { (ctx.t("comments.delete_ellipsis")) }
        }
    }
}

/// The post author's and admins' switch: "Close comments…" leads to the page that
/// asks; "Open comments" acts at once (nothing is lost by opening).
fn switch(ctx: &PageCtx, slug: &Slug, closed: bool) -> Markup {
    html! {
        div.comment-switch {
            @if closed {
                form.inline method="post" action=(urls::post_comments_open(slug)) {
                    (csrf_input(ctx))
                    button type="submit" { (ctx.t("comments.open")) }
                }
            } @else {
                a.button.quiet href=(urls::post_comments_close(slug)) { (ctx.t("comments.close_ellipsis")) }
            }
        }
    }
}

/// Asks before a post's comments close; the POST closes them.
pub fn close_confirm(ctx: &PageCtx, post: &Post) -> Markup {
    let title = ctx.tf("comments.close_question", &[("title", &post.title)]);
    layout::page(
        ctx,
        &title,
        html! {
            section.confirm {
                h1 { (title) }
                p { (ctx.t("comments.close_warning")) }
                form method="post" action=(urls::post_comments_close(&post.slug)) {
                    (csrf_input(ctx))
                    div.actions {
                        button.danger type="submit" { (ctx.t("comments.close")) }
                        a href=(urls::post_comments_section(&post.slug, urls::Notice::None)) { (ctx.t("comments.keep_open")) }
                    }
                }
            }
        },
    )
}

/// Asks before a comment is deleted, showing it; the POST deletes it and goes back
/// to `next` (the admin's list) when the page was opened with one.
pub fn delete_confirm(ctx: &PageCtx, post: &Post, comment: &Comment, next: Option<&str>) -> Markup {
    let title = ctx.t("comments.delete_question");
    let back = next
        .map(str::to_string)
        .unwrap_or_else(|| urls::comment_anchor(&post.slug, comment.id));
    layout::page(
        ctx,
        title,
        html! {
            section.confirm {
                h1 { (title) }
                p { (ctx.tf("comments.delete_context", &[("name", &comment.author_name), ("title", &post.title)])) }
                blockquote.comment-body { (comment.body) }
                p { (ctx.t("comments.delete_warning")) }
                form method="post" action=(urls::comment_delete(comment.id)) {
                    (csrf_input(ctx))
                    @if let Some(next) = next {
                        input type="hidden" name="next" value=(next);
                    }
                    div.actions {
                        button.danger type="submit" { (ctx.t("comments.delete")) }
                        a href=(back) { (ctx.t("comments.keep_it")) }
                    }
                }
            }
        },
    )
}

/// The comment form: a visitor also signs with a name.
pub fn form(
    ctx: &PageCtx,
    slug: &Slug,
    composer: Composer,
    values: &CommentForm,
    problems: &Problems,
) -> Markup {
    html! {
        form.comment-form method="post" action=(urls::post_comments(slug)) {
            (csrf_input(ctx))
            (form_errors(ctx, problems))
            @if composer == Composer::Visitor {
                div.field {
                    label for="comment-name" { (ctx.t("comments.name_label")) }
                    input #comment-name name="name" type="text" value=(values.name)
                        maxlength="60" autocomplete="name" required;
                    (field_errors(ctx, problems, "name"))
                }
            }
            div.field {
                label for="comment-body" { (ctx.t("comments.body_label")) }
                textarea #comment-body name="body" rows="5" maxlength=(MAX_BODY_CHARS) required { (values.body) }
                p.hint { (ctx.t("comments.body_hint")) }
                (field_errors(ctx, problems, "body"))
            }
            div.actions {
                button.primary type="submit" { (ctx.t("comments.submit")) }
            }
        }
    }
}

/// A refused comment (a problem with a field, or too many too fast), with the form
/// as it was typed.
pub fn form_page(
    ctx: &PageCtx,
    post: &Post,
    composer: Composer,
    values: &CommentForm,
    problems: &Problems,
) -> Markup {
    let title = ctx.tf("comments.form_title", &[("title", &post.title)]);
    layout::page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            (form(ctx, &post.slug, composer, values, problems))
            p { a href=(urls::post(&post.slug)) { (ctx.t("comments.back_to_post")) } }
        },
    )
}

/// Where a refused commenter is led.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WayOn {
    /// An account would let them comment: offer the login page.
    LogIn,
    BackToPost,
}

/// Why this visitor cannot comment on the post (closed, or members only), and the way
/// on: back to the post, or to the login page when an account would help.
pub fn refused(ctx: &PageCtx, post: &Post, message: &str, way_on: WayOn) -> Markup {
    let title = ctx.tf("comments.form_title", &[("title", &post.title)]);
    layout::page(
        ctx,
        &title,
        html! {
            section.error-page {
                h1 { (title) }
                p { (message) }
                @if way_on == WayOn::LogIn {
                    p { a href=(urls::login_then(&urls::post(&post.slug))) { (ctx.t("comments.log_in")) } }
                }
                p { a href=(urls::post(&post.slug)) { (ctx.t("comments.back_to_post")) } }
            }
        },
    )
}
