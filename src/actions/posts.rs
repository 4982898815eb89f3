//! Writing, publishing and deleting posts. A body arrives sanitized (`SanitizedHtml`),
//! so the work that grows with its size is done before the writer is taken.

use super::federation::{self, Change};
use super::{audit, editable, forbidden, mail, webmentions, ActionError, Blog};
use crate::auth::{Actor, Token};
use crate::content::excerpt::excerpt;
use crate::content::html::PreparedBody;
use crate::content::{Kind, MediaId, Post, PostId, SanitizedHtml, Slug, Tag, User, UserId};
use crate::db::revisions::{Fold, NewRevision};
use crate::db::{self, audit::Action, posts::NewPost};

/// What the post form (or an import) gives, checked and sanitized, with what is
/// derived from the body worked out once, before any write is queued.
#[derive(Debug, Clone)]
pub struct PostContent {
    /// Trimmed, at most `content::post::MAX_TITLE_CHARS` characters.
    pub title: String,
    pub body: SanitizedHtml,
    pub excerpt: String,
    /// The media files the body shows.
    pub media_paths: Vec<String>,
    pub tags: Vec<Tag>,
}

impl PostContent {
    /// From a body checked and prepared off the writer (`PreparedBody::new`).
    pub fn new(title: String, body: PreparedBody, tags: Vec<Tag>) -> Self {
        Self {
            title,
            body: body.html,
            excerpt: body.excerpt,
            media_paths: body.media_paths,
            tags,
        }
    }

    /// From a body already sanitized (a revision, an import): the derived values are
    /// worked out here.
    pub fn from_sanitized(title: String, body: SanitizedHtml, tags: Vec<Tag>) -> Self {
        Self {
            title,
            excerpt: excerpt(&body),
            media_paths: body.media_paths(),
            body,
            tags,
        }
    }
}

/// A published post is public; a draft belongs to its author and the admins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Published,
    Draft,
}

/// A save from the editor (or an autosave): the content, the schedule, and the save
/// it started from.
#[derive(Debug, Clone)]
pub struct Edit {
    pub content: PostContent,
    /// For a draft, when the server publishes it; `None` is not scheduled (a published
    /// post ignores it).
    pub publish_at: Option<i64>,
    /// The post's `revision` when the editor opened it: if another save came since,
    /// this one is refused as `Stale` rather than overwrite it. `None` skips the check.
    pub based_on: Option<i64>,
    /// The featured image; an autosave, which does not send it, leaves it as it is.
    pub featured: Featured,
}

/// What a save does to the post's featured image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Featured {
    /// As it was (autosave, restore).
    Unchanged,
    /// No featured image.
    Nothing,
    /// One of our uploads, by the path of a file of it under the media folder
    /// (`uploads/2026/11/ab….jpg`); anything else is refused.
    Image(String),
}

/// The featured image is not one of our uploads.
pub const UNKNOWN_FEATURED: &str = "problems.featured_unknown";

/// A `Featured` checked against the catalogue, before anything is written.
enum FeaturedMedia {
    Unchanged,
    Set(Option<MediaId>),
}

/// Finds the featured image among our uploads; `Ok(Err(..))` when it is not one.
fn resolve_featured(
    tx: &rusqlite::Connection,
    featured: &Featured,
) -> rusqlite::Result<Result<FeaturedMedia, ActionError>> {
    Ok(Ok(match featured {
        Featured::Unchanged => FeaturedMedia::Unchanged,
        Featured::Nothing => FeaturedMedia::Set(None),
        Featured::Image(path) => match db::media::upload_of(tx, path)? {
            Some(id) => FeaturedMedia::Set(Some(id)),
            None => return Ok(Err(ActionError::Refused(UNKNOWN_FEATURED))),
        },
    }))
}

/// Sets the featured image; returns the one it replaced, for `release_unused`.
fn set_featured(
    tx: &rusqlite::Connection,
    post: PostId,
    featured: &FeaturedMedia,
) -> rusqlite::Result<Option<MediaId>> {
    let FeaturedMedia::Set(media) = *featured else {
        return Ok(None);
    };
    let before = db::posts::set_featured(tx, post, media)?;
    Ok(before.filter(|before| Some(*before) != media))
}

