//! Account security: the sessions an account sees and ends, its second factors (an
//! authenticator app with recovery codes, passkeys), the login's second step, and
//! `[accounts] require_second_factor`, which leads an account without a factor to set
//! one up before anything else.

use std::sync::Arc;

use http::StatusCode;

use super::request::{local_path, Ctx};
use super::router::Route;
use super::WebError;
use crate::actions::factors::Checked;
use crate::actions::{self, ActionError};
use crate::auth::passkey::{self, RelyingParty};
use crate::auth::{throttle, totp};
use crate::content::problems::FORM;
use crate::content::{device, Problems, User};
use crate::db;
use crate::serving::response::{self, Response};
use crate::urls;
use crate::views;
use crate::views::accounts::{PasskeyRow, SecurityView, SessionRow, TotpSetup};
use webauthn_rs::prelude::{Passkey, Uuid};

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
    let (totp, recovery_codes_left, stored) = ctx
        .app
        .db
        .read(move |conn| {
            Ok((
                db::factors::totp(conn, id)?.is_some_and(|t| t.confirmed),
                db::factors::recovery_codes_left(conn, id)?,
                db::passkeys::of_user(conn, id)?,
            ))
        })
        .await?;
    let passkeys = stored
        .into_iter()
        .map(|p| PasskeyRow {
            id: p.id,
            name: p.name,
            created_at: p.created_at,
            last_used_at: p.last_used_at,
        })
        .collect();
    Ok(SecurityView {
        sessions,
        totp,
        recovery_codes_left,
        passkeys,
        passkeys_available: ctx.app.relying_party(&ctx.site.title).is_ok(),
    })
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

/// The account's authenticator app, recovery codes and passkeys; the app's set-up
/// (a new secret, or the one already waiting) when it has none.
pub async fn two_factor_form(ctx: &Ctx) -> Result<Response, WebError> {
    two_factor_page(ctx, StatusCode::OK, &Problems::new()).await
}

/// The secret waiting for its first code, as the app is shown it.
async fn totp_setup(ctx: &Ctx) -> Result<totp::Setup, WebError> {
    let actor = ctx.actor()?;
    let email = ctx.require_user()?.email.to_string();
    let secret = ctx
        .app
        .act(move |blog| actions::factors::pending_totp(blog, &actor))
        .await?;
    // The app lists the account under the site's name as readers see it.
    Ok(totp::setup(&secret, &ctx.site.title, &email)?)
}

/// The two-factor page: the account's factors, and the app's set-up when it has none.
async fn two_factor_page(
    ctx: &Ctx,
    status: StatusCode,
    problems: &Problems,
) -> Result<Response, WebError> {
    let security = security_view(ctx).await?;
    let setup = match security.totp {
        true => None,
        false => Some(totp_setup(ctx).await?),
    };
    let required = ctx.user.as_ref().is_some_and(|u| {
        ctx.app
            .config
            .accounts
            .require_second_factor
            .contains(&u.role)
    }) && !ctx.has_second_factor;
    let setup = setup.as_ref().map(|s| TotpSetup {
        qr_svg: &s.qr_svg,
        secret_base32: &s.secret_base32,
        url: &s.url,
    });
    Ok(response::html(
        status,
        views::accounts::two_factor(&ctx.page(), setup.as_ref(), &security, required, problems),
    ))
}

/// Confirms the app with its first code; answers with the ten recovery codes, shown
/// this once. Every other session of the account ends.
pub async fn two_factor(ctx: &Ctx) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let code = ctx.form.get("code").to_string();
    let (keep, client) = (ctx.session().hash(), ctx.client.to_string());
    let confirmed = ctx
        .app
        .act(move |blog| actions::factors::confirm_totp(blog, &actor, &code, &keep, &client))
        .await;
    match confirmed {
        Ok(codes) => Ok(response::html(
            StatusCode::OK,
            views::accounts::recovery_codes(&ctx.page(), &codes),
        )),
        Err(ActionError::Refused(why)) => {
            let problems = Problems::of("code", why);
            two_factor_page(ctx, StatusCode::UNPROCESSABLE_ENTITY, &problems).await
        }
        Err(err) => Err(err.into()),
    }
}

/// Removes the authenticator app; every other session of the account ends.
pub async fn two_factor_remove(ctx: &Ctx) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let (keep, client) = (ctx.session().hash(), ctx.client.to_string());
    ctx.app
        .act(move |blog| actions::factors::remove_totp(blog, &actor, &keep, &client))
        .await?;
    Ok(response::redirect(&urls::two_factor()))
}

