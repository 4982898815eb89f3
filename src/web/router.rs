//! Every URL the site answers, in one `match`. `urls.rs` builds them back.

use http::Method;
use percent_encoding::percent_decode_str;

use crate::content::{CommentId, Email, Slug, Tag, UserId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    Index,
    Post(Slug),
    /// A standalone page, at `/pages/{slug}`.
    Page(Slug),
    NewPageForm,
    NewPage,
    Author(UserId),
    AuthorFeed(UserId, FeedFormat),
    Tag(Tag),
    TagFeed(Tag, FeedFormat),
    Feed(FeedFormat),
    Sitemap,
    Robots,
    Search,
    Healthz,
    Static(String),
    Media(String),
    Upload,
    LoginForm,
    Login,
    Logout,
    SignupForm,
    Signup,
    ProfileForm,
    Profile,
    PasswordForm,
    Password,
    ResetForm(String),
    Reset(String),
    /// An invitation's page: the invitee's name and password.
    InvitationForm(String),
    Invitation(String),
    ForgotForm,
    Forgot,
    /// `?author=ID` subscribes to one author.
    SubscribeForm,
    Subscribe,
    ConfirmForm(String),
    Confirm(String),
    UnsubscribeForm(String),
    /// One-click unsubscribe (RFC 8058): the signed token is the proof, no CSRF token.
    Unsubscribe(String),
    /// One of the account's sessions, by the key the profile lists.
    EndSession(String),
    EndOtherSessions,
    TwoFactorForm,
    TwoFactor,
    TwoFactorRemove,
    RecoveryCodes,
    SecondFactorForm,
    SecondFactor,
    PasskeyLoginStart,
    PasskeyLoginFinish,
    PasskeyRegisterStart,
    PasskeyRegisterFinish,
    PasskeyRename(i64),
    PasskeyDelete(i64),
    NewForm,
    New,
    EditForm(Slug),
    Edit(Slug),
    Publish(Slug),
    Unpublish(Slug),
    DeleteConfirm(Slug),
    Delete(Slug),
    Drafts,
    Autosave(Slug),
    Revisions(Slug),
    RestoreRevision(Slug, i64),
    MakePreviewLink(Slug),
    RevokePreviewLinks(Slug),
    Preview(String),
    NewComment(Slug),
    /// The page that asks before a post's comments close; only its POST closes them.
    CloseCommentsConfirm(Slug),
    CloseComments(Slug),
    OpenComments(Slug),
    ApproveComment(CommentId),
    HideComment(CommentId),
    /// The page that asks before a comment is deleted; only its POST deletes.
    DeleteCommentConfirm(CommentId),
    DeleteComment(CommentId),
    /// Other sites' webmentions: form fields `source` and `target`, no session.
    Webmention,
    ApproveWebmention(i64),
    /// The page that asks before a webmention is deleted; only its POST deletes.
    DeleteWebmentionConfirm(i64),
    DeleteWebmention(i64),
    Admin(AdminPage),
    AdminAction(AdminAction),
    /// A writer's place in the fediverse, and what its forms do.
    Fediverse,
    FediverseAction(FediverseAction),
}

/// The forms of `/fediverse` (POST).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FediverseAction {
    /// The form's `account` (`name@server`).
    Follow,
    /// The form's `remote` (an actor URL).
    Unfollow,
    /// The form's `object` (a received post's id) and `body`.
    Reply,
    /// The form's `target`: an actor URL or a domain. Admins only.
    Block,
    Unblock,
}

/// Every feed comes as Atom (`feed.xml`) and as JSON Feed 1.1 (`feed.json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    Atom,
    Json,
}

