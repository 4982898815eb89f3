//! Posts and pages: the lists, one post, one page, the editor form (the same for both),
//! the delete confirmation.

use maud::{html, Markup};

use super::components::{csrf_input, field_errors, form_errors, pagination};
use super::{layout, PageCtx};
use crate::content::excerpt::reading_minutes;
use crate::content::{Kind, Pagination, Post, Problems, Tag, User};
use crate::i18n::Language;
use crate::{assets, urls};

/// What the post form holds: as typed, so a rejected form comes back unchanged.
#[derive(Default)]
pub struct PostForm<'a> {
    pub title: &'a str,
    pub body: &'a str,
    pub tags: &'a str,
    /// `YYYY-MM-DDTHH:MM` in the site's zone; empty is not scheduled.
    pub publish_at: &'a str,
    /// The post's save count when the editor opened it (hidden).
    pub revision: &'a str,
    /// The post as saved elsewhere, when this form's save came too late (409).
    pub theirs: Option<&'a Post>,
    /// A preview link made just now, shown this once.
    pub preview_url: Option<String>,
    /// A post or a page: which form this is.
    pub kind: Kind,
    /// The featured image chosen: a path under the media folder, or empty for none.
    pub featured_image: &'a str,
    /// The images to choose the featured one from: the body's, by path.
    pub images: Vec<String>,
}

pub fn index(ctx: &PageCtx, posts: &[Post], pages: &Pagination) -> Markup {
    let title = if pages.page > 1 {
        ctx.tf("posts.page_n", &[("n", &pages.page)])
    } else {
        ctx.t("posts.latest").to_string()
    };
    layout::page(
        ctx,
        &title,
        html! {
            // The home page's one h1 is the blog's name; later pages say which they are.
            @if pages.page > 1 {
                h1.list-title { (title) }
            } @else {
                header.home-intro {
                    h1 { (ctx.site_title) }
                    @if !ctx.site_description.is_empty() {
                        p.lede { (ctx.site_description) }
                    }
                }
            }
            @if posts.is_empty() {
                @if pages.page == 1 && ctx.user.as_ref().is_some_and(|u| u.is_admin) {
                    (super::first_run::welcome(ctx))
                } @else {
                    p.empty { (ctx.t("posts.nothing_yet")) }
                }
            }
            (summaries(ctx, posts))
            (pagination(ctx, pages, &urls::index()))
        },
    )
}

fn summaries(ctx: &PageCtx, posts: &[Post]) -> Markup {
    html! {
        div.post-list {
            @for post in posts {
                article.post-summary {
                    @if let Some(image) = &post.featured_image {
                        a.featured-link href=(urls::shown(post)) tabindex="-1" aria-hidden="true" {
                            img.featured src=(urls::media(image)) alt="" loading="lazy";
                        }
                    }
                    h2 { a href=(urls::shown(post)) { (post.title) } }
                    (byline(ctx, post))
                    @if !post.excerpt.is_empty() {
                        p.excerpt { (post.excerpt) }
                    }
                    (tag_links(ctx, &post.tags))
                }
            }
        }
    }
}

/// A post's tags, each a link to its list; nothing when it has none.
fn tag_links(ctx: &PageCtx, tags: &[Tag]) -> Markup {
    html! {
        @if !tags.is_empty() {
            ul.tags aria-label=(ctx.t("posts.tags")) {
                @for tag in tags {
                    li { a rel="tag" href=(urls::tag(tag)) { "#" (tag) } }
                }
            }
        }
    }
}

/// What a shared link's preview shows (chat apps read these): absolute URLs.
pub struct Preview<'a> {
    pub site_name: &'a str,
    /// The post's absolute URL, also its canonical link.
    pub url: &'a str,
    /// The absolute URL of the featured image, else of the body's first image, if any.
    pub image: Option<&'a str>,
    /// The post as an ActivityPub object (`[federation]` on): fediverse servers that
    /// are given the page's address find the object by this link.
    pub activity: Option<&'a str>,
}

/// Likes and boosts of the post from the fediverse.
#[derive(Debug, Clone, Copy)]
pub struct Reactions {
    pub likes: i64,
    pub boosts: i64,
}