/// Ten new recovery codes in place of the old ones, shown this once.
pub async fn recovery_codes(ctx: &Ctx) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let client = ctx.client.to_string();
    let codes = ctx
        .app
        .act(move |blog| actions::factors::renew_recovery_codes(blog, &actor, &client))
        .await?;
    Ok(response::html(
        StatusCode::OK,
        views::accounts::recovery_codes(&ctx.page(), &codes),
    ))
}

/// The account waiting for its second factor in this browser, with what it has.
struct Waiting {
    user: User,
    next: String,
    has_totp: bool,
    has_passkeys: bool,
}

async fn waiting(ctx: &Ctx) -> Result<Option<Waiting>, WebError> {
    let hash = ctx.session().hash();
    Ok(ctx
        .app
        .db
        .read(move |conn| {
            let Some(challenge) = db::factors::challenge(conn, &hash, db::now_ms())? else {
                return Ok(None);
            };
            let Some(user) = db::users::by_id(conn, challenge.user)?.filter(|u| u.is_active) else {
                return Ok(None);
            };
            let has_totp = db::factors::totp(conn, user.id)?.is_some_and(|t| t.confirmed);
            let has_passkeys = db::passkeys::count(conn, user.id)? > 0;
            Ok(Some(Waiting {
                user,
                next: challenge.next,
                has_totp,
                has_passkeys,
            }))
        })
        .await?)
}

/// Whether this browser has a login waiting for its second factor: the login itself
/// when it has (`login` sends it here after a right password).
pub async fn second_factor_form(ctx: &Ctx) -> Result<Response, WebError> {
    let Some(waiting) = waiting(ctx).await? else {
        return Ok(response::redirect(&urls::login()));
    };
    Ok(response::html(
        StatusCode::OK,
        views::accounts::second_factor(
            &ctx.form_page(),
            waiting.has_totp,
            waiting.has_passkeys,
            &Problems::new(),
        ),
    ))
}

/// Checks the code (from the app, or a recovery code) and signs in. Wrong codes count
/// like wrong passwords: after 5 for the account (or 20 from the address) within 15
/// minutes, even a right code is refused for a while.
pub async fn second_factor(ctx: &Ctx) -> Result<Response, WebError> {
    let Some(waiting) = waiting(ctx).await? else {
        return Ok(response::redirect(&urls::login()));
    };
    let refuse = |status: StatusCode, message: &'static str| {
        response::html(
            status,
            views::accounts::second_factor(
                &ctx.form_page(),
                waiting.has_totp,
                waiting.has_passkeys,
                &Problems::of(FORM, message),
            ),
        )
    };
    let (email, client) = (waiting.user.email.to_string(), ctx.client.to_string());
    let (e, c) = (email.clone(), client.clone());
    let now = db::now_ms();
    if ctx
        .app
        .db
        .read(move |conn| throttle::is_throttled(conn, &e, &c, now))
        .await?
    {
        return Ok(refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "problems.code_throttled",
        ));
    }
    let code = ctx.form.get("code").to_string();
    let user = waiting.user.clone();
    let checked = ctx
        .app
        .act(move |blog| actions::factors::check_code(blog, &user, &code, &client))
        .await?;
    match checked {
        Checked::Passed(how) => {
            let target = local_path(&waiting.next).map_or_else(urls::index, str::to_string);
            let cookie = super::accounts::start_session(ctx, waiting.user, how).await?;
            Ok(response::with_cookie(response::redirect(&target), &cookie))
        }
        Checked::Failed => Ok(refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "problems.code_wrong",
        )),
    }
}

/// The most characters a passkey's name keeps.
const MAX_PASSKEY_NAME: usize = 100;

/// A JSON refusal for the passkey script: `{"error": "…"}` in the site's language.
fn passkey_refused(ctx: &Ctx, status: StatusCode, key: &'static str) -> Response {
    response::json_error(status, ctx.text().get(key))
}

/// The relying party, or `None` (logged) when passkeys cannot work here.
fn relying_party(ctx: &Ctx) -> Option<Arc<RelyingParty>> {
    ctx.app
        .relying_party(&ctx.site.title)
        .map_err(|why| tracing::warn!("{why}"))
        .ok()
}

/// The JSON refusal that says passkeys cannot work on this site.
fn unavailable(ctx: &Ctx) -> Response {
    passkey_refused(ctx, StatusCode::CONFLICT, "problems.passkeys_unavailable")
}

fn stored_passkey(stored: &db::passkeys::Stored) -> Result<Passkey, WebError> {
    serde_json::from_str(&stored.passkey)
        .map_err(|err| WebError::Internal(anyhow::anyhow!("a stored passkey does not read: {err}")))
}

