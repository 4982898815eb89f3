//! `blog import ghost FILE.json [--images DIR]`: a Ghost site moved in from the JSON
//! its Settings → Advanced → Import/Export (Labs before 5.x) writes (`{"db": [{"meta": …, "data": {"posts": …}}]}`).
//! Every change is an action by the importer, as for WordPress.
//!
//! - Users become accounts, matched by email (a new one gets a reset link).
//! - Posts and pages keep their slug, times and status: published → published,
//!   scheduled → scheduled, draft → draft; a post only for members or paying members,
//!   or only sent as a newsletter, becomes a draft with a line saying so (this blog would
//!   show it to everyone). A featured post gets the tag `featured`.
//! - Public tags come along; internal ones (`#name`) do not.
//! - The body is Ghost's own rendering (`html`) when the export has it, else its
//!   Lexical or Mobiledoc document made HTML (`cards`); images under
//!   `/content/images/` come from `--images DIR` (a copy of `content/images`), feature
//!   images too; embeds become links.
//! - Old addresses answer 301: `/{slug}/`, `/p/{uuid}/`, `/tag/{slug}/`,
//!   `/author/{slug}/`, the feeds, and `/content/images/…`.
//! - Posts are remembered by their Ghost uuid: a second run adds nothing.

mod cards;

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context as _};
use serde::Deserialize;
use serde_json::Value;

use super::images::Images;
use super::progress::Progress;
use super::uploads::{Layout, Uploads};
use super::users::{self, Account};
use super::{escape, skipped, Tally};
use crate::actions::posts::{ImportedPost, PostContent};
use crate::actions::{Blog, Origin};
use crate::config::Config;
use crate::content::excerpt;
use crate::content::html::sanitize_checked;
use crate::content::{Email, Kind, Slug, Tag, UserId};
use crate::media::MediaDir;
use crate::urls;

const SOURCE: &str = "ghost";

/// How Ghost's exports write the site's own address in bodies.
const GHOST_URL: &str = "__GHOST_URL__";

const FEATURED_TAG: &str = "featured";

#[derive(Debug, Default, Deserialize)]
struct Data {
    #[serde(default)]
    posts: Vec<Post>,
    #[serde(default)]
    users: Vec<User>,
    #[serde(default)]
    tags: Vec<TagRow>,
    #[serde(default)]
    posts_tags: Vec<PostTag>,
    #[serde(default)]
    posts_authors: Vec<PostAuthor>,
}