/// What a save left: the post's slug and its new save count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub slug: Slug,
    pub revision: i64,
}

/// A new draft post or page by the acting user, under a slug made from its title (`-2`,
/// `-3`, … when taken, posts and pages alike); its first revision.
pub fn create(blog: Blog, actor: &Actor, kind: Kind, edit: &Edit) -> Result<Saved, ActionError> {
    let Some(author) = actor.user().filter(|_| actor.may_write()) else {
        return Err(forbidden(actor));
    };
    let content = &edit.content;
    let base = Slug::from_title(&content.title);
    let (saved, released) = blog.db.write_now(|tx| {
        let featured = match resolve_featured(tx, &edit.featured)? {
            Ok(featured) => featured,
            Err(refused) => return Ok(Err(refused)),
        };
        let post = NewPost {
            author_id: author.id,
            title: &content.title,
            body: &content.body,
            excerpt: &content.excerpt,
        };
        let now = db::now_ms();
        let (id, slug) = db::posts::insert(tx, &post, &base, now)?;
        db::posts::set_kind(tx, id, kind)?;
        db::tags::set_for_post(tx, id, &content.tags)?;
        let paths = &content.media_paths;
        db::media::set_post_usage(tx, id, paths)?;
        set_featured(tx, id, &featured)?;
        db::posts::set_schedule(tx, id, edit.publish_at)?;
        let revision = db::posts::bump_revision(tx, id)?;
        let pruned = keep_revision(tx, actor, id, content, paths, Fold::WithinAMinute, now)?;
        let released = db::media::release_unused(tx, &pruned)?;
        Ok(Ok((Saved { slug, revision }, released)))
    })??;
    blog.remove_files(released);
    Ok(saved)
}

/// New text for a post (and, for a draft, its schedule); its slug stays, so links keep
/// working. Every save is a revision (a minute of a draft's autosaves folds into one).
/// Images taken out of the body (or no longer featured) that nothing else uses, kept
/// revisions included, are deleted. A save based on an older revision is refused with `Stale`.
pub fn update(blog: Blog, actor: &Actor, slug: &Slug, edit: &Edit) -> Result<Saved, ActionError> {
    let content = &edit.content;
    let (saved, released) = blog.db.write_now(|tx| {
        let post = match editable(tx, actor, slug)? {
            Ok(post) => post,
            Err(refused) => return Ok(Err(refused)),
        };
        if edit
            .based_on
            .is_some_and(|based_on| based_on != post.revision)
        {
            return Ok(Err(ActionError::Stale(Box::new(post))));
        }
        let featured = match resolve_featured(tx, &edit.featured)? {
            Ok(featured) => featured,
            Err(refused) => return Ok(Err(refused)),
        };
        let now = db::now_ms();
        db::posts::update(
            tx,
            post.id,
            &content.title,
            &content.body,
            &content.excerpt,
            now,
        )?;
        db::tags::set_for_post(tx, post.id, &content.tags)?;
        let paths = &content.media_paths;
        let mut unused = db::media::set_post_usage(tx, post.id, paths)?;
        unused.extend(set_featured(tx, post.id, &featured)?);
        if !post.is_published() {
            db::posts::set_schedule(tx, post.id, edit.publish_at)?;
        }
        let revision = db::posts::bump_revision(tx, post.id)?;
        let fold = if post.is_published() {
            Fold::Never
        } else {
            Fold::WithinAMinute
        };
        unused.extend(keep_revision(
            tx, actor, post.id, content, paths, fold, now,
        )?);
        let released = db::media::release_unused(tx, &unused)?;
        if post.is_published() {
            if let Some(now) = db::posts::by_id(tx, post.id)? {
                federation::post_changed(tx, blog.federation, &now, Change::Updated)?;
            }
            webmentions::queue_sends(
                tx,
                blog.webmentions,
                &post,
                content.body.as_str(),
                Some(post.body.as_str()),
            )?;
        }
        Ok(Ok((
            Saved {
                slug: post.slug,
                revision,
            },
            released,
        )))
    })??;
    blog.remove_files(released);
    Ok(saved)
}

