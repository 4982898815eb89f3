//! `blog import wordpress FILE.xml [--uploads DIR]`: a WordPress site moved in from
//! the export of its Tools → Export (WXR), read twice as a stream (`wxr`): once for
//! what bodies refer to (authors, categories, attachments), once to import each post
//! and page as it is read. Every change is an action by the importer.
//!
//! - Authors are matched by email; a new one gets a reset link, as `import django`.
//! - Posts and pages keep their slug (WordPress's percent-encoded Korean ones read back
//!   as Korean), their times, and their status: publish → published, future →
//!   scheduled, draft and pending → draft, private and password-protected → draft,
//!   with a line saying so. Sticky posts get the tag `sticky`.
//! - Categories (with the categories above them) and tags become tags.
//! - Bodies go through `body` and `uploads`, then our sanitizer; `<!--more-->` sets
//!   the excerpt; the featured image comes along.
//! - Comments keep their threads, times and authors; pending ones wait for approval;
//!   spam, trash, pingbacks and trackbacks are left out (and counted).
//! - Every old address answers 301 to the new one (`redirects`): permalinks, `?p=ID`,
//!   `?page_id=ID`, categories, tags, authors, feeds, attachment pages and upload files.
//! - What came in is remembered by its WordPress id (`import_sources`): a second run
//!   adds nothing.

mod body;
mod wxr;

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context as _};
use jiff::tz::TimeZone;

use self::body::{Attachment, Context};
use self::wxr::{Entry, Item, Term};
use super::images::Images;
use super::progress::Progress;
use super::uploads::{Layout, Uploads};
use super::users::{self, Account};
use super::{skipped, Tally};
use crate::actions::comments::ImportedComment;
use crate::actions::posts::{ImportedPost, PostContent};
use crate::actions::{self, Blog, Origin};
use crate::auth::Actor;
use crate::config::Config;
use crate::content::excerpt;
use crate::content::html::sanitize_checked;
use crate::content::{CommentBody, CommentId, CommentStatus, Email, Kind, Slug, Tag, UserId};
use crate::media::MediaDir;
use crate::urls;

/// What the redirects of this import are marked with.
const SOURCE: &str = "wordpress";

/// The tag a sticky post gets: this blog has no pinned posts.
const STICKY_TAG: &str = "sticky";

/// What the first pass keeps: everything a post may refer to.
#[derive(Default)]
struct Header {
    site: wxr::Site,
    authors: Vec<wxr::Author>,
    categories: Vec<Term>,
    tags: Vec<Term>,
    attachments: HashMap<String, Attachment>,
    /// Attachment id → its page on the old site.
    attachment_links: Vec<(String, String)>,
    /// Posts and pages to import, for the progress bar.
    items: u64,
}

