//! Writing without fear: scheduled posts go out at their time (and not a moment
//! before, even across a restart), every save keeps a revision that can be compared and
//! restored, autosave refuses a stale tab with 409, and a preview link shows a draft to
//! a friend until it is revoked.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::media::uploaded_url;
use crate::support::{Client, Page, Site, TestServer};

const SMALL_PNG: &[u8] = include_bytes!("../fixtures/small.png");

/// Milliseconds since the epoch, on the clock the server reads too.
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `YYYY-MM-DDTHH:MM:SS` in UTC (the default site time zone), for a time in ms.
pub(crate) fn form_time(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// Every place a published post shows up, for a visitor.
fn visible_everywhere(visitor: &Client, slug: &str, title: &str) -> Vec<(&'static str, bool)> {
    let has = |path: &str| visitor.get(path).body.contains(title);
    // The author's page, from the byline of the post once it shows.
    let author = visitor
        .get(&format!("/posts/{slug}"))
        .select("p.byline a.author")
        .first()
        .and_then(|a| a.attr("href").map(str::to_owned));
    let found = visitor
        .get("/search?q=Punctual")
        .select("article.search-hit")
        .iter()
        .any(|hit| hit.text.contains(title));
    vec![
        ("post", visitor.get(&format!("/posts/{slug}")).status == 200),
        ("index", has("/")),
        ("author page", author.is_some_and(|page| has(&page))),
        (
            "tag page",
            visitor.get("/tags/timely").status == 200 && has("/tags/timely"),
        ),
        ("feed", has("/feed.xml")),
        ("sitemap", visitor.get("/sitemap.xml").body.contains(slug)),
        ("search", found),
    ]
}

pub(crate) fn schedule(author: &Client, title: &str, at_ms: i64) -> String {
    let slug = author.create_post(title, "<p>Punctual words</p>");
    author
        .get(&format!("/posts/{slug}/edit"))
        .assert_status(200)
        .form(&format!("form[action=\"/posts/{slug}/edit\"]"))
        .fill("tags", "timely")
        .fill("publish_at", &form_time(at_ms))
        .submit()
        .assert_status(303);
    slug
}

/// Polls until the post shows everywhere; a look before `at_ms` must find it nowhere.
/// Returns when it was first seen everywhere.
fn wait_until_published(visitor: &Client, slug: &str, title: &str, at_ms: i64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let before = now_ms();
        let seen = visible_everywhere(visitor, slug, title);
        let after = now_ms();
        if after < at_ms {
            assert!(
                seen.iter().all(|(_, shown)| !shown),
                "seen before its time ({} ms early): {seen:?}",
                at_ms - after
            );
        }
        if seen.iter().all(|(_, shown)| *shown) {
            assert!(after >= at_ms, "published early");
            return before;
        }
        assert!(Instant::now() < deadline, "never published: {seen:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_scheduled_post_appears_everywhere_at_its_time_and_not_before() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let visitor = server.anonymous();
    // Whole seconds, since the form's time has no milliseconds.
    let at = (now_ms() / 1000 + 3) * 1000;
    let slug = schedule(&author, "Punctual", at);
    let seen = visible_everywhere(&visitor, &slug, "Punctual");
    assert!(seen.iter().all(|(_, shown)| !shown), "{seen:?}");
    let listed = server.cli(&["posts", "list", "--scheduled"]).success();
    assert!(
        listed.stdout.contains(&format!("{slug}\tscheduled\t")),
        "{}",
        listed.stdout
    );
    let drafts = author.get("/drafts").assert_status(200);
    assert!(drafts.text().contains("Scheduled for"), "{}", drafts.text());

    wait_until_published(&visitor, &slug, "Punctual", at);
    // Published with the time it was scheduled for.
    let page = visitor.get(&format!("/posts/{slug}")).assert_status(200);
    let shown = page.select("p.byline time");
    let datetime = shown[0].attr("datetime").expect("a datetime");
    assert!(
        datetime.starts_with(&form_time(at)),
        "{datetime} vs {}",
        form_time(at)
    );
    let rows = server.audit_rows();
    let last = rows.last().expect("an audit row");
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("scheduler", "post.publish")
    );
    assert!(server
        .cli(&["posts", "list", "--scheduled"])
        .success()
        .stdout
        .contains("no scheduled posts"));
}

#[test]
fn a_post_whose_time_came_while_the_server_was_down_is_published_when_it_starts() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let at = (now_ms() / 1000 + 2) * 1000;
    let slug = schedule(&author, "Punctual", at);
    let site = server.stop_keeping_folder();
    // The clock passes the scheduled time while nothing runs.
    while now_ms() <= at + 200 {
        std::thread::sleep(Duration::from_millis(50));
    }
    let server = site.start();
    let visitor = server.anonymous();
    wait_until_published(&visitor, &slug, "Punctual", at);
}

