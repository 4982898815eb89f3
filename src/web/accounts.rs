//! Account handlers: login, logout, signup, profile, password change and reset.
//! bcrypt runs on blocking threads; every login makes a new session token.

use http::StatusCode;

use super::request::Ctx;
use super::response::{self, Response};
use super::WebError;
use crate::auth::{password, session, throttle, Token};
use crate::content::problems::{Message, FORM};
use crate::content::{Email, Problems, Role, UserId};
use crate::db::{self, users::NewUser};
use crate::media::library::{self, MediaError};
use crate::urls;
use crate::views;
use crate::views::accounts::{ProfileForm, SignupForm};

const MAX_NAME_CHARS: usize = 100;
const MAX_BIO_CHARS: usize = 2000;

pub fn login_form(ctx: &Ctx) -> Result<Response, WebError> {
    let next = ctx.query("next").and_then(local_path);
    Ok(response::html(
        StatusCode::OK,
        views::accounts::login(&ctx.form_page(), "", next, &Problems::new()),
    ))
}

pub async fn login(ctx: &Ctx) -> Result<Response, WebError> {
    let typed_email = ctx.form.get("email");
    let next = local_path(ctx.form.get("next"));
    let refuse = |status: StatusCode, message: &'static str| {
        let problems = Problems::of(FORM, message);
        response::html(
            status,
            views::accounts::login(&ctx.form_page(), typed_email, next, &problems),
        )
    };
    // Unknown and malformed addresses are throttled and answered like wrong passwords,
    // so the form does not tell which accounts exist.
    let key = typed_email.trim().to_lowercase();
    let client = ctx.client.to_string();
    let now = db::now_ms();
    let (k, c) = (key.clone(), client.clone());
    if ctx
        .app
        .db
        .read(move |conn| throttle::is_throttled(conn, &k, &c, now))
        .await?
    {
        return Ok(refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "problems.login_throttled",
        ));
    }
    let user = match typed_email.parse::<Email>() {
        Ok(email) => {
            ctx.app
                .db
                .read(move |conn| db::users::by_email(conn, &email))
                .await?
        }
        Err(_) => None,
    };
    let hash = match user.as_ref().and_then(|u| u.password_hash.clone()) {
        Some(hash) => hash,
        None => dummy_hash(ctx).await?,
    };
    let typed_password = ctx.form.get("password").to_string();
    let matches = bcrypt(ctx, move || password::verify(&typed_password, &hash)).await?;
    let user = match user {
        Some(user) if matches && user.is_active => user,
        _ => {
            ctx.app
                .db
                .write(move |tx| throttle::record_failure(tx, &key, &client, now))
                .await?;
            return Ok(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "problems.login_wrong",
            ));
        }
    };
    let cookie = start_session(ctx, user.id).await?;
    let email = user.email.to_string();
    ctx.app
        .db
        .write(move |tx| throttle::record_success(tx, &email, now))
        .await?;
    let target = next.map_or_else(urls::index, str::to_string);
    Ok(response::with_cookie(response::redirect(&target), &cookie))
}

/// A new session for `user` under a new token (never the one the browser brought, so
/// a planted cookie is not adopted); the browser's old session ends. Returns the
/// `Set-Cookie` value.
async fn start_session(ctx: &Ctx, user: UserId) -> Result<String, WebError> {
    let token = Token::generate()?;
    let (new_hash, old_hash) = (token.hash(), ctx.session().hash());
    let now = db::now_ms();
    let expires = now + session::LIFETIME.as_millis() as i64;
    ctx.app
        .db
        .write(move |tx| {
            db::sessions::delete(tx, &old_hash)?;
            db::sessions::insert(tx, &new_hash, user, now, expires)
        })
        .await?;
    Ok(session::signed_in_cookie(&token, ctx.https))
}

async fn dummy_hash(ctx: &Ctx) -> Result<String, WebError> {
    if let Some(hash) = ctx.app.dummy_hash.get() {
        return Ok(hash.clone());
    }
    let cost = ctx.app.config.accounts.bcrypt_cost.0;
    let hash = bcrypt(ctx, move || password::hash("no such account", cost)).await??;
    Ok(ctx.app.dummy_hash.get_or_init(|| hash).clone())
}

pub async fn logout(ctx: &Ctx) -> Result<Response, WebError> {
    let hash = ctx.session().hash();
    ctx.app
        .db
        .write(move |tx| db::sessions::delete(tx, &hash))
        .await?;
    // A fresh visitor token, so the old one cannot be replayed for CSRF either.
    let fresh = Token::generate()?;
    Ok(response::with_cookie(
        response::redirect(&urls::index()),
        &session::visitor_cookie(&fresh, ctx.https),
    ))
}

pub fn signup_form(ctx: &Ctx) -> Result<Response, WebError> {
    if !ctx.app.config.accounts.open_registration {
        return Err(WebError::NotFound);
    }
    let empty = SignupForm {
        email: "",
        display_name: "",
    };
    Ok(response::html(
        StatusCode::OK,
        views::accounts::signup(&ctx.form_page(), &empty, &Problems::new()),
    ))
}