pub fn run(
    config: &Config,
    blog: Blog,
    file: &Path,
    uploads: Option<&Path>,
) -> anyhow::Result<Tally> {
    let header = first_pass(file)?;
    if header.site.blog_url.is_empty() {
        bail!(
            "{} names no site (no <wp:base_blog_url> or <link>): is it a WordPress export?",
            file.display()
        );
    }
    super::folder_flag("--uploads", uploads, "wp-content/uploads")?;
    println!(
        "{}: {} posts and pages from {} ({}), {}, {} categories, {} tags",
        file.display(),
        header.items,
        header.site.title,
        header.site.blog_url,
        super::count(header.authors.len() as u64, "author"),
        header.categories.len(),
        header.tags.len()
    );
    let zone = TimeZone::get(config.site.timezone.as_str())?;
    let tally = Tally::default();
    let progress = Progress::new(header.items, "posts");
    if uploads.is_none() {
        progress.warn(
            "no --uploads DIR given: images stay links to the old site (give a copy of its wp-content/uploads to bring them in)",
        );
    }
    let media = MediaDir::new(config.storage.media_dir());
    let images = match uploads {
        Some(dir) => Some(Images::new(
            blog.db,
            media,
            config.server.max_upload_bytes,
            dir,
        )?),
        None => None,
    };
    let mut import = Import {
        config,
        blog,
        zone,
        source: format!("{SOURCE}:{}", header.site.blog_url.trim_end_matches('/')),
        uploads: Uploads::new(
            Layout::WordPress,
            blog,
            &format!("{SOURCE}:{}", header.site.blog_url.trim_end_matches('/')),
            images,
            uploads,
            &header.site.blog_url,
        ),
        authors: HashMap::new(),
        wp_user_ids: HashMap::new(),
        default_author: users::default_author(blog.db, None)?,
        terms: terms(&header),
        new_urls: HashMap::new(),
        progress,
        tally,
        header: &header,
    };
    import.authors()?;
    wxr::read(file, &mut |entry| {
        if let Entry::Item(item) = entry {
            import.item(&item);
        }
        Ok(())
    })?;
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

fn first_pass(file: &Path) -> anyhow::Result<Header> {
    let mut header = Header::default();
    wxr::read(file, &mut |entry| {
        match entry {
            Entry::Site(site) => header.site = site,
            Entry::Author(author) => header.authors.push(author),
            Entry::Category(term) => header.categories.push(term),
            Entry::Tag(term) => header.tags.push(term),
            Entry::Item(item) if item.kind == "attachment" => {
                let url = if item.attachment_url.is_empty() {
                    item.guid.clone()
                } else {
                    item.attachment_url.clone()
                };
                header
                    .attachment_links
                    .push((item.id.clone(), item.link.clone()));
                header.attachments.insert(
                    item.id.clone(),
                    Attachment {
                        url,
                        caption: item.excerpt.clone(),
                        alt: item
                            .meta("_wp_attachment_image_alt")
                            .unwrap_or_default()
                            .to_string(),
                        parent: item.parent.clone(),
                    },
                );
            }
            Entry::Item(item) if matches!(item.kind.as_str(), "post" | "page") => header.items += 1,
            Entry::Item(_) => {}
        }
        Ok(())
    })?;
    Ok(header)
}

/// A category or tag: its name as a tag here, the slugs of its old addresses.
struct TermInfo {
    tag: Option<Tag>,
    /// The slug path under /category/ (parents first) or the slug under /tag/.
    path: String,
    /// The categories above it, nearest first (their tags come along).
    ancestors: Vec<String>,
}

/// Every category and tag of the export, by (`category` or `post_tag`, slug).
fn terms(header: &Header) -> HashMap<(String, String), TermInfo> {
    let mut map = HashMap::new();
    let parent_of: HashMap<&str, &str> = header
        .categories
        .iter()
        .map(|c| (c.slug.as_str(), c.parent.as_str()))
        .collect();
    for category in &header.categories {
        let mut ancestors = Vec::new();
        let mut at = category.parent.as_str();
        while !at.is_empty() && !ancestors.iter().any(|a: &String| a == at) && ancestors.len() < 20
        {
            ancestors.push(at.to_string());
            at = parent_of.get(at).copied().unwrap_or_default();
        }
        let mut path: Vec<&str> = ancestors.iter().rev().map(String::as_str).collect();
        path.push(&category.slug);
        map.insert(
            ("category".to_string(), category.slug.clone()),
            TermInfo {
                tag: tag_of(&category.name, &category.slug),
                path: path.join("/"),
                ancestors,
            },
        );
    }
    for tag in &header.tags {
        map.insert(
            ("post_tag".to_string(), tag.slug.clone()),
            TermInfo {
                tag: tag_of(&tag.name, &tag.slug),
                path: tag.slug.clone(),
                ancestors: Vec::new(),
            },
        );
    }
    map
}

/// WordPress's default category says nothing: no tag.
fn tag_of(name: &str, slug: &str) -> Option<Tag> {
    if slug == "uncategorized" {
        return None;
    }
    name.parse().ok()
}

struct Import<'a> {
    config: &'a Config,
    blog: Blog<'a>,
    zone: TimeZone,
    /// `wordpress:https://old.example`, for `import_sources`.
    source: String,
    uploads: Uploads<'a>,
    /// By login.
    authors: HashMap<String, UserId>,
    /// WordPress user id → the account's email (comments name their writer by it).
    wp_user_ids: HashMap<String, Email>,
    default_author: Option<UserId>,
    terms: HashMap<(String, String), TermInfo>,
    /// WordPress post id → its address here, for the attachment redirects.
    new_urls: HashMap<String, String>,
    progress: Progress,
    tally: Tally,
    header: &'a Header,
}