#[test]
fn a_cancelled_schedule_publishes_nothing_and_a_past_time_is_refused() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Maybe later", "<p>Not yet</p>");
    let edit = |time: &str| {
        author
            .get(&format!("/posts/{slug}/edit"))
            .assert_status(200)
            .form(&format!("form[action=\"/posts/{slug}/edit\"]"))
            .fill("publish_at", time)
            .submit()
    };
    let refused = edit("2001-01-01T00:00").assert_status(422);
    assert!(
        refused.text().contains("That time has passed"),
        "{}",
        refused.text()
    );
    let refused = edit("next tuesday").assert_status(422);
    assert!(
        refused.text().contains("date and time"),
        "{}",
        refused.text()
    );
    let at = now_ms() + 60 * 60 * 1000;
    edit(&form_time(at)).assert_status(303);
    assert!(server
        .cli(&["posts", "list", "--scheduled"])
        .success()
        .stdout
        .contains(&slug));
    edit("").assert_status(303);
    assert!(!server
        .cli(&["posts", "list", "--scheduled"])
        .success()
        .stdout
        .contains(&slug));
}

/// Saves through the edit form, as a browser does.
fn save(author: &Client, slug: &str, field: &str, value: &str) -> Page {
    author.edit_post(slug, field, value)
}

/// The words a revisions page marks as taken out, and as put in.
fn changes(page: &Page) -> (Vec<String>, Vec<String>) {
    let words = |css: &str| page.select(css).into_iter().map(|n| n.text).collect();
    (words("#diff del"), words("#diff ins"))
}

fn revision_ids(author: &Client, slug: &str) -> Vec<String> {
    author
        .get(&format!("/posts/{slug}/revisions"))
        .assert_status(200)
        .select("tr.revision")
        .into_iter()
        .filter_map(|row| row.attr("data-id").map(str::to_owned))
        .collect()
}

#[test]
fn every_save_of_a_published_post_is_a_revision_to_compare_and_restore() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Changing", "<p>the quick brown fox</p>");
    author.publish(&slug);
    save(&author, &slug, "body", "<p>the slow brown fox jumps</p>").assert_status(303);
    save(&author, &slug, "title", "Changed").assert_status(303);
    let ids = revision_ids(&author, &slug);
    assert_eq!(ids.len(), 3, "create and two saves: {ids:?}");

    // The newest two are compared by default; any two on request.
    let page = author
        .get(&format!(
            "/posts/{slug}/revisions?from={}&to={}",
            ids[2], ids[1]
        ))
        .assert_status(200);
    let (removed, added) = changes(&page);
    assert_eq!(removed, ["quick"], "{}", page.text());
    assert!(added.contains(&"slow".to_string()) && added.iter().any(|a| a.contains("jumps")));
    let default = author
        .get(&format!("/posts/{slug}/revisions"))
        .assert_status(200);
    assert_eq!(
        default
            .select("#diff h3 del")
            .into_iter()
            .map(|n| n.text)
            .collect::<Vec<_>>(),
        ["Changing"]
    );

    // Restoring the first makes it the post again, as a revision of its own.
    author
        .get(&format!("/posts/{slug}/revisions"))
        .form(&format!("form#restore-{}", ids[2]))
        .submit()
        .assert_status(303);
    let post = server
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .assert_status(200);
    assert!(
        post.text().contains("the quick brown fox"),
        "{}",
        post.text()
    );
    assert!(post.select("h1").iter().any(|h| h.text == "Changing"));
    assert_eq!(revision_ids(&author, &slug).len(), 4);

    // Others see neither the list nor the button.
    let other = server.author("other@blog.example");
    other
        .get(&format!("/posts/{slug}/revisions"))
        .assert_status(403);
    server
        .anonymous()
        .get(&format!("/posts/{slug}/revisions"))
        .assert_status_in(&[303, 403]);
}

