//! Handlers of the pages about mail: "forgot your password?", subscribing, and the
//! signed links in mails (confirm, unsubscribe). With `[mail]` off, every one is a 404.

use http::StatusCode;

use super::request::Ctx;
use super::WebError;
use crate::actions::subscribers::{self, Subscribed};
use crate::actions::{self, ActionError};
use crate::content::problems::FORM;
use crate::content::{Email, Problems, UserId};
use crate::db;
use crate::mail::links::Signed;
use crate::mail::Letters;
use crate::serving::response::{self, Response};
use crate::urls;
use crate::views;

fn letters(ctx: &Ctx) -> Result<&Letters, WebError> {
    ctx.app.letters.as_ref().ok_or(WebError::NotFound)
}

pub fn forgot_form(ctx: &Ctx) -> Result<Response, WebError> {
    letters(ctx)?;
    Ok(response::html(
        StatusCode::OK,
        views::subscriptions::forgot(&ctx.form_page(), "", &Problems::new()),
    ))
}

/// The same page whether the address has an account or not (see
/// `actions::users::forgot_password`).
pub async fn forgot(ctx: &Ctx) -> Result<Response, WebError> {
    letters(ctx)?;
    let typed = ctx.form.get("email").to_string();
    if typed.trim().is_empty() {
        let problems = Problems::of("email", "problems.email_invalid");
        return Ok(response::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::subscriptions::forgot(&ctx.form_page(), &typed, &problems),
        ));
    }
    let client = ctx.client.to_string();
    match ctx
        .app
        .act(move |blog| actions::users::forgot_password(blog, &typed, &client))
        .await
    {
        Ok(()) => Ok(told(ctx, "mail.forgot_sent_title", "mail.forgot_sent")),
        Err(ActionError::Throttled) => Ok(response::html(
            StatusCode::TOO_MANY_REQUESTS,
            views::subscriptions::forgot(
                &ctx.form_page(),
                ctx.form.get("email"),
                &Problems::of(FORM, "problems.reset_throttled"),
            ),
        )),
        Err(err) => Err(err.into()),
    }
}

/// The subscription form; `?author=ID` for one author's posts.
pub async fn subscribe_form(ctx: &Ctx) -> Result<Response, WebError> {
    letters(ctx)?;
    let author = author(ctx, ctx.query("author").unwrap_or("")).await?;
    let author = author.as_ref().map(|(id, name)| (*id, name.as_str()));
    Ok(response::html(
        StatusCode::OK,
        views::subscriptions::subscribe(&ctx.form_page(), author, "", &Problems::new()),
    ))
}

pub async fn subscribe(ctx: &Ctx) -> Result<Response, WebError> {
    letters(ctx)?;
    let found = author(ctx, ctx.form.get("author")).await?;
    let author_id = found.as_ref().map(|(id, _)| *id);
    let shown = found.as_ref().map(|(id, name)| (*id, name.as_str()));
    let typed = ctx.form.get("email");
    let refuse = |status: StatusCode, problems: Problems| {
        response::html(
            status,
            views::subscriptions::subscribe(&ctx.form_page(), shown, typed, &problems),
        )
    };
    let email = match typed.parse::<Email>() {
        Ok(email) => email,
        Err(err) => {
            return Ok(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                Problems::of("email", err.message()),
            ))
        }
    };
    if !ctx.app.rates.subscription(ctx.client) {
        return Ok(refuse(
            StatusCode::TOO_MANY_REQUESTS,
            Problems::of(FORM, "problems.subscribe_throttled"),
        ));
    }
    let outcome = ctx
        .app
        .act(move |blog| subscribers::subscribe(blog, &email, author_id))
        .await?;
    // The same words whether a mail went or not: the page does not tell who subscribed.
    let (Subscribed::AskedToConfirm | Subscribed::NothingSent) = outcome;
    Ok(told(
        ctx,
        "mail.subscribe_sent_title",
        "mail.subscribe_sent",
    ))
}

/// The author a subscription form names (`author` field or query): none when empty,
/// 404 when it names no active account.
async fn author(ctx: &Ctx, typed: &str) -> Result<Option<(UserId, String)>, WebError> {
    if typed.is_empty() {
        return Ok(None);
    }
    let id: UserId = typed.parse().map_err(|_| WebError::NotFound)?;
    let user = ctx
        .app
        .db
        .read(move |conn| db::users::by_id(conn, id))
        .await?
        .filter(|user| user.is_active)
        .ok_or(WebError::NotFound)?;
    Ok(Some((id, user.name().to_string())))
}

