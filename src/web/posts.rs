//! Post handlers: lists, one post, writing, publishing, deleting. Each checks who asks
//! (a draft is 404 to anyone who may not edit it; someone else's post is 403), then
//! hands plain data to `db` and `views`.

use http::StatusCode;

use super::request::Ctx;
use super::thread;
use super::WebError;
use crate::actions::posts::{Edit, Featured, PostContent, Visibility, UNKNOWN_FEATURED};
use crate::actions::{self, ActionError};
use crate::auth::permissions;
use crate::content::html::PreparedBody;
use crate::content::problems::FORM;
use crate::content::schedule;
use crate::content::{post, Kind, PageNumber, Pagination, Post, Problems, Slug, Tag, UserId};
use crate::db;
use crate::serving::response::{self, Response};
use crate::urls;
use crate::views;
use crate::views::posts::PostForm;

pub async fn index(ctx: &Ctx) -> Result<Response, WebError> {
    let listed = published(ctx, Listing::All).await?;
    Ok(response::html(
        StatusCode::OK,
        views::posts::index(&ctx.page(), &listed.posts, &listed.paging),
    ))
}

pub async fn author(ctx: &Ctx, id: UserId) -> Result<Response, WebError> {
    let author = ctx
        .app
        .db
        .read(move |conn| db::users::by_id(conn, id))
        .await?
        .ok_or(WebError::NotFound)?;
    let listed = published(ctx, Listing::Author(id)).await?;
    Ok(response::html(
        StatusCode::OK,
        views::posts::author(&ctx.page(), &author, &listed.posts, &listed.paging),
    ))
}

/// Published posts with a tag, paged like the home page; 404 when none has it.
pub async fn tag(ctx: &Ctx, tag: Tag) -> Result<Response, WebError> {
    let listed = published(ctx, Listing::Tag(tag.clone())).await?;
    if listed.paging.total == 0 {
        return Err(WebError::NotFound);
    }
    Ok(response::html(
        StatusCode::OK,
        views::posts::tag(&ctx.page(), &tag, &listed.posts, &listed.paging),
    ))
}

/// Which published posts a list page shows.
enum Listing {
    All,
    Author(UserId),
    Tag(Tag),
}

/// One page of a list of posts, and where it sits among the others.
struct Listed {
    paging: Pagination,
    posts: Vec<Post>,
}

/// The page of published posts that `?page=` asks for; 404 for a page that does not
/// exist.
async fn published(ctx: &Ctx, listing: Listing) -> Result<Listed, WebError> {
    let page = PageNumber::parse(ctx.query("page")).ok_or(WebError::NotFound)?;
    let per_page = ctx.app.config.site.posts_per_page.0;
    ctx.app
        .db
        .read(move |conn| {
            let total = match &listing {
                Listing::All => db::posts::count_published(conn, None)?,
                Listing::Author(id) => db::posts::count_published(conn, Some(*id))?,
                Listing::Tag(tag) => db::tags::count_published(conn, tag)?,
            };
            let Some(pages) = Pagination::new(page, per_page, total) else {
                return Ok(None);
            };
            let posts = match &listing {
                Listing::All => db::posts::published(conn, None, per_page, pages.offset())?,
                Listing::Author(id) => {
                    db::posts::published(conn, Some(*id), per_page, pages.offset())?
                }
                Listing::Tag(tag) => db::tags::published(conn, tag, per_page, pages.offset())?,
            };
            Ok(Some(Listed {
                paging: pages,
                posts,
            }))
        })
        .await?
        .ok_or(WebError::NotFound)
}

/// One post; a page asked for under `/posts/` is sent to its own address.
pub async fn show(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = visible_post(ctx, slug).await?;
    if post.is_page() {
        return Ok(response::redirect(&urls::site_page(&post.slug)));
    }
    let post = for_readers(ctx, post).await?;
    let can_edit = may_edit(ctx, &post);
    let shared = Shared::of(ctx, &post);
    let thread = thread::thread(ctx, &post).await?;
    let mentions = super::webmentions::section(ctx, &post).await?;
    let page = thread::page_ctx(ctx, thread.as_ref());
    let reactions = match ctx.app.federation {
        Some(_) => {
            let id = post.id;
            let (likes, boosts) = ctx
                .app
                .db
                .read(move |conn| db::federation::reactions(conn, id))
                .await?;
            Some(views::posts::Reactions { likes, boosts })
        }
        None => None,
    };
    let shown = response::html(
        StatusCode::OK,
        views::posts::show(
            &page,
            &post,
            can_edit,
            &shared.preview(ctx),
            thread.as_ref(),
            reactions,
            mentions.as_ref(),
        ),
    );
    Ok(super::webmentions::advertise(shown, mentions.as_ref()))
}

