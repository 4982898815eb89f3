//! `/admin`: the dashboard (counts, the audit log) and its lists of posts, users,
//! comments waiting and media, with the buttons that act on them. Admins only:
//! everyone else, visitors included, gets 403 before anything is looked up, so the
//! pages do not even tell whether a post or an account exists. Every action is a POST
//! (the CSRF check in `web::handle` comes first) to an action in `actions`, which writes
//! one audit row in the same transaction as its change. The buttons on posts and
//! comments post to the authors' own routes, with `next` leading back here.

use http::StatusCode;
use rusqlite::Connection;

use super::request::Ctx;
use super::router::{AdminAction, AdminPage};
use super::WebError;
use crate::actions::invitations::Delivery;
use crate::actions::{self, media::Pass, pages::MenuPlace, users::Activity, ActionError};
use crate::content::problems::Message;
use crate::content::redirect::{OldPath, Target};
use crate::content::{Email, PageNumber, Pagination, Problems, Role, User, UserId};

use crate::db;
use crate::db::invitations::Pending;
use crate::media::gc;
use crate::serving::response::{self, Response};
use crate::urls;
use crate::views::admin::{
    self as view, AuditRow, Counts, Freed, InviteForm, InviteNotice, MailCounts, MediaRow, MenuRow,
    Orphan, RedirectForm, RedirectRow, ResetNotice, Waiting,
};
use crate::views::syndication::rfc3339;

/// Rows on one page of a list.
const PER_PAGE: u32 = 50;

/// Audit rows on the dashboard.
const AUDIT_ROWS: u32 = 50;

pub async fn show(ctx: &Ctx, page: AdminPage) -> Result<Response, WebError> {
    require_admin(ctx)?;
    let response = match page {
        AdminPage::Dashboard => dashboard(ctx).await?,
        AdminPage::Posts => posts(ctx).await?,
        AdminPage::Users => users(ctx, None, &InviteForm::default()).await?,
        AdminPage::Comments => comments(ctx).await?,
        AdminPage::Media => media(ctx, None).await?,
        AdminPage::Menu => menu(ctx).await?,
        AdminPage::Settings => super::settings::show(ctx).await?,
        AdminPage::Subscribers => subscribers(ctx).await?,
        AdminPage::SubscribersCsv => subscribers_csv(ctx).await?,
        AdminPage::Redirects => redirects(ctx, &RedirectForm::default(), &Problems::new()).await?,
        AdminPage::RevokeInvitation(email) => revoke_invitation_confirm(ctx, email).await?,
    };
    // Never stored, by any cache: see `Route::is_never_stored`.
    Ok(response)
}

pub async fn act(ctx: &Ctx, action: AdminAction) -> Result<Response, WebError> {
    require_admin(ctx)?;
    let response = match action {
        AdminAction::SetRole(id) => set_role(ctx, id).await?,
        AdminAction::Deactivate(id) => set_activity(ctx, id, Activity::Inactive).await?,
        AdminAction::Reactivate(id) => set_activity(ctx, id, Activity::Active).await?,
        AdminAction::ResetLink(id) => reset_link(ctx, id).await?,
        AdminAction::Logout(id) => logout(ctx, id).await?,
        AdminAction::RunGc => run_gc(ctx).await?,
        AdminAction::SaveMenu => save_menu(ctx).await?,
        AdminAction::AddRedirect => add_redirect(ctx).await?,
        AdminAction::RemoveRedirect => remove_redirect(ctx).await?,
        AdminAction::Invite => invite(ctx).await?,
        AdminAction::RevokeInvitation(email) => revoke_invitation(ctx, email).await?,
        AdminAction::SaveSettings => super::settings::save(ctx).await?,
    };
    // Never stored, by any cache: see `Route::is_never_stored`.
    Ok(response)
}

/// The outbox and the subscribers, when mail is on.
async fn mail_counts(ctx: &Ctx) -> Result<Option<MailCounts>, WebError> {
    if ctx.app.letters.is_none() {
        return Ok(None);
    }
    let (outbox, subscribers) = ctx
        .app
        .db
        .read(|conn| {
            Ok((
                db::outbox::counts(conn)?,
                db::subscribers::count_confirmed(conn)?,
            ))
        })
        .await?;
    Ok(Some(MailCounts {
        outbox,
        subscribers,
    }))
}