fn preview_head(post: &Post, preview: &Preview) -> Markup {
    let kind = if post.is_page() { "website" } else { "article" };
    let card = if preview.image.is_some() {
        "summary_large_image"
    } else {
        "summary"
    };
    html! {
        link rel="canonical" href=(preview.url);
        meta property="og:type" content=(kind);
        meta property="og:title" content=(post.title);
        meta property="og:description" content=(post.excerpt);
        meta property="og:url" content=(preview.url);
        meta property="og:site_name" content=(preview.site_name);
        @if let Some(image) = preview.image {
            meta property="og:image" content=(image);
            meta name="twitter:image" content=(image);
        }
        meta name="twitter:card" content=(card);
        meta name="twitter:title" content=(post.title);
        meta name="twitter:description" content=(post.excerpt);
        @if let Some(activity) = preview.activity {
            link rel="alternate" type="application/activity+json" href=(activity);
        }
    }
}

fn byline(ctx: &PageCtx, post: &Post) -> Markup {
    html! {
        p.byline {
            a.author.p-author.h-card href=(urls::author(post.author_id)) {
                @if let Some(avatar) = &post.author_avatar {
                    img.avatar.small src=(urls::media(avatar)) alt="" width="24" height="24";
                }
                (post.author_name)
            }
            @if let Some(at) = post.published_at {
                " · " time.dt-published datetime=(ctx.datetime(at)) { (ctx.date(at)) }
            } @else if let Some(at) = post.publish_at {
                " · " span.badge.scheduled {
                    (ctx.tf("posts.scheduled_for", &[("when", &ctx.date_time(at))]))
                }
            } @else {
                " · " span.badge { (ctx.t("posts.draft")) }
            }
            " · " span.reading-time {
                (ctx.tc("posts.reading_time", reading_minutes(&post.body) as u64, &[]))
            }
        }
    }
}

/// One post; `can_edit` shows its author (and admins) the edit, publish and delete
/// controls.
/// The post is an h-entry (microformats2), so the sites it links to can tell its
/// title and author when they check our webmention.
pub fn show(
    ctx: &PageCtx,
    post: &Post,
    can_edit: bool,
    preview: &Preview,
    thread: Option<&super::comments::Thread>,
    reactions: Option<Reactions>,
    mentions: Option<&super::webmentions::Mentions>,
) -> Markup {
    layout::page_with(
        ctx,
        &post.title,
        html! {
            (preview_head(post, preview))
            @if let Some(mentions) = mentions { (super::webmentions::head(mentions)) }
        },
        html! {
            article.post.h-entry data-slug=(post.slug) {
                h1.p-name { (post.title) }
                (byline(ctx, post))
                @if can_edit { (edit_controls(ctx, post)) }
                div.post-body.e-content { (post.body) }
                (tag_links(ctx, &post.tags))
                @if let Some(r) = reactions.filter(|r| r.likes > 0 || r.boosts > 0) {
                    p.reactions {
                        (ctx.tf("federation.likes", &[("n", &r.likes)]))
                        " · "
                        (ctx.tf("federation.boosts", &[("n", &r.boosts)]))
                    }
                }
            }
            @if let Some(mentions) = mentions { (super::webmentions::section(ctx, mentions)) }
            @if let Some(thread) = thread { (super::comments::section(ctx, thread)) }
        },
    )
}

/// Edit, publish or unpublish, and delete: for the author and the admins.
fn edit_controls(ctx: &PageCtx, post: &Post) -> Markup {
    html! {
        div.post-actions {
            a.button href=(urls::post_edit(&post.slug)) { (ctx.t("posts.edit")) }
            @if post.is_published() {
                form.inline method="post" action=(urls::post_unpublish(&post.slug)) {
                    (csrf_input(ctx))
                    button type="submit" { (ctx.t("posts.unpublish")) }
                }
            } @else {
                form.inline method="post" action=(urls::post_publish(&post.slug)) {
                    (csrf_input(ctx))
                    button.primary type="submit" { (ctx.t("posts.publish")) }
                }
            }
            // GET: the confirmation page asks before anything is deleted.
            form.inline method="get" action=(urls::post_delete(&post.slug)) {
                button.danger type="submit" { (ctx.t("posts.delete_ellipsis")) }
            }
        }
    }
}