/// Makes a kept revision the post's text again; the restore is itself a new revision,
/// so nothing is lost by it.
pub fn restore(
    blog: Blog,
    actor: &Actor,
    slug: &Slug,
    revision: i64,
) -> Result<Saved, ActionError> {
    let found = blog.db.read_now(|conn| {
        let Some(post) = db::posts::by_slug(conn, slug)? else {
            return Ok(None);
        };
        Ok(db::revisions::by_id(conn, post.id, revision)?.map(|old| (post, old)))
    })?;
    let Some((post, old)) = found else {
        return Err(ActionError::NotFound(format!(
            "{slug} has no revision {revision}"
        )));
    };
    let edit = Edit {
        content: PostContent::from_sanitized(old.title, old.body, post.tags),
        publish_at: post.publish_at,
        based_on: None,
        featured: Featured::Unchanged,
    };
    update(blog, actor, slug, &edit)
}

/// Records the save as a revision, linked to the images it shows; returns the images of
/// revisions the retention rule pruned.
fn keep_revision(
    tx: &rusqlite::Connection,
    actor: &Actor,
    post: PostId,
    content: &PostContent,
    paths: &[String],
    fold: Fold,
    now: i64,
) -> rusqlite::Result<Vec<MediaId>> {
    let media = db::media::ids_of(tx, paths)?;
    let author_name = actor.user().map_or_else(|| actor.audit_name(), User::name);
    let revision = NewRevision {
        post_id: post,
        author_id: actor.user_id(),
        author_name: &author_name,
        title: &content.title,
        body: &content.body,
        media: &media,
    };
    let (_, pruned) = db::revisions::record(tx, &revision, fold, now)?;
    Ok(pruned)
}

/// Publishes every scheduled draft whose time has come, with the time it was scheduled
/// for; the scheduler's writes, in the audit log as such. Returns what it published.
pub fn publish_due(blog: Blog, actor: &Actor, now: i64) -> Result<Vec<Post>, ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    Ok(blog.db.write_now(|tx| {
        let mut published = Vec::new();
        for post in db::posts::due(tx, now)? {
            if db::posts::publish_scheduled(tx, post.id)? {
                audit_post(tx, actor, Action::PostPublish, &post)?;
                mail::new_post(tx, blog.letters, &post)?;
                if let Some(now) = db::posts::by_id(tx, post.id)? {
                    federation::post_changed(tx, blog.federation, &now, Change::Published)?;
                }
                webmentions::queue_sends(tx, blog.webmentions, &post, post.body.as_str(), None)?;
                published.push(post);
            }
        }
        Ok(published)
    })?)
}

/// A new secret link to the post (a draft, usually) for a friend to read before it is
/// published; returns its token, of which only a hash is stored.
pub fn create_preview_link(blog: Blog, actor: &Actor, slug: &Slug) -> Result<Token, ActionError> {
    let token = Token::generate()?;
    blog.db.write_now(|tx| {
        let post = match editable(tx, actor, slug)? {
            Ok(post) => post,
            Err(refused) => return Ok(Err(refused)),
        };
        db::preview_links::insert(tx, &token.hash(), post.id, db::now_ms())?;
        Ok(Ok(()))
    })??;
    Ok(token)
}

/// Ends every preview link to the post.
pub fn revoke_preview_links(blog: Blog, actor: &Actor, slug: &Slug) -> Result<usize, ActionError> {
    blog.db.write_now(|tx| {
        let post = match editable(tx, actor, slug)? {
            Ok(post) => post,
            Err(refused) => return Ok(Err(refused)),
        };
        db::preview_links::revoke_all(tx, post.id).map(Ok)
    })?
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
        let post = match editable(tx, actor, slug)? {
            Ok(post) => post,
            Err(refused) => return Ok(Err(refused)),
        };
        let (at, action) = match (visibility, post.published_at) {
            (Visibility::Published, Some(at)) => (Some(at), Action::PostPublish),
            (Visibility::Published, None) => (Some(db::now_ms()), Action::PostPublish),
            (Visibility::Draft, _) => (None, Action::PostUnpublish),
        };
        db::posts::set_published(tx, post.id, at)?;
        audit_post(tx, actor, action, &post)?;
        if visibility == Visibility::Published {
            mail::new_post(tx, blog.letters, &post)?;
        }
        let change = match (visibility, post.is_published()) {
            (Visibility::Published, false) => Some(Change::Published),
            (Visibility::Draft, true) => Some(Change::Withdrawn),
            _ => None,
        };
        if let Some(change) = change {
            if let Some(now) = db::posts::by_id(tx, post.id)? {
                federation::post_changed(tx, blog.federation, &now, change)?;
            }
        }
        if visibility == Visibility::Published && !post.is_published() {
            webmentions::queue_sends(tx, blog.webmentions, &post, post.body.as_str(), None)?;
        }
        Ok(Ok(post))
    })?
}