/// Every subscription (404 with mail off).
async fn subscribers(ctx: &Ctx) -> Result<Response, WebError> {
    if ctx.app.letters.is_none() {
        return Err(WebError::NotFound);
    }
    let all = ctx.app.db.read(db::subscribers::all).await?;
    Ok(response::html(
        StatusCode::OK,
        view::subscribers(&ctx.page(), &all),
    ))
}

/// The subscriptions as CSV (`email,author,subscribed_at,confirmed_at`, times in
/// RFC 3339), for a spreadsheet or another mailer.
async fn subscribers_csv(ctx: &Ctx) -> Result<Response, WebError> {
    if ctx.app.letters.is_none() {
        return Err(WebError::NotFound);
    }
    let all = ctx.app.db.read(db::subscribers::all).await?;
    let mut csv = String::from("email,author,subscribed_at,confirmed_at\r\n");
    for subscriber in &all {
        let fields = [
            subscriber.email.clone(),
            subscriber.author_name.clone().unwrap_or_default(),
            rfc3339(subscriber.created_at),
            subscriber.confirmed_at.map(rfc3339).unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    }
    let mut answer = response::document(
        "text/csv; charset=utf-8",
        csv,
        http::HeaderValue::from_static(crate::serving::cache_control::NEVER_STORED),
    );
    answer.headers_mut().insert(
        http::header::CONTENT_DISPOSITION,
        http::HeaderValue::from_static("attachment; filename=\"subscribers.csv\""),
    );
    Ok(answer)
}

/// A CSV field (RFC 4180), quoted when it must be; a leading `=`, `+`, `-` or `@` is
/// quoted behind an apostrophe so a spreadsheet never runs it as a formula.
fn csv_field(value: &str) -> String {
    let value = match value.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{value}"),
        _ => value.to_string(),
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

/// 403 for visitors too, not a login redirect: the dashboard is not a page a visitor
/// is meant to find.
fn require_admin(ctx: &Ctx) -> Result<&User, WebError> {
    match &ctx.user {
        Some(user) if user.role == Role::Admin => Ok(user),
        _ => Err(WebError::Forbidden),
    }
}

async fn dashboard(ctx: &Ctx) -> Result<Response, WebError> {
    let (counts, audit) = ctx
        .app
        .db
        .read(|conn| {
            Ok((
                db::admin::counts(conn)?,
                db::audit::latest(conn, AUDIT_ROWS)?,
            ))
        })
        .await?;
    let orphans = orphans(ctx).await?;
    let database = ctx.app.config.storage.database();
    let mut wal = database.clone().into_os_string();
    wal.push("-wal");
    let counts = Counts {
        posts: counts.posts,
        drafts: counts.drafts,
        users: counts.users,
        comments_waiting: counts.comments_waiting,
        media_files: counts.media_files,
        media_bytes: counts.media_bytes,
        orphan_files: orphans.files.len() as u64,
        orphan_bytes: orphans.bytes(),
        database_bytes: file_size(&database).await,
        wal_bytes: file_size(std::path::Path::new(&wal)).await,
        mail: mail_counts(ctx).await?,
    };
    let audit: Vec<AuditRow> = audit
        .into_iter()
        .map(|e| AuditRow {
            at: e.at,
            actor: e.actor_email,
            action: e.action,
            target: e.target,
            detail: e.detail,
        })
        .collect();
    Ok(response::html(
        StatusCode::OK,
        view::dashboard(&ctx.page(), &counts, &audit),
    ))
}

/// 0 when the file is missing (no WAL right after a checkpoint).
async fn file_size(path: &std::path::Path) -> u64 {
    tokio::fs::metadata(path).await.map_or(0, |m| m.len())
}

/// What the media GC would delete now: the GC itself, in a dry run.
async fn orphans(ctx: &Ctx) -> Result<gc::Report, WebError> {
    gc_pass(ctx, Pass::DryRun).await
}

async fn gc_pass(ctx: &Ctx, pass: Pass) -> Result<gc::Report, WebError> {
    let actor = ctx.actor()?;
    let grace = ctx.app.config.media.gc_grace;
    let report = ctx
        .app
        .act(move |blog| {
            actions::media::collect_garbage(blog, &actor, grace, pass, &mut |path, bytes| {
                if pass == Pass::Delete {
                    tracing::info!("media gc (from /admin): deleted {path} ({bytes} bytes)");
                }
            })
        })
        .await?;
    Ok(report)
}

/// The page of a list that `?page=` asks for (404 past the end), with its rows.
async fn paged<T: Send + 'static>(
    ctx: &Ctx,
    count: fn(&Connection) -> rusqlite::Result<u64>,
    list: fn(&Connection, u32, u64) -> rusqlite::Result<Vec<T>>,
) -> Result<(Pagination, Vec<T>), WebError> {
    let page = PageNumber::parse(ctx.query("page")).ok_or(WebError::NotFound)?;
    ctx.app
        .db
        .read(move |conn| {
            let Some(pages) = Pagination::new(page, PER_PAGE, count(conn)?) else {
                return Ok(None);
            };
            Ok(Some((pages, list(conn, PER_PAGE, pages.offset())?)))
        })
        .await?
        .ok_or(WebError::NotFound)
}

async fn posts(ctx: &Ctx) -> Result<Response, WebError> {
    let (pages, posts) = paged(
        ctx,
        |conn| db::admin::counts(conn).map(|c| c.posts),
        db::admin::posts,
    )
    .await?;
    Ok(response::html(
        StatusCode::OK,
        view::posts(&ctx.page(), &posts, &pages),
    ))
}

async fn users(
    ctx: &Ctx,
    notice: Option<ResetNotice>,
    invite: &InviteForm,
) -> Result<Response, WebError> {
    let (pages, users) = paged(
        ctx,
        |conn| db::admin::counts(conn).map(|c| c.users),
        db::admin::users,
    )
    .await?;
    let invitations = pending_invitations(ctx).await?;
    let me = ctx.user.as_ref().map_or(UserId(0), |u| u.id);
    Ok(response::html(
        StatusCode::OK,
        view::users(
            &ctx.page(),
            &users,
            &pages,
            me,
            notice.as_ref(),
            invite,
            &invitations,
        ),
    ))
}

async fn pending_invitations(ctx: &Ctx) -> Result<Vec<Pending>, WebError> {
    let now = db::now_ms();
    Ok(ctx
        .app
        .db
        .read(move |conn| db::invitations::pending(conn, now))
        .await?)
}

/// Asks before revoking the pending invitations for `email`; 404 when it has none.
async fn revoke_invitation_confirm(ctx: &Ctx, email: Email) -> Result<Response, WebError> {
    let pending: Vec<Pending> = pending_invitations(ctx)
        .await?
        .into_iter()
        .filter(|invitation| invitation.email == email)
        .collect();
    if pending.is_empty() {
        return Err(WebError::NotFound);
    }
    Ok(response::html(
        StatusCode::OK,
        view::revoke_invitation_confirm(&ctx.page(), &email, &pending),
    ))
}

/// Revokes them (the confirmation page's POST) and goes back to the users page.
async fn revoke_invitation(ctx: &Ctx, email: Email) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    ctx.app
        .act(move |blog| actions::invitations::revoke(blog, &actor, &email))
        .await?;
    Ok(response::redirect(&urls::admin_users()))
}