impl Import<'_> {
    fn authors(&mut self) -> anyhow::Result<()> {
        for author in &self.header.authors {
            let what = format!("author {}", author.login);
            let result = self.account(author).and_then(|account| {
                let id = users::ensure(
                    self.config,
                    self.blog,
                    &account,
                    &self.progress,
                    &mut self.tally,
                )?;
                Ok((id, account.email))
            });
            match result {
                Ok((id, email)) => {
                    self.authors.insert(author.login.clone(), id);
                    self.wp_user_ids.insert(author.id.clone(), email);
                }
                Err(err) => {
                    self.tally.failed += 1;
                    self.progress.warn(skipped(what, &err));
                }
            }
        }
        Ok(())
    }

    fn account(&self, author: &wxr::Author) -> anyhow::Result<Account> {
        let address = author.email.trim();
        let email: Email = if address.is_empty() {
            let made_up = super::django::made_up_email(&author.login, &author.id);
            self.progress.say(format!(
                "author {} has no email: importing as {made_up}",
                author.login
            ));
            made_up.parse()?
        } else {
            address
                .parse()
                .map_err(|_| anyhow::anyhow!("{address:?} is not an email address"))?
        };
        let name = [author.display_name.trim(), author.login.trim()]
            .into_iter()
            .find(|n| !n.is_empty())
            .unwrap_or_default()
            .to_string();
        Ok(Account::author(email, name))
    }

    fn item(&mut self, item: &Item) {
        let kind = match item.kind.as_str() {
            "post" => Kind::Post,
            "page" => Kind::Page,
            "attachment" => return,
            "nav_menu_item" => return self.tally.leave_out("menu item"),
            "revision" => return self.tally.leave_out("old revision"),
            other => {
                return self.tally.leave_out(&format!("item of type {other}"));
            }
        };
        let what = format!(
            "{} {} ({:?})",
            if kind == Kind::Page { "page" } else { "post" },
            item.id,
            item.title
        );
        match item.status.as_str() {
            "trash" => {
                self.progress.inc();
                return self.tally.leave_out("trashed post");
            }
            "auto-draft" | "inherit" => {
                self.progress.inc();
                return self.tally.leave_out("automatic draft");
            }
            _ => {}
        }
        match self.post(item, kind, &what) {
            Ok(()) => {}
            Err(err) => {
                self.tally.failed += 1;
                self.progress.warn(skipped(what, &err));
            }
        }
        self.progress.inc();
    }

    fn post(&mut self, item: &Item, kind: Kind, what: &str) -> anyhow::Result<()> {
        let author = match self.authors.get(item.creator.trim()) {
            Some(id) => *id,
            None => self.default_author.with_context(|| {
                format!(
                    "its author {:?} is not among the export's authors, and there is no admin to write it: create one with blog createsuperuser",
                    item.creator
                )
            })?,
        };
        let title = item.title.trim();
        let title = super::posts::title(if title.is_empty() { "Untitled" } else { title })?;
        let created_at = self.time(&item.date_gmt, &item.date).context("its date")?;
        let updated_at = self
            .time(&item.modified_gmt, &item.modified)
            .unwrap_or(created_at)
            .max(created_at);
        let (published_at, publish_at) = match item.status.as_str() {
            "publish" if item.password.is_empty() => (Some(created_at), None),
            "publish" => {
                self.progress.say(format!(
                    "{what} was protected by a password: imported as a draft (this blog has no password-protected posts)"
                ));
                (None, None)
            }
            "future" => (None, Some(created_at)),
            "private" => {
                self.progress.say(format!(
                    "{what} was private: imported as a draft, which only its author and the admins see"
                ));
                (None, None)
            }
            "draft" | "pending" => (None, None),
            other => bail!("its status {other:?} is not one WordPress writes"),
        };
        let slug = slug_of(&item.name);
        let owner = author;
        let converted = body::convert(
            &item.content,
            &Context {
                attachments: &self.header.attachments,
                post_id: &item.id,
                old_link: &item.link,
            },
        );
        let base_url = self.config.site.base_url.as_str();
        let html = super::iframes_to_links(&converted.html);
        let html = self.uploads.rewrite(&html, owner, what);
        let body = sanitize_checked(&html, base_url)?;
        let mut content = PostContent::from_sanitized(title, body, self.tags_of(item));
        if let Some(teaser) = &converted.teaser {
            let teaser = self.uploads.rewrite(teaser, owner, what);
            content.excerpt = excerpt::teaser(&sanitize_checked(&teaser, base_url)?);
        } else if !item.excerpt.trim().is_empty() {
            let manual = sanitize_checked(&item.excerpt, base_url)?;
            content.excerpt = excerpt::teaser(&manual);
        }
        let featured = item
            .meta("_thumbnail_id")
            .and_then(|id| self.header.attachments.get(id))
            .map(|image| image.url.clone())
            .and_then(|url| self.uploads.resolve(&url, owner, what))
            .and_then(|url| url.strip_prefix("/media/").map(str::to_string));
        let post = ImportedPost {
            author,
            content,
            slug,
            created_at,
            updated_at,
            published_at,
            kind,
            publish_at,
            featured,
            origin: Some(self.origin(&item.id)),
        };
        let Some(slug) = super::save_post(self.blog, &post, &mut self.tally)? else {
            return Ok(());
        };
        let shown = if kind == Kind::Page {
            urls::site_page(&slug)
        } else {
            urls::post(&slug)
        };
        self.new_urls.insert(item.id.clone(), shown.clone());
        if published_at.is_some() {
            let mut old = vec![item.link.clone(), format!("/?p={}", item.id)];
            if kind == Kind::Page {
                old.push(format!("/?page_id={}", item.id));
            }
            if item.guid.contains("?p=") || item.guid.contains("?page_id=") {
                old.push(item.guid.clone());
            }
            self.redirect(&old, &shown);
        }
        self.comments(item, &slug);
        Ok(())
    }

    /// A WordPress time: the UTC one when it has it (drafts do not), else the site's
    /// local one read in our time zone.
    fn time(&self, gmt: &str, local: &str) -> anyhow::Result<i64> {
        let is_set = |t: &str| !t.trim().is_empty() && !t.starts_with("0000-00-00");
        if is_set(gmt) {
            return super::dates::parse(gmt, &TimeZone::UTC);
        }
        if is_set(local) {
            return super::dates::parse(local, &self.zone);
        }
        bail!("it has no date")
    }

    fn tags_of(&self, item: &Item) -> Vec<Tag> {
        let mut tags: Vec<Tag> = Vec::new();
        for (domain, slug, _) in &item.terms {
            let Some(info) = self.terms.get(&(domain.clone(), slug.clone())) else {
                continue;
            };
            tags.extend(info.tag.clone());
            for ancestor in &info.ancestors {
                if let Some(above) = self.terms.get(&("category".to_string(), ancestor.clone())) {
                    tags.extend(above.tag.clone());
                }
            }
        }
        if item.sticky {
            tags.extend(STICKY_TAG.parse::<Tag>().ok());
        }
        let mut unique = Vec::with_capacity(tags.len());
        for tag in tags {
            if !unique.contains(&tag) {
                unique.push(tag);
            }
        }
        unique
    }

    fn origin(&self, id: &str) -> Origin {
        Origin {
            source: self.source.clone(),
            old_id: id.to_string(),
        }
    }

    fn comments(&mut self, item: &Item, slug: &Slug) {
        let mut comments: Vec<&wxr::Comment> = item.comments.iter().collect();
        // Parents before their replies: WordPress numbers them in the order written.
        comments.sort_by_key(|c| c.id.trim().parse::<u64>().unwrap_or(u64::MAX));
        for comment in comments {
            let what = format!("comment {} on {slug}", comment.id);
            match self.comment(comment, slug) {
                Ok(Some(_)) => self.tally.comments += 1,
                Ok(None) => self.tally.present += 1,
                Err(Left(why)) => self.tally.leave_out(why),
                Err(Failed(err)) => {
                    self.tally.failed += 1;
                    self.progress.warn(skipped(what, &err));
                }
            }
        }
    }

    fn comment(&self, comment: &wxr::Comment, slug: &Slug) -> Result<Option<CommentId>, Skip> {
        match comment.kind.as_str() {
            "" | "comment" => {}
            "pingback" => return Err(Left("pingback")),
            "trackback" => return Err(Left("trackback")),
            _ => return Err(Left("comment of another kind")),
        }
        let status = match comment.approved.as_str() {
            "1" | "approve" => CommentStatus::Approved,
            "0" | "hold" => CommentStatus::Pending,
            "spam" => return Err(Left("spam comment")),
            "trash" | "post-trashed" => return Err(Left("trashed comment")),
            other => {
                return Err(Failed(anyhow::anyhow!(
                    "its status {other:?} is not one WordPress writes"
                )))
            }
        };
        let created_at = self
            .time(&comment.date_gmt, &comment.date)
            .map_err(Failed)?;
        let author = self.wp_user_ids.get(comment.user_id.trim()).cloned();
        let parent = match comment.parent.trim() {
            "" | "0" => None,
            old => {
                let origin = self.origin(old);
                self.blog
                    .db
                    .read_now(|conn| origin.find(conn, Origin::COMMENT))
                    .map_err(Failed)?
                    .map(CommentId)
            }
        };
        let name = comment.author.trim();
        let imported = ImportedComment {
            post: slug.clone(),
            author,
            author_name: if name.is_empty() {
                "Anonymous".into()
            } else {
                name.to_string()
            },
            body: CommentBody::from_storage(comment_text(&comment.content)),
            status,
            created_at,
            parent,
            origin: Some(Origin {
                source: self.source.clone(),
                old_id: comment.id.clone(),
            }),
        };
        actions::comments::import(self.blog, &Actor::Importer, &imported)
            .map_err(|err| Failed(err.into()))
    }

    /// Each old address (a URL of the old site, or a path) → `to`.
    fn redirect(&mut self, old: &[String], to: &str) {
        super::redirect(self.blog, SOURCE, old, to, &self.progress, &mut self.tally);
    }

    /// The addresses of the whole site: categories, tags, authors, feeds, attachment
    /// pages and upload files.
    fn site_redirects(&mut self) {
        let header = self.header;
        for category in &header.categories {
            let key = ("category".to_string(), category.slug.clone());
            let Some(info) = self.terms.get(&key) else {
                continue;
            };
            let Some(tag) = info.tag.clone() else {
                continue;
            };
            let mut old = vec![
                format!("/category/{}/", info.path),
                format!("/?category_name={}", category.slug),
            ];
            if info.path != category.slug {
                old.push(format!("/category/{}/", category.slug));
            }
            if !category.id.is_empty() {
                old.push(format!("/?cat={}", category.id));
            }
            self.redirect(&old, &urls::tag(&tag));
        }
        for term in &header.tags {
            let key = ("post_tag".to_string(), term.slug.clone());
            let Some(tag) = self.terms.get(&key).and_then(|info| info.tag.clone()) else {
                continue;
            };
            self.redirect(
                &[
                    format!("/tag/{}/", term.slug),
                    format!("/?tag={}", term.slug),
                    format!("/?tag_id={}", term.id),
                ],
                &urls::tag(&tag),
            );
        }
        for author in &header.authors {
            let Some(id) = self.authors.get(&author.login).copied() else {
                continue;
            };
            let login = author.login.trim();
            self.redirect(
                &[
                    format!("/author/{login}/"),
                    format!("/?author={}", author.id),
                    format!("/?author_name={login}"),
                ],
                &urls::author(id),
            );
            self.redirect(&[format!("/author/{login}/feed/")], &urls::author_feed(id));
        }
        let feeds: Vec<String> = [
            "/feed/",
            "/feed/rss2/",
            "/feed/rss/",
            "/feed/atom/",
            "/feed/rdf/",
            "/rss/",
            "/?feed=rss2",
            "/?feed=rss",
            "/?feed=atom",
            "/?feed=rdf",
        ]
        .into_iter()
        .map(String::from)
        .collect();
        self.redirect(&feeds, &urls::feed());
        // An attachment's page leads to the post it was uploaded to, else to the file.
        for (id, link) in &header.attachment_links {
            let Some(image) = header.attachments.get(id) else {
                continue;
            };
            let target = self.new_urls.get(&image.parent).cloned().or_else(|| {
                let relative = Layout::WordPress.relative(&image.url)?;
                self.uploads
                    .stored()
                    .find(|(old, _)| **old == relative)
                    .map(|(_, url)| url.clone())
            });
            if let Some(target) = target {
                self.redirect(&[link.clone(), format!("/?attachment_id={id}")], &target);
            }
        }
        let files: Vec<(String, String)> = self
            .uploads
            .stored()
            .map(|(old, url)| (format!("/wp-content/uploads/{old}"), url.clone()))
            .collect();
        for (old, url) in files {
            self.redirect(&[old], &url);
        }
    }
}