impl FeedFormat {
    /// The format a feed's file name asks for.
    fn of(name: &str) -> Option<Self> {
        match name {
            "feed.xml" => Some(Self::Atom),
            "feed.json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// The dashboard and its lists (GET), for admins only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminPage {
    Dashboard,
    Posts,
    Users,
    Comments,
    Media,
    Menu,
    Settings,
    Subscribers,
    SubscribersCsv,
    /// Old addresses that answer 301, with the form that adds one.
    Redirects,
    /// Asks before the pending invitations for an address are revoked.
    RevokeInvitation(Email),
}

/// What an admin's buttons do to accounts and media (POST); each writes one audit
/// row. The buttons on posts and comments post to the same routes as their authors'.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AdminAction {
    /// The new role is the form's `role` field.
    SetRole(UserId),
    Deactivate(UserId),
    Reactivate(UserId),
    ResetLink(UserId),
    /// Ends every session of the account.
    Logout(UserId),
    RunGc,
    /// The whole menu at once: a `position_{id}` field per page.
    SaveMenu,
    /// The form's `from` and `to`.
    AddRedirect,
    /// The form's `from`.
    RemoveRedirect,
    /// A one-time invitation for the form's `email` and `role`.
    Invite,
    /// The pending invitations for an address, withdrawn (their links stop working).
    RevokeInvitation(Email),
    /// The site's title, description and accent (`/admin/settings`).
    SaveSettings,
}

impl Route {
    /// The route for a method and a path (without the query); `None` is a 404, or a
    /// 405 when the path exists for another method.
    pub fn parse(method: &Method, path: &str) -> Option<Self> {
        let path = path
            .strip_suffix('/')
            .filter(|p| !p.is_empty())
            .unwrap_or(path);
        let decoded: Vec<String> = path
            .split('/')
            .skip(1)
            .map(|s| percent_decode_str(s).decode_utf8().map(|s| s.into_owned()))
            .collect::<Result<_, _>>()
            .ok()?;
        let segs: Vec<&str> = decoded
            .iter()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .collect();
        let get = method == Method::GET || method == Method::HEAD;
        let post = method == Method::POST;
        Some(match (get, post, segs.as_slice()) {
            (true, _, []) => Self::Index,
            (true, _, ["healthz"]) => Self::Healthz,
            (true, _, ["static", rest @ ..]) if !rest.is_empty() => Self::Static(rest.join("/")),
            (true, _, ["media", rest @ ..]) if !rest.is_empty() => Self::Media(rest.join("/")),
            (_, true, ["uploads"]) => Self::Upload,
            (true, _, ["drafts"]) => Self::Drafts,
            (true, _, ["authors", id]) => Self::Author(id.parse().ok()?),
            (true, _, ["authors", id, feed]) => {
                Self::AuthorFeed(id.parse().ok()?, FeedFormat::of(feed)?)
            }
            (true, _, ["tags", tag, feed]) => {
                Self::TagFeed(tag.parse().ok()?, FeedFormat::of(feed)?)
            }
            (true, _, ["tags", tag]) => Self::Tag(tag.parse().ok()?),
            (true, _, [feed]) if FeedFormat::of(feed).is_some() => {
                Self::Feed(FeedFormat::of(feed)?)
            }
            (true, _, ["sitemap.xml"]) => Self::Sitemap,
            (true, _, ["robots.txt"]) => Self::Robots,
            (true, _, ["search"]) => Self::Search,
            (true, _, ["posts", "new"]) => Self::NewForm,
            (_, true, ["posts", "new"]) => Self::New,
            (true, _, ["posts", slug]) => Self::Post(slug.parse().ok()?),
            (true, _, ["pages", "new"]) => Self::NewPageForm,
            (_, true, ["pages", "new"]) => Self::NewPage,
            (true, _, ["pages", slug]) => Self::Page(slug.parse().ok()?),
            (true, _, ["posts", slug, "edit"]) => Self::EditForm(slug.parse().ok()?),
            (_, true, ["posts", slug, "edit"]) => Self::Edit(slug.parse().ok()?),
            (_, true, ["posts", slug, "publish"]) => Self::Publish(slug.parse().ok()?),
            (_, true, ["posts", slug, "unpublish"]) => Self::Unpublish(slug.parse().ok()?),
            (true, _, ["posts", slug, "delete"]) => Self::DeleteConfirm(slug.parse().ok()?),
            (_, true, ["posts", slug, "delete"]) => Self::Delete(slug.parse().ok()?),
            (_, true, ["posts", slug, "comments"]) => Self::NewComment(slug.parse().ok()?),
            (_, true, ["posts", slug, "autosave"]) => Self::Autosave(slug.parse().ok()?),
            (true, _, ["posts", slug, "revisions"]) => Self::Revisions(slug.parse().ok()?),
            (_, true, ["posts", slug, "revisions", id, "restore"]) => {
                Self::RestoreRevision(slug.parse().ok()?, id.parse().ok()?)
            }
            (_, true, ["posts", slug, "preview-link"]) => Self::MakePreviewLink(slug.parse().ok()?),
            (_, true, ["posts", slug, "preview-link", "revoke"]) => {
                Self::RevokePreviewLinks(slug.parse().ok()?)
            }
            (true, _, ["preview", token]) => Self::Preview(token.to_string()),
            (true, _, ["posts", slug, "comments", "close"]) => {
                Self::CloseCommentsConfirm(slug.parse().ok()?)
            }
            (_, true, ["posts", slug, "comments", "close"]) => {
                Self::CloseComments(slug.parse().ok()?)
            }
            (_, true, ["posts", slug, "comments", "open"]) => {
                Self::OpenComments(slug.parse().ok()?)
            }
            (_, true, ["comments", id, "approve"]) => Self::ApproveComment(id.parse().ok()?),
            (_, true, ["comments", id, "hide"]) => Self::HideComment(id.parse().ok()?),
            (true, _, ["comments", id, "delete"]) => Self::DeleteCommentConfirm(id.parse().ok()?),
            (_, true, ["comments", id, "delete"]) => Self::DeleteComment(id.parse().ok()?),
            (_, true, ["webmention"]) => Self::Webmention,
            (_, true, ["webmentions", id, "approve"]) => Self::ApproveWebmention(id.parse().ok()?),
            (true, _, ["webmentions", id, "delete"]) => {
                Self::DeleteWebmentionConfirm(id.parse().ok()?)
            }
            (_, true, ["webmentions", id, "delete"]) => Self::DeleteWebmention(id.parse().ok()?),
            (true, _, ["admin"]) => Self::Admin(AdminPage::Dashboard),
            (true, _, ["admin", "posts"]) => Self::Admin(AdminPage::Posts),
            (true, _, ["admin", "users"]) => Self::Admin(AdminPage::Users),
            (true, _, ["admin", "comments"]) => Self::Admin(AdminPage::Comments),
            (true, _, ["admin", "media"]) => Self::Admin(AdminPage::Media),
            (true, _, ["admin", "menu"]) => Self::Admin(AdminPage::Menu),
            (true, _, ["admin", "settings"]) => Self::Admin(AdminPage::Settings),
            (true, _, ["admin", "subscribers"]) => Self::Admin(AdminPage::Subscribers),
            (true, _, ["admin", "subscribers.csv"]) => Self::Admin(AdminPage::SubscribersCsv),
            (true, _, ["admin", "redirects"]) => Self::Admin(AdminPage::Redirects),
            (true, _, ["admin", "invitations", email, "revoke"]) => {
                Self::Admin(AdminPage::RevokeInvitation(email.parse().ok()?))
            }
            (_, true, ["admin", rest @ ..]) => Self::AdminAction(AdminAction::parse(rest)?),
            (true, _, ["fediverse"]) => Self::Fediverse,
            (_, true, ["fediverse", "follow"]) => Self::FediverseAction(FediverseAction::Follow),
            (_, true, ["fediverse", "unfollow"]) => {
                Self::FediverseAction(FediverseAction::Unfollow)
            }
            (_, true, ["fediverse", "reply"]) => Self::FediverseAction(FediverseAction::Reply),
            (_, true, ["fediverse", "block"]) => Self::FediverseAction(FediverseAction::Block),
            (_, true, ["fediverse", "unblock"]) => Self::FediverseAction(FediverseAction::Unblock),
            (true, _, ["accounts", "login"]) => Self::LoginForm,
            (_, true, ["accounts", "login"]) => Self::Login,
            (_, true, ["accounts", "logout"]) => Self::Logout,
            (true, _, ["accounts", "signup"]) => Self::SignupForm,
            (_, true, ["accounts", "signup"]) => Self::Signup,
            (true, _, ["accounts", "profile"]) => Self::ProfileForm,
            (_, true, ["accounts", "profile"]) => Self::Profile,
            (true, _, ["accounts", "password"]) => Self::PasswordForm,
            (_, true, ["accounts", "password"]) => Self::Password,
            (true, _, ["accounts", "reset", token]) => Self::ResetForm(token.to_string()),
            (_, true, ["accounts", "reset", token]) => Self::Reset(token.to_string()),
            (true, _, ["accounts", "invitation", token]) => Self::InvitationForm(token.to_string()),
            (_, true, ["accounts", "invitation", token]) => Self::Invitation(token.to_string()),
            (true, _, ["accounts", "password", "forgot"]) => Self::ForgotForm,
            (_, true, ["accounts", "password", "forgot"]) => Self::Forgot,
            (true, _, ["subscribe"]) => Self::SubscribeForm,
            (_, true, ["subscribe"]) => Self::Subscribe,
            (true, _, ["subscribe", "confirm", token]) => Self::ConfirmForm(token.to_string()),
            (_, true, ["subscribe", "confirm", token]) => Self::Confirm(token.to_string()),
            (true, _, ["unsubscribe", token]) => Self::UnsubscribeForm(token.to_string()),
            (_, true, ["unsubscribe", token]) => Self::Unsubscribe(token.to_string()),
            (_, true, ["accounts", "sessions", "end-others"]) => Self::EndOtherSessions,
            (_, true, ["accounts", "sessions", key, "end"]) => Self::EndSession(key.to_string()),
            (true, _, ["accounts", "two-factor"]) => Self::TwoFactorForm,
            (_, true, ["accounts", "two-factor"]) => Self::TwoFactor,
            (_, true, ["accounts", "two-factor", "remove"]) => Self::TwoFactorRemove,
            (_, true, ["accounts", "recovery-codes"]) => Self::RecoveryCodes,
            (true, _, ["accounts", "login", "second-factor"]) => Self::SecondFactorForm,
            (_, true, ["accounts", "login", "second-factor"]) => Self::SecondFactor,
            (_, true, ["accounts", "login", "passkey", "start"]) => Self::PasskeyLoginStart,
            (_, true, ["accounts", "login", "passkey", "finish"]) => Self::PasskeyLoginFinish,
            (_, true, ["accounts", "passkeys", "register", "start"]) => Self::PasskeyRegisterStart,
            (_, true, ["accounts", "passkeys", "register", "finish"]) => {
                Self::PasskeyRegisterFinish
            }
            (_, true, ["accounts", "passkeys", id, "rename"]) => {
                Self::PasskeyRename(id.parse().ok()?)
            }
            (_, true, ["accounts", "passkeys", id, "delete"]) => {
                Self::PasskeyDelete(id.parse().ok()?)
            }
            _ => return None,
        })
    }