async fn comments(ctx: &Ctx) -> Result<Response, WebError> {
    let (pages, waiting) = paged(
        ctx,
        |conn| db::comments::count_waiting(conn, None),
        db::admin::waiting_comments,
    )
    .await?;
    let waiting: Vec<Waiting> = waiting
        .into_iter()
        .map(|waiting| Waiting {
            comment: waiting.comment,
            post_slug: waiting.post_slug,
            post_title: waiting.post_title,
        })
        .collect();
    // Webmentions wait on the same page, when federation is on.
    let mentions = match ctx.app.webmentions {
        Some(_) => {
            ctx.app
                .db
                .read(|conn| db::webmentions::waiting(conn, PER_PAGE))
                .await?
        }
        None => Vec::new(),
    };
    Ok(response::html(
        StatusCode::OK,
        view::comments(&ctx.page(), &waiting, &mentions, &pages),
    ))
}

async fn media(ctx: &Ctx, freed: Option<Freed>) -> Result<Response, WebError> {
    let (pages, items) = paged(ctx, db::admin::count_media, db::admin::media).await?;
    let files: Vec<MediaRow> = items
        .into_iter()
        .map(|item| MediaRow {
            url: urls::media(&item.path),
            path: item.path,
            width: item.width,
            height: item.height,
            files: item.files,
            bytes: item.bytes,
            posts: item.posts,
            avatar_of: item.avatar_of,
        })
        .collect();
    let orphans = listed(orphans(ctx).await?.files);
    Ok(response::html(
        StatusCode::OK,
        view::media(&ctx.page(), &files, &pages, &orphans, freed.as_ref()),
    ))
}

