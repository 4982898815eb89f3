//! An activity that passed the signature checks, read into what it asks of us. What
//! we do not take part in (a Create that is neither a reply to us nor from someone we
//! follow, a Move, a Flag…) is `Ignored`, answered 202 and stored nowhere.

use serde_json::Value;

use super::remote::str_of;
use super::{Federation, Local};
use crate::content::{PostId, Slug};

/// One of our posts, as another server names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OurPost {
    /// `/ap/posts/{id}`.
    Id(PostId),
    /// `/posts/{slug}`, its page.
    Slug(Slug),
}

/// A note or article from another server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub id: String,
    pub kind: String,
    pub attributed_to: String,
    pub in_reply_to: Option<String>,
    pub name: String,
    pub content: String,
    pub url: String,
    pub published: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    Follow {
        id: String,
        object: Local,
        body: Value,
    },
    UndoFollow {
        object: Local,
    },
    /// The remote server took our Follow (its id).
    Accept {
        follow_id: String,
    },
    Create(Object),
    Update(Object),
    /// A note or article of theirs is gone (by its id), or the actor itself.
    Delete {
        object_id: String,
    },
    Like {
        id: String,
        post: OurPost,
    },
    Announce {
        id: String,
        post: OurPost,
    },
    /// A Like or Announce taken back (its id).
    UndoReaction {
        id: String,
    },
    Ignored(String),
}

/// Reads a verified activity sent by `actor`.
pub fn read(fed: &Federation, doc: &Value) -> Activity {
    let kind = str_of(doc, "type").unwrap_or("");
    let id = str_of(doc, "id").unwrap_or("").to_string();
    let object = doc.get("object");
    match kind {
        "Follow" => match str_of(doc, "object").and_then(|o| local_actor(fed, o)) {
            Some(object) => Activity::Follow {
                id,
                object,
                body: doc.clone(),
            },
            None => Activity::Ignored("a Follow of nobody here".into()),
        },
        "Accept" => match object.and_then(follow_id) {
            Some(follow_id) => Activity::Accept { follow_id },
            None => Activity::Ignored("an Accept of nothing we sent".into()),
        },
        "Undo" => match object {
            Some(inner) if str_of(inner, "type") == Some("Follow") => {
                match str_of(inner, "object").and_then(|o| local_actor(fed, o)) {
                    Some(object) => Activity::UndoFollow { object },
                    None => Activity::Ignored("an Undo of a Follow of nobody here".into()),
                }
            }
            Some(inner) => match inner_id(inner) {
                Some(id) => Activity::UndoReaction { id },
                None => Activity::Ignored("an Undo of nothing".into()),
            },
            None => Activity::Ignored("an Undo of nothing".into()),
        },
        "Create" | "Update" => match object.and_then(read_object) {
            Some(object) if kind == "Create" => Activity::Create(object),
            Some(object) => Activity::Update(object),
            None => Activity::Ignored(format!("a {kind} of no note or article")),
        },
        "Delete" => match object.and_then(inner_id) {
            Some(object_id) => Activity::Delete { object_id },
            None => Activity::Ignored("a Delete of nothing".into()),
        },
        "Like" | "Announce" => match str_of(doc, "object").and_then(|o| our_post(fed, o)) {
            Some(post) if kind == "Like" => Activity::Like { id, post },
            Some(post) => Activity::Announce { id, post },
            None => Activity::Ignored(format!("a {kind} of something not ours")),
        },
        other => Activity::Ignored(format!("{other:?} activities are not taken in")),
    }
}

/// The activity's actor.
pub fn actor_of(doc: &Value) -> Option<&str> {
    str_of(doc, "actor")
}

fn local_actor(fed: &Federation, url: &str) -> Option<Local> {
    match Local::parse(&fed.base, url)? {
        (actor, "") => Some(actor),
        _ => None,
    }
}

fn follow_id(object: &Value) -> Option<String> {
    inner_id(object)
}