/// Why a comment was not imported.
enum Skip {
    /// On purpose (spam, a pingback): counted, not an error.
    Left(&'static str),
    Failed(anyhow::Error),
}
use Skip::{Failed, Left};

/// WordPress's slug, percent-decoded (`%ec%95%88…` is Korean); `None` makes one from
/// the title.
fn slug_of(name: &str) -> Option<Slug> {
    let decoded = percent_encoding::percent_decode_str(name.trim())
        .decode_utf8()
        .ok()?;
    decoded.parse().ok()
}

/// A comment as plain text, as comments are written here: WordPress keeps a little
/// HTML and its line breaks; links keep their address.
fn comment_text(html: &str) -> String {
    let html = html.replace("\r\n", "\n");
    let paragraphs: Vec<String> = html
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", p.trim().replace('\n', "<br>")))
        .collect();
    match htmd::convert(&paragraphs.join("")) {
        Ok(text) => text.trim().to_string(),
        Err(_) => html.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoded_slugs_read_back_as_korean() {
        assert_eq!(
            slug_of("%ec%95%88%eb%85%95%ed%95%98%ec%84%b8%ec%9a%94-%ec%84%9c%ec%9a%b8")
                .unwrap()
                .as_str(),
            "안녕하세요-서울"
        );
        assert_eq!(slug_of("hello-world").unwrap().as_str(), "hello-world");
        assert!(slug_of("").is_none());
    }

    #[test]
    fn comments_keep_their_paragraphs_and_links() {
        assert_eq!(
            comment_text("Thank you.\n\nMore <a href=\"https://x.example/\">here</a>\nsoon."),
            "Thank you.\n\nMore [here](https://x.example/)  \nsoon."
        );
    }
}
