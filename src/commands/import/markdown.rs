//! `blog import markdown DIR`: one post per `.md` file (in DIR and its subfolders),
//! with YAML front matter. The Markdown is rendered with pulldown-cmark, then sanitized
//! like any body; images beside the files are imported as uploads.
//!
//! An export folder imports as it is: its `authors.json` makes the accounts first (with
//! their roles, names and bios; no passwords) and its `comments.json` puts the comments
//! back once the posts are in.
//!
//! Front matter: `title` (required), `author` (an email; an unknown one gets an author
//! account), `date` (written; else the file's modification time, which stays the same
//! from run to run), `published` (else `date`), `updated`, `draft`, `tags`, `slug`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use pulldown_cmark::{Event, Options, Parser, Tag as MdTag};

use super::bundle::{AuthorEntry, CommentEntry, AUTHORS_FILE, COMMENTS_FILE};
use super::front_matter::{self, FrontMatter};
use super::images::{rewrite_img_src, Found, Images};
use super::posts::{self, Incoming};
use super::progress::Progress;
use super::users::{self, Account};
use super::{comments, dates, skipped, Tally};
use crate::actions::Blog;
use crate::config::Config;
use crate::content::html::sanitize_checked;
use crate::content::{Email, Kind, Role, Slug, Tag, UserId};
use crate::media::MediaDir;

/// What every file of one run shares.
struct Run<'a> {
    config: &'a Config,
    blog: Blog<'a>,
    zone: jiff::tz::TimeZone,
    default_author: Option<UserId>,
    images: Images<'a>,
    progress: Progress,
    tally: Tally,
}

pub fn run(config: &Config, blog: Blog, dir: &Path, author: Option<&str>) -> anyhow::Result<Tally> {
    if !dir.is_dir() {
        bail!(
            "{} is not a folder: give the folder that holds the .md files",
            dir.display()
        );
    }
    let files = markdown_files(dir)?;
    let authors: Vec<AuthorEntry> = read_json(&dir.join(AUTHORS_FILE))?.unwrap_or_default();
    let comments: Vec<CommentEntry> = read_json(&dir.join(COMMENTS_FILE))?.unwrap_or_default();
    if files.is_empty() && authors.is_empty() {
        bail!(
            "{} holds no .md files: each post is a .md file with front matter",
            dir.display()
        );
    }
    let zone = jiff::tz::TimeZone::get(config.site.timezone.as_str())?;
    let mut run = Run {
        config,
        blog,
        zone,
        default_author: None,
        images: Images::new(
            blog.db,
            MediaDir::new(config.storage.media_dir()),
            config.server.max_upload_bytes,
            dir,
        )?,
        progress: Progress::new(files.len() as u64, "files"),
        tally: Tally::default(),
    };
    for entry in &authors {
        if let Err(err) = run.author(entry) {
            run.tally.failed += 1;
            run.progress
                .warn(skipped(format!("{AUTHORS_FILE}: {}", entry.email), &err));
        }
    }
    // Looked up after authors.json, whose admin may be the one meant.
    run.default_author = users::default_author(blog.db, author)?;
    for file in &files {
        match run.file(file) {
            Ok(true) => run.tally.posts += 1,
            Ok(false) => run.tally.present += 1,
            Err(err) => {
                run.tally.failed += 1;
                run.progress.warn(skipped(file.display(), &err));
            }
        }
        run.progress.inc();
    }
    comments::import(blog, &comments, &run.zone, &run.progress, &mut run.tally);
    run.progress.finish();
    Ok(run.tally)
}

/// Every `.md` file under `dir`, hidden ones left out, in a stable order.
fn markdown_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .with_context(|| format!("cannot read the folder {}", folder.display()))?;
        for entry in entries {
            let entry =
                entry.with_context(|| format!("cannot read the folder {}", folder.display()))?;
            let path = entry.path();
            if entry.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|ext| {
                ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown")
            }) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// A JSON file of an export, if there is one.
fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> anyhow::Result<Option<T>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
    };
    serde_json::from_str(&text).map(Some).with_context(|| {
        format!(
            "{} is not what `blog export` writes: fix it, or move it away to import only the posts",
            path.display()
        )
    })
}

