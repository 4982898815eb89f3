//! A WordPress export (WXR: RSS 2.0 with WordPress's own elements), read as a stream
//! with `quick-xml`: each author, category, tag and item is handed over as soon as its
//! closing tag is read, so memory holds one item at a time, whatever the file's size.

use std::io::BufRead;
use std::path::Path;

use anyhow::{bail, Context};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

/// The site the export is of.
#[derive(Debug, Clone, Default)]
pub struct Site {
    pub title: String,
    /// `wp:base_blog_url` (or the channel's `link`): where the old posts were read.
    pub blog_url: String,
    pub wxr_version: String,
}

#[derive(Debug, Clone, Default)]
pub struct Author {
    pub id: String,
    pub login: String,
    pub email: String,
    pub display_name: String,
}

/// A category or a tag of the export's header.
#[derive(Debug, Clone, Default)]
pub struct Term {
    /// WordPress's id of it (`?cat=3`).
    pub id: String,
    /// The slug as WordPress stores it: percent-encoded when not ASCII.
    pub slug: String,
    pub name: String,
    /// The parent category's slug, for nested categories.
    pub parent: String,
}

#[derive(Debug, Clone, Default)]
pub struct Comment {
    pub id: String,
    pub author: String,
    pub author_email: String,
    pub author_url: String,
    pub date: String,
    pub date_gmt: String,
    pub content: String,
    /// `1`, `0` (pending), `spam`, `trash`.
    pub approved: String,
    /// `comment` (or empty), `pingback`, `trackback`.
    pub kind: String,
    pub parent: String,
    pub user_id: String,
}

/// A post, a page, an attachment, or anything else WordPress stores as a post.
#[derive(Debug, Clone, Default)]
pub struct Item {
    pub title: String,
    /// Its address on the old site, under the site's permalink structure.
    pub link: String,
    /// `?p=12` style, or a permalink.
    pub guid: String,
    /// The author's login.
    pub creator: String,
    pub content: String,
    pub excerpt: String,
    pub id: String,
    pub date: String,
    pub date_gmt: String,
    pub modified: String,
    pub modified_gmt: String,
    pub comment_status: String,
    pub name: String,
    pub status: String,
    pub parent: String,
    pub menu_order: String,
    pub kind: String,
    pub password: String,
    pub sticky: bool,
    pub attachment_url: String,
    /// (`category` or `post_tag`, slug, name).
    pub terms: Vec<(String, String, String)>,
    pub meta: Vec<(String, String)>,
    pub comments: Vec<Comment>,
}