    /// Pages that look the same to every anonymous reader, and so may be cached;
    /// never an admin page.
    pub fn is_public_page(&self) -> bool {
        matches!(
            self,
            Self::Index | Self::Post(_) | Self::Page(_) | Self::Author(_) | Self::Tag(_)
        )
    }

    /// What a read-only follower answers itself: reading pages, feeds, files; every
    /// other request (forms, logins, the editor, the admin pages) is the primary's.
    pub fn is_for_readers(&self) -> bool {
        matches!(
            self,
            Self::Index
                | Self::Post(_)
                | Self::Author(_)
                | Self::AuthorFeed(..)
                | Self::TagFeed(..)
                | Self::Tag(_)
                | Self::Feed(_)
                | Self::Sitemap
                | Self::Robots
                | Self::Search
                | Self::Healthz
                | Self::Static(_)
                | Self::Media(_)
        )
    }

    /// Pages no cache may keep, the browser's included (`Cache-Control: no-store`):
    /// the editor (a draft not yet saved, a preview link just made), its background
    /// saves, revisions, a draft shown by a preview link, drafts, account settings,
    /// reset forms and the admin pages (reset links).
    pub fn is_never_stored(&self) -> bool {
        matches!(
            self,
            Self::NewForm
                | Self::EditForm(_)
                | Self::Autosave(_)
                | Self::Revisions(_)
                | Self::RestoreRevision(..)
                | Self::MakePreviewLink(_)
                | Self::RevokePreviewLinks(_)
                | Self::Preview(_)
                | Self::DeleteConfirm(_)
                | Self::CloseCommentsConfirm(_)
                | Self::DeleteCommentConfirm(_)
                | Self::DeleteWebmentionConfirm(_)
                | Self::Drafts
                | Self::ProfileForm
                | Self::PasswordForm
                | Self::ResetForm(_)
                | Self::InvitationForm(_)
                | Self::Invitation(_)
                | Self::ForgotForm
                | Self::Forgot
                | Self::ConfirmForm(_)
                | Self::UnsubscribeForm(_)
                | Self::TwoFactorForm
                | Self::TwoFactor
                | Self::RecoveryCodes
                | Self::SecondFactorForm
                | Self::SecondFactor
                | Self::PasskeyLoginStart
                | Self::PasskeyLoginFinish
                | Self::PasskeyRegisterStart
                | Self::PasskeyRegisterFinish
                | Self::Admin(_)
                | Self::AdminAction(_)
                | Self::Fediverse
                | Self::FediverseAction(_)
        )
    }