/// Options for a new passkey of the signed-in account.
pub async fn passkey_register_start(ctx: &Ctx) -> Result<Response, WebError> {
    let user = ctx.require_user()?.clone();
    let Some(rp) = relying_party(ctx) else {
        return Ok(unavailable(ctx));
    };
    let id = user.id;
    let (handle, stored) = ctx
        .app
        .db
        .read(move |conn| {
            Ok((
                db::passkeys::user_handle(conn, id)?,
                db::passkeys::of_user(conn, id)?,
            ))
        })
        .await?;
    let handle = match handle.and_then(|h| h.parse().ok()) {
        Some(handle) => handle,
        None => passkey::new_handle()?,
    };
    let exclude = stored
        .iter()
        .map(|s| stored_passkey(s).map(|p| p.cred_id().clone()))
        .collect::<Result<Vec<_>, _>>()?;
    let (options, registering) = rp
        .start_registration(handle, user.email.as_str(), &user.name(), exclude)
        .map_err(|err| WebError::Internal(err.into()))?;
    let state = serde_json::to_string(&registering).map_err(anyhow::Error::from)?;
    let hash = ctx.session().hash();
    ctx.app
        .act(move |blog| actions::passkeys::begin_ceremony(blog, &hash, REGISTER, &state))
        .await?;
    Ok(response::json(StatusCode::OK, &options))
}

const REGISTER: &str = "register";
const LOGIN: &str = "login";

/// The browser's new passkey (field `credential`, JSON) with its `name`: stored, and
/// every other session of the account ends.
pub async fn passkey_register_finish(ctx: &Ctx) -> Result<Response, WebError> {
    ctx.require_user()?;
    let Some(rp) = relying_party(ctx) else {
        return Ok(unavailable(ctx));
    };
    let name = ctx.form.get("name").trim();
    if name.chars().count() > MAX_PASSKEY_NAME {
        return Ok(passkey_refused(
            ctx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "problems.passkey_name_too_long",
        ));
    }
    let name = if name.is_empty() { "Passkey" } else { name }.to_string();
    let hash = ctx.session().hash();
    let Some(state) = ctx
        .app
        .act(move |blog| actions::passkeys::take_ceremony(blog, &hash, REGISTER))
        .await?
    else {
        return Ok(passkey_refused(
            ctx,
            StatusCode::BAD_REQUEST,
            "problems.passkey_failed",
        ));
    };
    let registering: passkey::Registering =
        serde_json::from_str(&state).map_err(anyhow::Error::from)?;
    let made = match rp.finish_registration(ctx.form.get("credential"), &registering) {
        Ok(made) => made,
        Err(err) => {
            tracing::info!("a passkey was refused: {err}");
            return Ok(passkey_refused(
                ctx,
                StatusCode::BAD_REQUEST,
                "problems.passkey_failed",
            ));
        }
    };
    let made = actions::passkeys::Made {
        credential_id: made.cred_id().as_ref().to_vec(),
        user_handle: registering.handle.to_string(),
        name,
        passkey: serde_json::to_string(&made).map_err(anyhow::Error::from)?,
    };
    let (actor, keep, client) = (ctx.actor()?, ctx.session().hash(), ctx.client.to_string());
    match ctx
        .app
        .act(move |blog| actions::passkeys::add(blog, &actor, &made, &keep, &client))
        .await
    {
        Ok(_) => Ok(response::json(
            StatusCode::OK,
            &serde_json::json!({ "ok": true }),
        )),
        Err(ActionError::Refused(why)) => Ok(passkey_refused(ctx, StatusCode::CONFLICT, why)),
        Err(err) => Err(err.into()),
    }
}

/// Renames one of the account's passkeys (field `name`).
pub async fn passkey_rename(ctx: &Ctx, id: i64) -> Result<Response, WebError> {
    let actor = ctx.actor()?;
    let name = ctx.form.get("name").trim().to_string();
    if name.is_empty() || name.chars().count() > MAX_PASSKEY_NAME {
        return Err(WebError::BadRequest("problems.passkey_name_too_long"));
    }
    ctx.app
        .act(move |blog| actions::passkeys::rename(blog, &actor, id, &name))
        .await?;
    Ok(response::redirect(&format!("{}#passkeys", urls::profile())))
}

/// Removes one of the account's passkeys; every other session ends.
pub async fn passkey_delete(ctx: &Ctx, id: i64) -> Result<Response, WebError> {
    let (actor, keep, client) = (ctx.actor()?, ctx.session().hash(), ctx.client.to_string());
    ctx.app
        .act(move |blog| actions::passkeys::remove(blog, &actor, id, &keep, &client))
        .await?;
    Ok(response::redirect(&format!("{}#passkeys", urls::profile())))
}

