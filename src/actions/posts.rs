//! Writing, publishing and deleting posts. A body arrives sanitized (`SanitizedHtml`),
//! so the work that grows with its size is done before the writer is taken.

use super::{audit, forbidden, no_post, ActionError, Blog};
use crate::auth::Actor;
use crate::content::excerpt::excerpt;
use crate::content::{Post, SanitizedHtml, Slug, Tag, UserId};
use crate::db::{self, audit::Action, posts::NewPost};

/// What the post form (or an import) gives, checked and sanitized.
#[derive(Debug, Clone)]
pub struct PostContent {
    /// Trimmed, at most `content::post::MAX_TITLE_CHARS` characters.
    pub title: String,
    pub body: SanitizedHtml,
    pub tags: Vec<Tag>,
}

/// A published post is public; a draft belongs to its author and the admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Published,
    Draft,
}

/// A new draft by the acting user, under a slug made from its title (`-2`, `-3`, … when
/// taken).
pub fn create(blog: Blog, actor: &Actor, content: &PostContent) -> Result<Slug, ActionError> {
    let Some(author) = actor.user().filter(|_| actor.may_write()) else {
        return Err(forbidden(actor));
    };
    let author_id = author.id;
    let base = Slug::from_title(&content.title);
    let summary = excerpt(&content.body);
    let slug = blog.db.write_now(|tx| {
        let post = NewPost {
            author_id,
            title: &content.title,
            body: &content.body,
            excerpt: &summary,
        };
        let (id, slug) = db::posts::insert(tx, &post, &base, db::now_ms())?;
        db::tags::set_for_post(tx, id, &content.tags)?;
        db::media::set_post_usage(tx, id, &content.body.media_paths())?;
        Ok(slug)
    })?;
    Ok(slug)
}

/// New text for a post; its slug stays, so links keep working. Images taken out of the
/// body and used nowhere else are deleted.
pub fn update(
    blog: Blog,
    actor: &Actor,
    slug: &Slug,
    content: &PostContent,
) -> Result<(), ActionError> {
    let summary = excerpt(&content.body);
    let released = blog.db.write_now(|tx| {
        let Some(post) = db::posts::by_slug(tx, slug)? else {
            return Ok(Err(no_post(slug)));
        };
        if !actor.may_edit(&post) {
            return Ok(Err(forbidden(actor)));
        }
        db::posts::update(
            tx,
            post.id,
            &content.title,
            &content.body,
            &summary,
            db::now_ms(),
        )?;
        db::tags::set_for_post(tx, post.id, &content.tags)?;
        let before = db::media::set_post_usage(tx, post.id, &content.body.media_paths())?;
        db::media::release_unused(tx, &before).map(Ok)
    })??;
    blog.remove_files(released);
    Ok(())
}

/// Publishes the post, or makes it a draft again. Publishing a published post keeps
/// its original time, so it does not jump to the top of the list. Every change of
/// visibility is in the audit log.
pub fn set_visibility(
    blog: Blog,
    actor: &Actor,
    slug: &Slug,
    visibility: Visibility,
) -> Result<Post, ActionError> {
    blog.db.write_now(|tx| {
        let Some(post) = db::posts::by_slug(tx, slug)? else {
            return Ok(Err(no_post(slug)));
        };
        if !actor.may_edit(&post) {
            return Ok(Err(forbidden(actor)));
        }
        let (at, action) = match (visibility, post.published_at) {
            (Visibility::Published, Some(at)) => (Some(at), Action::PostPublish),
            (Visibility::Published, None) => (Some(db::now_ms()), Action::PostPublish),
            (Visibility::Draft, _) => (None, Action::PostUnpublish),
        };
        db::posts::set_published(tx, post.id, at)?;
        audit(tx, actor, action, post.title.clone(), post.slug.to_string())?;
        Ok(Ok(post))
    })?
}

/// Deletes the post with its comments, and every media file that only it used.
pub fn delete(blog: Blog, actor: &Actor, slug: &Slug) -> Result<Post, ActionError> {
    let (post, released) = blog.db.write_now(|tx| {
        let Some(post) = db::posts::by_slug(tx, slug)? else {
            return Ok(Err(no_post(slug)));
        };
        if !actor.may_edit(&post) {
            return Ok(Err(forbidden(actor)));
        }
        let used = db::media::used_by_post(tx, post.id)?;
        db::posts::delete(tx, post.id)?;
        audit(
            tx,
            actor,
            Action::PostDelete,
            post.title.clone(),
            post.slug.to_string(),
        )?;
        let released = db::media::release_unused(tx, &used)?;
        Ok(Ok((post, released)))
    })??;
    blog.remove_files(released);
    Ok(post)
}

/// A post from another blog, with the times it had there.
#[derive(Debug, Clone)]
pub struct ImportedPost {
    pub author: UserId,
    pub content: PostContent,
    /// The slug it had; `None` makes one from the title.
    pub slug: Option<Slug>,
    pub created_at: i64,
    pub updated_at: i64,
    pub published_at: Option<i64>,
}

/// Saves an imported post the way the editor's save does (excerpt, tags, the images
/// it shows), keeping its history. A post is the same post when it has the same
/// author, title and creation time: a second run finds it and returns `None`.
pub fn import(blog: Blog, actor: &Actor, post: &ImportedPost) -> Result<Option<Slug>, ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    let content = &post.content;
    let summary = excerpt(&content.body);
    let base = post
        .slug
        .clone()
        .unwrap_or_else(|| Slug::from_title(&content.title));
    let slug = blog.db.write_now(|tx| {
        if db::posts::imported(tx, post.author, &content.title, post.created_at)?.is_some() {
            return Ok(None);
        }
        let new = NewPost {
            author_id: post.author,
            title: &content.title,
            body: &content.body,
            excerpt: &summary,
        };
        let (id, slug) = db::posts::insert(tx, &new, &base, post.created_at)?;
        db::tags::set_for_post(tx, id, &content.tags)?;
        db::media::set_post_usage(tx, id, &content.body.media_paths())?;
        db::posts::set_history(tx, id, post.created_at, post.updated_at, post.published_at)?;
        Ok(Some(slug))
    })?;
    Ok(slug)
}