/// Deletes the post with its comments, and every media file that only it used.
pub fn delete(blog: Blog, actor: &Actor, slug: &Slug) -> Result<Post, ActionError> {
    let (post, released) = blog.db.write_now(|tx| {
        let post = match editable(tx, actor, slug)? {
            Ok(post) => post,
            Err(refused) => return Ok(Err(refused)),
        };
        let mut used = db::media::used_by_post(tx, post.id)?;
        used.extend(db::revisions::media_of_post(tx, post.id)?);
        if post.is_published() {
            federation::post_changed(tx, blog.federation, &post, Change::Withdrawn)?;
        }
        db::posts::delete(tx, post.id)?;
        audit_post(tx, actor, Action::PostDelete, &post)?;
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
    pub kind: Kind,
    /// A draft the server publishes then (a WordPress "future" post).
    pub publish_at: Option<i64>,
    /// The featured image: a path of one of our uploads (the import stored it first).
    pub featured: Option<String>,
    /// Where it came from, when the source has ids (WordPress, Ghost): a second run
    /// finds it by them, even after its title changed here.
    pub origin: Option<super::Origin>,
}

/// Saves an imported post the way the editor's save does (excerpt, tags, the images
/// it shows, its featured image), keeping its history. A post is the same post when
/// its origin was imported before, or when it has the same author, title and creation
/// time: a second run finds it and returns `None`.
pub fn import(blog: Blog, actor: &Actor, post: &ImportedPost) -> Result<Option<Slug>, ActionError> {
    if !actor.is_admin() {
        return Err(forbidden(actor));
    }
    let content = &post.content;
    let base = post
        .slug
        .clone()
        .unwrap_or_else(|| Slug::from_title(&content.title));
    let slug = blog.db.write_now(|tx| {
        if let Some(origin) = &post.origin {
            if origin.find(tx, super::Origin::POST)?.is_some() {
                return Ok(Ok(None));
            }
        }
        if let Some(id) = db::posts::imported(tx, post.author, &content.title, post.created_at)? {
            if let Some(origin) = &post.origin {
                origin.remember(tx, super::Origin::POST, id.0)?;
            }
            return Ok(Ok(None));
        }
        let featured = match &post.featured {
            Some(path) => match db::media::upload_of(tx, path)? {
                Some(id) => Some(id),
                None => return Ok(Err(ActionError::Refused(UNKNOWN_FEATURED))),
            },
            None => None,
        };
        let new = NewPost {
            author_id: post.author,
            title: &content.title,
            body: &content.body,
            excerpt: &content.excerpt,
        };
        let (id, slug) = db::posts::insert(tx, &new, &base, post.created_at)?;
        db::tags::set_for_post(tx, id, &content.tags)?;
        db::media::set_post_usage(tx, id, &content.media_paths)?;
        db::posts::set_history(tx, id, post.created_at, post.updated_at, post.published_at)?;
        db::posts::set_kind(tx, id, post.kind)?;
        if featured.is_some() {
            db::posts::set_featured(tx, id, featured)?;
        }
        if post.published_at.is_none() {
            db::posts::set_schedule(tx, id, post.publish_at)?;
        }
        if let Some(origin) = &post.origin {
            origin.remember(tx, super::Origin::POST, id.0)?;
        }
        Ok(Ok(Some(slug)))
    })??;
    Ok(slug)
}

/// The audit row of a change to a post: its title, and its slug as the detail.
fn audit_post(
    tx: &rusqlite::Connection,
    actor: &Actor,
    action: Action,
    post: &Post,
) -> rusqlite::Result<()> {
    audit(tx, actor, action, post.title.clone(), post.slug.to_string())
}
