//! Every link the site makes, built in one place: the inverse of `web::router`.
//! Slugs are percent-encoded, so a Korean slug is a valid header and href.

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::content::{CommentId, Slug, Tag, UserId};

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

pub fn post_edit(slug: &Slug) -> String {
    format!("{}/edit", post(slug))
}

pub fn post_publish(slug: &Slug) -> String {
    format!("{}/publish", post(slug))
}

pub fn post_unpublish(slug: &Slug) -> String {
    format!("{}/unpublish", post(slug))
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

/// A post's page scrolled to its comments; `held` adds the notice that a new comment
/// waits for approval.
pub fn post_comments_section(slug: &Slug, held: bool) -> String {
    if held {
        format!("{}?comment=held#comments", post(slug))
    } else {
        format!("{}#comments", post(slug))
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

/// The list of published posts with a tag; the tag is percent-encoded.
pub fn tag(tag: &Tag) -> String {
    format!("/tags/{}", segment(tag.as_str()))
}

/// The site's Atom feed.
pub fn feed() -> String {
    "/feed.xml".into()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::router::Route;
    use http::Method;

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
        assert_eq!(post_(&post_delete(&slug)), Some(Route::Delete(slug)));
        assert_eq!(get(&author(UserId(7))), Some(Route::Author(UserId(7))));
        assert_eq!(get(&index()), Some(Route::Index));
        assert_eq!(get(&new_post()), Some(Route::NewForm));
        assert_eq!(get(&drafts()), Some(Route::Drafts));
        assert_eq!(get(&login()), Some(Route::LoginForm));
        assert_eq!(post_(&logout()), Some(Route::Logout));
        assert_eq!(get(&signup()), Some(Route::SignupForm));
        assert_eq!(get(&profile()), Some(Route::ProfileForm));
        assert_eq!(get(&password()), Some(Route::PasswordForm));
        assert_eq!(get(&reset("abc")), Some(Route::ResetForm("abc".into())));
        assert_eq!(get(&healthz()), Some(Route::Healthz));
        assert_eq!(
            get(&media("uploads/2026/11/a.jpg")),
            Some(Route::Media("uploads/2026/11/a.jpg".into()))
        );
        assert_eq!(post_(&upload()), Some(Route::Upload));
        let tag: Tag = "한국어 글".parse().unwrap();
        assert!(super::tag(&tag).is_ascii());
        assert_eq!(get(&super::tag(&tag)), Some(Route::Tag(tag)));
        assert_eq!(get(&feed()), Some(Route::Feed));
        assert_eq!(
            get(&author_feed(UserId(7))),
            Some(Route::AuthorFeed(UserId(7)))
        );
        assert_eq!(get(&sitemap()), Some(Route::Sitemap));
        assert_eq!(get(&robots()), Some(Route::Robots));
        assert_eq!(get(&search("")), Some(Route::Search));
        let with_query = search("서울 & co");
        let (path, query) = with_query.split_once('?').unwrap();
        assert_eq!((get(path), query.is_ascii()), (Some(Route::Search), true));
    }

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
