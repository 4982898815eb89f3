//! Post handlers: lists, one post, writing, publishing, deleting. Each checks who asks
//! (a draft is 404 to anyone who may not edit it; someone else's post is 403), then
//! hands plain data to `db` and `views`.

use http::StatusCode;

use super::request::Ctx;
use super::response::{self, Response};
use super::WebError;
use crate::auth::permissions;
use crate::content::html::PreparedBody;
use crate::content::problems::Message;
use crate::content::{PageNumber, Pagination, Post, Problems, Slug, Tag, UserId};
use crate::db::audit::{Action, NewEntry};
use crate::db::{self, posts::NewPost};
use crate::urls;
use crate::views;
use crate::views::posts::PostForm;

/// Titles longer than this are refused.
const MAX_TITLE_CHARS: usize = 200;

pub async fn index(ctx: &Ctx) -> Result<Response, WebError> {
    let (pages, posts) = published_page(ctx, Listing::All).await?;
    Ok(response::html(
        StatusCode::OK,
        views::posts::index(&ctx.page(), &posts, &pages),
    ))
}

pub async fn author(ctx: &Ctx, id: UserId) -> Result<Response, WebError> {
    let author = ctx
        .app
        .db
        .read(move |conn| db::users::by_id(conn, id))
        .await?
        .ok_or(WebError::NotFound)?;
    let (pages, posts) = published_page(ctx, Listing::Author(id)).await?;
    Ok(response::html(
        StatusCode::OK,
        views::posts::author(&ctx.page(), &author, &posts, &pages),
    ))
}

/// Published posts with a tag, paged like the home page; 404 when none has it.
pub async fn tag(ctx: &Ctx, tag: Tag) -> Result<Response, WebError> {
    let (pages, posts) = published_page(ctx, Listing::Tag(tag.clone())).await?;
    if pages.total == 0 {
        return Err(WebError::NotFound);
    }
    Ok(response::html(
        StatusCode::OK,
        views::posts::tag(&ctx.page(), &tag, &posts, &pages),
    ))
}

/// Which published posts a list page shows.
enum Listing {
    All,
    Author(UserId),
    Tag(Tag),
}

/// The page of published posts that `?page=` asks for; 404 for a page that does not
/// exist.
async fn published_page(ctx: &Ctx, listing: Listing) -> Result<(Pagination, Vec<Post>), WebError> {
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
            Ok(Some((pages, posts)))
        })
        .await?
        .ok_or(WebError::NotFound)
}

pub async fn show(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = visible_post(ctx, slug).await?;
    let can_edit = ctx
        .user
        .as_ref()
        .is_some_and(|u| permissions::can_edit(u, &post));
    let base = &ctx.app.config.site.base_url;
    let url = base.join(&urls::post(&post.slug));
    let image = post
        .body
        .first_media_path()
        .map(|path| base.join(&urls::media(path)));
    let preview = views::posts::Preview {
        site_name: &ctx.app.config.site.title,
        url: &url,
        image: image.as_deref(),
    };
    let thread = super::comments::thread(ctx, &post).await?;
    let page = super::comments::page(ctx, thread.as_ref());
    Ok(response::html(
        StatusCode::OK,
        views::posts::show(&page, &post, can_edit, &preview, thread.as_ref()),
    ))
}

/// The post, if this visitor may see it; drafts of others do not exist for them.
async fn visible_post(ctx: &Ctx, slug: Slug) -> Result<Post, WebError> {
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
async fn editable_post(ctx: &Ctx, slug: Slug) -> Result<Post, WebError> {
    let user = ctx.require_user()?;
    let post = visible_post(ctx, slug).await?;
    if permissions::can_edit(user, &post) {
        Ok(post)
    } else {
        Err(WebError::Forbidden)
    }
}

pub fn new_form(ctx: &Ctx) -> Result<Response, WebError> {
    ctx.require_writer()?;
    let empty = PostForm {
        title: "",
        body: "",
        tags: "",
    };
    Ok(response::html(
        StatusCode::OK,
        views::posts::form(&ctx.page(), None, &empty, &Problems::new()),
    ))
}

pub async fn create(ctx: &Ctx) -> Result<Response, WebError> {
    let author_id = ctx.require_writer()?.id;
    let values = submitted(ctx);
    let mut problems = check(&values);
    let body = prepare_body(ctx, values.body, &mut problems).await?;
    let Some(body) = body.filter(|_| problems.is_empty()) else {
        return Ok(rejected(ctx, None, &values, &problems));
    };
    let title = values.title.trim().to_string();
    let tags = Tag::parse_list(values.tags).unwrap_or_default();
    let base = Slug::from_title(&title);
    let (_, slug) = ctx
        .app
        .db
        .write(move |tx| {
            let post = NewPost {
                author_id,
                title: &title,
                body: &body.html,
                excerpt: &body.excerpt,
            };
            let (id, slug) = db::posts::insert(tx, &post, &base, db::now_ms())?;
            db::tags::set_for_post(tx, id, &tags)?;
            db::media::set_post_usage(tx, id, &body.media_paths)?;
            Ok((id, slug))
        })
        .await?;
    Ok(response::redirect(&urls::post(&slug)))
}

pub async fn edit_form(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    let tags = Tag::join(&post.tags);
    let values = PostForm {
        title: &post.title,
        body: post.body.as_str(),
        tags: &tags,
    };
    Ok(response::html(
        StatusCode::OK,
        views::posts::form(&ctx.page(), Some(&post), &values, &Problems::new()),
    ))
}

pub async fn update(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    let values = submitted(ctx);
    let mut problems = check(&values);
    let body = prepare_body(ctx, values.body, &mut problems).await?;
    let Some(body) = body.filter(|_| problems.is_empty()) else {
        return Ok(rejected(ctx, Some(&post), &values, &problems));
    };
    let title = values.title.trim().to_string();
    let tags = Tag::parse_list(values.tags).unwrap_or_default();
    let id = post.id;
    let released = ctx
        .app
        .db
        .write(move |tx| {
            db::posts::update(tx, id, &title, &body.html, &body.excerpt, db::now_ms())?;
            db::tags::set_for_post(tx, id, &tags)?;
            // Images taken out of the body and used nowhere else go now.
            let before = db::media::set_post_usage(tx, id, &body.media_paths)?;
            db::media::release_unused(tx, &before)
        })
        .await?;
    ctx.app
        .media
        .remove_released(released.into_iter().map(|f| f.path));
    Ok(response::redirect(&urls::post(&post.slug)))
}

/// Publishes (`true`) or makes a draft again (`false`). Publishing a published post
/// keeps its original time, so it does not jump to the top of the list.
pub async fn publish(ctx: &Ctx, slug: Slug, publish: bool) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    set_published(ctx, &post, publish).await?;
    Ok(response::redirect(&urls::post(&post.slug)))
}

