//! Federation over ActivityPub between two real blogs on 127.0.0.1 (the test switch
//! `[federation] allow_private_addresses` lets them reach each other over http): an
//! author on one follows an author on the other, a publish arrives, a reply comes back
//! as a comment, a delete removes the copy, an Undo stops deliveries. Then what an
//! inbox refuses: forged signatures, a key of another actor, a replay, a stale Date, a
//! wrong Digest, a 10 MB body; and the discovery documents (WebFinger, NodeInfo, the
//! actor), which do not exist while federation is off.

use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Value};

use crate::support::{Client, Site, TestServer};

const PATIENCE: Duration = Duration::from_secs(30);

pub(crate) const FEDERATING: &str =
    "[federation]\nenabled = true\nallow_private_addresses = true\n";

fn federating() -> TestServer {
    Site::new().config(FEDERATING).start()
}

/// Polls `check` until it holds, or fails with `what` after the usual patience.
#[track_caller]
pub(crate) fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting until {what}");
}

/// The writer's fediverse address as `/fediverse` shows it, without the `@` in front.
pub(crate) fn address_of(writer: &Client) -> String {
    let page = writer.get("/fediverse").assert_status(200);
    let text = page.select("#address strong")[0].text.clone();
    text.trim_start_matches('@').to_string()
}

/// The writer's actor URL, found by WebFinger as another server would; fetching it
/// once makes its key.
pub(crate) fn actor_of(server: &TestServer, writer: &Client) -> String {
    let address = address_of(writer);
    let (status, finger) = get_json(
        &format!(
            "{}/.well-known/webfinger?resource=acct:{address}",
            server.base_url()
        ),
        "application/jrd+json",
    );
    assert_eq!(status, 200, "WebFinger knows {address}");
    let actor = finger["links"][0]["href"]
        .as_str()
        .expect("an actor link")
        .to_string();
    assert_eq!(get_json(&actor, "application/activity+json").0, 200);
    actor
}

fn get_json(url: &str, accept: &str) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut answer = agent
        .get(url)
        .header("accept", accept)
        .call()
        .expect("the server answers");
    let status = answer.status().as_u16();
    let body = answer.body_mut().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[test]
fn two_blogs_follow_publish_reply_delete_and_unfollow() {
    let a = federating();
    let b = federating();
    let ada = a.author("ada@a.example");
    let bea = b.author("bea@b.example");
    let b_admin = b.admin();

    // Ada follows Bea by her address; Bea's blog accepts.
    let bea_address = address_of(&bea);
    assert!(
        bea_address.ends_with(&format!("@{}", b.address())),
        "{bea_address}"
    );
    ada.get("/fediverse")
        .form("form#follow")
        .fill("account", &bea_address)
        .submit()
        .assert_status(303);
    eventually("Bea's blog accepts Ada's follow", || {
        let page = ada.get("/fediverse");
        page.text().contains(&bea_address) && !page.text().contains("waiting for the server")
    });
    assert!(bea.get("/fediverse").text().contains("Followers: 1"));

    // Bea publishes: the post arrives in Ada's list.
    let slug = bea.create_post(
        "Notes from the harbour",
        "<p>The boats came in <b>early</b>.</p>",
    );
    bea.publish(&slug);
    eventually("Bea's post reaches Ada's blog", || {
        ada.get("/fediverse")
            .text()
            .contains("Notes from the harbour")
    });
    assert!(ada
        .get("/fediverse")
        .text()
        .contains("The boats came in early."));

    // Ada replies from her blog: the reply is a comment under Bea's post.
    ada.get("/fediverse")
        .form("form.reply")
        .fill("body", "Lovely harbour, Bea!")
        .submit()
        .assert_status(303);
    let visitor = b.anonymous();
    eventually("Ada's reply is a comment under Bea's post", || {
        visitor
            .get(&format!("/posts/{slug}"))
            .text()
            .contains("Lovely harbour, Bea!")
    });
    let post_page = visitor.get(&format!("/posts/{slug}"));
    let commenter = &post_page.select(".comment h3.commenter a")[0];
    assert!(
        commenter
            .attr("href")
            .is_some_and(|href| href.starts_with(&a.base_url().to_string())),
        "the commenter links to their profile on the other blog"
    );
    assert!(post_page.text().contains("via the fediverse"));

    // A second post, then deleted: Ada's copy goes.
    let gone = bea.create_post("A post to take back", "<p>Oops.</p>");
    bea.publish(&gone);
    eventually("the second post reaches Ada", || {
        ada.get("/fediverse").text().contains("A post to take back")
    });
    bea.delete_post(&gone);
    eventually("the deleted post leaves Ada's blog", || {
        !ada.get("/fediverse").text().contains("A post to take back")
    });

    // Ada unfollows: Bea's blog forgets her, and the next post is sent to nobody.
    ada.get("/fediverse")
        .form("form.inline[action=\"/fediverse/unfollow\"]")
        .submit()
        .assert_status(303);
    eventually("Bea's blog forgets the follower", || {
        bea.get("/fediverse").text().contains("Followers: 0")
    });
    let sent_before = deliveries(&b_admin);
    let after = bea.create_post("Nobody follows this", "<p>Quiet.</p>");
    bea.publish(&after);
    assert_eq!(
        deliveries(&b_admin),
        sent_before,
        "no delivery is queued for an unfollowed author"
    );
    assert!(!ada.get("/fediverse").text().contains("Nobody follows this"));
}