pub async fn signup(ctx: &Ctx) -> Result<Response, WebError> {
    if !ctx.app.config.accounts.open_registration {
        return Err(WebError::NotFound);
    }
    let values = SignupForm {
        email: ctx.form.get("email"),
        display_name: ctx.form.get("display_name"),
    };
    if !ctx.app.rates.signup(ctx.client) {
        return Ok(response::html(
            StatusCode::TOO_MANY_REQUESTS,
            views::accounts::signup(
                &ctx.form_page(),
                &values,
                &Problems::of(FORM, "problems.signup_throttled"),
            ),
        ));
    }
    let mut problems = Problems::new();
    let email = values.email.parse::<Email>();
    let new_password = ctx.form.get("password");
    match &email {
        Err(err) => problems.add("email", err.message()),
        Ok(email) => check_new_password(&mut problems, email, &ctx.form, SIGNUP_FIELDS),
    }
    if values.display_name.chars().count() > MAX_NAME_CHARS {
        problems.add("display_name", name_too_long());
    }
    let rejected = |problems: &Problems| {
        response::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::accounts::signup(&ctx.form_page(), &values, problems),
        )
    };
    let Ok(email) = email else {
        return Ok(rejected(&problems));
    };
    if !problems.is_empty() {
        return Ok(rejected(&problems));
    }
    let hash = hash_password(ctx, new_password).await?;
    let name = values.display_name.to_string();
    let inserted = ctx
        .app
        .db
        .write(move |tx| {
            let user = NewUser {
                email: &email,
                password_hash: Some(&hash),
                display_name: &name,
                role: Role::Reader,
            };
            db::users::insert(tx, &user, db::now_ms())
        })
        .await;
    let id = match inserted {
        Ok(id) => id,
        Err(err) if db::is_unique_violation(&err) => {
            return Ok(rejected(&Problems::of("email", "problems.email_taken")));
        }
        Err(err) => return Err(err.into()),
    };
    let cookie = start_session(ctx, id).await?;
    Ok(response::with_cookie(
        response::redirect(&urls::index()),
        &cookie,
    ))
}

pub fn profile_form(ctx: &Ctx) -> Result<Response, WebError> {
    let user = ctx.require_user()?;
    let values = ProfileForm {
        email: user.email.as_str(),
        display_name: &user.display_name,
        bio: &user.bio,
        avatar: large_avatar(user),
    };
    let saved = ctx.query("saved").is_some();
    Ok(response::html(
        StatusCode::OK,
        views::accounts::profile(&ctx.page(), &values, &Problems::new(), saved),
    ))
}

/// Saves name and bio, and the picture: a new `avatar` file replaces the old one,
/// `remove_avatar` removes it; either way the old files are deleted at once.
pub async fn profile(ctx: &Ctx) -> Result<Response, WebError> {
    let user = ctx.require_user()?;
    let values = ProfileForm {
        email: user.email.as_str(),
        display_name: ctx.form.get("display_name"),
        bio: ctx.form.get("bio"),
        avatar: large_avatar(user),
    };
    let mut problems = Problems::new();
    if values.display_name.chars().count() > MAX_NAME_CHARS {
        problems.add("display_name", name_too_long());
    }
    if values.bio.chars().count() > MAX_BIO_CHARS {
        problems.add(
            "bio",
            Message::from("problems.bio_too_long").with("max", MAX_BIO_CHARS),
        );
    }
    if problems.is_empty() {
        if let Some(file) = ctx.form.file("avatar") {
            let (id, bytes) = (user.id, file.bytes.clone());
            let memory = library::avatar_memory(&bytes);
            let stored = ctx
                .app
                .image_job(memory, move |app| {
                    library::store_avatar(&app.db, &app.media, id, &bytes)
                })
                .await?;
            match stored {
                Ok(()) => {}
                Err(MediaError::Image(err)) => problems.add("avatar", err.message()),
                Err(MediaError::Internal(err)) => return Err(WebError::Internal(err)),
            }
        } else if ctx.form.checked("remove_avatar") {
            let (app, id) = (ctx.app.clone(), user.id);
            tokio::task::spawn_blocking(move || library::remove_avatar(&app.db, &app.media, id))
                .await??;
        }
    }
    if !problems.is_empty() {
        return Ok(response::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::accounts::profile(&ctx.page(), &values, &problems, false),
        ));
    }
    let (id, name, bio) = (
        user.id,
        values.display_name.to_string(),
        values.bio.to_string(),
    );
    ctx.app
        .db
        .write(move |tx| db::users::update_profile(tx, id, &name, &bio))
        .await?;
    Ok(response::redirect(&format!("{}?saved=1", urls::profile())))
}

fn large_avatar(user: &crate::content::User) -> Option<String> {
    user.avatar.as_ref().map(|a| urls::media(&a.large))
}