/// A standalone page: its title and body, with no byline, date or comments; its
/// author and the admins get the same controls as on a post.
pub fn site_page(ctx: &PageCtx, page: &Post, can_edit: bool, preview: &Preview) -> Markup {
    layout::page_with(
        ctx,
        &page.title,
        preview_head(page, preview),
        html! {
            article.post.page-article data-slug=(page.slug) {
                h1 { (page.title) }
                @if !page.is_published() {
                    p { span.badge { (ctx.t("posts.draft")) } }
                }
                @if can_edit { (edit_controls(ctx, page)) }
                div.post-body { (page.body) }
            }
        },
    )
}

/// A draft as a preview link shows it: the post alone, marked as a preview, with
/// `noindex` for search engines.
pub fn preview(ctx: &PageCtx, post: &Post) -> Markup {
    layout::page_with(
        ctx,
        &post.title,
        html! { meta name="robots" content="noindex, nofollow"; },
        html! {
            p.notice role="status" { (ctx.t("posts.preview_notice")) }
            article.post data-slug=(post.slug) {
                h1 { (post.title) }
                // A page shows no byline once published either.
                @if !post.is_page() { (byline(ctx, post)) }
                div.post-body { (post.body) }
                (tag_links(ctx, &post.tags))
            }
        },
    )
}

/// The new-post form (`post` is `None`) or the edit form of a post.
pub fn form(ctx: &PageCtx, post: Option<&Post>, values: &PostForm, problems: &Problems) -> Markup {
    let is_page = values.kind == Kind::Page;
    let (title, action) = match (post, is_page) {
        (Some(post), false) => (ctx.t("posts.edit_post"), urls::post_edit(&post.slug)),
        (Some(post), true) => (ctx.t("posts.edit_page"), urls::post_edit(&post.slug)),
        (None, false) => (ctx.t("posts.new_post"), urls::new_post()),
        (None, true) => (ctx.t("posts.new_page"), urls::new_site_page()),
    };
    // Drafts save themselves in the background; every form keeps a copy in the
    // browser (localStorage) under this key until the server has it.
    let autosave = post
        .filter(|p| !p.is_published())
        .map(|p| urls::post_autosave(&p.slug));
    let storage_key = match (post, is_page) {
        (Some(post), _) => format!("blog-draft:{}", post.slug),
        (None, false) => "blog-draft:new".to_string(),
        (None, true) => "blog-draft:new-page".to_string(),
    };
    let published = post.is_some_and(Post::is_published);
    layout::page_with(
        ctx,
        title,
        editor_head(ctx),
        html! {
            h1 { (title) }
            @if let Some(theirs) = values.theirs {
                section.conflict #theirs aria-labelledby="theirs-title" {
                    h2 #theirs-title { (ctx.t("posts.saved_elsewhere")) }
                    p.hint { (ctx.tf("posts.saved_elsewhere_when", &[("when", &ctx.date_time(theirs.updated_at))])) }
                    h3 { (theirs.title) }
                    div.theirs-body { (theirs.body) }
                }
                h2 { (ctx.t("posts.your_version")) }
            }
            @if let Some(url) = &values.preview_url {
                p.notice role="status" #preview-link {
                    (ctx.t("posts.preview_link_made")) " "
                    code { (url) }
                }
            }
            // Multipart: the featured image may come as a file.
            form.post-form method="post" action=(action) enctype="multipart/form-data"
                data-storage-key=(storage_key)
                data-autosave-url=[autosave]
                data-saved=(ctx.t("posts.saved_at"))
                data-not-saved=(ctx.t("posts.not_saved"))
                data-stale=(ctx.t("posts.stale"))
                data-restore=(ctx.t("posts.restore_local"))
            {
                (csrf_input(ctx))
                input type="hidden" name="revision" value=(values.revision);
                (form_errors(ctx, problems))
                div.field {
                    label for="title" { (ctx.t("posts.title")) }
                    input #title name="title" type="text" value=(values.title) maxlength="200" required;
                    (field_errors(ctx, problems, "title"))
                }
                div.field {
                    // The id names the editor's editing area too (editor.js).
                    label #body-label for="body" { (ctx.t("posts.body")) }
                    textarea #body name="body" rows="18"
                        data-editor-lang=[editor_language(ctx)]
                        data-upload-failed=(ctx.t("posts.upload_failed"))
                        data-image-unreadable=(ctx.t("posts.image_unreadable"))
                        data-alt-title=(ctx.t("posts.alt_title"))
                        data-alt-label=(ctx.t("posts.alt_label"))
                        data-alt-hint=(ctx.t("posts.alt_hint"))
                        data-alt-save=(ctx.t("posts.alt_save"))
                        data-alt-none=(ctx.t("posts.alt_none"))
                        data-alt-button=(ctx.t("posts.alt_button"))
                        data-toolbar-label=(ctx.t("posts.toolbar_label"))
                    { (values.body) }
                    (field_errors(ctx, problems, "body"))
                }
                @if !is_page {
                    div.field {
                        label for="tags" { (ctx.t("posts.tags")) }
                        input #tags name="tags" type="text" value=(values.tags) placeholder=(ctx.t("posts.tags_placeholder"));
                        (field_errors(ctx, problems, "tags"))
                    }
                }
                (featured_field(ctx, values, problems))
                @if !published {
                    div.field {
                        label for="publish_at" {
                            (ctx.t("posts.publish_at")) " "
                            span.hint { "(" (ctx.time_zone.iana_name().unwrap_or("UTC")) ")" }
                        }
                        input #publish_at name="publish_at" type="datetime-local" value=(values.publish_at);
                        p.hint { (ctx.t("posts.publish_at_hint")) }
                        (field_errors(ctx, problems, "publish_at"))
                    }
                }
                div.actions {
                    button.primary type="submit" { (ctx.t("posts.save")) }
                    span.save-state #save-state role="status" aria-live="polite" {}
                    @if let Some(post) = post {
                        a href=(urls::shown(post)) { (ctx.t("posts.cancel")) }
                        a href=(urls::post_revisions(&post.slug)) { (ctx.t("posts.revisions")) }
                    }
                }
            }
            @if let Some(post) = post.filter(|p| !p.is_published()) {
                section.preview-links aria-labelledby="preview-title" {
                    h2 #preview-title { (ctx.t("posts.preview_links")) }
                    p.hint { (ctx.t("posts.preview_links_hint")) }
                    form.inline method="post" action=(urls::post_preview_link(&post.slug)) {
                        (csrf_input(ctx))
                        button type="submit" { (ctx.t("posts.make_preview_link")) }
                    }
                    form.inline method="post" action=(urls::post_preview_revoke(&post.slug)) {
                        (csrf_input(ctx))
                        button type="submit" { (ctx.t("posts.revoke_preview_links")) }
                    }
                }
            }
        },
    )
}

