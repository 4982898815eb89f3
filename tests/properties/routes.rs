//! The router: any method and path give a route or none, never a panic; every link
//! `urls` builds leads back to its route; media paths never leave the media folder.

use std::path::{Component, Path};

use blog::content::{CommentId, Slug, Tag, UserId};
use blog::media::MediaDir;
use blog::urls;
use blog::web::router::{FeedFormat, Route};
use http::Method;
use proptest::collection::vec;
use proptest::prelude::*;

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::GET),
        Just(Method::HEAD),
        Just(Method::POST),
        Just(Method::PUT),
        Just(Method::DELETE),
        Just(Method::OPTIONS),
        "[A-Z]{1,10}"
            .prop_map(|m| Method::from_bytes(m.as_bytes()).expect("letters make a method")),
    ]
}

/// Paths: the site's own words mixed with dots, encodings (some not UTF-8),
/// slashes and anything else.
fn path() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        prop::sample::select(vec![
            "posts",
            "new",
            "edit",
            "publish",
            "unpublish",
            "delete",
            "comments",
            "close",
            "open",
            "approve",
            "hide",
            "authors",
            "tags",
            "feed.xml",
            "accounts",
            "login",
            "logout",
            "signup",
            "profile",
            "password",
            "reset",
            "static",
            "media",
            "uploads",
            "drafts",
            "search",
            "healthz",
            "sitemap.xml",
            "robots.txt",
            "..",
            ".",
            "",
            "%2e%2e",
            "%2F",
            "%ff",
            "%",
            "%e",
            "%C0%AF",
            "1",
            "-1",
            "9223372036854775808",
        ])
        .prop_map(str::to_string),
        "[a-z0-9가-힣-]{1,10}",
        "(%[0-9A-Fa-f]{2}){1,6}",
        "[^/?#]{0,12}",
    ];
    prop_oneof![
        4 => (vec(segment, 0..6), any::<bool>()).prop_map(|(segs, slash)| {
            format!("/{}{}", segs.join("/"), if slash { "/" } else { "" })
        }),
        1 => any::<String>(),
    ]
}