#[derive(Debug, Default, Deserialize)]
struct Post {
    id: String,
    #[serde(default)]
    uuid: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    html: Option<String>,
    #[serde(default)]
    lexical: Option<String>,
    #[serde(default)]
    mobiledoc: Option<String>,
    #[serde(default)]
    feature_image: Option<String>,
    #[serde(default)]
    featured: Value,
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
    #[serde(default)]
    updated_at: Option<String>,
    #[serde(default)]
    published_at: Option<String>,
    #[serde(default)]
    custom_excerpt: Option<String>,
    /// Before Ghost 1.0 and in some exports: the one author.
    #[serde(default)]
    author_id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct User {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    bio: Option<String>,
    #[serde(default)]
    status: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct TagRow {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    slug: Option<String>,
    #[serde(default)]
    visibility: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct PostTag {
    post_id: String,
    tag_id: String,
    #[serde(default)]
    sort_order: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
struct PostAuthor {
    post_id: String,
    author_id: String,
    #[serde(default)]
    sort_order: Option<i64>,
}

fn text(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or_default()
}

/// The `data` of an export, whichever of Ghost's shapes it has.
fn read(file: &Path) -> anyhow::Result<Data> {
    let bytes = std::fs::read(file).with_context(|| {
        format!(
            "cannot read {}: check the path (it should be the .json file Ghost's Settings → Advanced → Import/Export wrote)",
            file.display()
        )
    })?;
    let value: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{} is not JSON: is it a Ghost export?", file.display()))?;
    let data = value
        .get("db")
        .and_then(|db| db.get(0))
        .and_then(|db| db.get("data"))
        .or_else(|| value.get("data"))
        .with_context(|| {
            format!(
                "{} is not a Ghost export: it has no \"db\": [{{\"data\": …}}]",
                file.display()
            )
        })?;
    serde_json::from_value(data.clone())
        .with_context(|| format!("{}: Ghost's data is not as expected", file.display()))
}

pub fn run(
    config: &Config,
    blog: Blog,
    file: &Path,
    images_dir: Option<&Path>,
) -> anyhow::Result<Tally> {
    let data = read(file)?;
    super::folder_flag("--images", images_dir, "content/images")?;
    println!(
        "{}: posts and pages: {}, {}, {}",
        file.display(),
        data.posts.len(),
        super::count(data.users.len() as u64, "user"),
        super::count(data.tags.len() as u64, "tag")
    );
    let progress = Progress::new(data.posts.len() as u64, "posts");
    if images_dir.is_none() {
        progress.warn("no --images DIR given: images stay links to the old site (give a copy of its content/images to bring them in)");
    }
    let images = match images_dir {
        Some(dir) => Some(Images::new(
            blog.db,
            MediaDir::new(config.storage.media_dir()),
            config.server.max_upload_bytes,
            dir,
        )?),
        None => None,
    };
    let mut import = Import {
        config,
        blog,
        uploads: Uploads::new(Layout::Ghost, blog, SOURCE, images, images_dir, GHOST_URL),
        users: HashMap::new(),
        default_author: users::default_author(blog.db, None)?,
        progress,
        tally: Tally::default(),
        data: &data,
    };
    import.users();
    for post in &data.posts {
        import.post(post);
    }
    import.site_redirects();
    let Import {
        progress,
        mut tally,
        uploads,
        ..
    } = import;
    uploads.finish(&progress, &mut tally);
    progress.finish();
    Ok(tally)
}

struct Import<'a> {
    config: &'a Config,
    blog: Blog<'a>,
    uploads: Uploads<'a>,
    /// Ghost user id → the account.
    users: HashMap<String, UserId>,
    default_author: Option<UserId>,
    progress: Progress,
    tally: Tally,
    data: &'a Data,
}

impl Import<'_> {
    fn users(&mut self) {
        for user in &self.data.users {
            let what = format!("user {}", text(&user.slug));
            let account = (|| -> anyhow::Result<Account> {
                let address = text(&user.email).trim();
                let email: Email = address
                    .parse()
                    .map_err(|_| anyhow::anyhow!("{address:?} is not an email address"))?;
                let name = [text(&user.name), text(&user.slug)]
                    .into_iter()
                    .map(str::trim)
                    .find(|n| !n.is_empty())
                    .unwrap_or_default()
                    .to_string();
                Ok(Account {
                    bio: text(&user.bio).to_string(),
                    active: !matches!(text(&user.status), "inactive" | "locked"),
                    ..Account::author(email, name)
                })
            })();
            match account.and_then(|account| {
                users::ensure(
                    self.config,
                    self.blog,
                    &account,
                    &self.progress,
                    &mut self.tally,
                )
            }) {
                Ok(id) => {
                    self.users.insert(user.id.clone(), id);
                }
                Err(err) => {
                    self.tally.failed += 1;
                    self.progress.warn(skipped(what, &err));
                }
            }
        }
    }

    fn post(&mut self, post: &Post) {
        let kind = match text(&post.kind) {
            "" | "post" => Kind::Post,
            "page" => Kind::Page,
            other => {
                self.progress.inc();
                return self.tally.leave_out(&format!("item of type {other}"));
            }
        };
        let what = format!(
            "{} {:?}",
            if kind == Kind::Page { "page" } else { "post" },
            text(&post.title)
        );
        if let Err(err) = self.one(post, kind, &what) {
            self.tally.failed += 1;
            self.progress.warn(skipped(&what, &err));
        }
        self.progress.inc();
    }

    fn author_of(&self, post: &Post) -> anyhow::Result<UserId> {
        let mut authors: Vec<&PostAuthor> = self
            .data
            .posts_authors
            .iter()
            .filter(|pa| pa.post_id == post.id)
            .collect();
        authors.sort_by_key(|pa| pa.sort_order.unwrap_or(0));
        let ghost_id = authors
            .first()
            .map(|pa| pa.author_id.as_str())
            .or(post.author_id.as_deref());
        if let Some(id) = ghost_id.and_then(|id| self.users.get(id)) {
            return Ok(*id);
        }
        self.default_author.context(
            "its author is not among the export's users, and there is no admin to write it: create one with blog createsuperuser",
        )
    }

    fn one(&mut self, post: &Post, kind: Kind, what: &str) -> anyhow::Result<()> {
        let author = self.author_of(post)?;
        let title = text(&post.title).trim();
        let title = super::posts::title(if title.is_empty() { "Untitled" } else { title })?;
        let created_at = time(&post.created_at).context("created_at")?;
        let updated_at = time(&post.updated_at).unwrap_or(created_at).max(created_at);
        let published = time(&post.published_at).ok();
        let visibility = text(&post.visibility);
        let (published_at, publish_at) = match text(&post.status) {
            "published" if matches!(visibility, "" | "public") => {
                (Some(published.unwrap_or(created_at)), None)
            }
            "published" => {
                let readers = match visibility {
                    "members" => "members",
                    "paid" => "paying members",
                    _ => "some members",
                };
                self.progress.say(format!(
                    "{what} was only for {readers}: imported as a draft (this blog would show it to everyone)"
                ));
                (None, None)
            }
            "scheduled" => (None, published),
            "sent" => {
                self.progress.say(format!(
                    "{what} was only sent as a newsletter: imported as a draft"
                ));
                (None, None)
            }
            "draft" | "" => (None, None),
            other => bail!("its status {other:?} is not one Ghost writes"),
        };
        let html = self.body(post)?;
        let html = super::iframes_to_links(&html);
        let html = self.uploads.rewrite(&html, author, what);
        let base_url = self.config.site.base_url.as_str();
        let body = sanitize_checked(&html, base_url)?;
        let mut content = PostContent::from_sanitized(title, body, self.tags_of(post));
        if !text(&post.custom_excerpt).trim().is_empty() {
            let custom = sanitize_checked(&escape(text(&post.custom_excerpt)), base_url)?;
            content.excerpt = excerpt::teaser(&custom);
        }
        let featured = post
            .feature_image
            .as_deref()
            .filter(|url| !url.is_empty())
            .and_then(|url| self.uploads.resolve(url, author, what))
            .and_then(|url| url.strip_prefix("/media/").map(str::to_string));
        let old_id = post.uuid.clone().unwrap_or_else(|| post.id.clone());
        let imported = ImportedPost {
            author,
            content,
            slug: text(&post.slug).parse::<Slug>().ok(),
            created_at,
            updated_at,
            published_at,
            kind,
            publish_at,
            featured,
            origin: Some(Origin {
                source: SOURCE.to_string(),
                old_id: old_id.clone(),
            }),
        };
        let Some(slug) = super::save_post(self.blog, &imported, &mut self.tally)? else {
            return Ok(());
        };
        if published_at.is_some() {
            let shown = if kind == Kind::Page {
                urls::site_page(&slug)
            } else {
                urls::post(&slug)
            };
            let mut old = vec![
                format!("/{}/", text(&post.slug)),
                format!("/{}/amp/", text(&post.slug)),
            ];
            if let Some(uuid) = &post.uuid {
                old.push(format!("/p/{uuid}/"));
            }
            self.redirect(&old, &shown);
        }
        Ok(())
    }

    /// Ghost's own rendering when the export has it, else its editor's document.
    fn body(&self, post: &Post) -> anyhow::Result<String> {
        if let Some(html) = post.html.as_deref().filter(|h| !h.trim().is_empty()) {
            return Ok(html.to_string());
        }
        if let Some(doc) = post.lexical.as_deref().filter(|d| !d.trim().is_empty()) {
            return cards::lexical(doc).context("its Lexical document");
        }
        if let Some(doc) = post.mobiledoc.as_deref().filter(|d| !d.trim().is_empty()) {
            return cards::mobiledoc(doc).context("its Mobiledoc document");
        }
        Ok(String::new())
    }

    fn tags_of(&self, post: &Post) -> Vec<Tag> {
        let mut links: Vec<&PostTag> = self
            .data
            .posts_tags
            .iter()
            .filter(|pt| pt.post_id == post.id)
            .collect();
        links.sort_by_key(|pt| pt.sort_order.unwrap_or(0));
        let mut tags: Vec<Tag> = Vec::new();
        for link in links {
            let Some(row) = self.data.tags.iter().find(|t| t.id == link.tag_id) else {
                continue;
            };
            if let Some(tag) = public_tag(row) {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        let featured =
            matches!(&post.featured, Value::Bool(true)) || post.featured.as_i64() == Some(1);
        if featured {
            if let Ok(tag) = FEATURED_TAG.parse::<Tag>() {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        tags
    }

    fn redirect(&mut self, old: &[String], to: &str) {
        super::redirect(self.blog, SOURCE, old, to, &self.progress, &mut self.tally);
    }

    /// Tags, authors, feeds and image files.
    fn site_redirects(&mut self) {
        let data = self.data;
        for row in &data.tags {
            let Some(tag) = public_tag(row) else { continue };
            let slug = text(&row.slug);
            self.redirect(
                &[format!("/tag/{slug}/"), format!("/tag/{slug}/rss/")],
                &urls::tag(&tag),
            );
        }
        for user in &data.users {
            let Some(id) = self.users.get(&user.id).copied() else {
                continue;
            };
            let slug = text(&user.slug);
            self.redirect(&[format!("/author/{slug}/")], &urls::author(id));
            self.redirect(&[format!("/author/{slug}/rss/")], &urls::author_feed(id));
        }
        self.redirect(&["/rss/".to_string()], &urls::feed());
        let files: Vec<(String, String)> = self
            .uploads
            .stored()
            .map(|(old, url)| (format!("/content/images/{old}"), url.clone()))
            .collect();
        for (old, url) in files {
            self.redirect(&[old], &url);
        }
    }
}

/// A public tag's name as a tag here; internal tags (`#name`) stay behind.
fn public_tag(row: &TagRow) -> Option<Tag> {
    let name = text(&row.name);
    if text(&row.visibility) == "internal" || name.starts_with('#') {
        return None;
    }
    name.parse().ok()
}

/// Ghost's times: `2024-01-02T03:04:05.000Z`, or `2024-01-02 03:04:05` in UTC.
fn time(value: &Option<String>) -> anyhow::Result<i64> {
    let text = value.as_deref().unwrap_or_default().trim();
    if text.is_empty() {
        bail!("no time");
    }
    super::dates::parse(text, &jiff::tz::TimeZone::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_shapes_of_an_export() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("ghost.json");
        for json in [
            r#"{"db":[{"meta":{"version":"5.130.4"},"data":{"posts":[{"id":"1","title":"T"}],"users":[]}}]}"#,
            r#"{"meta":{"version":"0.11"},"data":{"posts":[{"id":"1","title":"T"}]}}"#,
        ] {
            std::fs::write(&file, json).unwrap();
            let data = read(&file).unwrap();
            assert_eq!(data.posts.len(), 1);
        }
        std::fs::write(&file, r#"{"posts":[]}"#).unwrap();
        let refused = format!("{:#}", read(&file).err().unwrap());
        assert!(refused.contains("not a Ghost export"), "{refused}");
    }

    #[test]
    fn internal_tags_stay_behind() {
        let row = |name: &str, visibility: &str| TagRow {
            id: "1".into(),
            name: Some(name.into()),
            slug: Some("x".into()),
            visibility: Some(visibility.into()),
        };
        assert!(public_tag(&row("Travel", "public")).is_some());
        assert!(public_tag(&row("#hidden", "internal")).is_none());
    }
}