impl Item {
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// One thing read from the export, in the file's order: the site first, then authors
/// and terms, then items.
#[derive(Debug)]
pub enum Entry {
    Site(Site),
    Author(Author),
    Category(Term),
    Tag(Term),
    Item(Box<Item>),
}

/// Reads `file`, handing each entry to `each` as it is complete.
pub fn read(file: &Path, each: &mut dyn FnMut(Entry) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let opened = std::fs::File::open(file).with_context(|| {
        format!(
            "cannot read {}: check the path (it should be the file WordPress's Tools → Export wrote)",
            file.display()
        )
    })?;
    read_from(std::io::BufReader::new(opened), each).with_context(|| {
        format!(
            "{} is not a WordPress export (WXR) that can be read",
            file.display()
        )
    })
}

/// What is being filled, by the element we are inside.
#[derive(Default)]
struct State {
    /// Qualified names of the open elements.
    path: Vec<String>,
    text: String,
    site: Site,
    site_sent: bool,
    seen_rss: bool,
    author: Author,
    term: Term,
    item: Item,
    comment: Comment,
    meta: (String, String),
    category_attrs: (String, String),
}

pub fn read_from<R: BufRead>(
    input: R,
    each: &mut dyn FnMut(Entry) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut state = State::default();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .with_context(|| format!("bad XML at byte {}", reader.buffer_position()))?;
        match event {
            Event::Start(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                opened(&mut state, &name, &start)?;
                state.path.push(name);
                state.text.clear();
            }
            Event::Empty(start) => {
                let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
                opened(&mut state, &name, &start)?;
                state.path.push(name);
                state.text.clear();
                closed(&mut state, each)?;
            }
            Event::Text(text) => {
                let text = text
                    .unescape()
                    .with_context(|| format!("bad text at byte {}", reader.buffer_position()))?;
                state.text.push_str(&text);
            }
            Event::CData(data) => {
                state
                    .text
                    .push_str(&String::from_utf8_lossy(&data.into_inner()));
            }
            Event::End(_) => closed(&mut state, each)?,
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    if !state.seen_rss {
        bail!("it has no <rss> element");
    }
    Ok(())
}

fn opened(state: &mut State, name: &str, start: &BytesStart) -> anyhow::Result<()> {
    match name {
        "rss" => state.seen_rss = true,
        "item" => state.item = Item::default(),
        "wp:author" => state.author = Author::default(),
        "wp:category" | "wp:tag" => state.term = Term::default(),
        "wp:comment" => state.comment = Comment::default(),
        "wp:postmeta" => state.meta = (String::new(), String::new()),
        "category" if state.path.last().map(String::as_str) == Some("item") => {
            let mut attrs = (String::new(), String::new());
            for attr in start.attributes().flatten() {
                let value = attr.unescape_value()?.into_owned();
                match attr.key.as_ref() {
                    b"domain" => attrs.0 = value,
                    b"nicename" => attrs.1 = value,
                    _ => {}
                }
            }
            state.category_attrs = attrs;
        }
        _ => {}
    }
    Ok(())
}

fn closed(
    state: &mut State,
    each: &mut dyn FnMut(Entry) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let Some(name) = state.path.pop() else {
        return Ok(());
    };
    let parent = state.path.last().map(String::as_str).unwrap_or_default();
    let text = std::mem::take(&mut state.text);
    match (parent, name.as_str()) {
        ("channel", "title") => state.site.title = text,
        ("channel", "link") if state.site.blog_url.is_empty() => state.site.blog_url = text,
        ("channel", "wp:base_blog_url") => state.site.blog_url = text,
        ("channel", "wp:wxr_version") => state.site.wxr_version = text,
        ("wp:author", field) => {
            let author = &mut state.author;
            match field {
                "wp:author_id" => author.id = text,
                "wp:author_login" => author.login = text,
                "wp:author_email" => author.email = text,
                "wp:author_display_name" => author.display_name = text,
                _ => {}
            }
        }
        ("channel", "wp:author") => each(Entry::Author(std::mem::take(&mut state.author)))?,
        ("wp:category", field) => match field {
            "wp:term_id" => state.term.id = text,
            "wp:category_nicename" => state.term.slug = text,
            "wp:category_parent" => state.term.parent = text,
            "wp:cat_name" => state.term.name = text,
            _ => {}
        },
        ("wp:tag", field) => match field {
            "wp:term_id" => state.term.id = text,
            "wp:tag_slug" => state.term.slug = text,
            "wp:tag_name" => state.term.name = text,
            _ => {}
        },
        ("channel", "wp:category") => each(Entry::Category(std::mem::take(&mut state.term)))?,
        ("channel", "wp:tag") => each(Entry::Tag(std::mem::take(&mut state.term)))?,
        ("wp:postmeta", "wp:meta_key") => state.meta.0 = text,
        ("wp:postmeta", "wp:meta_value") => state.meta.1 = text,
        ("item", "wp:postmeta") => {
            let meta = std::mem::take(&mut state.meta);
            state.item.meta.push(meta);
        }
        ("wp:comment", field) => {
            let comment = &mut state.comment;
            match field {
                "wp:comment_id" => comment.id = text,
                "wp:comment_author" => comment.author = text,
                "wp:comment_author_email" => comment.author_email = text,
                "wp:comment_author_url" => comment.author_url = text,
                "wp:comment_date" => comment.date = text,
                "wp:comment_date_gmt" => comment.date_gmt = text,
                "wp:comment_content" => comment.content = text,
                "wp:comment_approved" => comment.approved = text,
                "wp:comment_type" => comment.kind = text,
                "wp:comment_parent" => comment.parent = text,
                "wp:comment_user_id" => comment.user_id = text,
                _ => {}
            }
        }
        ("item", "wp:comment") => {
            let comment = std::mem::take(&mut state.comment);
            state.item.comments.push(comment);
        }
        ("item", field) => {
            let item = &mut state.item;
            match field {
                "title" => item.title = text,
                "link" => item.link = text,
                "guid" => item.guid = text,
                "dc:creator" => item.creator = text,
                "content:encoded" => item.content = text,
                "excerpt:encoded" => item.excerpt = text,
                "wp:post_id" => item.id = text,
                "wp:post_date" => item.date = text,
                "wp:post_date_gmt" => item.date_gmt = text,
                "wp:post_modified" => item.modified = text,
                "wp:post_modified_gmt" => item.modified_gmt = text,
                "wp:comment_status" => item.comment_status = text,
                "wp:post_name" => item.name = text,
                "wp:status" => item.status = text,
                "wp:post_parent" => item.parent = text,
                "wp:menu_order" => item.menu_order = text,
                "wp:post_type" => item.kind = text,
                "wp:post_password" => item.password = text,
                "wp:is_sticky" => item.sticky = text.trim() == "1",
                "wp:attachment_url" => item.attachment_url = text,
                "category" => {
                    let (domain, slug) = std::mem::take(&mut state.category_attrs);
                    item.terms.push((domain, slug, text));
                }
                _ => {}
            }
        }
        ("channel", "item") => {
            if !state.site_sent {
                state.site_sent = true;
                each(Entry::Site(state.site.clone()))?;
            }
            each(Entry::Item(Box::new(std::mem::take(&mut state.item))))?;
        }
        (_, "channel") if !state.site_sent => {
            state.site_sent = true;
            each(Entry::Site(state.site.clone()))?;
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_authors_terms_and_items_with_their_comments() {
        let xml = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Old</title><link>https://old.example</link>
<wp:base_blog_url>https://old.example/blog</wp:base_blog_url>
<wp:author><wp:author_login><![CDATA[ada]]></wp:author_login><wp:author_email>ada@old.example</wp:author_email></wp:author>
<wp:category><wp:category_nicename><![CDATA[local]]></wp:category_nicename><wp:category_parent><![CDATA[news]]></wp:category_parent><wp:cat_name><![CDATA[Local]]></wp:cat_name></wp:category>
<item><title>A &amp; B</title><link>https://old.example/a-b/</link>
<content:encoded><![CDATA[<p>Hi</p>]]></content:encoded><wp:post_id>7</wp:post_id><wp:is_sticky>1</wp:is_sticky>
<category domain="post_tag" nicename="%ec%84%9c%ec%9a%b8"><![CDATA[서울]]></category>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>4</wp:meta_value></wp:postmeta>
<wp:comment><wp:comment_id>3</wp:comment_id><wp:comment_content><![CDATA[Nice]]></wp:comment_content><wp:comment_parent>2</wp:comment_parent></wp:comment>
</item></channel></rss>"#;
        let mut entries = Vec::new();
        read_from(xml.as_bytes(), &mut |entry| {
            entries.push(entry);
            Ok(())
        })
        .unwrap();
        assert!(
            matches!(&entries[0], Entry::Author(a) if a.login == "ada" && a.email == "ada@old.example")
        );
        assert!(
            matches!(&entries[1], Entry::Category(c) if c.slug == "local" && c.parent == "news")
        );
        assert!(matches!(&entries[2], Entry::Site(s) if s.blog_url == "https://old.example/blog"));
        let Entry::Item(item) = &entries[3] else {
            panic!("an item: {entries:?}")
        };
        assert_eq!(item.title, "A & B");
        assert_eq!(item.content, "<p>Hi</p>");
        assert!(item.sticky);
        assert_eq!(item.meta("_thumbnail_id"), Some("4"));
        assert_eq!(
            item.terms,
            [(
                "post_tag".into(),
                "%ec%84%9c%ec%9a%b8".into(),
                "서울".into()
            )]
        );
        assert_eq!(item.comments[0].parent, "2");
        assert_eq!(item.comments[0].content, "Nice");
    }

    #[test]
    fn what_is_not_an_export_is_refused() {
        let refused = read_from("<html><body>hi</body></html>".as_bytes(), &mut |_| Ok(()));
        assert!(refused.is_err());
        let broken = read_from("<rss><channel><item></channel>".as_bytes(), &mut |_| Ok(()));
        assert!(broken.is_err());
    }
}