/// The admin's delivery line on `/fediverse`.
fn deliveries(admin: &Client) -> String {
    admin.get("/fediverse").select("#deliveries")[0]
        .text
        .clone()
}

/// A blog's actor, signing as it: its key read from its own database, as its
/// delivery worker would.
struct Signer {
    actor: String,
    key_id: String,
    private_pem: String,
}

impl Signer {
    fn of(server: &TestServer, writer: &Client) -> Self {
        let actor = actor_of(server, writer);
        let key = actor
            .trim_start_matches(&format!("{}/ap/users/", server.base_url()))
            .to_string();
        let db = rusqlite::Connection::open(server.path().join("blog-data/blog.sqlite3"))
            .expect("the database opens");
        let private_pem: String = db
            .query_row(
                "SELECT private_pem FROM ap_keys WHERE actor = ?1",
                [key],
                |row| row.get(0),
            )
            .expect("the actor has a key once its document was served");
        Self {
            key_id: format!("{actor}#main-key"),
            actor,
            private_pem,
        }
    }
}

/// POSTs `activity` to `inbox` signed by `signer` (with `pem` when given instead of
/// the signer's own key), `date` as the Date; returns the status.
fn deliver(
    inbox: &str,
    activity: &Value,
    signer: &Signer,
    pem: Option<&str>,
    date: SystemTime,
    tamper: bool,
) -> u16 {
    let body = activity.to_string();
    let headers = blog::federation::signatures::sign_post(
        inbox,
        body.as_bytes(),
        &signer.key_id,
        pem.unwrap_or(&signer.private_pem),
        date,
    )
    .expect("signs");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent
        .post(inbox)
        .header("content-type", "application/activity+json");
    for (name, value) in &headers {
        if name != "Host" {
            request = request.header(name, value);
        }
    }
    let sent = if tamper { format!("{body} ") } else { body };
    request
        .send(sent.as_bytes())
        .expect("the inbox answers")
        .status()
        .as_u16()
}

#[test]
fn an_inbox_takes_only_what_its_sender_signed() {
    let a = federating();
    let b = federating();
    let ada = a.author("ada@a.example");
    let bea_writer = b.author("bea@b.example");
    // Serving the actors makes their keys.
    let ada_actor = actor_of(&a, &ada);
    let bea = Signer::of(&b, &bea_writer);
    let inbox = format!("{ada_actor}/inbox");
    let now = SystemTime::now();
    let follow = |id: &str| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/follows/{id}", bea.actor),
            "type": "Follow",
            "actor": bea.actor,
            "object": ada_actor,
        })
    };
    let followers = || {
        let page = ada.get("/fediverse");
        page.select("#followers")[0].text.clone()
    };

    // Forged: signed with a key that is not Bea's.
    let stranger = blog::federation::keys::generate().expect("a key");
    assert_eq!(
        deliver(
            &inbox,
            &follow("1"),
            &bea,
            Some(&stranger.private_pem),
            now,
            false
        ),
        401
    );
    // The body changed after signing.
    assert_eq!(deliver(&inbox, &follow("1"), &bea, None, now, true), 401);
    // A Date two hours old.
    assert_eq!(
        deliver(
            &inbox,
            &follow("1"),
            &bea,
            None,
            now - Duration::from_secs(7200),
            false
        ),
        401
    );
    // Bea's key, but the activity says the blog actor sent it.
    let mut impostor = follow("2");
    impostor["actor"] = json!(format!("{}/ap/blog", b.base_url()));
    assert_eq!(deliver(&inbox, &impostor, &bea, None, now, false), 401);
    // Unsigned.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let unsigned = agent
        .post(&inbox)
        .header("content-type", "application/activity+json")
        .send(follow("3").to_string().as_bytes())
        .expect("answers");
    assert_eq!(unsigned.status().as_u16(), 401);
    // Ten megabytes, announced: refused before a byte of it is read, so the answer
    // comes while the body is still unsent.
    let path = inbox.trim_start_matches(a.base_url());
    let mut stream = std::net::TcpStream::connect(a.address()).expect("connects");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/activity+json\r\nContent-Length: {}\r\n\r\n",
        a.address(),
        10 * 1024 * 1024
    );
    std::io::Write::write_all(&mut stream, head.as_bytes()).expect("sends the head");
    stream.set_read_timeout(Some(PATIENCE)).expect("a timeout");
    let mut answer = [0u8; 12];
    std::io::Read::read_exact(&mut stream, &mut answer).expect("an answer before the body");
    assert_eq!(&answer, b"HTTP/1.1 413");
    assert!(
        followers().contains("Followers: 0"),
        "nothing refused was stored: {}",
        followers()
    );

    // Signed by Bea: taken in.
    assert_eq!(deliver(&inbox, &follow("4"), &bea, None, now, false), 202);
    assert!(followers().contains("Followers: 1"));
    let undo = json!({
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": format!("{}/undos/4", bea.actor),
        "type": "Undo",
        "actor": bea.actor,
        "object": follow("4"),
    });
    assert_eq!(deliver(&inbox, &undo, &bea, None, now, false), 202);
    assert!(followers().contains("Followers: 0"));
    // The same Follow again, byte for byte: a replay changes nothing.
    assert_eq!(deliver(&inbox, &follow("4"), &bea, None, now, false), 202);
    assert!(
        followers().contains("Followers: 0"),
        "a replayed Follow was taken in again"
    );
}

