//! Other servers' actors, fetched through `outbound` (so never from a private
//! address unless the tests allow it): their documents, and WebFinger to find one by
//! its handle. Blocking: callers run these on a blocking thread.

use std::time::SystemTime;

use serde_json::Value;

use super::{signatures, ACTIVITY_JSON, MAX_DOCUMENT_BYTES};
use crate::db::federation::RemoteActor;
use crate::outbound::Outbound;

/// What asking for a document with, for servers that want it signed.
pub struct Signer<'a> {
    pub key_id: &'a str,
    pub private_pem: &'a str,
}

const ACCEPT: &str =
    "application/activity+json, application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";

/// GETs an ActivityPub document.
pub fn fetch(outbound: &Outbound, url: &str, signer: Option<&Signer>) -> anyhow::Result<Value> {
    let signed = match signer {
        Some(signer) => {
            signatures::sign_get(url, signer.key_id, signer.private_pem, SystemTime::now())?
        }
        None => Vec::new(),
    };
    // ureq writes Host itself, the same way the signature named it.
    let headers: Vec<(&str, &str)> = signed
        .iter()
        .filter(|(name, _)| name != "Host")
        .map(|(name, value)| (name.as_str(), value.as_str()))
        .collect();
    let answer = outbound.get_with(url, ACCEPT, &headers, MAX_DOCUMENT_BYTES)?;
    if !(200..300).contains(&answer.status) {
        anyhow::bail!("{url} answered {}", answer.status);
    }
    Ok(serde_json::from_slice(&answer.body)?)
}

/// Fetches the actor at `url` and reads what we keep of it. Its id must be on the
/// host it was fetched from, and its key must be its own.
pub fn fetch_actor(
    outbound: &Outbound,
    url: &str,
    signer: Option<&Signer>,
) -> anyhow::Result<RemoteActor> {
    let doc = fetch(outbound, url, signer)?;
    read_actor(&doc, url)
}

/// Reads an actor document fetched from `fetched_from`.
pub fn read_actor(doc: &Value, fetched_from: &str) -> anyhow::Result<RemoteActor> {
    let id = str_of(doc, "id").ok_or_else(|| anyhow::anyhow!("the actor has no id"))?;
    if super::domain_of(id) != super::domain_of(fetched_from) {
        anyhow::bail!("the actor fetched from {fetched_from} claims the id {id}");
    }
    let inbox = str_of(doc, "inbox").ok_or_else(|| anyhow::anyhow!("{id} has no inbox"))?;
    let shared_inbox = doc
        .get("endpoints")
        .and_then(|endpoints| str_of(endpoints, "sharedInbox"))
        .map(str::to_string);
    let key = match doc.get("publicKey") {
        Some(Value::Array(keys)) => keys.first(),
        other => other,
    }
    .ok_or_else(|| anyhow::anyhow!("{id} has no public key"))?;
    let key_id = str_of(key, "id").ok_or_else(|| anyhow::anyhow!("{id}'s key has no id"))?;
    let owner = str_of(key, "owner").unwrap_or(id);
    if owner != id {
        anyhow::bail!("{id}'s key belongs to {owner}");
    }
    let public_pem =
        str_of(key, "publicKeyPem").ok_or_else(|| anyhow::anyhow!("{id}'s key has no PEM"))?;
    let username = str_of(doc, "preferredUsername").unwrap_or("");
    let name = str_of(doc, "name")
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(username);
    let url = match doc.get("url") {
        Some(Value::String(url)) => Some(url.as_str()),
        Some(Value::Object(link)) => link.get("href").and_then(Value::as_str),
        Some(Value::Array(links)) => links.iter().find_map(|link| match link {
            Value::String(url) => Some(url.as_str()),
            other => other.get("href").and_then(Value::as_str),
        }),
        _ => None,
    }
    .unwrap_or(id);
    Ok(RemoteActor {
        id: id.to_string(),
        inbox: inbox.to_string(),
        shared_inbox,
        key_id: key_id.to_string(),
        public_pem: public_pem.to_string(),
        name: name.chars().take(100).collect(),
        handle: format!("{username}@{}", super::domain_of(id)),
        url: url.to_string(),
        fetched_at: crate::db::now_ms(),
    })
}

/// The actor URL that WebFinger gives for `user@host`. `http` is for tests that
/// federate over 127.0.0.1 (`allow_private_addresses`); everyone else speaks https.
pub fn webfinger(outbound: &Outbound, handle: &str, http: bool) -> anyhow::Result<String> {
    let handle = handle.trim().trim_start_matches('@');
    let Some((user, host)) = handle.split_once('@') else {
        anyhow::bail!("{handle:?} is not an address like name@example.com");
    };
    if user.is_empty() || host.is_empty() || host.contains(['/', '?', '#', '@']) {
        anyhow::bail!("{handle:?} is not an address like name@example.com");
    }
    let scheme = if http { "http" } else { "https" };
    let resource: String =
        form_urlencoded::byte_serialize(format!("acct:{user}@{host}").as_bytes()).collect();
    let url = format!("{scheme}://{host}/.well-known/webfinger?resource={resource}");
    let answer = outbound.get(
        &url,
        "application/jrd+json, application/json",
        MAX_DOCUMENT_BYTES,
    )?;
    if !(200..300).contains(&answer.status) {
        anyhow::bail!(
            "{host} does not know {handle} (WebFinger answered {})",
            answer.status
        );
    }
    let doc: Value = serde_json::from_slice(&answer.body)?;
    doc.get("links")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|link| {
            str_of(link, "rel") == Some("self")
                && str_of(link, "type").is_some_and(|t| {
                    t.starts_with(ACTIVITY_JSON) || t.starts_with("application/ld+json")
                })
        })
        .and_then(|link| str_of(link, "href"))
        .map(str::to_string)
        .ok_or_else(|| anyhow::anyhow!("{host} names no ActivityPub actor for {handle}"))
}

/// A string field, or the `id` of an object in it (`"actor": {"id": …}`).
pub fn str_of<'a>(doc: &'a Value, field: &str) -> Option<&'a str> {
    match doc.get(field)? {
        Value::String(s) => Some(s),
        Value::Object(object) => object.get("id").and_then(Value::as_str),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_actor_is_read_as_mastodon_writes_it() {
        let doc = json!({
            "id": "https://social.example/users/ada",
            "type": "Person",
            "preferredUsername": "ada",
            "name": "",
            "inbox": "https://social.example/users/ada/inbox",
            "endpoints": { "sharedInbox": "https://social.example/inbox" },
            "url": "https://social.example/@ada",
            "publicKey": {
                "id": "https://social.example/users/ada#main-key",
                "owner": "https://social.example/users/ada",
                "publicKeyPem": "-----BEGIN PUBLIC KEY-----"
            }
        });
        let actor = read_actor(&doc, "https://social.example/users/ada").unwrap();
        assert_eq!(actor.delivery_inbox(), "https://social.example/inbox");
        assert_eq!(actor.handle, "ada@social.example");
        assert_eq!(actor.name, "ada");
        assert_eq!(actor.url, "https://social.example/@ada");
        // Served from one host, claiming to be on another.
        assert!(read_actor(&doc, "https://evil.example/users/ada").is_err());
        let mut stolen = doc.clone();
        stolen["publicKey"]["owner"] = json!("https://social.example/users/bob");
        assert!(read_actor(&stolen, "https://social.example/users/ada").is_err());
    }
}