/// A challenge for a passkey login: any passkey of this site (the login page), or,
/// when this browser's login waits for its second factor, one of that account's.
pub async fn passkey_login_start(ctx: &Ctx) -> Result<Response, WebError> {
    let Some(rp) = relying_party(ctx) else {
        return Ok(unavailable(ctx));
    };
    let of_account = match waiting(ctx).await? {
        Some(waiting) => {
            let id = waiting.user.id;
            let stored = ctx
                .app
                .db
                .read(move |conn| db::passkeys::of_user(conn, id))
                .await?;
            Some(
                stored
                    .iter()
                    .map(stored_passkey)
                    .collect::<Result<Vec<_>, _>>()?,
            )
        }
        None => None,
    };
    let (options, state) = rp
        .start_login(of_account.as_deref())
        .map_err(|err| WebError::Internal(err.into()))?;
    let state = serde_json::to_string(&state).map_err(anyhow::Error::from)?;
    let hash = ctx.session().hash();
    ctx.app
        .act(move |blog| actions::passkeys::begin_ceremony(blog, &hash, LOGIN, &state))
        .await?;
    Ok(response::json(StatusCode::OK, &options))
}

/// The signed challenge (field `credential`, JSON): signs in, alone or as the second
/// factor of the login waiting in this browser; answers `{"redirect": "/…"}`.
pub async fn passkey_login_finish(ctx: &Ctx) -> Result<Response, WebError> {
    let Some(rp) = relying_party(ctx) else {
        return Ok(unavailable(ctx));
    };
    let refused = || passkey_refused(ctx, StatusCode::BAD_REQUEST, "problems.passkey_failed");
    let waiting = waiting(ctx).await?;
    if let Some(waiting) = &waiting {
        let (email, client) = (waiting.user.email.to_string(), ctx.client.to_string());
        let now = db::now_ms();
        if ctx
            .app
            .db
            .read(move |conn| throttle::is_throttled(conn, &email, &client, now))
            .await?
        {
            return Ok(passkey_refused(
                ctx,
                StatusCode::TOO_MANY_REQUESTS,
                "problems.code_throttled",
            ));
        }
    }
    let hash = ctx.session().hash();
    let Some(state) = ctx
        .app
        .act(move |blog| actions::passkeys::take_ceremony(blog, &hash, LOGIN))
        .await?
    else {
        return Ok(refused());
    };
    let state: passkey::Authenticating =
        serde_json::from_str(&state).map_err(anyhow::Error::from)?;
    let Ok(passkey::LoginAnswer {
        credential_id,
        user_handle: handle,
        answer,
    }) = RelyingParty::identify(ctx.form.get("credential"))
    else {
        return Ok(refused());
    };
    let found = ctx
        .app
        .db
        .read(move |conn| {
            let Some(stored) = db::passkeys::by_credential(conn, &credential_id)? else {
                return Ok(None);
            };
            let user = db::users::by_id(conn, stored.user)?;
            Ok(user.map(|u| (stored, u)))
        })
        .await?;
    let Some((stored, user)) = found else {
        return Ok(refused());
    };
    // Alone, the passkey names its account by its user handle; as a second factor it
    // must be one of the waiting account's.
    let belongs = match (&state, &waiting) {
        (passkey::Authenticating::Discoverable(_), None) => handle
            .as_deref()
            .and_then(|h| Uuid::from_slice(h).ok())
            .is_some_and(|h| h.to_string() == stored.user_handle),
        (passkey::Authenticating::SecondFactor(_), Some(waiting)) => waiting.user.id == user.id,
        _ => false,
    };
    let checked = if belongs && user.is_active {
        rp.finish_login(&answer, state, stored_passkey(&stored)?)
            .ok()
    } else {
        None
    };
    let Some(updated) = checked else {
        if let Some(waiting) = waiting {
            let client = ctx.client.to_string();
            ctx.app
                .act(move |blog| {
                    actions::factors::second_factor_failed(blog, &waiting.user, "passkey", &client)
                })
                .await?;
        }
        return Ok(refused());
    };
    let record = serde_json::to_string(&updated).map_err(anyhow::Error::from)?;
    let id = stored.id;
    ctx.app
        .act(move |blog| actions::passkeys::used(blog, id, &record))
        .await?;
    let (how, next) = match &waiting {
        Some(waiting) => ("password + passkey", local_path(&waiting.next)),
        None => ("passkey", local_path(ctx.form.get("next"))),
    };
    let target = next.map_or_else(urls::index, str::to_string);
    let cookie = super::accounts::start_session(ctx, user, how).await?;
    Ok(response::with_cookie(
        response::json(StatusCode::OK, &serde_json::json!({ "redirect": target })),
        &cookie,
    ))
}