#[test]
fn discovery_documents_name_the_actors_and_off_means_absent() {
    let a = federating();
    let ada = a.author("ada@a.example");
    let address = address_of(&ada);
    let base = a.base_url().to_string();

    let (status, finger) = get_json(
        &format!("{base}/.well-known/webfinger?resource=acct:{address}"),
        "application/jrd+json",
    );
    assert_eq!(status, 200);
    assert_eq!(finger["subject"], format!("acct:{address}"));
    let actor_url = finger["links"]
        .as_array()
        .and_then(|links| links.iter().find(|l| l["rel"] == "self"))
        .and_then(|l| l["href"].as_str())
        .expect("a self link")
        .to_string();
    let (status, actor) = get_json(&actor_url, "application/activity+json");
    assert_eq!(status, 200);
    assert_eq!(actor["id"], actor_url);
    assert_eq!(actor["type"], "Person");
    assert_eq!(actor["publicKey"]["owner"], actor_url);
    assert!(actor["publicKey"]["publicKeyPem"]
        .as_str()
        .unwrap_or("")
        .contains("BEGIN PUBLIC KEY"));
    assert!(actor["endpoints"]["sharedInbox"]
        .as_str()
        .unwrap_or("")
        .ends_with("/ap/inbox"));
    assert!(
        !actor.to_string().contains("a.example"),
        "the email never shows: {actor}"
    );

    let (status, links) = get_json(&format!("{base}/.well-known/nodeinfo"), "application/json");
    assert_eq!(status, 200);
    let href = links["links"][0]["href"]
        .as_str()
        .expect("a NodeInfo link")
        .to_string();
    let (status, info) = get_json(&href, "application/json");
    assert_eq!(status, 200);
    assert_eq!(info["protocols"][0], "activitypub");
    assert_eq!(info["software"]["name"], "blog");

    // A published post: its page names its object, which is an Article.
    let slug = ada.create_post(
        "Federated words",
        "<p>Hello, <a href=\"/tags/x\">read more</a></p>",
    );
    ada.publish(&slug);
    let page = a.anonymous().get(&format!("/posts/{slug}"));
    let object_url = page.select("link[rel=alternate][type=\"application/activity+json\"]")[0]
        .attr("href")
        .expect("an href")
        .to_string();
    let (status, article) = get_json(&object_url, "application/activity+json");
    assert_eq!(status, 200);
    assert_eq!(article["type"], "Article");
    assert_eq!(article["name"], "Federated words");
    assert_eq!(article["attributedTo"], actor_url);
    assert_eq!(article["url"], format!("{base}/posts/{slug}"));
    assert!(
        article["content"]
            .as_str()
            .unwrap_or("")
            .contains(&format!("{base}/tags/x")),
        "absolute links: {}",
        article["content"]
    );
    // The page itself, asked for as ActivityPub, leads to the object.
    let (status, _) = get_json(&format!("{base}/posts/{slug}"), "application/activity+json");
    assert_eq!(status, 302);
    let (status, outbox) = get_json(&format!("{actor_url}/outbox"), "application/activity+json");
    assert_eq!(status, 200);
    assert_eq!(outbox["totalItems"], 1);
    assert_eq!(
        outbox["orderedItems"][0]["object"]["name"],
        "Federated words"
    );

    // Off (the default): none of it exists, and pages name no object.
    let off = Site::new().start();
    let writer = off.author("ada@a.example");
    let base = off.base_url().to_string();
    for path in [
        "/.well-known/webfinger?resource=acct:ada@x",
        "/.well-known/nodeinfo",
        "/ap/users/2",
        "/ap/inbox",
        "/fediverse",
    ] {
        assert_eq!(
            get_json(&format!("{base}{path}"), "application/activity+json").0,
            404,
            "{path}"
        );
    }
    let slug = writer.create_post("Quiet words", "<p>Hi</p>");
    writer.publish(&slug);
    assert!(!off
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .has("link[type=\"application/activity+json\"]"));

    // On with a plain-http public address: refused at start, with what to do.
    let refused = Site::new()
        .config("[site]\nbase_url = \"http://blog.example\"\n[federation]\nenabled = true\n")
        .run(&["check"]);
    assert!(!refused.status.success());
    assert!(
        refused.stderr.contains("https base_url"),
        "{}",
        refused.stderr
    );
}

