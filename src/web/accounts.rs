//! Account handlers: login, logout, signup, profile, password change and reset.
//! bcrypt runs on blocking threads; every login makes a new session token.

use http::StatusCode;

use super::request::{local_path, Ctx};
use super::WebError;
use crate::actions::users::{Activity, NewAccount};
use crate::actions::{self, ActionError};
use crate::auth::{password, session, throttle, Actor, Token};
use crate::content::problems::{Message, FORM};
use crate::content::{Email, Problems, Role, User};
use crate::db;
use crate::db::sessions::Seen;
use crate::serving::response::{self, Response};
use crate::urls;
use crate::views;
use crate::views::accounts::{PasswordForm, ProfileForm, Saved, SignupForm};

const MAX_NAME_CHARS: usize = 100;
const MAX_BIO_CHARS: usize = 2000;

pub fn login_form(ctx: &Ctx) -> Result<Response, WebError> {
    let next = ctx.query("next").and_then(local_path);
    Ok(response::html(
        StatusCode::OK,
        views::accounts::login(
            &ctx.form_page(),
            "",
            next,
            &Problems::new(),
            ctx.app.relying_party(&ctx.site.title).is_ok(),
        ),
    ))
}

pub async fn login(ctx: &Ctx) -> Result<Response, WebError> {
    let typed_email = ctx.form.get("email");
    let next = local_path(ctx.form.get("next"));
    let refuse = |status: StatusCode, message: &'static str| {
        let problems = Problems::of(FORM, message);
        response::html(
            status,
            views::accounts::login(
                &ctx.form_page(),
                typed_email,
                next,
                &problems,
                ctx.app.relying_party(&ctx.site.title).is_ok(),
            ),
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
                .act(move |blog| actions::users::login_failed(blog, &key, &client))
                .await?;
            return Ok(refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                "problems.login_wrong",
            ));
        }
    };
    // An account with a second factor is not signed in yet: this browser's login
    // waits for it, at the second step.
    let id = user.id;
    let has_factor = ctx
        .app
        .db
        .read(move |conn| db::factors::has_second_factor(conn, id))
        .await?;
    if has_factor {
        let (hash, next) = (ctx.session().hash(), next.unwrap_or("").to_string());
        ctx.app
            .act(move |blog| actions::factors::await_second_factor(blog, id, &hash, &next))
            .await?;
        return Ok(response::redirect(&urls::login_second_factor()));
    }
    let cookie = start_session(ctx, user, "password").await?;
    let target = next.map_or_else(urls::index, str::to_string);
    Ok(response::with_cookie(response::redirect(&target), &cookie))
}