    /// Whether a POST here must carry the CSRF token of the visitor's session. A mail
    /// client's one-click unsubscribe has no session: its signed link is the proof. A
    /// webmention comes from another server, and changes nothing until its source,
    /// fetched by us, is found to link here.
    pub fn needs_csrf(&self) -> bool {
        !matches!(self, Self::Unsubscribe(_) | Self::Webmention)
    }

    /// True when the path exists for some other method (answer 405, not 404).
    pub fn exists_for_other_method(method: &Method, path: &str) -> bool {
        [Method::GET, Method::POST]
            .iter()
            .filter(|m| *m != method)
            .any(|m| Self::parse(m, path).is_some())
    }
}

impl AdminAction {
    /// The path after `/admin/`, for a POST.
    fn parse(segs: &[&str]) -> Option<Self> {
        Some(match segs {
            ["users", "invite"] => Self::Invite,
            ["invitations", email, "revoke"] => Self::RevokeInvitation(email.parse().ok()?),
            ["settings"] => Self::SaveSettings,
            ["users", id, "role"] => Self::SetRole(id.parse().ok()?),
            ["users", id, "deactivate"] => Self::Deactivate(id.parse().ok()?),
            ["users", id, "reactivate"] => Self::Reactivate(id.parse().ok()?),
            ["users", id, "reset-link"] => Self::ResetLink(id.parse().ok()?),
            ["users", id, "logout"] => Self::Logout(id.parse().ok()?),
            ["media", "gc"] => Self::RunGc,
            ["menu"] => Self::SaveMenu,
            ["redirects"] => Self::AddRedirect,
            ["redirects", "remove"] => Self::RemoveRedirect,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::urls::{self, *};
    #[test]
    fn every_url_parses_back_to_its_route() {
        let slug: Slug = "안녕-세계".parse().unwrap();
        let get = |url: &str| Route::parse(&Method::GET, url);
        let post_ = |url: &str| Route::parse(&Method::POST, url);
        assert_eq!(get(&post(&slug)), Some(Route::Post(slug.clone())));
        assert_eq!(get(&post_edit(&slug)), Some(Route::EditForm(slug.clone())));
        assert_eq!(post_(&post_edit(&slug)), Some(Route::Edit(slug.clone())));
        assert_eq!(
            post_(&post_publish(&slug)),
            Some(Route::Publish(slug.clone()))
        );
        assert_eq!(
            post_(&post_unpublish(&slug)),
            Some(Route::Unpublish(slug.clone()))
        );
        assert_eq!(
            get(&post_delete(&slug)),
            Some(Route::DeleteConfirm(slug.clone()))
        );
        assert_eq!(
            post_(&post_comments(&slug)),
            Some(Route::NewComment(slug.clone()))
        );
        assert_eq!(
            post_(&post_comments_close(&slug)),
            Some(Route::CloseComments(slug.clone()))
        );
        assert_eq!(
            post_(&post_comments_open(&slug)),
            Some(Route::OpenComments(slug.clone()))
        );
        let id = CommentId(12);
        assert_eq!(post_(&comment_approve(id)), Some(Route::ApproveComment(id)));
        assert_eq!(post_(&comment_hide(id)), Some(Route::HideComment(id)));
        assert_eq!(post_(&comment_delete(id)), Some(Route::DeleteComment(id)));
        assert_eq!(post_(&webmention_endpoint()), Some(Route::Webmention));
        assert_eq!(
            post_(&webmention_approve(4)),
            Some(Route::ApproveWebmention(4))
        );
        assert_eq!(
            get(&webmention_delete(4)),
            Some(Route::DeleteWebmentionConfirm(4))
        );
        assert_eq!(
            post_(&webmention_delete(4)),
            Some(Route::DeleteWebmention(4))
        );
        assert_eq!(
            get(&comment_delete(id)),
            Some(Route::DeleteCommentConfirm(id))
        );
        assert_eq!(
            get(&post_comments_close(&slug)),
            Some(Route::CloseCommentsConfirm(slug.clone()))
        );
        assert_eq!(
            post_(&post_delete(&slug)),
            Some(Route::Delete(slug.clone()))
        );
        assert_eq!(get(&author(UserId(7))), Some(Route::Author(UserId(7))));
        assert_eq!(get(&index()), Some(Route::Index));
        assert_eq!(get(&site_page(&slug)), Some(Route::Page(slug.clone())));
        assert_eq!(get(&new_site_page()), Some(Route::NewPageForm));
        assert_eq!(post_(&new_site_page()), Some(Route::NewPage));
        assert_eq!(get(&new_post()), Some(Route::NewForm));
        assert_eq!(get(&drafts()), Some(Route::Drafts));
        assert_eq!(get(&login()), Some(Route::LoginForm));
        assert_eq!(post_(&logout()), Some(Route::Logout));
        assert_eq!(get(&signup()), Some(Route::SignupForm));
        assert_eq!(get(&profile()), Some(Route::ProfileForm));
        assert_eq!(get(&password()), Some(Route::PasswordForm));
        assert_eq!(get(&reset("abc")), Some(Route::ResetForm("abc".into())));
        assert_eq!(
            get(&invitation("abc")),
            Some(Route::InvitationForm("abc".into()))
        );
        assert_eq!(
            post_(&invitation("abc")),
            Some(Route::Invitation("abc".into()))
        );
        assert_eq!(
            get(&admin_settings()),
            Some(Route::Admin(AdminPage::Settings))
        );
        assert_eq!(
            post_(&admin_settings()),
            Some(Route::AdminAction(AdminAction::SaveSettings))
        );
        assert_eq!(
            post_(&admin_invite()),
            Some(Route::AdminAction(AdminAction::Invite))
        );
        let invited: Email = "Kim+blog@Example.com".parse().unwrap();
        assert_eq!(
            get(&admin_revoke_invitation(&invited)),
            Some(Route::Admin(AdminPage::RevokeInvitation(invited.clone())))
        );
        assert_eq!(
            post_(&admin_revoke_invitation(&invited)),
            Some(Route::AdminAction(AdminAction::RevokeInvitation(invited)))
        );
        assert_eq!(
            post_(&end_session("0a1b2c")),
            Some(Route::EndSession("0a1b2c".into()))
        );
        assert_eq!(post_(&end_other_sessions()), Some(Route::EndOtherSessions));
        assert_eq!(get(&two_factor()), Some(Route::TwoFactorForm));
        assert_eq!(post_(&two_factor()), Some(Route::TwoFactor));
        assert_eq!(post_(&two_factor_remove()), Some(Route::TwoFactorRemove));
        assert_eq!(post_(&recovery_codes()), Some(Route::RecoveryCodes));
        assert_eq!(get(&login_second_factor()), Some(Route::SecondFactorForm));
        assert_eq!(post_(&login_second_factor()), Some(Route::SecondFactor));
        assert_eq!(
            post_(&passkey_login_start()),
            Some(Route::PasskeyLoginStart)
        );
        assert_eq!(
            post_(&passkey_login_finish()),
            Some(Route::PasskeyLoginFinish)
        );
        assert_eq!(
            post_(&passkey_register_start()),
            Some(Route::PasskeyRegisterStart)
        );
        assert_eq!(
            post_(&passkey_register_finish()),
            Some(Route::PasskeyRegisterFinish)
        );
        assert_eq!(post_(&passkey_rename(3)), Some(Route::PasskeyRename(3)));
        assert_eq!(post_(&passkey_delete(3)), Some(Route::PasskeyDelete(3)));
        assert_eq!(get(&healthz()), Some(Route::Healthz));
        assert_eq!(
            get(&media("uploads/2026/11/a.jpg")),
            Some(Route::Media("uploads/2026/11/a.jpg".into()))
        );
        assert_eq!(post_(&upload()), Some(Route::Upload));
        let tag: Tag = "한국어 글".parse().unwrap();
        assert!(urls::tag(&tag).is_ascii());
        assert_eq!(get(&urls::tag(&tag)), Some(Route::Tag(tag)));
        assert_eq!(get(&feed()), Some(Route::Feed(FeedFormat::Atom)));
        assert_eq!(get(&feed_json()), Some(Route::Feed(FeedFormat::Json)));
        let tag: Tag = "러스트".parse().unwrap();
        assert_eq!(
            get(&tag_feed(&tag)),
            Some(Route::TagFeed(tag.clone(), FeedFormat::Atom))
        );
        assert_eq!(
            get(&tag_feed_json(&tag)),
            Some(Route::TagFeed(tag, FeedFormat::Json))
        );
        assert_eq!(
            get(&author_feed_json(UserId(7))),
            Some(Route::AuthorFeed(UserId(7), FeedFormat::Json))
        );
        assert_eq!(
            get(&author_feed(UserId(7))),
            Some(Route::AuthorFeed(UserId(7), FeedFormat::Atom))
        );
        assert_eq!(get(&sitemap()), Some(Route::Sitemap));
        assert_eq!(get(&robots()), Some(Route::Robots));
        assert_eq!(get(&search("")), Some(Route::Search));
        let with_query = search("서울 & co");
        let (path, query) = with_query.split_once('?').unwrap();
        assert_eq!((get(path), query.is_ascii()), (Some(Route::Search), true));
    }

    #[test]
    fn admin_urls_parse_back_to_their_routes() {
        use AdminAction as A;
        use AdminPage as P;
        let get = |url: &str| Route::parse(&Method::GET, url);
        let post_ = |url: &str| Route::parse(&Method::POST, url);
        assert_eq!(get(&admin()), Some(Route::Admin(P::Dashboard)));
        assert_eq!(get(&admin_posts()), Some(Route::Admin(P::Posts)));
        assert_eq!(get(&admin_users()), Some(Route::Admin(P::Users)));
        assert_eq!(get(&admin_comments()), Some(Route::Admin(P::Comments)));
        assert_eq!(get(&admin_media()), Some(Route::Admin(P::Media)));
        assert_eq!(get(&admin_menu()), Some(Route::Admin(P::Menu)));
        assert_eq!(post_(&admin_menu()), Some(Route::AdminAction(A::SaveMenu)));
        assert_eq!(get(&admin_redirects()), Some(Route::Admin(P::Redirects)));
        assert_eq!(
            post_(&admin_redirects()),
            Some(Route::AdminAction(A::AddRedirect))
        );
        let user = UserId(4);
        let actions = [
            (admin_set_role(user), A::SetRole(user)),
            (admin_deactivate(user), A::Deactivate(user)),
            (admin_reactivate(user), A::Reactivate(user)),
            (admin_reset_link(user), A::ResetLink(user)),
            (admin_logout(user), A::Logout(user)),
            (admin_run_gc(), A::RunGc),
            (admin_remove_redirect(), A::RemoveRedirect),
        ];
        for (url, action) in actions {
            assert!(url.is_ascii(), "{url}");
            assert_eq!(post_(&url), Some(Route::AdminAction(action)), "{url}");
            assert_eq!(get(&url), None, "{url} is POST only");
        }
    }

    /// `content::redirect::SITE_SEGMENTS` names the first segment of each route (one
    /// URL of each is here: a new top-level route belongs in both lists), so no
    /// redirect can be added from an address the site answers itself.
    #[test]
    fn every_routes_first_segment_is_known_to_the_redirects() {
        use crate::content::redirect::{OldPath, SITE_SEGMENTS};
        let slug: Slug = "a".parse().unwrap();
        let tag: Tag = "t".parse().unwrap();
        let urls = [
            post(&slug),
            site_page(&slug),
            new_site_page(),
            author(UserId(1)),
            author_feed(UserId(1)),
            urls::tag(&tag),
            feed(),
            feed_json(),
            tag_feed(&tag),
            subscribe(None),
            unsubscribe("x"),
            confirm_subscription("x"),
            forgot_password(),
            two_factor(),
            admin_subscribers(),
            sitemap(),
            robots(),
            search(""),
            healthz(),
            media("uploads/a.jpg"),
            upload(),
            drafts(),
            login(),
            reset("x"),
            comment_approve(CommentId(1)),
            admin(),
            admin_redirects(),
            "/static/css/site.css".to_string(),
            "/preview/x".to_string(),
        ];
        for url in urls {
            let path = url.split('?').next().unwrap();
            assert!(
                Route::parse(&Method::GET, path).is_some()
                    || Route::parse(&Method::POST, path).is_some(),
                "{url} is a route"
            );
            assert!(OldPath::parse(path).unwrap().is_the_sites_own(), "{url}");
        }
        let first_segments: Vec<&str> = SITE_SEGMENTS.to_vec();
        assert!(
            first_segments.windows(2).all(|w| w[0] < w[1]),
            "kept sorted"
        );
    }

    #[test]
    fn head_is_get_and_unknown_paths_are_none() {
        assert_eq!(Route::parse(&Method::HEAD, "/"), Some(Route::Index));
        assert_eq!(Route::parse(&Method::GET, "/nope"), None);
        assert_eq!(Route::parse(&Method::GET, "/posts/..%2Fetc"), None);
        assert_eq!(Route::parse(&Method::GET, "/authors/abc"), None);
        assert!(Route::exists_for_other_method(
            &Method::GET,
            "/accounts/logout"
        ));
    }

    #[test]
    fn tag_pages_are_cached_and_feeds_are_not() {
        let tag = Route::parse(&Method::GET, "/tags/%ED%95%9C%EA%B5%AD%EC%96%B4").unwrap();
        assert_eq!(tag, Route::Tag("한국어".parse().unwrap()));
        assert!(tag.is_public_page());
        // Only HTML pages go into the page cache; feeds are read fresh.
        assert!(!Route::Feed(FeedFormat::Atom).is_public_page());
        // Search pages are as many as the queries typed: not worth a cache entry.
        assert!(!Route::Search.is_public_page());
        assert_eq!(Route::parse(&Method::GET, "/tags/%20"), None);
    }

    #[test]
    fn korean_slug_is_decoded() {
        let route = Route::parse(&Method::GET, "/posts/%EC%95%88%EB%85%95").unwrap();
        assert_eq!(route, Route::Post("안녕".parse().unwrap()));
    }
}
