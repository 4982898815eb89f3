//! Every link the site makes, built in one place: the inverse of `web::router`.
//! Slugs are percent-encoded, so a Korean slug is a valid header and href.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::content::{CommentId, Email, Post, Slug, Tag, UserId};

/// Characters escaped in one path segment (RFC 3986, plus `%` itself).
const SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// Characters escaped in a query value.
const QUERY: &AsciiSet = &SEGMENT.add(b'&').add(b'=').add(b'+').add(b';');

fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

pub fn index() -> String {
    "/".into()
}

/// A page of a list at `base` (like `/`, `/authors/3` or `/search?q=x`); page 1 has
/// no `page` parameter.
pub fn page(base: &str, page: u32) -> String {
    let joint = if base.contains('?') { '&' } else { '?' };
    if page <= 1 {
        base.to_string()
    } else {
        format!("{base}{joint}page={page}")
    }
}

pub fn post(slug: &Slug) -> String {
    format!("/posts/{}", segment(slug.as_str()))
}

/// A standalone page (About, Contact, …). Under `/pages/`, never at `/{slug}`, so no
/// page can shadow a route of the site (`/search`, `/admin`, …) or be shadowed by one
/// added later.
pub fn site_page(slug: &Slug) -> String {
    format!("/pages/{}", segment(slug.as_str()))
}

/// Where a row of `posts` is read: a post at `/posts/…`, a page at `/pages/…`.
pub fn shown(post: &Post) -> String {
    if post.is_page() {
        site_page(&post.slug)
    } else {
        self::post(&post.slug)
    }
}

pub fn new_site_page() -> String {
    "/pages/new".into()
}

pub fn post_edit(slug: &Slug) -> String {
    format!("{}/edit", post(slug))
}

pub fn post_publish(slug: &Slug) -> String {
    format!("{}/publish", post(slug))
}

pub fn post_unpublish(slug: &Slug) -> String {
    format!("{}/unpublish", post(slug))
}

/// Where the editor saves a draft in the background (JSON).
pub fn post_autosave(slug: &Slug) -> String {
    format!("/posts/{}/autosave", segment(slug.as_str()))
}

/// A post's kept revisions; with `from` and `to`, the words that changed between them.
pub fn post_revisions(slug: &Slug) -> String {
    format!("/posts/{}/revisions", segment(slug.as_str()))
}

pub fn post_revisions_diff(slug: &Slug, from: i64, to: i64) -> String {
    format!("{}?from={from}&to={to}", post_revisions(slug))
}

pub fn post_revision_restore(slug: &Slug, revision: i64) -> String {
    format!(
        "/posts/{}/revisions/{revision}/restore",
        segment(slug.as_str())
    )
}

/// Makes a new preview link (POST).
pub fn post_preview_link(slug: &Slug) -> String {
    format!("/posts/{}/preview-link", segment(slug.as_str()))
}

/// Ends every preview link of the post (POST).
pub fn post_preview_revoke(slug: &Slug) -> String {
    format!("/posts/{}/preview-link/revoke", segment(slug.as_str()))
}

/// What a preview link opens.
pub fn preview(token: &str) -> String {
    format!("/preview/{}", segment(token))
}

pub fn post_delete(slug: &Slug) -> String {
    format!("{}/delete", post(slug))
}

/// Where a post's comment form sends a new comment.
pub fn post_comments(slug: &Slug) -> String {
    format!("{}/comments", post(slug))
}

pub fn post_comments_close(slug: &Slug) -> String {
    format!("{}/comments/close", post(slug))
}

pub fn post_comments_open(slug: &Slug) -> String {
    format!("{}/comments/open", post(slug))
}

/// A notice shown above a post's comments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    None,
    /// A new comment waits for approval.
    Held,
}

/// A post's page scrolled to its comments, with the notice.
pub fn post_comments_section(slug: &Slug, notice: Notice) -> String {
    match notice {
        Notice::Held => format!("{}?comment=held#comments", post(slug)),
        Notice::None => format!("{}#comments", post(slug)),
    }
}

/// A post's page scrolled to one comment.
pub fn comment_anchor(slug: &Slug, id: CommentId) -> String {
    format!("{}#comment-{id}", post(slug))
}

pub fn comment_approve(id: CommentId) -> String {
    format!("/comments/{id}/approve")
}

pub fn comment_hide(id: CommentId) -> String {
    format!("/comments/{id}/hide")
}

pub fn comment_delete(id: CommentId) -> String {
    format!("/comments/{id}/delete")
}

/// Where other sites send webmentions (`[federation] enabled`).
pub fn webmention_endpoint() -> String {
    "/webmention".into()
}

/// A post's page scrolled to the mentions under it.
pub fn post_mentions_section(slug: &Slug) -> String {
    format!("{}#mentions", post(slug))
}

pub fn webmention_approve(id: i64) -> String {
    format!("/webmentions/{id}/approve")
}

