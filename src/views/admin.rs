//! The admin pages: the dashboard (counts, audit log) and the lists of posts, users,
//! comments waiting and media, each button a plain POST form with its CSRF token.

use maud::{html, Markup};

use super::components::{csrf_input, field, field_errors, form_errors, pagination, Field};
use super::{layout, PageCtx};
use crate::content::{Comment, Email, Pagination, Post, Problems, Role, Slug, User, UserId};
use crate::db::invitations::Pending;
use crate::urls;

/// The numbers the dashboard opens with.
#[derive(Debug, Clone, Default)]
pub struct Counts {
    pub posts: u64,
    pub drafts: u64,
    pub users: u64,
    pub comments_waiting: u64,
    pub media_files: u64,
    pub media_bytes: u64,
    /// What the media GC would delete now.
    pub orphan_files: u64,
    pub orphan_bytes: u64,
    pub database_bytes: u64,
    pub wal_bytes: u64,
    /// The outbox and the subscribers, when `[mail]` is on.
    pub mail: Option<MailCounts>,
}

/// What the dashboard says of mail.
#[derive(Debug, Clone)]
pub struct MailCounts {
    pub outbox: crate::db::outbox::Counts,
    pub subscribers: u64,
}

/// A file nothing uses, as the media page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orphan {
    pub path: String,
    pub bytes: u64,
}

/// One line of the audit log.
pub struct AuditRow {
    pub at: i64,
    pub actor: String,
    /// An action code (`post.publish`); unknown ones are shown as they are.
    pub action: String,
    pub target: String,
    pub detail: String,
}

/// A comment waiting for approval, with the post it is on.
pub struct Waiting {
    pub comment: Comment,
    pub post_slug: Slug,
    pub post_title: String,
}

/// One stored image with its copies, and what uses it, as the media page lists it.
pub struct MediaRow {
    /// The file readers are shown.
    pub path: String,
    pub url: String,
    pub width: u32,
    pub height: u32,
    /// Its files (the original and each copy for `srcset`) and their bytes together.
    pub files: u64,
    pub bytes: u64,
    pub posts: Vec<(Slug, String)>,
    pub avatar_of: Option<(UserId, String)>,
}

/// A page on the menu page: its position as saved, or as typed when the form came back.
pub struct MenuRow {
    pub page: Post,
    /// The `position_{id}` field; empty is not in the menu.
    pub position: String,
    /// The position typed is not one: marked, and named in the form's problems.
    pub refused: bool,
}

/// The invitation form on the users page: what was typed when it came back refused,
/// or the link just made (shown this once; mailed too when mail is on).
#[derive(Default)]
pub struct InviteForm {
    pub email: String,
    pub role: Option<Role>,
    pub problems: Problems,
    pub made: Option<InviteNotice>,
}

/// An invitation just made.
pub struct InviteNotice {
    pub email: String,
    pub url: String,
    /// Queued in the outbox, to the invitee.
    pub mailed: bool,
}

/// A reset link just made, shown this once.
pub struct ResetNotice {
    pub email: String,
    pub url: String,
}

/// What a GC run from the media page deleted.
pub struct Freed {
    pub files: Vec<Orphan>,
    pub bytes: u64,
}

/// Every admin page: its title, the admin menu, the content.
pub(super) fn admin_page(ctx: &PageCtx, title: &str, content: Markup) -> Markup {
    layout::page(
        ctx,
        title,
        html! {
            section.admin {
                nav.admin-menu aria-label=(ctx.t("admin.menu")) {
                    a href=(urls::admin()) { (ctx.t("admin.dashboard")) }
                    a href=(urls::admin_posts()) { (ctx.t("admin.posts")) }
                    a href=(urls::admin_users()) { (ctx.t("admin.users")) }
                    a href=(urls::admin_comments()) { (ctx.t("admin.comments")) }
                    a href=(urls::admin_media()) { (ctx.t("admin.media")) }
                    a href=(urls::admin_menu()) { (ctx.t("admin.site_menu")) }
                    a href=(urls::admin_settings()) { (ctx.t("admin.settings")) }
                    @if ctx.mail {
                        a href=(urls::admin_subscribers()) { (ctx.t("admin.subscribers")) }
                    }
                    a href=(urls::admin_redirects()) { (ctx.t("admin.redirects")) }
                }
                h1 { (title) }
                (content)
            }
        },
    )
}