#[test]
fn an_image_only_a_kept_revision_shows_survives_the_gc_and_goes_with_the_post() {
    let server = Site::new().env("BLOG_MEDIA_GC_GRACE", "0s").start();
    let author = server.author("writer@blog.example");
    let image = uploaded_url(&author, "small.png", SMALL_PNG);
    let slug = author.create_post(
        "Pictured",
        &format!("<p>Look</p><p><img src=\"{image}\"></p>"),
    );
    author.publish(&slug);
    // The image leaves the body but stays in the first revision.
    save(&author, &slug, "body", "<p>No picture now</p>").assert_status(303);
    let file = server
        .path()
        .join("blog-data/media")
        .join(image.trim_start_matches("/media/"));
    assert!(file.exists(), "kept for the revision that shows it");
    server
        .cli_env(&["media", "gc"], &[("BLOG_MEDIA_GC_GRACE", "0s")])
        .success();
    assert!(file.exists(), "the GC counts kept revisions as users");
    server.anonymous().get(&image).assert_status(200);

    author.delete_post(&slug).assert_status(303);
    assert!(
        !file.exists(),
        "deleting the post deletes its revisions and their images"
    );
}

#[test]
fn autosave_saves_a_draft_and_a_stale_tab_gets_409_with_both_versions() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Draft", "<p>first words</p>");
    let editor = author
        .get(&format!("/posts/{slug}/edit"))
        .assert_status(200);
    let form = &editor.select("form.post-form")[0];
    assert_eq!(
        form.attr("data-autosave-url"),
        Some(format!("/posts/{slug}/autosave").as_str())
    );
    let revision = editor.select("input[name=revision]")[0]
        .attr("value")
        .expect("a revision")
        .to_owned();
    let token = author.csrf_token();
    let autosave = |body: &str, revision: &str| {
        author.post_multipart(
            &format!("/posts/{slug}/autosave"),
            &[
                ("title", "Draft"),
                ("body", body),
                ("tags", ""),
                ("publish_at", ""),
                ("revision", revision),
            ],
            &[],
            &[("x-csrf-token", &token)],
        )
    };

    // Tab one saves in the background.
    let saved = autosave("<p>tab one's words</p>", &revision).assert_status(200);
    let answer: serde_json::Value = serde_json::from_str(&saved.body).expect("JSON");
    let next = answer["revision"].as_i64().expect("a revision number");
    assert!(next > revision.parse::<i64>().expect("a number"));
    assert!(
        answer["saved_at"].as_str().is_some_and(|t| t.len() == 5),
        "{answer}"
    );
    let draft = author.get(&format!("/posts/{slug}")).assert_status(200);
    assert!(draft.text().contains("tab one's words"));

    // Tab two, opened before that save, is refused, and nothing of tab one is lost.
    let stale = autosave("<p>tab two's words</p>", &revision).assert_status(409);
    let answer: serde_json::Value = serde_json::from_str(&stale.body).expect("JSON");
    assert!(answer["body"]
        .as_str()
        .is_some_and(|b| b.contains("tab one's words")));
    let draft = author.get(&format!("/posts/{slug}")).assert_status(200);
    assert!(draft.text().contains("tab one's words"));

    // Its Save button gets the 409 page with both versions, the typed one in the form.
    let conflict = author
        .get(&format!("/posts/{slug}/edit"))
        .form(&format!("form[action=\"/posts/{slug}/edit\"]"))
        .fill("revision", &revision)
        .fill("body", "<p>tab two's words</p>")
        .submit()
        .assert_status(409);
    assert!(conflict.select("#theirs")[0]
        .text
        .contains("tab one's words"));
    assert!(conflict.select("textarea[name=body]")[0]
        .text
        .contains("tab two's words"));
    // Saved again from that page, the merged text goes through.
    conflict
        .form(&format!("form[action=\"/posts/{slug}/edit\"]"))
        .fill("body", "<p>tab one's words and tab two's words</p>")
        .submit()
        .assert_status(303);
    let draft = author.get(&format!("/posts/{slug}")).assert_status(200);
    assert!(draft.text().contains("tab one's words and tab two's words"));

    // A minute of autosaves is one revision; without a token nothing is saved.
    let before = revision_ids(&author, &slug).len();
    let editor = author.get(&format!("/posts/{slug}/edit"));
    let current = editor.select("input[name=revision]")[0]
        .attr("value")
        .expect("a revision")
        .to_owned();
    assert!(current.parse::<i64>().expect("a number") > next);
    autosave("<p>more</p>", &current).assert_status(200);
    assert_eq!(revision_ids(&author, &slug).len(), before, "folded");
    let forged = author.post_multipart(
        &format!("/posts/{slug}/autosave"),
        &[("title", "Forged"), ("body", "<p>x</p>"), ("revision", "")],
        &[],
        &[],
    );
    assert_eq!(forged.status, 403);
    assert!(
        forged.body.contains("\"error\""),
        "JSON for the editor: {}",
        forged.body
    );
}