pub fn password_form(ctx: &Ctx) -> Result<Response, WebError> {
    ctx.require_user()?;
    Ok(response::html(
        StatusCode::OK,
        views::accounts::password(&ctx.page(), &urls::password(), true, &Problems::new()),
    ))
}

pub async fn password(ctx: &Ctx) -> Result<Response, WebError> {
    let user = ctx.require_user()?;
    let old = ctx.form.get("old_password").to_string();
    let hash = user.password_hash.clone().unwrap_or_default();
    let old_ok = bcrypt(ctx, move || password::verify(&old, &hash)).await?;
    let mut problems = Problems::new();
    if !old_ok {
        problems.add("old_password", "problems.wrong_current_password");
    }
    let new_password = ctx.form.get("new_password");
    check_new_password(&mut problems, &user.email, &ctx.form, NEW_FIELDS);
    if !problems.is_empty() {
        return Ok(response::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::accounts::password(&ctx.page(), &urls::password(), true, &problems),
        ));
    }
    let hash = hash_password(ctx, new_password).await?;
    let (id, keep) = (user.id, ctx.session().hash());
    ctx.app
        .db
        .write(move |tx| {
            db::users::set_password(tx, id, &hash)?;
            // Other browsers signed in with the old password are signed out.
            db::sessions::delete_others(tx, id, &keep)
        })
        .await?;
    Ok(response::redirect(&format!("{}?saved=1", urls::profile())))
}

pub async fn reset_form(ctx: &Ctx, token: &str) -> Result<Response, WebError> {
    reset_user(ctx, token).await?;
    Ok(response::html(
        StatusCode::OK,
        views::accounts::password(
            &ctx.form_page(),
            &urls::reset(token),
            false,
            &Problems::new(),
        ),
    ))
}

pub async fn reset(ctx: &Ctx, token: &str) -> Result<Response, WebError> {
    let (user, token_hash) = reset_user(ctx, token).await?;
    let new_password = ctx.form.get("new_password");
    let mut problems = Problems::new();
    check_new_password(&mut problems, &user.email, &ctx.form, NEW_FIELDS);
    if !problems.is_empty() {
        return Ok(response::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::accounts::password(&ctx.form_page(), &urls::reset(token), false, &problems),
        ));
    }
    let hash = hash_password(ctx, new_password).await?;
    let id = user.id;
    let used = ctx
        .app
        .db
        .write(move |tx| {
            let Some(owner) = db::password_resets::take(tx, &token_hash, db::now_ms())? else {
                return Ok(false);
            };
            db::users::set_password(tx, owner, &hash)?;
            db::sessions::delete_others(tx, id, &[])?;
            Ok(true)
        })
        .await?;
    if !used {
        return Err(WebError::NotFound);
    }
    Ok(response::redirect(&urls::login()))
}

/// The user a live reset link belongs to; 404 for a used, expired or made-up link.
async fn reset_user(ctx: &Ctx, token: &str) -> Result<(crate::content::User, [u8; 32]), WebError> {
    let hash = Token::parse(token).ok_or(WebError::NotFound)?.hash();
    let user = ctx
        .app
        .db
        .read(move |conn| {
            let Some(id) = db::password_resets::user(conn, &hash, db::now_ms())? else {
                return Ok(None);
            };
            db::users::by_id(conn, id)
        })
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((user, hash))
}

fn name_too_long() -> Message {
    Message::from("problems.name_too_long").with("max", MAX_NAME_CHARS)
}

/// The names of a form's two new-password fields.
type PasswordFields = (&'static str, &'static str);
const SIGNUP_FIELDS: PasswordFields = ("password", "password2");
const NEW_FIELDS: PasswordFields = ("new_password", "new_password2");

fn check_new_password(
    problems: &mut Problems,
    email: &Email,
    form: &super::request::Form,
    fields: PasswordFields,
) {
    let (new, again) = (form.get(fields.0), form.get(fields.1));
    if let Some(problem) = password::problem(new, email) {
        problems.add(fields.0, problem.message());
    } else if new != again {
        problems.add(fields.1, "problems.passwords_differ");
    }
}

async fn hash_password(ctx: &Ctx, password: &str) -> Result<String, WebError> {
    let cost = ctx.app.config.accounts.bcrypt_cost.0;
    let password = password.to_string();
    Ok(bcrypt(ctx, move || password::hash(&password, cost)).await??)
}

/// `next` only ever leads to a path on this site: `/x`, never `//host` or `/\host`.
pub fn local_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    ok.then_some(next)
}

/// Runs bcrypt on the low-priority hasher threads (see `auth::hasher`).
async fn bcrypt<T: Send + 'static>(
    ctx: &Ctx,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WebError> {
    Ok(ctx.app.hasher.run(work).await?)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn next_is_only_a_local_path() {
        assert_eq!(local_path("/posts/new"), Some("/posts/new"));
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "evil",
            "/a\nb",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