/// The featured image: one of the body's images, or a file uploaded with the form.
fn featured_field(ctx: &PageCtx, values: &PostForm, problems: &Problems) -> Markup {
    let chosen = values.featured_image;
    let listed = values.images.iter().any(|path| path == chosen);
    html! {
        fieldset.field.featured-image {
            legend { (ctx.t("posts.featured_image")) }
            @if !chosen.is_empty() {
                img.featured src=(urls::media(chosen)) alt="" width="160";
            }
            label for="featured_image" { (ctx.t("posts.featured_choose")) }
            select #featured_image name="featured_image" {
                option value="" selected[chosen.is_empty()] { (ctx.t("posts.featured_none")) }
                @if !chosen.is_empty() && !listed {
                    option value=(chosen) selected { (file_name(chosen)) }
                }
                @for path in &values.images {
                    option value=(path) selected[path == chosen] { (file_name(path)) }
                }
            }
            label for="featured_upload" { (ctx.t("posts.featured_upload")) }
            input #featured_upload name="featured_upload" type="file" accept="image/*";
            p.hint { (ctx.t("posts.featured_hint")) }
            (field_errors(ctx, problems, "featured_image"))
        }
    }
}

/// The last part of a media path, to name an image in a list.
fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Summernote (with its toolbar's words in the interface language) and our
/// `editor.js`, which turn the body textarea into the editor.
fn editor_head(ctx: &PageCtx) -> Markup {
    html! {
        link rel="stylesheet" href=(assets::url("vendor/summernote/summernote-lite.min.css"));
        // The toolbar's icon font, asked for at once rather than when the toolbar is
        // drawn (fonts are fetched in CORS mode, hence `crossorigin`).
        link rel="preload" href=(assets::url("vendor/summernote/font/summernote.woff2")) as="font" type="font/woff2" crossorigin;
        link rel="stylesheet" href=(assets::url("css/editor.css"));
        script src=(assets::url("vendor/jquery/jquery.min.js")) defer {}
        script src=(assets::url("vendor/summernote/summernote-lite.min.js")) defer {}
        @if let Some(code) = editor_language(ctx) {
            script src=(assets::url(&format!("vendor/summernote/lang/summernote-{code}.min.js"))) defer {}
        }
        script src=(assets::url("js/editor.js")) defer {}
        script src=(assets::url("js/autosave.js")) defer {}
    }
}

/// Summernote's name for the interface language, when it is not its built-in English.
fn editor_language(ctx: &PageCtx) -> Option<&'static str> {
    match ctx.text.language() {
        Language::En => None,
        Language::Ko => Some("ko-KR"),
    }
}

