//! The JSON documents of federation: what we serve (actors, posts as `Article`s,
//! collections, WebFinger, NodeInfo) and the activities we send. Plain JSON with the
//! ActivityStreams context, as Mastodon reads and writes it; no JSON-LD processing.

use serde_json::{json, Value};

use super::actors::{note_path, post_path, Local};
use super::Federation;
use crate::content::Post;
use crate::urls;
use crate::views::syndication::{absolute_urls, rfc3339};

pub const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
const CONTEXT: &str = "https://www.w3.org/ns/activitystreams";
const SECURITY: &str = "https://w3id.org/security/v1";

/// The context of documents that carry posts (an Article, the outbox, our activities):
/// ActivityStreams has no `Hashtag`, so, as Mastodon does, it is named here; without
/// it a JSON-LD reader (Fedify) drops every tag of an Article.
fn article_context() -> Value {
    json!([CONTEXT, { "Hashtag": "as:Hashtag" }])
}

/// What an actor document shows of its actor.
pub struct ActorInfo<'a> {
    pub actor: Local,
    pub handle: &'a str,
    pub name: &'a str,
    pub summary: &'a str,
    /// The HTML page: the author's page, or the home page.
    pub page: String,
    /// An absolute image URL.
    pub icon: Option<String>,
    pub public_pem: &'a str,
}

pub fn actor(fed: &Federation, info: &ActorInfo) -> Value {
    let id = fed.url(&info.actor.path());
    let mut doc = json!({
        "@context": [CONTEXT, SECURITY],
        "id": id,
        "type": "Person",
        "preferredUsername": info.handle,
        "name": info.name,
        "summary": info.summary,
        "url": info.page,
        "inbox": format!("{id}/inbox"),
        "outbox": format!("{id}/outbox"),
        "followers": format!("{id}/followers"),
        "following": format!("{id}/following"),
        "endpoints": { "sharedInbox": fed.url("/ap/inbox") },
        "manuallyApprovesFollowers": false,
        "discoverable": true,
        "publicKey": {
            "id": format!("{id}#main-key"),
            "owner": id,
            "publicKeyPem": info.public_pem,
        },
    });
    if let Some(icon) = &info.icon {
        doc["icon"] = json!({ "type": "Image", "url": icon });
    }
    doc
}

/// A post as an `Article`: title, summary, the whole body with absolute links and
/// images, tags as hashtags, and `url` to its page.
pub fn article(fed: &Federation, post: &Post) -> Value {
    let author = fed.url(&Local::User(post.author_id).path());
    let published = post.published_at.unwrap_or(post.created_at);
    let tags: Vec<Value> = post
        .tags
        .iter()
        .map(|tag| {
            json!({
                "type": "Hashtag",
                "href": fed.url(&urls::tag(tag)),
                "name": format!("#{}", tag.as_str().replace([' ', '-'], "_")),
            })
        })
        .collect();
    let mut doc = json!({
        "id": fed.url(&post_path(post.id)),
        "type": "Article",
        "attributedTo": author,
        "name": post.title,
        "summary": post.excerpt,
        "content": absolute_urls(post.body.as_str(), &fed.base),
        "mediaType": "text/html",
        "url": fed.url(&urls::post(&post.slug)),
        "published": rfc3339(published),
        "to": [PUBLIC],
        "cc": [format!("{author}/followers")],
        "tag": tags,
    });
    if post.updated_at > published {
        doc["updated"] = json!(rfc3339(post.updated_at));
    }
    if let Some(image) = &post.featured_image {
        doc["image"] = json!({ "type": "Image", "url": fed.url(&urls::media(image)) });
    }
    doc
}

/// An activity of ours around `object`, addressed to the public and the actor's
/// followers.
pub fn activity(fed: &Federation, id: &str, kind: &str, actor: Local, object: Value) -> Value {
    let actor_id = fed.url(&actor.path());
    json!({
        "@context": article_context(),
        "id": id,
        "type": kind,
        "actor": actor_id,
        "to": [PUBLIC],
        "cc": [format!("{actor_id}/followers")],
        "object": object,
    })
}

/// A `Delete` of one of our posts: what remains is a `Tombstone`.
pub fn delete_post(fed: &Federation, id: &str, post: &Post) -> Value {
    let tombstone = json!({ "id": fed.url(&post_path(post.id)), "type": "Tombstone" });
    activity(fed, id, "Delete", Local::User(post.author_id), tombstone)
}

/// A direct activity to one remote actor (Accept, Follow, Undo).
pub fn to_one(
    fed: &Federation,
    id: &str,
    kind: &str,
    actor: Local,
    to: &str,
    object: Value,
) -> Value {
    json!({
        "@context": CONTEXT,
        "id": id,
        "type": kind,
        "actor": fed.url(&actor.path()),
        "to": [to],
        "object": object,
    })
}

/// A reply of ours to a post on another server.
pub fn note(
    fed: &Federation,
    id: i64,
    author: Local,
    in_reply_to: &str,
    to: &str,
    content: &str,
    created_at: i64,
) -> Value {
    let actor_id = fed.url(&author.path());
    json!({
        "id": fed.url(&note_path(id)),
        "type": "Note",
        "attributedTo": actor_id,
        "inReplyTo": in_reply_to,
        "content": content,
        "published": rfc3339(created_at),
        "to": [to, PUBLIC],
        "cc": [format!("{actor_id}/followers")],
        "tag": [{ "type": "Mention", "href": to }],
    })
}