#[test]
fn a_preview_link_shows_the_draft_unindexed_and_uncached_until_revoked() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Secret plans", "<p>For your eyes</p>");
    let made = author
        .get(&format!("/posts/{slug}/edit"))
        .form(&format!("form[action=\"/posts/{slug}/preview-link\"]"))
        .submit()
        .assert_status(200);
    let url = made.select("#preview-link code")[0].text.clone();
    let path = crate::support::path_of(&url);
    assert!(path.starts_with("/preview/"), "{url}");

    let friend = server.anonymous();
    friend.get(&format!("/posts/{slug}")).assert_status(404);
    let shown = friend.get(&path).assert_status(200);
    assert!(shown.text().contains("For your eyes"));
    assert_eq!(shown.header("cache-control"), Some("private, no-store"));
    assert_eq!(shown.header("x-robots-tag"), Some("noindex, nofollow"));
    assert!(shown.has("meta[name=robots][content*=noindex]"));
    friend.get("/preview/not-a-real-token").assert_status(404);

    author
        .get(&format!("/posts/{slug}/edit"))
        .form(&format!(
            "form[action=\"/posts/{slug}/preview-link/revoke\"]"
        ))
        .submit()
        .assert_status(303);
    friend.get(&path).assert_status(404);
    // Someone else's draft cannot be given a link.
    let other = server.author("other@blog.example");
    let token = other.csrf_token();
    other
        .post(
            &format!("/posts/{slug}/preview-link"),
            &[("csrf_token", &token)],
        )
        .assert_status(404);
}

#[test]
fn a_post_keeps_its_last_fifty_revisions() {
    let server = TestServer::start();
    let author = server.author("writer@blog.example");
    let slug = author.create_post("Often saved", "<p>Save 0</p>");
    author.publish(&slug);
    // Each save of a published post is a revision of its own: 1 + 55 of them.
    for n in 1..=55 {
        save(&author, &slug, "body", &format!("<p>Save {n}</p>")).assert_status(303);
    }
    let ids = revision_ids(&author, &slug);
    assert_eq!(ids.len(), 50, "the newest 50 (all of today): {}", ids.len());
    let page = author
        .get(&format!(
            "/posts/{slug}/revisions?from={}&to={}",
            ids[49], ids[0]
        ))
        .assert_status(200);
    // The oldest kept says "Save 6" (1 + 55 saves, 50 kept), the newest "Save 55".
    let (removed, added) = changes(&page);
    assert_eq!(
        (removed, added),
        (vec!["6".to_string()], vec!["55".to_string()])
    );
}