async fn set_role(ctx: &Ctx, id: UserId) -> Result<Response, WebError> {
    let role: Role = ctx
        .form
        .get("role")
        .parse()
        .map_err(|_| WebError::BadRequest("admin.bad_role"))?;
    let actor = ctx.actor()?;
    ctx.app
        .act(move |blog| actions::users::set_role(blog, &actor, id, role))
        .await?;
    Ok(response::redirect(&urls::admin_users()))
}

/// Deactivating also ends the account's sessions.
async fn set_activity(ctx: &Ctx, id: UserId, activity: Activity) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    ctx.app
        .act(move |blog| actions::users::set_activity(blog, &actor, id, activity))
        .await?;
    Ok(response::redirect(&urls::admin_users()))
}

/// Ends every session of the account (the admin's own too, if they ask).
async fn logout(ctx: &Ctx, id: UserId) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    ctx.app
        .act(move |blog| actions::sessions::end_all(blog, &actor, id))
        .await?;
    Ok(response::redirect(&urls::admin_users()))
}

/// Answers with the users page itself, the link shown on it this once: only its hash
/// is stored, so nobody can show it again.
async fn reset_link(ctx: &Ctx, id: UserId) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let base_url = ctx.app.config.site.base_url.clone();
    let (user, url) = ctx
        .app
        .act(move |blog| actions::users::reset_link(blog, &actor, id, &base_url))
        .await?;
    let notice = ResetNotice {
        email: user.email.to_string(),
        url,
    };
    users(ctx, Some(notice), &InviteForm::default()).await
}

/// Makes a one-time invitation (mailed when mail is on) and answers the users page
/// with its link shown this once; a bad address or a taken one comes back 422.
async fn invite(ctx: &Ctx) -> Result<Response, WebError> {
    let typed = ctx.form.get("email").to_string();
    let role: Role = ctx
        .form
        .get("role")
        .parse()
        .map_err(|_| WebError::BadRequest("admin.bad_role"))?;
    let refused = |problems: Problems| InviteForm {
        email: typed.clone(),
        role: Some(role),
        problems,
        made: None,
    };
    let email: Email = match typed.parse() {
        Ok(email) => email,
        Err(err) => {
            let form = refused(Problems::of("email", err.message()));
            return Ok(unprocessable(users(ctx, None, &form).await?));
        }
    };
    let (actor, base_url) = (ctx.actor()?, ctx.app.config.site.base_url.clone());
    let to = email.clone();
    let made = ctx
        .app
        .act(move |blog| actions::invitations::invite(blog, &actor, &to, role, &base_url))
        .await;
    let invited = match made {
        Ok(invited) => invited,
        Err(ActionError::Refused(why)) => {
            let form = refused(Problems::of("email", why));
            return Ok(unprocessable(users(ctx, None, &form).await?));
        }
        Err(err) => return Err(err.into()),
    };
    let form = InviteForm {
        made: Some(InviteNotice {
            email: email.to_string(),
            url: invited.url,
            mailed: invited.delivery == Delivery::Mailed,
        }),
        ..InviteForm::default()
    };
    users(ctx, None, &form).await
}

/// The same page, answered 422: the form came back refused.
fn unprocessable(mut page: Response) -> Response {
    *page.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    page
}

/// The GC's files as the media page lists them.
fn listed(files: Vec<gc::Orphan>) -> Vec<Orphan> {
    files
        .into_iter()
        .map(|file| Orphan {
            path: file.path,
            bytes: file.bytes,
        })
        .collect()
}

/// Runs the GC for real and answers with the media page listing what it freed.
async fn run_gc(ctx: &Ctx) -> Result<Response, WebError> {
    let report = gc_pass(ctx, Pass::Delete).await?;
    let freed = Freed {
        bytes: report.bytes(),
        files: listed(report.files),
    };
    media(ctx, Some(freed)).await
}