/// A new session for `user` under a new token (never the one the browser brought, so
/// a planted cookie is not adopted); the browser's old session ends. Returns the
/// `Set-Cookie` value. `how` they proved who they are goes to the audit log.
pub(super) async fn start_session(
    ctx: &Ctx,
    user: User,
    how: &'static str,
) -> Result<String, WebError> {
    let token = Token::generate()?;
    let (new_hash, old_hash) = (token.hash(), ctx.session().hash());
    let lifetime = i64::try_from(session::LIFETIME.as_millis()).unwrap_or(i64::MAX);
    let seen = Seen {
        user_agent: ctx.user_agent.clone(),
        client: ctx.client.to_string(),
    };
    ctx.app
        .act(move |blog| {
            actions::sessions::start(blog, &user, &new_hash, &old_hash, lifetime, &seen, how)
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
        .act(move |blog| actions::sessions::end(blog, &hash))
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
    check_name(&mut problems, values.display_name);
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
    let account = NewAccount {
        email,
        password_hash: Some(hash),
        display_name: values.display_name.trim().to_string(),
        bio: String::new(),
        role: Role::Reader,
        active: Activity::Active,
        joined: None,
    };
    let created = ctx
        .app
        .act(move |blog| {
            let id = actions::users::create(blog, &Actor::Visitor, &account)?;
            let user = blog.db.read_now(|conn| db::users::by_id(conn, id))?;
            user.ok_or_else(|| ActionError::NotFound(format!("there is no account {id}")))
        })
        .await;
    let user = match created {
        Ok(user) => user,
        Err(ActionError::Refused(why)) => return Ok(rejected(&Problems::of("email", why))),
        Err(err) => return Err(err.into()),
    };
    let cookie = start_session(ctx, user, "signup").await?;
    Ok(response::with_cookie(
        response::redirect(&urls::index()),
        &cookie,
    ))
}

pub async fn profile_form(ctx: &Ctx) -> Result<Response, WebError> {
    let user = ctx.require_user()?;
    let id = user.id;
    let values = ProfileForm {
        email: user.email.as_str(),
        display_name: &user.display_name,
        bio: &user.bio,
        avatar: large_avatar(user),
        comment_mails: ctx
            .app
            .db
            .read(move |conn| db::users::notifies_comments(conn, id))
            .await?,
    };
    let saved = if ctx.query("saved").is_some() {
        Saved::Yes
    } else {
        Saved::No
    };
    let security = super::security::security_view(ctx).await?;
    Ok(response::html(
        StatusCode::OK,
        views::accounts::profile(&ctx.page(), &values, &Problems::new(), saved, &security),
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
        comment_mails: ctx.form.checked("comment_mails"),
    };
    let mut problems = Problems::new();
    if values.display_name.chars().count() > MAX_NAME_CHARS {
        problems.add("display_name", name_too_long());
    }
    if values.bio.chars().count() > MAX_BIO_CHARS {
        problems.add(
            "bio",
            Message::from("problems.bio_too_long").counting(MAX_BIO_CHARS),
        );
    }
    if problems.is_empty() {
        if let Some(file) = ctx.form.file("avatar") {
            let bytes = file.bytes.clone();
            if let Err(problem) =
                super::uploads::store_square(ctx, bytes, actions::media::set_avatar).await?
            {
                problems.add("avatar", problem);
            }
        } else if ctx.form.checked("remove_avatar") {
            let actor = ctx.actor()?;
            ctx.app
                .act(move |blog| actions::media::remove_avatar(blog, &actor))
                .await?;
        }
    }
    if !problems.is_empty() {
        let security = super::security::security_view(ctx).await?;
        return Ok(response::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            views::accounts::profile(&ctx.page(), &values, &problems, Saved::No, &security),
        ));
    }
    let (actor, name, bio) = (
        ctx.actor()?,
        values.display_name.to_string(),
        values.bio.to_string(),
    );
    ctx.app
        .act(move |blog| actions::users::update_profile(blog, &actor, &name, &bio))
        .await?;
    if ctx.app.letters.is_some() && ctx.form.checked("comment_mails_shown") {
        let (actor, on) = (ctx.actor()?, values.comment_mails);
        ctx.app
            .act(move |blog| actions::users::set_comment_mails(blog, &actor, on))
            .await?;
    }
    Ok(response::redirect(&format!("{}?saved=1", urls::profile())))
}

fn large_avatar(user: &crate::content::User) -> Option<String> {
    user.avatar.as_ref().map(|a| urls::media(&a.large))
}

pub fn password_form(ctx: &Ctx) -> Result<Response, WebError> {
    ctx.require_user()?;
    Ok(response::html(
        StatusCode::OK,
        views::accounts::password(
            &ctx.page(),
            &urls::password(),
            PasswordForm::Change,
            &Problems::new(),
        ),
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
            views::accounts::password(
                &ctx.page(),
                &urls::password(),
                PasswordForm::Change,
                &problems,
            ),
        ));
    }
    let hash = hash_password(ctx, new_password).await?;
    // Other browsers signed in with the old password are signed out.
    let (actor, keep) = (ctx.actor()?, ctx.session().hash());
    ctx.app
        .act(move |blog| actions::users::change_password(blog, &actor, &hash, &keep))
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
            PasswordForm::Reset,
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
            views::accounts::password(
                &ctx.form_page(),
                &urls::reset(token),
                PasswordForm::Reset,
                &problems,
            ),
        ));
    }
    let hash = hash_password(ctx, new_password).await?;
    ctx.app
        .act(move |blog| actions::users::reset_password(blog, &token_hash, &hash))
        .await?;
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