impl Run<'_> {
    fn author(&mut self, entry: &AuthorEntry) -> anyhow::Result<UserId> {
        let email: Email = entry
            .email
            .parse()
            .map_err(|_| anyhow::anyhow!("{:?} is not an email address", entry.email))?;
        let role: Role = entry.role.parse()?;
        let joined = match &entry.joined {
            Some(at) => Some(dates::parse(at, &self.zone)?),
            None => None,
        };
        let account = Account {
            email,
            display_name: entry.display_name.clone(),
            bio: entry.bio.clone(),
            role,
            active: entry.active,
            joined,
        };
        users::ensure(
            self.config,
            self.blog,
            &account,
            &self.progress,
            &mut self.tally,
        )
    }

    /// Imports one file; false when its post is already there.
    fn file(&mut self, file: &Path) -> anyhow::Result<bool> {
        let text = std::fs::read_to_string(file).context("cannot read it as UTF-8 text")?;
        let (matter, markdown) = front_matter::parse(&text)?;
        let Some(title) = matter.title.as_deref() else {
            bail!("the front matter has no title: add `title: …`");
        };
        let title = posts::title(title)?;
        let author = self.post_author(&matter)?;
        let created_at = match &matter.date {
            Some(date) => dates::parse(date, &self.zone).context("date")?,
            None => modified(file)?,
        };
        let published_at = match (&matter.published, matter.draft) {
            (_, true) => None,
            (Some(at), false) => Some(dates::parse(at, &self.zone).context("published")?),
            (None, false) => Some(created_at),
        };
        let updated_at = match &matter.updated {
            Some(at) => dates::parse(at, &self.zone).context("updated")?,
            None => published_at.unwrap_or(created_at).max(created_at),
        };
        let tags =
            Tag::parse_list(&matter.tags.joined()).map_err(|err| anyhow::anyhow!("tags: {err}"))?;
        let slug = match &matter.slug {
            Some(text) => Some(text.parse::<Slug>().map_err(|_| {
                anyhow::anyhow!("slug {text:?}: use lower-case letters, digits and dashes")
            })?),
            None => None,
        };
        // Checked before any image is stored, so a second run stores none.
        if posts::exists(self.blog.db, author, &title, created_at)? {
            return Ok(false);
        }
        let beside = file.parent().unwrap_or(Path::new("."));
        let html = self.render(markdown, beside, author, file)?;
        let post = Incoming {
            author,
            title,
            slug,
            body: sanitize_checked(&html, self.config.site.base_url.as_str())?,
            tags,
            created_at,
            updated_at,
            published_at,
            kind: if matter.page { Kind::Page } else { Kind::Post },
        };
        Ok(posts::save(self.blog, &post)?.is_some())
    }

    fn post_author(&mut self, matter: &FrontMatter) -> anyhow::Result<UserId> {
        match &matter.author {
            Some(text) => {
                let email: Email = text
                    .parse()
                    .map_err(|_| anyhow::anyhow!("author {text:?} is not an email address"))?;
                let account = Account::author(email, String::new());
                users::ensure(self.config, self.blog, &account, &self.progress, &mut self.tally)
            }
            None => self.default_author.context(
                "no author: add `author: EMAIL` to the front matter, pass --author EMAIL, or create an admin with `blog createsuperuser`",
            ),
        }
    }

    /// The Markdown as HTML, with images beside the file stored and shown from `/media/`.
    fn render(
        &mut self,
        markdown: &str,
        beside: &Path,
        owner: UserId,
        file: &Path,
    ) -> anyhow::Result<String> {
        let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        let mut events = Vec::new();
        let images = &mut self.images;
        let progress = &self.progress;
        let mut store = |src: &str| -> anyhow::Result<Option<String>> {
            match images.store(src, beside, owner)? {
                Found::Stored(url) => Ok(Some(url)),
                Found::Elsewhere => {
                    if src.contains("://") || src.starts_with("//") {
                        progress.warn(format!(
                            "{}: image {src} is not a file next to the post: left out (only local images are imported)",
                            file.display()
                        ));
                    }
                    Ok(None)
                }
            }
        };
        for event in Parser::new_ext(markdown, options) {
            events.push(match event {
                Event::Start(MdTag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }) => {
                    let dest_url = match store(&dest_url)? {
                        Some(url) => url.into(),
                        None => dest_url,
                    };
                    Event::Start(MdTag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    })
                }
                Event::Html(raw) => Event::Html(rewrite_img_src(&raw, &mut store)?.into()),
                Event::InlineHtml(raw) => {
                    Event::InlineHtml(rewrite_img_src(&raw, &mut store)?.into())
                }
                other => other,
            });
        }
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
        Ok(html)
    }
}

/// The file's modification time: a post without a `date` keeps the same one from run
/// to run, so it is still found the second time.
fn modified(file: &Path) -> anyhow::Result<i64> {
    let at = std::fs::metadata(file)
        .and_then(|meta| meta.modified())
        .context("no date in the front matter, and the file's own time cannot be read: add `date: 2026-03-01`")?;
    let millis = at
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    Ok(millis)
}