#[test]
fn likes_and_boosts_are_counted_and_a_block_drops_everything_from_a_domain() {
    let a = Site::new()
        .config(&format!("{FEDERATING}[comments]\nmoderation = true\n"))
        .start();
    let b = federating();
    let ada = a.author("ada@a.example");
    let bea_writer = b.author("bea@b.example");
    let ada_actor = actor_of(&a, &ada);
    let bea = Signer::of(&b, &bea_writer);
    let inbox = format!("{}/ap/inbox", a.base_url());
    let slug = ada.create_post("Liked words", "<p>Words.</p>");
    ada.publish(&slug);
    let post_page = a.anonymous().get(&format!("/posts/{slug}"));
    let object = post_page.select("link[rel=alternate][type=\"application/activity+json\"]")[0]
        .attr("href")
        .expect("the post's object")
        .to_string();
    let now = SystemTime::now();
    let activity = |kind: &str, id: &str, object: Value| {
        json!({
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": format!("{}/{kind}/{id}", bea.actor),
            "type": kind,
            "actor": bea.actor,
            "object": object,
        })
    };
    let reactions = || {
        a.anonymous()
            .get(&format!("/posts/{slug}"))
            .select("p.reactions")
            .first()
            .map(|node| node.text.clone())
            .unwrap_or_default()
    };

    let like = activity("Like", "1", json!(object));
    assert_eq!(deliver(&inbox, &like, &bea, None, now, false), 202);
    assert_eq!(
        deliver(
            &inbox,
            &activity("Announce", "2", json!(object)),
            &bea,
            None,
            now,
            false
        ),
        202
    );
    assert_eq!(reactions(), "Likes from the fediverse: 1 · Boosts: 1");
    assert_eq!(
        deliver(&inbox, &activity("Undo", "3", like), &bea, None, now, false),
        202
    );
    assert_eq!(reactions(), "Likes from the fediverse: 0 · Boosts: 1");

    // With moderation on, a reply waits for the author's approval.
    let reply = activity(
        "Create",
        "4",
        json!({
            "id": format!("{}/notes/4", bea.actor),
            "type": "Note",
            "attributedTo": bea.actor,
            "inReplyTo": object,
            "content": "<p><span class=\"h-card\"><a href=\"#\">@ada</a></span> Kind words.</p>",
            "to": [ada_actor],
        }),
    );
    assert_eq!(deliver(&inbox, &reply, &bea, None, now, false), 202);
    assert!(!a
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .text()
        .contains("Kind words."));
    assert!(
        ada.get(&format!("/posts/{slug}"))
            .text()
            .contains("Kind words."),
        "the author sees it waiting"
    );

    // An admin blocks Bea's whole server: her reply goes, and nothing more is taken in.
    let admin = a.admin();
    admin
        .get("/fediverse")
        .form("form#block")
        .fill("target", &b.address())
        .submit()
        .assert_status(303);
    assert!(admin.get("/fediverse").text().contains(&b.address()));
    assert!(!ada
        .get(&format!("/posts/{slug}"))
        .text()
        .contains("Kind words."));
    assert_eq!(reactions(), "", "no likes or boosts are left to show");
    assert_eq!(
        deliver(
            &inbox,
            &activity("Like", "5", json!(object)),
            &bea,
            None,
            now,
            false
        ),
        202
    );
    assert_eq!(reactions(), "");
    let follow = activity("Follow", "6", json!(ada_actor));
    assert_eq!(deliver(&inbox, &follow, &bea, None, now, false), 202);
    assert!(ada.get("/fediverse").text().contains("Followers: 0"));
    assert!(
        a.audit_rows()
            .iter()
            .any(|row| row.action == "federation.block"),
        "the block is in the audit log"
    );
}