/// An invitation's page: who it is for, and the name and password to choose. 404 for
/// a used, expired or made-up link.
pub async fn invitation_form(ctx: &Ctx, token: &str) -> Result<Response, WebError> {
    let (invitation, _) = live_invitation(ctx, token).await?;
    Ok(response::html(
        StatusCode::OK,
        views::accounts::invitation(
            &ctx.form_page(),
            &invitation_view(&invitation, token, ""),
            &Problems::new(),
        ),
    ))
}

/// Makes the invited account with the chosen name and password, signs it in and
/// leads home; the link is used up.
pub async fn accept_invitation(ctx: &Ctx, token: &str) -> Result<Response, WebError> {
    let (invitation, token_hash) = live_invitation(ctx, token).await?;
    let name = ctx.form.get("display_name");
    let mut problems = Problems::new();
    check_name(&mut problems, name);
    check_new_password(&mut problems, &invitation.email, &ctx.form, SIGNUP_FIELDS);
    let view = invitation_view(&invitation, token, name);
    let rejected = |status: StatusCode, problems: &Problems| {
        response::html(
            status,
            views::accounts::invitation(&ctx.form_page(), &view, problems),
        )
    };
    if !problems.is_empty() {
        return Ok(rejected(StatusCode::UNPROCESSABLE_ENTITY, &problems));
    }
    let hash = hash_password(ctx, ctx.form.get("password")).await?;
    let name = name.trim().to_string();
    let joined = ctx
        .app
        .act(move |blog| actions::invitations::accept(blog, &token_hash, &name, &hash))
        .await;
    let user = match joined {
        Ok(user) => user,
        Err(ActionError::Refused(why)) => {
            return Ok(rejected(StatusCode::CONFLICT, &Problems::of(FORM, why)))
        }
        Err(err) => return Err(err.into()),
    };
    let cookie = start_session(ctx, user, "invitation").await?;
    Ok(response::with_cookie(
        response::redirect(&urls::index()),
        &cookie,
    ))
}

fn invitation_view<'a>(
    invitation: &'a db::invitations::Invitation,
    token: &str,
    display_name: &'a str,
) -> views::accounts::InvitationForm<'a> {
    views::accounts::InvitationForm {
        action: urls::invitation(token),
        email: invitation.email.as_str(),
        role: invitation.role,
        display_name,
    }
}

/// The invitation behind a live link, with its token's hash; 404 otherwise.
async fn live_invitation(
    ctx: &Ctx,
    token: &str,
) -> Result<(db::invitations::Invitation, [u8; 32]), WebError> {
    let hash = Token::parse(token).ok_or(WebError::NotFound)?.hash();
    let invitation = ctx
        .app
        .db
        .read(move |conn| db::invitations::live(conn, &hash, db::now_ms()))
        .await?
        .ok_or(WebError::NotFound)?;
    Ok((invitation, hash))
}

/// A new account's name: asked for, so pages and the menu show a person, not the
/// first half of an address.
fn check_name(problems: &mut Problems, name: &str) {
    if name.trim().is_empty() {
        problems.add("display_name", "problems.name_required");
    } else if name.chars().count() > MAX_NAME_CHARS {
        problems.add("display_name", name_too_long());
    }
}

fn name_too_long() -> Message {
    Message::from("problems.name_too_long").counting(MAX_NAME_CHARS)
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

/// Runs bcrypt on the low-priority hasher threads (see `auth::hasher`).
async fn bcrypt<T: Send + 'static>(
    ctx: &Ctx,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, WebError> {
    Ok(ctx.app.hasher.run(work).await?)
}