pub async fn confirm_form(ctx: &Ctx, token: &str) -> Result<Response, WebError> {
    let id = confirmation(ctx, token)?;
    let Some(email) = address(ctx, Signed::Confirm(id)).await? else {
        return Ok(link_unknown(ctx));
    };
    let page = ctx.form_page();
    let question = page.tf("mail.confirm_question", &[("email", &email)]);
    Ok(response::html(
        StatusCode::OK,
        views::subscriptions::ask(
            &page,
            page.t("mail.confirm_title"),
            &question,
            page.t("mail.confirm_button"),
            &urls::confirm_subscription(token),
        ),
    ))
}

pub async fn confirm(ctx: &Ctx, token: &str) -> Result<Response, WebError> {
    let id = confirmation(ctx, token)?;
    match ctx
        .app
        .act(move |blog| subscribers::confirm(blog, id))
        .await
    {
        Ok(email) => {
            let page = ctx.page();
            let sentence = page.tf("mail.confirmed", &[("email", &email)]);
            Ok(response::html(
                StatusCode::OK,
                views::subscriptions::told(&page, page.t("mail.confirmed_title"), &sentence),
            ))
        }
        Err(ActionError::NotFound(_)) => Ok(link_unknown(ctx)),
        Err(err) => Err(err.into()),
    }
}

/// The subscription a confirmation link names; 404 for a link we did not sign.
fn confirmation(ctx: &Ctx, token: &str) -> Result<i64, WebError> {
    match Signed::verify(letters(ctx)?.key(), token) {
        Some(Signed::Confirm(id)) => Ok(id),
        _ => Err(WebError::NotFound),
    }
}

pub async fn unsubscribe_form(ctx: &Ctx, token: &str) -> Result<Response, WebError> {
    let what = unsubscription(ctx, token)?;
    let Some(email) = address(ctx, what).await? else {
        return Ok(link_unknown(ctx));
    };
    let page = ctx.form_page();
    let question = match what {
        Signed::CommentMails(_) => page.t("mail.unsubscribe_comments_question").to_string(),
        _ => page.tf("mail.unsubscribe_question", &[("email", &email)]),
    };
    Ok(response::html(
        StatusCode::OK,
        views::subscriptions::ask(
            &page,
            page.t("mail.unsubscribe_title"),
            &question,
            page.t("mail.unsubscribe"),
            &urls::unsubscribe(token),
        ),
    ))
}

/// The button on the page above, and a mail client's one-click POST (RFC 8058), which
/// comes without a session: the signed token is the proof.
pub async fn unsubscribe(ctx: &Ctx, token: &str) -> Result<Response, WebError> {
    let what = unsubscription(ctx, token)?;
    ctx.app
        .act(move |blog| subscribers::unsubscribe(blog, what))
        .await?;
    Ok(told(ctx, "mail.unsubscribed_title", "mail.unsubscribed"))
}

/// What an unsubscribe link stops; 404 for a link we did not sign. Works with mail
/// turned off since: stopping mail must always be possible.
fn unsubscription(ctx: &Ctx, token: &str) -> Result<Signed, WebError> {
    let key = &ctx.app.key;
    match Signed::verify(key, token) {
        Some(Signed::Confirm(_)) | None => Err(WebError::NotFound),
        Some(what) => Ok(what),
    }
}

/// The address a signed link is about, for its page: the subscriber's, or the
/// account's; `None` when the subscription is gone.
async fn address(ctx: &Ctx, what: Signed) -> Result<Option<String>, WebError> {
    Ok(ctx
        .app
        .db
        .read(move |conn| match what {
            Signed::Subscription(id) | Signed::Confirm(id) => {
                Ok(db::subscribers::by_id(conn, id)?.map(|s| s.email))
            }
            Signed::CommentMails(user) => {
                Ok(db::users::by_id(conn, user)?.map(|u| u.email.as_str().to_string()))
            }
        })
        .await?)
}

fn told(ctx: &Ctx, title: &str, sentence: &str) -> Response {
    let page = ctx.page();
    response::html(
        StatusCode::OK,
        views::subscriptions::told(&page, page.t(title), page.t(sentence)),
    )
}

/// A link to a subscription that is gone: 404, with what to do.
fn link_unknown(ctx: &Ctx) -> Response {
    let page = ctx.page();
    response::html(
        StatusCode::NOT_FOUND,
        views::subscriptions::told(
            &page,
            page.t("errors.status_404"),
            page.t("mail.link_unknown"),
        ),
    )
}