/// The post with its body as a page shows it: each image with its size, its smaller
/// and WebP copies, and a loading hint (see `SanitizedHtml::with_responsive_images`).
/// Feeds and mail take the stored body instead, with plain sources.
pub(super) async fn for_readers(ctx: &Ctx, mut post: Post) -> Result<Post, WebError> {
    let shown = post.body.media_paths();
    let images = ctx
        .app
        .db
        .read(move |conn| db::media::image_files(conn, &shown))
        .await?;
    post.body = post.body.with_responsive_images(&images);
    Ok(post)
}

/// `GET /pages/{slug}`: a standalone page, without byline or comments; 404 for a post.
pub async fn site_page(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let page = visible_post(ctx, slug).await?;
    if !page.is_page() {
        return Err(WebError::NotFound);
    }
    let page = for_readers(ctx, page).await?;
    let shared = Shared::of(ctx, &page);
    Ok(response::html(
        StatusCode::OK,
        views::posts::site_page(
            &ctx.page(),
            &page,
            may_edit(ctx, &page),
            &shared.preview(ctx),
        ),
    ))
}

fn may_edit(ctx: &Ctx, post: &Post) -> bool {
    ctx.user
        .as_ref()
        .is_some_and(|u| permissions::can_edit(u, post))
}

/// What a shared link's preview shows, as absolute URLs: the featured image, else the
/// body's first image.
struct Shared {
    url: String,
    image: Option<String>,
    /// The post as an ActivityPub object, with `[federation]` on.
    activity: Option<String>,
}

impl Shared {
    fn of(ctx: &Ctx, post: &Post) -> Self {
        let base = &ctx.app.config.site.base_url;
        let image = post
            .featured_image
            .clone()
            .or_else(|| post.body.first_media_path().map(str::to_string))
            .map(|path| base.join(&urls::media(&path)));
        let activity = ctx
            .app
            .federation
            .as_ref()
            .filter(|_| post.is_published() && !post.is_page())
            .map(|fed| fed.url(&crate::federation::actors::post_path(post.id)));
        Self {
            url: base.join(&urls::shown(post)),
            image,
            activity,
        }
    }

    fn preview<'a>(&'a self, ctx: &'a Ctx) -> views::posts::Preview<'a> {
        views::posts::Preview {
            site_name: &ctx.site.title,
            url: &self.url,
            image: self.image.as_deref(),
            activity: self.activity.as_deref(),
        }
    }
}

/// The post, if this visitor may see it; drafts of others do not exist for them.
pub(super) async fn visible_post(ctx: &Ctx, slug: Slug) -> Result<Post, WebError> {
    let post = ctx
        .app
        .db
        .read(move |conn| db::posts::by_slug(conn, &slug))
        .await?
        .ok_or(WebError::NotFound)?;
    if permissions::can_see(ctx.user.as_ref(), &post) {
        Ok(post)
    } else {
        Err(WebError::NotFound)
    }
}

/// The post, if this signed-in visitor may change it: 404 if they cannot see it,
/// 403 if they can see it but it is not theirs.
pub(super) async fn editable_post(ctx: &Ctx, slug: Slug) -> Result<Post, WebError> {
    let user = ctx.require_user()?;
    let post = visible_post(ctx, slug).await?;
    if permissions::can_edit(user, &post) {
        Ok(post)
    } else {
        Err(WebError::Forbidden)
    }
}

/// The empty editor, for a new post or a new page.
pub fn new_form(ctx: &Ctx, kind: Kind) -> Result<Response, WebError> {
    ctx.require_writer()?;
    let empty = PostForm {
        kind,
        ..PostForm::default()
    };
    Ok(response::html(
        StatusCode::OK,
        views::posts::form(&ctx.page(), None, &empty, &Problems::new()),
    ))
}

pub async fn create(ctx: &Ctx, kind: Kind) -> Result<Response, WebError> {
    ctx.require_writer()?;
    let actor = ctx.actor()?;
    let values = PostForm {
        kind,
        ..submitted(ctx)
    };
    let edit = match checked(ctx, &values, None).await? {
        Ok(edit) => edit,
        Err(problems) => return Ok(rejected(ctx, None, values, &problems)),
    };
    let edit = match with_upload(ctx, edit).await? {
        Ok(edit) => edit,
        Err(problems) => return Ok(rejected(ctx, None, values, &problems)),
    };
    let saved = ctx
        .app
        .act(move |blog| actions::posts::create(blog, &actor, kind, &edit))
        .await;
    let saved = match saved {
        Ok(saved) => saved,
        Err(ActionError::Refused(key)) if key == UNKNOWN_FEATURED => {
            let problems = Problems::of("featured_image", key);
            return Ok(rejected(ctx, None, values, &problems));
        }
        Err(err) => return Err(err.into()),
    };
    ctx.app.schedule_changed.notify_one();
    let shown = match kind {
        Kind::Post => urls::post(&saved.slug),
        Kind::Page => urls::site_page(&saved.slug),
    };
    Ok(response::redirect(&shown))
}