fn inner_id(object: &Value) -> Option<String> {
    match object {
        Value::String(id) => Some(id.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

/// Which of our posts a URL names.
pub fn our_post(fed: &Federation, url: &str) -> Option<OurPost> {
    let path = url.strip_prefix(&fed.base)?;
    if let Some(id) = path.strip_prefix("/ap/posts/") {
        return id.parse().ok().map(OurPost::Id);
    }
    let slug = path.strip_prefix("/posts/")?.trim_end_matches('/');
    let slug = percent_encoding::percent_decode_str(slug)
        .decode_utf8()
        .ok()?;
    slug.parse().ok().map(OurPost::Slug)
}

fn read_object(object: &Value) -> Option<Object> {
    let kind = str_of(object, "type")?;
    if !matches!(kind, "Note" | "Article" | "Page") {
        return None;
    }
    let id = str_of(object, "id")?.to_string();
    let attributed_to = match object.get("attributedTo")? {
        Value::Array(all) => all.iter().find_map(inner_id)?,
        one => inner_id(one)?,
    };
    let url = match object.get("url") {
        Some(Value::String(url)) => url.clone(),
        Some(Value::Array(all)) => all.iter().find_map(|u| match u {
            Value::String(url) => Some(url.clone()),
            other => other
                .get("href")
                .and_then(Value::as_str)
                .map(str::to_string),
        })?,
        Some(Value::Object(link)) => link.get("href").and_then(Value::as_str)?.to_string(),
        _ => id.clone(),
    };
    let published = str_of(object, "published")
        .and_then(|t| t.parse::<jiff::Timestamp>().ok())
        .map(|t| t.as_millisecond());
    Some(Object {
        id,
        kind: kind.to_string(),
        attributed_to,
        in_reply_to: str_of(object, "inReplyTo").map(str::to_string),
        name: str_of(object, "name").unwrap_or("").to_string(),
        content: str_of(object, "content").unwrap_or("").to_string(),
        url,
        published,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn fed() -> Federation {
        Federation::for_tests()
    }

    #[test]
    fn mastodon_activities_are_read() {
        let fed = fed();
        let follow = json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": "https://social.example/1", "type": "Follow",
            "actor": "https://social.example/users/ada",
            "object": "https://blog.example/ap/users/3"
        });
        assert!(matches!(
            read(&fed, &follow),
            Activity::Follow {
                object: Local::User(_),
                ..
            }
        ));
        let undo = json!({ "type": "Undo", "actor": "https://social.example/users/ada",
            "object": follow });
        assert!(matches!(read(&fed, &undo), Activity::UndoFollow { .. }));
        let reply = json!({ "type": "Create", "id": "https://social.example/2",
            "actor": "https://social.example/users/ada",
            "object": { "id": "https://social.example/statuses/9", "type": "Note",
                "attributedTo": "https://social.example/users/ada",
                "inReplyTo": "https://blog.example/ap/posts/12",
                "content": "<p>Nice</p>", "url": "https://social.example/@ada/9",
                "published": "2026-12-06T10:00:00Z" } });
        let Activity::Create(object) = read(&fed, &reply) else {
            panic!()
        };
        assert_eq!(
            object.in_reply_to.as_deref(),
            Some("https://blog.example/ap/posts/12")
        );
        assert_eq!(
            our_post(&fed, "https://blog.example/ap/posts/12"),
            Some(OurPost::Id(PostId(12)))
        );
        assert!(matches!(
            our_post(&fed, "https://blog.example/posts/hello"),
            Some(OurPost::Slug(_))
        ));
        let delete = json!({ "type": "Delete", "actor": "https://social.example/users/ada",
            "object": { "id": "https://social.example/statuses/9", "type": "Tombstone" } });
        assert_eq!(
            read(&fed, &delete),
            Activity::Delete {
                object_id: "https://social.example/statuses/9".into()
            }
        );
        let like = json!({ "type": "Like", "id": "https://social.example/3",
            "actor": "https://social.example/users/ada", "object": "https://blog.example/ap/posts/12" });
        assert!(matches!(read(&fed, &like), Activity::Like { .. }));
        let flag = json!({ "type": "Flag", "actor": "https://social.example/users/ada" });
        assert!(matches!(read(&fed, &flag), Activity::Ignored(_)));
    }
}