/// Every page with its place in the menu.
async fn menu(ctx: &Ctx) -> Result<Response, WebError> {
    let pages = ctx.app.db.read(db::pages::all).await?;
    let rows: Vec<MenuRow> = pages
        .into_iter()
        .map(|page| MenuRow {
            position: page
                .menu_position
                .map(|n| n.to_string())
                .unwrap_or_default(),
            page,
            refused: false,
        })
        .collect();
    Ok(response::html(
        StatusCode::OK,
        view::menu(&ctx.page(), &rows, &Problems::new()),
    ))
}

/// Saves every page's place at once (`position_{id}`: a whole number, or empty for
/// none); 422 with the form as typed when one is not a number.
async fn save_menu(ctx: &Ctx) -> Result<Response, WebError> {
    let pages = ctx.app.db.read(db::pages::all).await?;
    let mut problems = Problems::new();
    let mut places = Vec::with_capacity(pages.len());
    let mut rows = Vec::with_capacity(pages.len());
    for page in pages {
        let typed = ctx.form.get(&format!("position_{}", page.id.0)).trim();
        let position = match typed {
            "" => Ok(None),
            n => n.parse::<u32>().map(|n| Some(i64::from(n))),
        };
        let refused = position.is_err();
        match position {
            Ok(position) => places.push(MenuPlace {
                page: page.id,
                position,
            }),
            Err(_) => problems.add(
                "position",
                Message::from("problems.menu_position").with("title", &page.title),
            ),
        }
        rows.push(MenuRow {
            page,
            position: typed.to_string(),
            refused,
        });
    }
    if !problems.is_empty() {
        return Ok(response::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            view::menu(&ctx.page(), &rows, &problems),
        ));
    }
    let actor = ctx.actor()?;
    ctx.app
        .act(move |blog| actions::pages::set_menu(blog, &actor, &places))
        .await?;
    Ok(response::redirect(&urls::admin_menu()))
}

/// Every redirect, a page at a time, with the add form (as typed, when it came back).
async fn redirects(
    ctx: &Ctx,
    form: &RedirectForm,
    problems: &Problems,
) -> Result<Response, WebError> {
    let (pages, rows) = paged(ctx, db::redirects::count, db::redirects::page).await?;
    let rows: Vec<RedirectRow> = rows
        .into_iter()
        .map(|row| RedirectRow {
            from: row.from.to_string(),
            to: row.to.to_string(),
            source: row.source,
        })
        .collect();
    Ok(response::html(
        problems.status(),
        view::redirects(&ctx.page(), &rows, &pages, form, problems),
    ))
}

/// Adds the form's `from` → `to`; 422 with the form as typed when either is refused.
async fn add_redirect(ctx: &Ctx) -> Result<Response, WebError> {
    let form = RedirectForm {
        from: ctx.form.get("from").trim().to_string(),
        to: ctx.form.get("to").trim().to_string(),
    };
    let mut problems = Problems::new();
    let from = OldPath::parse(&form.from)
        .map_err(|_| problems.add("from", Message::from("problems.redirect_from")))
        .ok();
    let to = Target::parse(&form.to)
        .map_err(|_| problems.add("to", Message::from("problems.redirect_to")))
        .ok();
    let (Some(from), Some(to)) = (from, to) else {
        return redirects(ctx, &form, &problems).await;
    };
    let actor = ctx.actor()?;
    let added = ctx
        .app
        .act(move |blog| actions::redirects::add(blog, &actor, &from, &to))
        .await;
    match added {
        Ok(_) => Ok(response::redirect(&urls::admin_redirects())),
        Err(ActionError::Refused(key)) => {
            redirects(ctx, &form, &Problems::of("from", Message::from(key))).await
        }
        Err(err) => Err(err.into()),
    }
}

/// Removes the redirect from the form's `from`; 404 when there is none.
async fn remove_redirect(ctx: &Ctx) -> Result<Response, WebError> {
    let from = OldPath::parse(ctx.form.get("from")).map_err(|_| WebError::NotFound)?;
    let actor = ctx.actor()?;
    let removed = ctx
        .app
        .act(move |blog| actions::redirects::remove(blog, &actor, &from))
        .await?;
    if !removed {
        return Err(WebError::NotFound);
    }
    Ok(response::redirect(&urls::admin_redirects()))
}