pub fn webmention_delete(id: i64) -> String {
    format!("/webmentions/{id}/delete")
}

/// A confirmation page (a GET of `path`) whose form, once confirmed, asks to come
/// back to `next` (an admin list) rather than to the post.
pub fn asking_then(path: &str, next: &str) -> String {
    // A local path's slashes stay readable; `&`, `=`, `#` and the rest are escaped.
    const NEXT: &AsciiSet = &QUERY.remove(b'/');
    format!("{path}?next={}", utf8_percent_encode(next, NEXT))
}

pub fn new_post() -> String {
    "/posts/new".into()
}

pub fn drafts() -> String {
    "/drafts".into()
}

pub fn author(id: UserId) -> String {
    format!("/authors/{id}")
}

/// An author's Atom feed.
pub fn author_feed(id: UserId) -> String {
    format!("/authors/{id}/feed.xml")
}

/// An author's JSON Feed.
pub fn author_feed_json(id: UserId) -> String {
    format!("/authors/{id}/feed.json")
}

/// The Atom feed of a tag's published posts.
pub fn tag_feed(tag: &Tag) -> String {
    format!("{}/feed.xml", self::tag(tag))
}

/// The JSON Feed of a tag's published posts.
pub fn tag_feed_json(tag: &Tag) -> String {
    format!("{}/feed.json", self::tag(tag))
}

/// The list of published posts with a tag; the tag is percent-encoded.
pub fn tag(tag: &Tag) -> String {
    format!("/tags/{}", segment(tag.as_str()))
}

/// The site's Atom feed.
pub fn feed() -> String {
    "/feed.xml".into()
}

/// The site's JSON Feed (1.1), beside the Atom one.
pub fn feed_json() -> String {
    "/feed.json".into()
}

pub fn sitemap() -> String {
    "/sitemap.xml".into()
}

pub fn robots() -> String {
    "/robots.txt".into()
}

/// The search page for `query`; the empty form when it is empty.
pub fn search(query: &str) -> String {
    if query.is_empty() {
        "/search".into()
    } else {
        format!("/search?q={}", utf8_percent_encode(query, QUERY))
    }
}

pub fn login() -> String {
    "/accounts/login".into()
}

/// The login page that sends the user back to `next` afterwards.
pub fn login_then(next: &str) -> String {
    format!("/accounts/login?next={}", utf8_percent_encode(next, QUERY))
}

pub fn logout() -> String {
    "/accounts/logout".into()
}

pub fn signup() -> String {
    "/accounts/signup".into()
}

pub fn profile() -> String {
    "/accounts/profile".into()
}

pub fn password() -> String {
    "/accounts/password".into()
}

pub fn reset(token: &str) -> String {
    format!("/accounts/reset/{}", segment(token))
}

/// A one-time invitation link (GET shows its form, POST makes the account).
pub fn invitation(token: &str) -> String {
    format!("/accounts/invitation/{}", segment(token))
}

pub fn forgot_password() -> String {
    "/accounts/password/forgot".into()
}

/// The subscription form: to the whole blog, or to one author.
pub fn subscribe(author: Option<UserId>) -> String {
    match author {
        Some(id) => format!("/subscribe?author={id}"),
        None => "/subscribe".into(),
    }
}

pub fn confirm_subscription(token: &str) -> String {
    format!("/subscribe/confirm/{}", segment(token))
}

/// One-click unsubscribe (RFC 8058): a POST here needs no session and no CSRF token.
pub fn unsubscribe(token: &str) -> String {
    format!("/unsubscribe/{}", segment(token))
}

pub fn admin_subscribers() -> String {
    "/admin/subscribers".into()
}

pub fn admin_subscribers_csv() -> String {
    "/admin/subscribers.csv".into()
}

/// Ends one of the account's own sessions, named by the key its profile lists (POST).
pub fn end_session(key: &str) -> String {
    format!("/accounts/sessions/{}/end", segment(key))
}

/// Ends every session of the account but this browser's (POST).
pub fn end_other_sessions() -> String {
    "/accounts/sessions/end-others".into()
}

/// Setting up a second factor: the authenticator app's QR code and its first code
/// (field `code`), and passkeys. Where `require_second_factor` leads.
pub fn two_factor() -> String {
    "/accounts/two-factor".into()
}

/// Removes the authenticator app (POST).
pub fn two_factor_remove() -> String {
    "/accounts/two-factor/remove".into()
}

/// Ten new recovery codes in place of the old ones, shown once (POST).
pub fn recovery_codes() -> String {
    "/accounts/recovery-codes".into()
}

/// The login's second step, after a right password: a code (field `code`, from the
/// app or a recovery code) or a passkey.
pub fn login_second_factor() -> String {
    "/accounts/login/second-factor".into()
}

/// WebAuthn: options for a new passkey (POST, JSON).
pub fn passkey_register_start() -> String {
    "/accounts/passkeys/register/start".into()
}