pub fn dashboard(ctx: &PageCtx, counts: &Counts, audit: &[AuditRow]) -> Markup {
    let row = |key: &str, value: String, link: Option<String>| {
        html! {
            tr {
                th scope="row" {
                    @if let Some(link) = link { a href=(link) { (ctx.t(key)) } } @else { (ctx.t(key)) }
                }
                td { (value) }
            }
        }
    };
    let n = |n: u64| n.to_string();
    let files = |files: u64, bytes: u64| {
        ctx.tc(
            "admin.files_and_bytes",
            files,
            &[("size", &size(ctx, bytes))],
        )
    };
    admin_page(
        ctx,
        ctx.t("admin.dashboard"),
        html! {
            table.admin-counts #counts {
                tbody {
                    (row("admin.count_posts", n(counts.posts), Some(urls::admin_posts())))
                    (row("admin.count_drafts", n(counts.drafts), Some(urls::drafts())))
                    (row("admin.count_users", n(counts.users), Some(urls::admin_users())))
                    (row("admin.count_comments_waiting", n(counts.comments_waiting), Some(urls::admin_comments())))
                    (row("admin.count_media", files(counts.media_files, counts.media_bytes), Some(urls::admin_media())))
                    (row("admin.count_orphans", files(counts.orphan_files, counts.orphan_bytes), Some(urls::admin_media())))
                    (row("admin.count_database", size(ctx, counts.database_bytes), None))
                    (row("admin.count_wal", size(ctx, counts.wal_bytes), None))
                    @if let Some(mail) = &counts.mail {
                        (row("admin.count_subscribers", n(mail.subscribers), Some(urls::admin_subscribers())))
                        (row("admin.count_mail", ctx.tf("admin.mail_counts", &[("queued", &mail.outbox.queued), ("sent", &mail.outbox.sent), ("failed", &mail.outbox.failed)]), None))
                    }
                }
            }
            h2 { (ctx.t("admin.audit_log")) }
            @if audit.is_empty() {
                p.empty { (ctx.t("admin.audit_empty")) }
            } @else {
                table.admin-table #audit {
                    thead {
                        tr {
                            th { (ctx.t("admin.when")) }
                            th { (ctx.t("admin.who")) }
                            th { (ctx.t("admin.what")) }
                            th { (ctx.t("admin.target")) }
                            th { (ctx.t("admin.detail")) }
                        }
                    }
                    tbody {
                        @for entry in audit {
                            tr.audit-entry {
                                td data-label=(ctx.t("admin.when")) { time datetime=(ctx.datetime(entry.at)) { (ctx.date_time(entry.at)) } }
                                td data-label=(ctx.t("admin.who")) { (entry.actor) }
                                td.action data-label=(ctx.t("admin.what")) data-action=(entry.action) { (action_label(ctx, &entry.action)) }
                                td data-label=(ctx.t("admin.target")) { (entry.target) }
                                td data-label=(ctx.t("admin.detail")) { (entry.detail) }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn posts(ctx: &PageCtx, posts: &[Post], pages: &Pagination) -> Markup {
    admin_page(
        ctx,
        ctx.t("admin.posts"),
        html! {
            @if posts.is_empty() {
                p.empty { (ctx.t("admin.no_posts")) }
            } @else {
                table.admin-table #posts {
                    thead {
                        tr {
                            th { (ctx.t("admin.title")) }
                            th { (ctx.t("admin.author")) }
                            th { (ctx.t("admin.status")) }
                            th { (ctx.t("admin.actions")) }
                        }
                    }
                    tbody {
                        @for post in posts {
                            tr.admin-post data-slug=(post.slug) {
                                td data-label=(ctx.t("admin.title")) { a href=(urls::post(&post.slug)) { (post.title) } }
                                td data-label=(ctx.t("admin.author")) { a href=(urls::author(post.author_id)) { (post.author_name) } }
                                td data-label=(ctx.t("admin.status")) {
                                    @if let Some(at) = post.published_at {
                                        (ctx.t("admin.published")) " "
                                        time datetime=(ctx.datetime(at)) { (ctx.date(at)) }
                                    } @else {
                                        span.draft { (ctx.t("admin.draft")) }
                                    }
                                }
                                td.buttons data-label=(ctx.t("admin.actions")) {
                                    a href=(urls::post_edit(&post.slug)) { (ctx.t("admin.edit")) }
                                    @if post.published_at.is_some() {
                                        (button_back(ctx, &urls::post_unpublish(&post.slug), &urls::admin_posts(), "admin.unpublish"))
                                    } @else {
                                        (button_back(ctx, &urls::post_publish(&post.slug), &urls::admin_posts(), "admin.publish"))
                                    }
                                    // The post's own confirmation page asks, then comes back here.
                                    a.button.danger href=(urls::asking_then(&urls::post_delete(&post.slug), &urls::admin_posts())) { (ctx.t("admin.delete_ellipsis")) }
                                }
                            }
                        }
                    }
                }
            }
            (pagination(ctx, pages, &urls::admin_posts()))
        },
    )
}

/// Every page with its place in the site's menu, saved with one POST; a position left
/// empty keeps a page out of the menu.
pub fn menu(ctx: &PageCtx, rows: &[MenuRow], problems: &Problems) -> Markup {
    admin_page(
        ctx,
        ctx.t("admin.site_menu"),
        html! {
            p.hint { (ctx.t("admin.menu_hint")) " " a href=(urls::new_site_page()) { (ctx.t("admin.new_page")) } }
            @if rows.is_empty() {
                p.empty { (ctx.t("admin.no_pages")) }
            } @else {
                form #menu method="post" action=(urls::admin_menu()) {
                    (csrf_input(ctx))
                    (form_errors(ctx, problems))
                    (field_errors(ctx, problems, "position"))
                    table.admin-table {
                        thead {
                            tr {
                                th { (ctx.t("admin.title")) }
                                th { (ctx.t("admin.status")) }
                                th { (ctx.t("admin.menu_position")) }
                                th { (ctx.t("admin.actions")) }
                            }
                        }
                        tbody {
                            @for row in rows {
                                @let field = format!("position_{}", row.page.id.0);
                                tr.admin-page data-slug=(row.page.slug) {
                                    td data-label=(ctx.t("admin.title")) { a href=(urls::site_page(&row.page.slug)) { (row.page.title) } }
                                    td data-label=(ctx.t("admin.status")) {
                                        @if row.page.is_published() {
                                            (ctx.t("admin.published"))
                                        } @else {
                                            span.draft { (ctx.t("admin.draft")) }
                                        }
                                    }
                                    td data-label=(ctx.t("admin.menu_position")) {
                                        input type="number" name=(field) value=(row.position) min="0" step="1"
                                            aria-invalid=[row.refused.then_some("true")]
                                            aria-label=(ctx.tf("admin.menu_position_of", &[("title", &row.page.title)]));
                                    }
                                    td.buttons data-label=(ctx.t("admin.actions")) {
                                        a href=(urls::post_edit(&row.page.slug)) { (ctx.t("admin.edit")) }
                                    }
                                }
                            }
                        }
                    }
                    div.actions {
                        button.primary type="submit" { (ctx.t("admin.save_menu")) }
                    }
                }
            }
        },
    )
}

/// A redirect as the redirects page lists it.
pub struct RedirectRow {
    /// The old address, as kept (decoded).
    pub from: String,
    /// Where it leads, as the `Location` says it.
    pub to: String,
    /// `manual`, `wordpress`, `ghost`.
    pub source: String,
}

/// The add form as typed, when it came back with problems.
#[derive(Debug, Clone, Default)]
pub struct RedirectForm {
    pub from: String,
    pub to: String,
}

/// Every old address that answers 301, with where it leads and who added it; a form
/// adds one, a button on each removes it.
pub fn redirects(
    ctx: &PageCtx,
    rows: &[RedirectRow],
    pages: &Pagination,
    form: &RedirectForm,
    problems: &Problems,
) -> Markup {
    let from_field = Field {
        name: "from",
        label: ctx.t("admin.redirect_from"),
        kind: "text",
        value: &form.from,
        autocomplete: "off",
        required: true,
    };
    let to_field = Field {
        name: "to",
        label: ctx.t("admin.redirect_to"),
        kind: "text",
        value: &form.to,
        autocomplete: "off",
        required: true,
    };
    admin_page(
        ctx,
        ctx.t("admin.redirects"),
        html! {
            p.hint { (ctx.t("admin.redirects_hint")) }
            form #add-redirect method="post" action=(urls::admin_redirects()) {
                (csrf_input(ctx))
                (form_errors(ctx, problems))
                (field(ctx, &from_field, problems))
                (field(ctx, &to_field, problems))
                div.actions {
                    button.primary type="submit" { (ctx.t("admin.add_redirect")) }
                }
            }
            @if rows.is_empty() {
                p.empty { (ctx.t("admin.no_redirects")) }
            } @else {
                table.admin-table #redirects {
                    thead {
                        tr {
                            th { (ctx.t("admin.redirect_from")) }
                            th { (ctx.t("admin.redirect_to")) }
                            th { (ctx.t("admin.redirect_source")) }
                            th { (ctx.t("admin.actions")) }
                        }
                    }
                    tbody {
                        @for row in rows {
                            tr.redirect data-from=(row.from) {
                                td { code { (row.from) } }
                                td { a href=(row.to) { (percent_encoding::percent_decode_str(&row.to).decode_utf8_lossy()) } }
                                td { (row.source) }
                                td.buttons {
                                    form.inline method="post" action=(urls::admin_remove_redirect()) {
                                        (csrf_input(ctx))
                                        input type="hidden" name="from" value=(row.from);
                                        button type="submit" { (ctx.t("admin.remove_redirect")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pagination(ctx, pages, &urls::admin_redirects()))
        },
    )
}

pub fn users(
    ctx: &PageCtx,
    users: &[User],
    pages: &Pagination,
    me: UserId,
    notice: Option<&ResetNotice>,
    invite: &InviteForm,
    invitations: &[Pending],
) -> Markup {
    admin_page(
        ctx,
        ctx.t("admin.users"),
        html! {
            (invite_form(ctx, invite))
            @if let Some(notice) = notice {
                div.notice.reset-link role="status" {
                    p { (ctx.tf("admin.reset_link_for", &[("email", &notice.email)])) }
                    p { code #reset-link { (notice.url) } }
                    p.hint { (ctx.t("admin.reset_link_once")) }
                }
            }
            table.admin-table #users {
                thead {
                    tr {
                        th { (ctx.t("admin.email")) }
                        th { (ctx.t("admin.name")) }
                        th { (ctx.t("admin.role")) }
                        th { (ctx.t("admin.state")) }
                        th { (ctx.t("admin.actions")) }
                    }
                }
                tbody {
                    @for user in users {
                        tr.admin-user data-id=(user.id) {
                            td data-label=(ctx.t("admin.email")) { (user.email) }
                            td data-label=(ctx.t("admin.name")) { a href=(urls::author(user.id)) { (user.name()) } }
                            td data-label=(ctx.t("admin.role")) {
                                @if user.id == me {
                                    (role_label(ctx, user.role)) " " span.hint { (ctx.t("admin.you")) }
                                } @else {
                                    form.inline method="post" action=(urls::admin_set_role(user.id)) {
                                        (csrf_input(ctx))
                                        select name="role" aria-label=(ctx.t("admin.role")) {
                                            @for role in [Role::Admin, Role::Author, Role::Reader] {
                                                option value=(role.as_str()) selected[role == user.role] { (role_label(ctx, role)) }
                                            }
                                        }
                                        " "
                                        button type="submit" { (ctx.t("admin.change_role")) }
                                    }
                                }
                            }
                            td data-label=(ctx.t("admin.state")) {
                                @if user.is_active { (ctx.t("admin.active")) } @else { span.inactive { (ctx.t("admin.inactive")) } }
                            }
                            td.buttons data-label=(ctx.t("admin.actions")) {
                                @if user.id != me {
                                    @if user.is_active {
                                        (button(ctx, &urls::admin_deactivate(user.id), "admin.deactivate"))
                                    } @else {
                                        (button(ctx, &urls::admin_reactivate(user.id), "admin.reactivate"))
                                    }
                                }
                                (button(ctx, &urls::admin_reset_link(user.id), "admin.reset_link"))
                                (button(ctx, &urls::admin_logout(user.id), "admin.logout_everywhere"))
                            }
                        }
                    }
                }
            }
            (pagination(ctx, pages, &urls::admin_users()))
            @if !invitations.is_empty() {
                (pending_invitations(ctx, invitations))
            }
        },
    )
}

/// The invitations nobody has used yet, each with the way to revoke it.
fn pending_invitations(ctx: &PageCtx, invitations: &[Pending]) -> Markup {
    html! {
        h2 #pending-invitations { (ctx.t("admin.pending_invitations")) }
        table.admin-table #invitations {
            thead {
                tr {
                    th { (ctx.t("admin.email")) }
                    th { (ctx.t("admin.role")) }
                    th { (ctx.t("admin.invited_by")) }
                    th { (ctx.t("admin.invitation_expires")) }
                    th { (ctx.t("admin.actions")) }
                }
            }
            tbody {
                @for invitation in invitations {
                    tr.invitation {
                        td data-label=(ctx.t("admin.email")) { (invitation.email) }
                        td data-label=(ctx.t("admin.role")) { (role_label(ctx, invitation.role)) }
                        td data-label=(ctx.t("admin.invited_by")) {
                            @match &invitation.invited_by {
                                Some(admin) => (admin),
                                None => (ctx.t("admin.invited_by_cli")),
                            }
                        }
                        td data-label=(ctx.t("admin.invitation_expires")) {
                            time datetime=(ctx.datetime(invitation.expires_at)) { (ctx.date_time(invitation.expires_at)) }
                        }
                        td.buttons data-label=(ctx.t("admin.actions")) {
                            a.button.danger href=(urls::admin_revoke_invitation(&invitation.email)) { (ctx.t("admin.revoke_ellipsis")) }
                        }
                    }
                }
            }
        }
    }
}

/// Asks before the pending invitations for `email` are revoked, listing them; the
/// POST revokes them all.
pub fn revoke_invitation_confirm(ctx: &PageCtx, email: &Email, pending: &[Pending]) -> Markup {
    let title = ctx.tc(
        "admin.revoke_question",
        pending.len() as u64,
        &[("email", &email)],
    );
    layout::page(
        ctx,
        &title,
        html! {
            section.confirm {
                h1 { (title) }
                ul.revoked-invitations {
                    @for invitation in pending {
                        li {
                            (role_label(ctx, invitation.role)) " · "
                            (ctx.t("admin.invitation_expires")) " "
                            time datetime=(ctx.datetime(invitation.expires_at)) { (ctx.date_time(invitation.expires_at)) }
                        }
                    }
                }
                p { (ctx.t("admin.revoke_warning")) }
                form method="post" action=(urls::admin_revoke_invitation(email)) {
                    (csrf_input(ctx))
                    div.actions {
                        button.danger type="submit" { (ctx.t("admin.revoke")) }
                        a href=(urls::admin_users()) { (ctx.t("admin.keep_invitation")) }
                    }
                }
            }
        },
    )
}

/// Comments waiting, a page at a time, then the webmentions waiting (when federation
/// is on).
pub fn comments(
    ctx: &PageCtx,
    waiting: &[Waiting],
    mentions: &[crate::db::webmentions::Waiting],
    pages: &Pagination,
) -> Markup {
    admin_page(
        ctx,
        ctx.t("admin.comments"),
        html! {
            @if waiting.is_empty() {
                p.empty { (ctx.t("admin.no_comments_waiting")) }
            }
            @for item in waiting {
                article.admin-comment #{"comment-" (item.comment.id)} {
                    h2 {
                        (ctx.tf("admin.comment_by", &[("name", &item.comment.author_name)]))
                    }
                    p.meta {
                        a href=(urls::post(&item.post_slug)) { (item.post_title) }
                        " · "
                        time datetime=(ctx.datetime(item.comment.created_at)) { (ctx.date_time(item.comment.created_at)) }
                    }
                    div.comment-body { (item.comment.body) }
                    p.buttons {
                        (button_back(ctx, &urls::comment_approve(item.comment.id), &urls::admin_comments(), "admin.approve"))
                        (button_back(ctx, &urls::comment_hide(item.comment.id), &urls::admin_comments(), "admin.hide"))
                        a.button.danger href=(urls::asking_then(&urls::comment_delete(item.comment.id), &urls::admin_comments())) { (ctx.t("admin.delete_ellipsis")) }
                    }
                }
            }
            (pagination(ctx, pages, &urls::admin_comments()))
            (super::webmentions::waiting(ctx, mentions))
        },
    )
}

pub fn media(
    ctx: &PageCtx,
    files: &[MediaRow],
    pages: &Pagination,
    orphans: &[Orphan],
    freed: Option<&Freed>,
) -> Markup {
    admin_page(
        ctx,
        ctx.t("admin.media"),
        html! {
            @if let Some(freed) = freed {
                div.notice.gc-freed role="status" {
                    p {
                        (ctx.tc("admin.gc_freed", freed.files.len() as u64, &[
                            ("size", &size(ctx, freed.bytes)),
                        ]))
                    }
                    @if !freed.files.is_empty() {
                        ul {
                            @for Orphan { path, bytes } in &freed.files {
                                li { code { (path) } " · " (size(ctx, *bytes)) }
                            }
                        }
                    }
                }
            }
            h2 { (ctx.t("admin.orphans")) }
            p.hint { (ctx.t("admin.orphans_hint")) }
            @if orphans.is_empty() {
                p.empty #orphans { (ctx.t("admin.no_orphans")) }
            } @else {
                ul #orphans {
                    @for Orphan { path, bytes } in orphans {
                        li { code { (path) } " · " (size(ctx, *bytes)) }
                    }
                }
            }
            form.inline method="post" action=(urls::admin_run_gc()) {
                (csrf_input(ctx))
                button type="submit" { (ctx.t("admin.run_gc")) }
            }
            h2 { (ctx.t("admin.files")) }
            @if files.is_empty() {
                p.empty { (ctx.t("admin.no_files")) }
            } @else {
                table.admin-table #media {
                    thead {
                        tr {
                            th { (ctx.t("admin.file")) }
                            th { (ctx.t("admin.size")) }
                            th { (ctx.t("admin.used_by")) }
                        }
                    }
                    tbody {
                        @for file in files {
                            tr.admin-file {
                                td.file data-label=(ctx.t("admin.file")) {
                                    a href=(file.url) title=(file.path) { code { (file.path) } }
                                    " " span.hint { (file.width) " × " (file.height) }
                                }
                                td data-label=(ctx.t("admin.size")) {
                                    (ctx.tc("admin.files_and_bytes", file.files, &[("size", &size(ctx, file.bytes))]))
                                }
                                td data-label=(ctx.t("admin.used_by")) {
                                    @for (slug, title) in &file.posts {
                                        a href=(urls::post(slug)) { (title) } " "
                                    }
                                    @if let Some((id, email)) = &file.avatar_of {
                                        a href=(urls::author(*id)) { (ctx.tf("admin.avatar_of", &[("email", email)])) }
                                    }
                                    @if file.posts.is_empty() && file.avatar_of.is_none() {
                                        span.hint { (ctx.t("admin.unused")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            (pagination(ctx, pages, &urls::admin_media()))
        },
    )
}

/// One button that POSTs to `action`.
/// Invite someone by address and role; the link made shows above the form, once.
fn invite_form(ctx: &PageCtx, invite: &InviteForm) -> Markup {
    let chosen = invite.role.unwrap_or(Role::Author);
    html! {
        section.invite {
            h2 { (ctx.t("admin.invite")) }
            @if let Some(made) = &invite.made {
                div.notice.invitation-link role="status" {
                    @if made.mailed {
                        p { (ctx.tf("admin.invitation_mailed", &[("email", &made.email)])) }
                    } @else {
                        p { (ctx.tf("admin.invitation_for", &[("email", &made.email)])) }
                    }
                    p { code #invitation-link { (made.url) } }
                    p.hint { (ctx.t("admin.invitation_once")) }
                }
            }
            form #invite method="post" action=(urls::admin_invite()) {
                (csrf_input(ctx))
                (form_errors(ctx, &invite.problems))
                div.field {
                    label for="invite-email" { (ctx.t("admin.email")) }
                    input #invite-email name="email" type="email" required value=(invite.email) autocomplete="off";
                    (field_errors(ctx, &invite.problems, "email"))
                }
                div.field {
                    label for="invite-role" { (ctx.t("admin.role")) }
                    select #invite-role name="role" {
                        @for role in [Role::Author, Role::Reader, Role::Admin] {
                            option value=(role.as_str()) selected[role == chosen] { (role_label(ctx, role)) }
                        }
                    }
                }
                div.actions { button.primary type="submit" { (ctx.t("admin.send_invitation")) } }
            }
        }
    }
}

fn button(ctx: &PageCtx, action: &str, label: &'static str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf_input(ctx))
            button type="submit" { (ctx.t(label)) }
        }
    }
}

/// A button that POSTs to the same route as the author's own button, and asks to come
/// back here (`next`) rather than to the post.
fn button_back(ctx: &PageCtx, action: &str, next: &str, label: &'static str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf_input(ctx))
            input type="hidden" name="next" value=(next);
            button type="submit" { (ctx.t(label)) }
        }
    }
}

fn role_label(ctx: &PageCtx, role: Role) -> &'static str {
    ctx.t(match role {
        Role::Admin => "admin.role_admin",
        Role::Author => "admin.role_author",
        Role::Reader => "admin.role_reader",
    })
}

/// The audit log's words for an action code; a code this build does not know (from a
/// newer version) shows as it is.
fn action_label<'a>(ctx: &PageCtx, code: &'a str) -> &'a str {
    let key = match code {
        "post.publish" => "admin.action_post_publish",
        "post.unpublish" => "admin.action_post_unpublish",
        "post.delete" => "admin.action_post_delete",
        "comment.approve" => "admin.action_comment_approve",
        "comment.hide" => "admin.action_comment_hide",
        "comment.delete" => "admin.action_comment_delete",
        "user.role" => "admin.action_user_role",
        "user.deactivate" => "admin.action_user_deactivate",
        "user.reactivate" => "admin.action_user_reactivate",
        "user.reset_link" => "admin.action_user_reset_link",
        "user.delete" => "admin.action_user_delete",
        "media.gc" => "admin.action_media_gc",
        "menu.order" => "admin.action_menu_order",
        "user.invite" => "admin.action_user_invite",
        "user.join" => "admin.action_user_join",
        "user.invite_revoke" => "admin.action_user_invite_revoke",
        "site.settings" => "admin.action_site_settings",
        "account.login" => "admin.action_account_login",
        "account.second_factor_failed" => "admin.action_account_second_factor_failed",
        "account.factor_added" => "admin.action_account_factor_added",
        "account.factor_removed" => "admin.action_account_factor_removed",
        "account.recovery_code_used" => "admin.action_account_recovery_code_used",
        "account.recovery_codes_renewed" => "admin.action_account_recovery_codes_renewed",
        "account.two_factor_reset" => "admin.action_account_two_factor_reset",
        "account.sessions_ended" => "admin.action_account_sessions_ended",
        "account.password_changed" => "admin.action_account_password_changed",
        "redirect.add" => "admin.action_redirect_add",
        "redirect.remove" => "admin.action_redirect_remove",
        _ => return code,
    };
    ctx.t(key)
}

/// Exact bytes, with a rounded size beside them once there are many.
fn size(ctx: &PageCtx, bytes: u64) -> String {
    let exact = ctx.tc("admin.bytes", bytes, &[]);
    if bytes < 1024 {
        return exact;
    }
    format!("{} ({exact})", crate::files::human_size(bytes))
}

/// Every subscription, with the CSV export.
pub fn subscribers(ctx: &PageCtx, subscribers: &[crate::db::subscribers::Subscriber]) -> Markup {
    admin_page(
        ctx,
        ctx.t("admin.subscribers"),
        html! {
            p { a href=(urls::admin_subscribers_csv()) download="subscribers.csv" { (ctx.t("admin.subscribers_csv")) } }
            @if subscribers.is_empty() {
                p.empty { (ctx.t("admin.subscribers_none")) }
            } @else {
                table.admin-table #subscribers {
                    thead { tr {
                        th { (ctx.t("accounts.email")) }
                        th { (ctx.t("admin.subscribed_to")) }
                        th { (ctx.t("admin.subscribed_since")) }
                        th { (ctx.t("admin.subscription_state")) }
                    } }
                    tbody {
                        @for subscriber in subscribers {
                            tr {
                                td data-label=(ctx.t("accounts.email")) { (subscriber.email) }
                                td data-label=(ctx.t("admin.subscribed_to")) { (subscriber.author_name.as_deref().unwrap_or(ctx.t("admin.whole_blog"))) }
                                td data-label=(ctx.t("admin.subscribed_since")) { (ctx.date(subscriber.created_at)) }
                                td data-label=(ctx.t("admin.subscription_state")) {
                                    @if subscriber.confirmed_at.is_some() { (ctx.t("admin.confirmed")) }
                                    @else { (ctx.t("admin.unconfirmed")) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Language;

    #[test]
    fn sizes_keep_the_exact_count() {
        let ctx = PageCtx::sample(Language::En);
        assert_eq!(size(&ctx, 22), "22 bytes");
        assert_eq!(size(&ctx, 1), "1 byte");
        assert_eq!(size(&ctx, 3 * 1024 + 400), "3.4 KiB (3472 bytes)");
    }

    #[test]
    fn unknown_actions_show_their_code() {
        let ctx = PageCtx::sample(Language::En);
        assert_eq!(action_label(&ctx, "post.publish"), "published");
        assert_eq!(action_label(&ctx, "post.renamed"), "post.renamed");
    }
}