/// A collection that shows only its size (followers are not listed publicly).
pub fn counted_collection(id: &str, total: i64) -> Value {
    json!({ "@context": CONTEXT, "id": id, "type": "OrderedCollection", "totalItems": total })
}

/// The outbox: the latest posts, each as its `Create`.
pub fn outbox(fed: &Federation, id: &str, total: i64, posts: &[Post]) -> Value {
    let items: Vec<Value> = posts
        .iter()
        .map(|post| {
            let mut article = article(fed, post);
            if let Some(object) = article.as_object_mut() {
                object.remove("@context");
            }
            let activity_id = format!("{}/activity", fed.url(&post_path(post.id)));
            let mut create = activity(
                fed,
                &activity_id,
                "Create",
                Local::User(post.author_id),
                article,
            );
            create["published"] = json!(rfc3339(post.published_at.unwrap_or(post.created_at)));
            create
        })
        .collect();
    json!({
        "@context": article_context(),
        "id": id,
        "type": "OrderedCollection",
        "totalItems": total,
        "orderedItems": items,
    })
}

/// The `Article` served alone, with its context.
pub fn article_document(fed: &Federation, post: &Post) -> Value {
    let mut doc = article(fed, post);
    doc["@context"] = article_context();
    doc
}

/// WebFinger's answer for `acct:handle@host`.
pub fn webfinger(fed: &Federation, handle: &str, actor: Local, page: &str) -> Value {
    let id = fed.url(&actor.path());
    json!({
        "subject": format!("acct:{handle}@{}", fed.host),
        "aliases": [id, page],
        "links": [
            { "rel": "self", "type": super::ACTIVITY_JSON, "href": id },
            { "rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": page },
        ],
    })
}

pub fn nodeinfo_links(fed: &Federation) -> Value {
    json!({
        "links": [{
            "rel": "http://nodeinfo.diaspora.software/ns/schema/2.1",
            "href": fed.url("/nodeinfo/2.1"),
        }]
    })
}

/// NodeInfo 2.1: the software, its protocol, and counts.
pub fn nodeinfo(users: i64, posts: i64, open_registrations: bool, title: &str) -> Value {
    json!({
        "version": "2.1",
        "software": {
            "name": "blog",
            "version": env!("CARGO_PKG_VERSION"),
        },
        "protocols": ["activitypub"],
        "services": { "inbound": [], "outbound": ["atom1.0"] },
        "openRegistrations": open_registrations,
        "usage": {
            "users": { "total": users, "activeHalfyear": users, "activeMonth": users },
            "localPosts": posts,
        },
        "metadata": { "nodeName": title },
    })
}

/// A fresh id for an activity of ours.
pub fn new_activity_id(fed: &Federation) -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|err| anyhow::anyhow!("no randomness: {err}"))?;
    Ok(fed.url(&format!("/ap/activities/{}", hex::encode(bytes))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::{Kind, PostId, SanitizedHtml, UserId};

    fn fed() -> Federation {
        Federation::for_tests()
    }

    fn post() -> Post {
        Post {
            id: PostId(7),
            author_id: UserId(2),
            author_name: "Ann".into(),
            author_avatar: None,
            title: "Harbour".into(),
            slug: "harbour".parse().unwrap(),
            body: SanitizedHtml::from_trusted_storage("<p>Boats</p>".into()),
            excerpt: "Boats".into(),
            created_at: 0,
            updated_at: 0,
            published_at: Some(0),
            publish_at: None,
            revision: 1,
            tags: vec!["boats".parse().unwrap()],
            kind: Kind::Post,
            menu_position: None,
            featured_image: None,
        }
    }

    /// Every `type` a JSON document uses, at any depth.
    fn types(doc: &Value, out: &mut Vec<String>) {
        match doc {
            Value::Object(fields) => {
                if let Some(Value::String(kind)) = fields.get("type") {
                    out.push(kind.clone());
                }
                fields.values().for_each(|v| types(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| types(v, out)),
            _ => {}
        }
    }

    /// The ActivityStreams 2.0 vocabulary's types that our documents use; anything
    /// else must be named by the document's own context, or JSON-LD readers drop it.
    const ACTIVITY_STREAMS: &[&str] = &[
        "Article",
        "Create",
        "Update",
        "Delete",
        "Announce",
        "Tombstone",
        "Image",
        "Note",
        "Mention",
        "OrderedCollection",
        "Person",
    ];

    #[test]
    fn every_type_of_an_article_its_create_or_the_outbox_is_in_the_context() {
        let fed = fed();
        let post = post();
        let create = activity(
            &fed,
            "https://blog.example/ap/activities/1",
            "Create",
            Local::User(post.author_id),
            article(&fed, &post),
        );
        for doc in [
            create,
            article_document(&fed, &post),
            outbox(
                &fed,
                "https://blog.example/ap/users/2/outbox",
                1,
                std::slice::from_ref(&post),
            ),
        ] {
            let mut used = Vec::new();
            types(&doc, &mut used);
            assert!(used.contains(&"Hashtag".to_string()), "{doc}");
            let context = doc["@context"].to_string();
            for kind in used {
                assert!(
                    ACTIVITY_STREAMS.contains(&kind.as_str())
                        || context.contains(&format!("\"{kind}\"")),
                    "{kind} is neither ActivityStreams nor in the context {context}"
                );
            }
        }
    }
}