/// The featured image sent as a file with the form, stored like an editor upload and
/// made the edit's featured image; a file that is not an image we take is the form's
/// problem.
async fn with_upload(ctx: &Ctx, mut edit: Edit) -> Result<Result<Edit, Problems>, WebError> {
    let Some(file) = ctx.form.file("featured_upload") else {
        return Ok(Ok(edit));
    };
    if !ctx.app.rates.upload(ctx.client) {
        return Ok(Err(Problems::of("featured_image", "uploads.too_many")));
    }
    match super::uploads::store(ctx, file.bytes.clone()).await? {
        Ok(path) => {
            edit.featured = Featured::Image(path);
            Ok(Ok(edit))
        }
        Err(problem) => Ok(Err(Problems::of("featured_image", problem))),
    }
}

pub async fn edit_form(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    Ok(editor(ctx, &post, None))
}

/// The edit form filled from the post; `preview_url` is a preview link just made, shown
/// this once.
pub(super) fn editor(ctx: &Ctx, post: &Post, preview_url: Option<String>) -> Response {
    let tags = Tag::join(&post.tags);
    let publish_at = post
        .publish_at
        .map(|at| schedule::format(at, &ctx.app.time_zone))
        .unwrap_or_default();
    let revision = post.revision.to_string();
    let values = PostForm {
        title: &post.title,
        body: post.body.as_str(),
        tags: &tags,
        publish_at: &publish_at,
        revision: &revision,
        theirs: None,
        preview_url,
        kind: post.kind,
        featured_image: post.featured_image.as_deref().unwrap_or_default(),
        images: post.body.media_paths(),
    };
    response::html(
        StatusCode::OK,
        views::posts::form(&ctx.page(), Some(post), &values, &Problems::new()),
    )
}

/// Saves the edit form. One that started from an older save than the post's latest gets
/// 409 with both versions: the post as saved elsewhere, and the form as typed.
pub async fn update(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    let actor = ctx.actor()?;
    let values = PostForm {
        kind: post.kind,
        ..submitted(ctx)
    };
    let edit = match checked(ctx, &values, Some(&post)).await? {
        Ok(edit) => edit,
        Err(problems) => return Ok(rejected(ctx, Some(&post), values, &problems)),
    };
    let edit = match with_upload(ctx, edit).await? {
        Ok(edit) => edit,
        Err(problems) => return Ok(rejected(ctx, Some(&post), values, &problems)),
    };
    let slug = post.slug.clone();
    let saved = ctx
        .app
        .act(move |blog| actions::posts::update(blog, &actor, &slug, &edit))
        .await;
    match saved {
        Ok(_) => {
            ctx.app.schedule_changed.notify_one();
            Ok(response::redirect(&urls::shown(&post)))
        }
        Err(ActionError::Refused(key)) if key == UNKNOWN_FEATURED => {
            let problems = Problems::of("featured_image", key);
            Ok(rejected(ctx, Some(&post), values, &problems))
        }
        Err(ActionError::Stale(theirs)) => {
            // Saving this form again, once its author has merged what they need, is
            // based on the version they were shown.
            let revision = theirs.revision.to_string();
            let values = PostForm {
                theirs: Some(&theirs),
                revision: &revision,
                images: theirs.body.media_paths(),
                ..values
            };
            let problems = Problems::of(FORM, "problems.stale");
            Ok(response::html(
                StatusCode::CONFLICT,
                views::posts::form(&ctx.page(), Some(&theirs), &values, &problems),
            ))
        }
        Err(err) => Err(err.into()),
    }
}

/// Publishes the post or makes it a draft again; back to the post, or to the admin
/// page whose button this was (`next`).
pub async fn set_visibility(
    ctx: &Ctx,
    slug: Slug,
    visibility: Visibility,
) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    let actor = ctx.actor()?;
    let slug = post.slug.clone();
    ctx.app
        .act(move |blog| actions::posts::set_visibility(blog, &actor, &slug, visibility))
        .await?;
    Ok(response::redirect(&ctx.next_or(urls::shown(&post))))
}

pub async fn delete_confirm(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    Ok(response::html(
        StatusCode::OK,
        views::posts::delete_confirm(&ctx.page(), &post, ctx.next_asked()),
    ))
}

