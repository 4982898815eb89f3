//! `blog export DIR`: the whole blog in files another tool (or `blog import markdown`)
//! can read. Every post, drafts too, becomes `DIR/posts/<slug>.md`: front matter, then
//! the body as Markdown; its images are copied to `DIR/posts/<slug>/` and linked
//! relatively. `DIR/authors.json` has the accounts (never a password hash) and
//! `DIR/comments.json` the comments.
//!
//! Images are exported as their originals, not the 1600 px copies a page shows: an
//! import makes the copy again. Markup Markdown has no words for (an image's size or
//! float, underlines, a centred paragraph) stays as inline HTML in the Markdown, so an
//! import gives the same page back.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context};

use super::import::bundle::{AuthorEntry, CommentEntry, AUTHORS_FILE, COMMENTS_FILE};
use super::import::dates::rfc3339;
use super::import::front_matter::{self, FrontMatter, Tags};
use super::import::progress::Progress;
use crate::config::Config;
use crate::content::{Post, Tag, UserId};
use crate::db::{self, Db};
use crate::media::MediaDir;

/// What the sanitizer adds to every link; an import adds it again, so the Markdown
/// stays plain `[text](url)` instead of carrying it as HTML.
const LINK_REL: &str = r#" rel="noopener noreferrer nofollow""#;

pub fn run(config: &Config, dir: &Path, force: bool) -> anyhow::Result<()> {
    let database = config.storage.database();
    if !database.is_file() {
        bail!(
            "there is no database at {}: run the export where blog.toml is, or pass --config",
            database.display()
        );
    }
    prepare(dir, force)?;
    let db = super::open_db(config)?;
    let media = MediaDir::new(config.storage.media_dir());

    let mut posts = db.read_now(|conn| {
        let mut all = db::posts::published(conn, None, u32::MAX, 0)?;
        all.extend(db::posts::drafts(conn, None)?);
        all.extend(db::pages::all(conn)?);
        Ok(all)
    })?;
    posts.sort_by_key(|post| (post.created_at, post.id));
    let users = db.read_now(db::users::all)?;
    let emails: HashMap<UserId, String> = users
        .iter()
        .map(|user| (user.id, user.email.to_string()))
        .collect();

    let converter = converter();
    let progress = Progress::new(posts.len() as u64, "posts");
    let mut images = 0;
    for post in &posts {
        images += export_post(&db, &media, dir, post, &emails, &converter, &progress)
            .with_context(|| format!("cannot export the post {}", post.slug))?;
        progress.inc();
    }
    progress.finish();

    let authors: Vec<AuthorEntry> = users
        .iter()
        .map(|user| AuthorEntry {
            email: user.email.to_string(),
            display_name: user.display_name.clone(),
            bio: user.bio.clone(),
            role: user.role.to_string(),
            active: user.is_active,
            joined: Some(rfc3339(user.created_at)),
        })
        .collect();
    write_json(&dir.join(AUTHORS_FILE), &authors)?;
    let comments = db.read_now(comments)?;
    write_json(&dir.join(COMMENTS_FILE), &comments)?;

    let drafts = posts.iter().filter(|post| !post.is_published()).count() as u64;
    println!(
        "exported {} ({} drafts), {}, {}, {} to {}",
        super::import::count(posts.len() as u64, "post"),
        drafts,
        super::import::count(images, "image"),
        super::import::count(authors.len() as u64, "author"),
        super::import::count(comments.len() as u64, "comment"),
        dir.display()
    );
    Ok(())
}

/// An empty (or new) folder, or any with `--force`. A new one is closed to other
/// users: it holds drafts and email addresses.
fn prepare(dir: &Path, force: bool) -> anyhow::Result<()> {
    if dir.exists() {
        if !dir.is_dir() {
            bail!("{} is a file: give a folder to export into", dir.display());
        }
        let mut entries = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read the folder {}", dir.display()))?;
        if entries.next().is_some() && !force {
            bail!(
                "{} is not empty: choose an empty folder, or add --force to write into it",
                dir.display()
            );
        }
    } else {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
    }
    let posts = dir.join("posts");
    std::fs::create_dir_all(&posts)
        .with_context(|| format!("cannot create the folder {}", posts.display()))
}

/// Markdown as people write it: `#` headings, `-` lists, fenced code; HTML only where
/// Markdown would lose something.
fn converter() -> htmd::HtmlToMarkdown {
    htmd::HtmlToMarkdown::builder()
        .options(htmd::options::Options {
            bullet_list_marker: htmd::options::BulletListMarker::Dash,
            ul_bullet_spacing: 1,
            ol_number_spacing: 1,
            translation_mode: htmd::options::TranslationMode::Faithful,
            ..Default::default()
        })
        .build()
}

/// Writes the post and its images; answers how many images.
fn export_post(
    db: &Db,
    media: &MediaDir,
    dir: &Path,
    post: &Post,
    emails: &HashMap<UserId, String>,
    converter: &htmd::HtmlToMarkdown,
    progress: &Progress,
) -> anyhow::Result<u64> {
    let slug = post.slug.as_str();
    let mut html = post.body.as_str().replace(LINK_REL, "");
    let mut copied = 0;
    for shown in post.body.media_paths() {
        let original = db
            .read_now({
                let shown = shown.clone();
                move |conn| db::media::original_of(conn, &shown)
            })?
            .unwrap_or_else(|| shown.clone());
        let Some(source) = media.resolve(&original) else {
            continue;
        };
        let name = original.rsplit('/').next().unwrap_or(&original).to_string();
        let folder = dir.join("posts").join(slug);
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("cannot create the folder {}", folder.display()))?;
        match std::fs::copy(&source, folder.join(&name)) {
            Ok(_) => copied += 1,
            Err(err) => {
                // The post is still worth having; the line says what is missing.
                progress.warn(format!(
                    "warning: {slug}: cannot copy the image {} ({err}); the post links it anyway",
                    source.display()
                ));
            }
        }
        html = html.replace(
            &format!("=\"/media/{shown}\""),
            &format!("=\"{slug}/{name}\""),
        );
    }
    let markdown = converter
        .convert(&html)
        .with_context(|| format!("cannot convert the body of {slug} to Markdown"))?;
    let matter = FrontMatter {
        title: Some(post.title.clone()),
        slug: Some(slug.to_string()),
        author: emails.get(&post.author_id).cloned(),
        date: Some(rfc3339(post.created_at)),
        updated: Some(rfc3339(post.updated_at)),
        published: post.published_at.map(rfc3339),
        tags: Tags::List(post.tags.iter().map(Tag::to_string).collect()),
        draft: !post.is_published(),
        page: post.is_page(),
    };
    let file = dir.join("posts").join(format!("{slug}.md"));
    std::fs::write(&file, front_matter::render(&matter, &markdown)?)
        .with_context(|| format!("cannot write {}", file.display()))?;
    Ok(copied)
}

/// Every comment with the slug of its post, oldest first, as `comments.json` holds it.
fn comments(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<CommentEntry>> {
    Ok(db::comments::everything(conn)?
        .into_iter()
        .map(|c| CommentEntry {
            post: c.post_slug,
            author_email: c.author_email,
            author_name: c.author_name,
            body: c.body,
            status: c.status,
            created_at: rfc3339(c.created_at),
        })
        .collect())
}

fn write_json<T: serde::Serialize>(file: &Path, value: &T) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    std::fs::write(file, text + "\n").with_context(|| format!("cannot write {}", file.display()))
}