/// Asks before a post goes; the POST deletes it and goes on to `next` (the admin's
/// list) when the page was opened with one.
pub fn delete_confirm(ctx: &PageCtx, post: &Post, next: Option<&str>) -> Markup {
    let back = next.map_or_else(|| urls::shown(post), str::to_string);
    layout::page(
        ctx,
        ctx.t("posts.delete_post"),
        html! {
            section.confirm {
                h1 { (ctx.tf("posts.delete_question", &[("title", &post.title)])) }
                p { (ctx.t("posts.delete_warning")) }
                form method="post" action=(urls::post_delete(&post.slug)) {
                    (csrf_input(ctx))
                    @if let Some(next) = next {
                        input type="hidden" name="next" value=(next);
                    }
                    div.actions {
                        button.danger type="submit" { (ctx.t("posts.delete")) }
                        a href=(back) { (ctx.t("posts.keep_it")) }
                    }
                }
            }
        },
    )
}

/// Draft posts, then draft pages (when there are any).
pub fn drafts(ctx: &PageCtx, posts: &[Post], pages: &[Post]) -> Markup {
    layout::page(
        ctx,
        ctx.t("posts.drafts"),
        html! {
            h1 { (ctx.t("posts.drafts")) }
            @if posts.is_empty() {
                p.empty { (ctx.t("posts.no_drafts")) " " a href=(urls::new_post()) { (ctx.t("posts.write_a_post")) } }
            }
            (summaries(ctx, posts))
            @if !pages.is_empty() {
                h2 { (ctx.t("posts.draft_pages")) }
                (summaries(ctx, pages))
            }
        },
    )
}

/// The published posts with one tag.
pub fn tag(ctx: &PageCtx, tag: &Tag, posts: &[Post], pages: &Pagination) -> Markup {
    let title = format!("#{tag}");
    let feeds = html! {
        link rel="alternate" type="application/atom+xml" title=(title) href=(urls::tag_feed(tag));
        link rel="alternate" type="application/feed+json" title=(title) href=(urls::tag_feed_json(tag));
    };
    layout::page_with(
        ctx,
        &title,
        feeds,
        html! {
            h1 { (title) }
            (summaries(ctx, posts))
            (pagination(ctx, pages, &urls::tag(tag)))
        },
    )
}

pub fn author(ctx: &PageCtx, author: &User, posts: &[Post], pages: &Pagination) -> Markup {
    let name = author.name();
    let feed = html! {
        link rel="alternate" type="application/atom+xml" title=(name) href=(urls::author_feed(author.id));
        link rel="alternate" type="application/feed+json" title=(name) href=(urls::author_feed_json(author.id));
    };
    layout::page_with(
        ctx,
        &name,
        feed,
        html! {
            section.author-card {
                @if let Some(avatar) = &author.avatar {
                    img.avatar.large src=(urls::media(&avatar.large)) alt="" width="128" height="128";
                }
                h1 { (name) }
                @if !author.bio.is_empty() {
                    p.bio { (author.bio) }
                }
                @if ctx.mail {
                    p { a href=(urls::subscribe(Some(author.id))) { (ctx.tf("mail.subscribe_title_author", &[("author", &name)])) } }
                }
            }
            @if posts.is_empty() {
                p.empty { (ctx.t("posts.no_published_posts")) }
            }
            (summaries(ctx, posts))
            (pagination(ctx, pages, &urls::author(author.id)))
        },
    )
}