pub async fn delete(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    let actor = ctx.actor()?;
    ctx.app
        .act(move |blog| actions::posts::delete(blog, &actor, &post.slug))
        .await?;
    Ok(response::redirect(&ctx.next_or(urls::index())))
}

/// The signed-in writer's drafts, posts and pages; admins see everyone's.
pub async fn drafts(ctx: &Ctx) -> Result<Response, WebError> {
    let user = ctx.require_writer()?;
    let author = (!matches!(user.role, crate::content::Role::Admin)).then_some(user.id);
    let (posts, pages) = ctx
        .app
        .db
        .read(move |conn| {
            Ok((
                db::posts::drafts(conn, author)?,
                db::pages::drafts(conn, author)?,
            ))
        })
        .await?;
    Ok(response::html(
        StatusCode::OK,
        views::posts::drafts(&ctx.page(), &posts, &pages),
    ))
}

pub(super) fn submitted(ctx: &Ctx) -> PostForm<'_> {
    PostForm {
        title: ctx.form.get("title"),
        body: ctx.form.get("body"),
        tags: ctx.form.get("tags"),
        publish_at: ctx.form.get("publish_at"),
        revision: ctx.form.get("revision"),
        theirs: None,
        preview_url: None,
        kind: Kind::Post,
        featured_image: ctx.form.get("featured_image"),
        images: Vec::new(),
    }
}

/// The form's values as an edit of `post` (a new post when `None`), or what is wrong
/// with them. The body is checked and sanitized on a blocking thread, before any write
/// is queued. A published post has no schedule; a form without
/// `revision` (a script's) is not checked for staleness.
pub(super) async fn checked(
    ctx: &Ctx,
    values: &PostForm<'_>,
    post: Option<&Post>,
) -> Result<Result<Edit, Problems>, WebError> {
    let mut problems = Problems::new();
    let title = post::title(values.title)
        .map_err(|err| problems.add("title", err.message()))
        .ok();
    let tags = Tag::parse_list(values.tags)
        .map_err(|err| problems.add("tags", err.message()))
        .ok();
    let publish_at = match post {
        Some(post) if post.is_published() => Some(None),
        _ => schedule::parse(values.publish_at, &ctx.app.time_zone, db::now_ms())
            .map_err(|err| problems.add("publish_at", err.message()))
            .ok(),
    };
    let body = prepare_body(ctx, values.body, &mut problems).await?;
    let (Some(title), Some(tags), Some(publish_at), Some(body)) = (title, tags, publish_at, body)
    else {
        return Ok(Err(problems));
    };
    Ok(Ok(Edit {
        content: PostContent::new(title, body, tags),
        publish_at,
        based_on: values.revision.trim().parse().ok(),
        featured: featured(ctx, values.featured_image),
    }))
}

/// The body checked and sanitized on a blocking thread, before the writer is taken: a
/// body of megabytes takes a moment, which no other request on this worker should wait.
/// `None`, with the reason beside the body field, when it is refused.
async fn prepare_body(
    ctx: &Ctx,
    body: &str,
    problems: &mut Problems,
) -> Result<Option<PreparedBody>, WebError> {
    let (body, base) = (
        body.to_string(),
        ctx.app.config.site.base_url.as_str().to_string(),
    );
    let prepared = tokio::task::spawn_blocking(move || PreparedBody::new(&body, &base));
    match prepared.await.map_err(anyhow::Error::from)? {
        Ok(body) => Ok(Some(body)),
        Err(refused) => {
            problems.add("body", refused.message());
            Ok(None)
        }
    }
}

/// The form's featured image: a path under the media folder, or its `/media/` URL;
/// empty is none, and a form without the field (a script's, an autosave) leaves it.
fn featured(ctx: &Ctx, chosen: &str) -> Featured {
    if !ctx.form.has("featured_image") {
        return Featured::Unchanged;
    }
    let chosen = chosen.trim();
    let path = chosen.strip_prefix("/media/").unwrap_or(chosen);
    if path.is_empty() {
        Featured::Nothing
    } else {
        Featured::Image(path.to_string())
    }
}

/// The form again, as typed, with its problems (422); the images to choose the featured
/// one from are the saved body's.
fn rejected(ctx: &Ctx, post: Option<&Post>, values: PostForm, problems: &Problems) -> Response {
    let values = PostForm {
        images: post.map(|p| p.body.media_paths()).unwrap_or_default(),
        ..values
    };
    response::html(
        StatusCode::UNPROCESSABLE_ENTITY,
        views::posts::form(&ctx.page(), post, &values, problems),
    )
}