/// WebAuthn: the new passkey, with its `name` (POST, JSON).
pub fn passkey_register_finish() -> String {
    "/accounts/passkeys/register/finish".into()
}

pub fn passkey_rename(id: i64) -> String {
    format!("/accounts/passkeys/{id}/rename")
}

pub fn passkey_delete(id: i64) -> String {
    format!("/accounts/passkeys/{id}/delete")
}

/// WebAuthn: a challenge for a passkey login, alone or as the second factor (POST, JSON).
pub fn passkey_login_start() -> String {
    "/accounts/login/passkey/start".into()
}

/// WebAuthn: the signed challenge; answers where to go (POST, JSON).
pub fn passkey_login_finish() -> String {
    "/accounts/login/passkey/finish".into()
}

/// A stored media file by its path under the media folder (random ASCII names).
pub fn media(path: &str) -> String {
    format!("/media/{path}")
}

pub fn upload() -> String {
    "/uploads".into()
}

pub fn healthz() -> String {
    "/healthz".into()
}

/// The admin dashboard: counts and the audit log.
pub fn admin() -> String {
    "/admin".into()
}

pub fn admin_posts() -> String {
    "/admin/posts".into()
}

pub fn admin_users() -> String {
    "/admin/users".into()
}

pub fn admin_comments() -> String {
    "/admin/comments".into()
}

pub fn admin_media() -> String {
    "/admin/media".into()
}

pub fn admin_publish(slug: &Slug) -> String {
    format!("/admin/posts/{}/publish", segment(slug.as_str()))
}

pub fn admin_unpublish(slug: &Slug) -> String {
    format!("/admin/posts/{}/unpublish", segment(slug.as_str()))
}

pub fn admin_delete_post(slug: &Slug) -> String {
    format!("/admin/posts/{}/delete", segment(slug.as_str()))
}

pub fn admin_approve_comment(id: CommentId) -> String {
    format!("/admin/comments/{id}/approve")
}

pub fn admin_hide_comment(id: CommentId) -> String {
    format!("/admin/comments/{id}/hide")
}

pub fn admin_delete_comment(id: CommentId) -> String {
    format!("/admin/comments/{id}/delete")
}

/// Takes the new role as the field `role`.
pub fn admin_set_role(id: UserId) -> String {
    format!("/admin/users/{id}/role")
}

pub fn admin_deactivate(id: UserId) -> String {
    format!("/admin/users/{id}/deactivate")
}

pub fn admin_reactivate(id: UserId) -> String {
    format!("/admin/users/{id}/reactivate")
}

/// Invites someone by address and role (POST).
pub fn admin_invite() -> String {
    "/admin/users/invite".into()
}

/// The pending invitations for an address: GET asks, POST revokes them.
pub fn admin_revoke_invitation(email: &Email) -> String {
    format!("/admin/invitations/{}/revoke", segment(email.as_str()))
}

/// The site's title, description and accent (GET shows, POST saves).
pub fn admin_settings() -> String {
    "/admin/settings".into()
}

pub fn admin_reset_link(id: UserId) -> String {
    format!("/admin/users/{id}/reset-link")
}

/// Ends every session of the account (POST).
pub fn admin_logout(id: UserId) -> String {
    format!("/admin/users/{id}/logout")
}

/// The site's menu: which pages it shows, in what order (GET shows, POST saves).
pub fn admin_menu() -> String {
    "/admin/menu".into()
}

/// Old addresses that answer 301 (GET); the form that adds one posts here too.
pub fn admin_redirects() -> String {
    "/admin/redirects".into()
}

pub fn admin_remove_redirect() -> String {
    "/admin/redirects/remove".into()
}

pub fn admin_run_gc() -> String {
    "/admin/media/gc".into()
}

/// A writer's place in the fediverse (`[federation]` on).
pub fn fediverse() -> String {
    "/fediverse".into()
}

pub fn fediverse_follow() -> String {
    "/fediverse/follow".into()
}

pub fn fediverse_unfollow() -> String {
    "/fediverse/unfollow".into()
}

pub fn fediverse_reply() -> String {
    "/fediverse/reply".into()
}

pub fn fediverse_block() -> String {
    "/fediverse/block".into()
}

pub fn fediverse_unblock() -> String {
    "/fediverse/unblock".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_pages_keep_the_query_and_add_the_page() {
        let base = search("a&b=c +d");
        assert_eq!(base, "/search?q=a%26b%3Dc%20%2Bd");
        assert_eq!(page(&base, 2), "/search?q=a%26b%3Dc%20%2Bd&page=2");
        assert_eq!(page("/authors/3", 2), "/authors/3?page=2");
    }

    #[test]
    fn korean_slug_is_percent_encoded() {
        let slug: Slug = "안녕-세계".parse().unwrap();
        assert!(post(&slug).is_ascii());
    }
}