/// `publish` once the caller has checked that this user may change the post; the
/// admin dashboard comes here too. Every publication is in the audit log.
pub(super) async fn set_published(ctx: &Ctx, post: &Post, publish: bool) -> Result<(), WebError> {
    let user = ctx.require_user()?;
    let at = match (publish, post.published_at) {
        (true, Some(at)) => Some(at),
        (true, None) => Some(db::now_ms()),
        (false, _) => None,
    };
    let action = if publish {
        Action::PostPublish
    } else {
        Action::PostUnpublish
    };
    let entry = NewEntry::by(user, action, post.title.clone()).detail(post.slug.to_string());
    let id = post.id;
    ctx.app
        .db
        .write(move |tx| {
            db::posts::set_published(tx, id, at)?;
            db::audit::record(tx, &entry, db::now_ms())
        })
        .await?;
    Ok(())
}

pub async fn delete_confirm(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    Ok(response::html(
        StatusCode::OK,
        views::posts::delete_confirm(&ctx.page(), &post),
    ))
}

pub async fn delete(ctx: &Ctx, slug: Slug) -> Result<Response, WebError> {
    let post = editable_post(ctx, slug).await?;
    remove(ctx, &post).await?;
    Ok(response::redirect(&urls::index()))
}

/// `delete` once the caller has checked that this user may change the post; the
/// admin dashboard comes here too. Every deletion is in the audit log.
pub(super) async fn remove(ctx: &Ctx, post: &Post) -> Result<(), WebError> {
    let user = ctx.require_user()?;
    let entry =
        NewEntry::by(user, Action::PostDelete, post.title.clone()).detail(post.slug.to_string());
    let id = post.id;
    let released = ctx
        .app
        .db
        .write(move |tx| {
            let used = db::media::used_by_post(tx, id)?;
            db::posts::delete(tx, id)?;
            db::audit::record(tx, &entry, db::now_ms())?;
            db::media::release_unused(tx, &used)
        })
        .await?;
    ctx.app
        .media
        .remove_released(released.into_iter().map(|f| f.path));
    Ok(())
}

/// The signed-in writer's drafts; admins see everyone's.
pub async fn drafts(ctx: &Ctx) -> Result<Response, WebError> {
    let user = ctx.require_writer()?;
    let author = (!matches!(user.role, crate::content::Role::Admin)).then_some(user.id);
    let posts = ctx
        .app
        .db
        .read(move |conn| db::posts::drafts(conn, author))
        .await?;
    Ok(response::html(
        StatusCode::OK,
        views::posts::drafts(&ctx.page(), &posts),
    ))
}

fn submitted(ctx: &Ctx) -> PostForm<'_> {
    PostForm {
        title: ctx.form.get("title"),
        body: ctx.form.get("body"),
        tags: ctx.form.get("tags"),
    }
}

fn check(values: &PostForm) -> Problems {
    let mut problems = Problems::new();
    let title = values.title.trim();
    if title.is_empty() {
        problems.add("title", "problems.title_empty");
    } else if title.chars().count() > MAX_TITLE_CHARS {
        problems.add(
            "title",
            Message::from("problems.title_too_long").with("max", MAX_TITLE_CHARS),
        );
    }
    // Checked here so a bad list comes back beside its field; `create` and `update`
    // parse it again only after this passed.
    if let Err(err) = Tag::parse_list(values.tags) {
        problems.add("tags", err.message());
    }
    problems
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

fn rejected(ctx: &Ctx, post: Option<&Post>, values: &PostForm, problems: &Problems) -> Response {
    response::html(
        StatusCode::UNPROCESSABLE_ENTITY,
        views::posts::form(&ctx.page(), post, values, problems),
    )
}