proptest! {
    #[test]
    fn any_path_routes_or_not_without_panic(method in method(), path in path()) {
        let route = Route::parse(&method, &path);
        let _ = Route::exists_for_other_method(&method, &path);
        if let Some(route) = route {
            let _ = route.is_public_page();
        }
    }

    #[test]
    fn every_link_parses_back_to_its_route(
        title in any::<String>(),
        tag in "[\\p{L}\\p{N} ./%?#-]{1,30}",
        id in any::<i64>(),
        token in prop_oneof!["[0-9a-f]{64}", "[^\u{0}]{1,20}"],
    ) {
        let slug = Slug::from_title(&title);
        let get = Method::GET;
        let post = Method::POST;
        let mut cases = vec![
            (get.clone(), urls::index(), Route::Index),
            (get.clone(), urls::post(&slug), Route::Post(slug.clone())),
            (get.clone(), urls::post_edit(&slug), Route::EditForm(slug.clone())),
            (post.clone(), urls::post_edit(&slug), Route::Edit(slug.clone())),
            (post.clone(), urls::post_publish(&slug), Route::Publish(slug.clone())),
            (post.clone(), urls::post_unpublish(&slug), Route::Unpublish(slug.clone())),
            (get.clone(), urls::post_delete(&slug), Route::DeleteConfirm(slug.clone())),
            (post.clone(), urls::post_delete(&slug), Route::Delete(slug.clone())),
            (post.clone(), urls::post_comments(&slug), Route::NewComment(slug.clone())),
            (post.clone(), urls::post_comments_close(&slug), Route::CloseComments(slug.clone())),
            (get.clone(), urls::post_comments_close(&slug), Route::CloseCommentsConfirm(slug.clone())),
            (post.clone(), urls::post_comments_open(&slug), Route::OpenComments(slug.clone())),
            (post.clone(), urls::comment_approve(CommentId(id)), Route::ApproveComment(CommentId(id))),
            (post.clone(), urls::comment_hide(CommentId(id)), Route::HideComment(CommentId(id))),
            (post.clone(), urls::comment_delete(CommentId(id)), Route::DeleteComment(CommentId(id))),
            (get.clone(), urls::comment_delete(CommentId(id)), Route::DeleteCommentConfirm(CommentId(id))),
            (post.clone(), urls::webmention_endpoint(), Route::Webmention),
            (post.clone(), urls::webmention_approve(id), Route::ApproveWebmention(id)),
            (get.clone(), urls::webmention_delete(id), Route::DeleteWebmentionConfirm(id)),
            (post.clone(), urls::webmention_delete(id), Route::DeleteWebmention(id)),
            (get.clone(), urls::author(UserId(id)), Route::Author(UserId(id))),
            (get.clone(), urls::author_feed(UserId(id)), Route::AuthorFeed(UserId(id), FeedFormat::Atom)),
            (get.clone(), urls::author_feed_json(UserId(id)), Route::AuthorFeed(UserId(id), FeedFormat::Json)),
            (get.clone(), urls::reset(&token), Route::ResetForm(token.clone())),
            (post.clone(), urls::reset(&token), Route::Reset(token.clone())),
            (get.clone(), urls::drafts(), Route::Drafts),
            (get.clone(), urls::new_post(), Route::NewForm),
            (post.clone(), urls::new_post(), Route::New),
            (get.clone(), urls::feed(), Route::Feed(FeedFormat::Atom)),
            (get.clone(), urls::feed_json(), Route::Feed(FeedFormat::Json)),
            (get.clone(), urls::forgot_password(), Route::ForgotForm),
            (post.clone(), urls::forgot_password(), Route::Forgot),
            (get.clone(), urls::subscribe(None), Route::SubscribeForm),
            (post.clone(), urls::subscribe(None), Route::Subscribe),
            (get.clone(), urls::confirm_subscription(&token), Route::ConfirmForm(token.clone())),
            (post.clone(), urls::confirm_subscription(&token), Route::Confirm(token.clone())),
            (get.clone(), urls::unsubscribe(&token), Route::UnsubscribeForm(token.clone())),
            (post.clone(), urls::unsubscribe(&token), Route::Unsubscribe(token.clone())),
            (get.clone(), urls::sitemap(), Route::Sitemap),
            (get.clone(), urls::robots(), Route::Robots),
            (get.clone(), urls::login(), Route::LoginForm),
            (post.clone(), urls::logout(), Route::Logout),
            (get.clone(), urls::signup(), Route::SignupForm),
            (get.clone(), urls::profile(), Route::ProfileForm),
            (get.clone(), urls::password(), Route::PasswordForm),
            (post.clone(), urls::upload(), Route::Upload),
            (get.clone(), urls::healthz(), Route::Healthz),
        ];
        if let Ok(tag) = tag.parse::<Tag>() {
            cases.push((get.clone(), urls::tag_feed(&tag), Route::TagFeed(tag.clone(), FeedFormat::Atom)));
            cases.push((get.clone(), urls::tag_feed_json(&tag), Route::TagFeed(tag.clone(), FeedFormat::Json)));
            cases.push((get.clone(), urls::tag(&tag), Route::Tag(tag)));
        }
        for (method, url, route) in cases {
            let path = url.split(['?', '#']).next().unwrap_or_default();
            prop_assert_eq!(Route::parse(&method, path), Some(route), "{} {}", method, url);
            // What a link promises is also a valid request line.
            prop_assert!(http::Uri::try_from(url.as_str()).is_ok(), "{}", url);
        }
    }

    #[test]
    fn media_paths_never_leave_the_media_folder(method in method(), path in path()) {
        let root = Path::new("/srv/blog-data/media");
        let media = MediaDir::new(root.to_path_buf());
        let Some(Route::Media(relative)) = Route::parse(&method, &format!("/media{path}")) else {
            return Ok(());
        };
        if let Some(file) = media.resolve(&relative) {
            prop_assert!(file.starts_with(root), "{}", file.display());
            let inside = file.strip_prefix(root).expect("checked above");
            prop_assert!(
                inside.components().all(|c| matches!(c, Component::Normal(_))),
                "{} leaves the folder",
                file.display()
            );
            prop_assert!(!inside.to_string_lossy().starts_with('.'));
        }
    }
}
