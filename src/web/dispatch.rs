//! One handler per route, one line per arm.

use super::request::Ctx;
use super::router::Route;
use super::{
    accounts, admin, comments, fediverse, mail, posts, search, security, syndication, uploads,
    webmentions, writing, WebError,
};
use crate::actions::comments::{Comments, Moderation};
use crate::actions::posts::Visibility;
use crate::actions::webmentions::Moderation as MentionModeration;
use crate::content::{Kind, Problems};
use crate::serving::response::Response;

pub async fn dispatch(ctx: &Ctx, route: Route) -> Result<Response, WebError> {
    if let Some(setup) = security::second_factor_required(ctx, &route) {
        return Ok(setup);
    }
    match route {
        Route::Index => posts::index(ctx).await,
        Route::Post(slug) => posts::show(ctx, slug).await,
        Route::Page(slug) => posts::site_page(ctx, slug).await,
        Route::NewPageForm => posts::new_form(ctx, Kind::Page),
        Route::NewPage => posts::create(ctx, Kind::Page).await,
        Route::Author(id) => posts::author(ctx, id).await,
        Route::AuthorFeed(id, format) => syndication::author_feed(ctx, id, format).await,
        Route::TagFeed(tag, format) => syndication::tag_feed(ctx, tag, format).await,
        Route::Tag(tag) => posts::tag(ctx, tag).await,
        Route::Feed(format) => syndication::feed(ctx, format).await,
        Route::Sitemap => syndication::sitemap(ctx).await,
        Route::Robots => Ok(syndication::robots(ctx)),
        Route::Search => search::show(ctx).await,
        Route::Drafts => posts::drafts(ctx).await,
        Route::NewForm => posts::new_form(ctx, Kind::Post),
        Route::New => posts::create(ctx, Kind::Post).await,
        Route::EditForm(slug) => posts::edit_form(ctx, slug).await,
        Route::Edit(slug) => posts::update(ctx, slug).await,
        Route::Publish(slug) => posts::set_visibility(ctx, slug, Visibility::Published).await,
        Route::Unpublish(slug) => posts::set_visibility(ctx, slug, Visibility::Draft).await,
        Route::DeleteConfirm(slug) => posts::delete_confirm(ctx, slug).await,
        Route::Delete(slug) => posts::delete(ctx, slug).await,
        Route::Autosave(slug) => writing::autosave(ctx, slug).await,
        Route::Revisions(slug) => writing::revisions(ctx, slug).await,
        Route::RestoreRevision(slug, id) => writing::restore(ctx, slug, id).await,
        Route::MakePreviewLink(slug) => writing::make_preview_link(ctx, slug).await,
        Route::RevokePreviewLinks(slug) => writing::revoke_preview_links(ctx, slug).await,
        Route::Preview(token) => writing::preview(ctx, &token).await,
        Route::NewComment(slug) => comments::create(ctx, slug).await,
        Route::CloseCommentsConfirm(slug) => comments::close_confirm(ctx, slug).await,
        Route::CloseComments(slug) => comments::set_state(ctx, slug, Comments::Closed).await,
        Route::OpenComments(slug) => comments::set_state(ctx, slug, Comments::Open).await,
        Route::ApproveComment(id) => comments::moderate(ctx, id, Moderation::Approve).await,
        Route::HideComment(id) => comments::moderate(ctx, id, Moderation::Hide).await,
        Route::DeleteCommentConfirm(id) => comments::delete_confirm(ctx, id).await,
        Route::DeleteComment(id) => comments::moderate(ctx, id, Moderation::Delete).await,
        Route::Webmention => webmentions::receive(ctx).await,
        Route::ApproveWebmention(id) => {
            webmentions::moderate(ctx, id, MentionModeration::Approve).await
        }
        Route::DeleteWebmentionConfirm(id) => webmentions::delete_confirm(ctx, id).await,
        Route::DeleteWebmention(id) => {
            webmentions::moderate(ctx, id, MentionModeration::Delete).await
        }
        Route::LoginForm => accounts::login_form(ctx),
        Route::Login => accounts::login(ctx).await,
        Route::Logout => accounts::logout(ctx).await,
        Route::SignupForm => accounts::signup_form(ctx),
        Route::Signup => accounts::signup(ctx).await,
        Route::ProfileForm => accounts::profile_form(ctx).await,
        Route::Profile => accounts::profile(ctx).await,
        Route::PasswordForm => accounts::password_form(ctx),
        Route::Password => accounts::password(ctx).await,
        Route::ResetForm(token) => accounts::reset_form(ctx, &token).await,
        Route::Reset(token) => accounts::reset(ctx, &token).await,
        Route::InvitationForm(token) => accounts::invitation_form(ctx, &token).await,
        Route::Invitation(token) => accounts::accept_invitation(ctx, &token).await,
        Route::ForgotForm => mail::forgot_form(ctx),
        Route::Forgot => mail::forgot(ctx).await,
        Route::SubscribeForm => mail::subscribe_form(ctx).await,
        Route::Subscribe => mail::subscribe(ctx).await,
        Route::ConfirmForm(token) => mail::confirm_form(ctx, &token).await,
        Route::Confirm(token) => mail::confirm(ctx, &token).await,
        Route::UnsubscribeForm(token) => mail::unsubscribe_form(ctx, &token).await,
        Route::Unsubscribe(token) => mail::unsubscribe(ctx, &token).await,
        Route::EndSession(key) => security::end_session(ctx, &key).await,
        Route::EndOtherSessions => security::end_other_sessions(ctx).await,
        Route::TwoFactorForm => security::two_factor_form(ctx).await,
        Route::TwoFactor => security::two_factor(ctx).await,
        Route::TwoFactorRemove => security::two_factor_remove(ctx).await,
        Route::RecoveryCodes => security::recovery_codes(ctx).await,
        Route::SecondFactorForm => security::second_factor_form(ctx).await,
        Route::SecondFactor => security::second_factor(ctx).await,
        Route::PasskeyLoginStart => security::passkey_login_start(ctx).await,
        Route::PasskeyLoginFinish => security::passkey_login_finish(ctx).await,
        Route::PasskeyRegisterStart => security::passkey_register_start(ctx).await,
        Route::PasskeyRegisterFinish => security::passkey_register_finish(ctx).await,
        Route::PasskeyRename(id) => security::passkey_rename(ctx, id).await,
        Route::PasskeyDelete(id) => security::passkey_delete(ctx, id).await,
        Route::Upload => uploads::create(ctx).await,
        Route::Admin(page) => admin::show(ctx, page).await,
        Route::AdminAction(action) => admin::act(ctx, action).await,
        Route::Fediverse => fediverse::show(ctx, None, &Problems::new()).await,
        Route::FediverseAction(action) => fediverse::act(ctx, action).await,
        Route::Healthz | Route::Static(_) | Route::Media(_) => Err(WebError::NotFound),
    }
}
