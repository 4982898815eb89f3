//! One door for every write (`src/actions/`): whether a change comes from the author's
//! own buttons, from the admin pages or from `blog` on the command line, it does the
//! same thing: the same rows, the same audit entry (only the actor differs), the same
//! media files released.

use std::path::PathBuf;

use crate::media::uploaded_url;
use crate::support::{AuditRow, Client, Site, TestServer};

const SMALL_PNG: &[u8] = include_bytes!("../fixtures/small.png");

/// Who pressed: the three doors to the same actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Door {
    /// The author's own button on the post page.
    Author,
    /// The admin page's button, which posts to the same route with `next`.
    Admin,
    /// `blog …` on the server's machine.
    Cli,
}

const DOORS: [Door; 3] = [Door::Author, Door::Admin, Door::Cli];

struct Blog {
    server: TestServer,
    admin: Client,
    author: Client,
}

fn blog(site: Site) -> Blog {
    let server = site.config("[comments]\nmoderation = true\n").start();
    let admin = server.admin();
    let author = server.author("writer@blog.example");
    Blog {
        server,
        admin,
        author,
    }
}

impl Blog {
    /// The rows the last `n` actions wrote, with who wrote them.
    fn last_rows(&self, n: usize) -> Vec<AuditRow> {
        let rows = self.server.audit_rows();
        rows[rows.len() - n..].to_vec()
    }

    fn actor(&self, door: Door) -> &'static str {
        match door {
            Door::Author => "writer@blog.example",
            Door::Admin => "admin@blog.example",
            Door::Cli => "cli",
        }
    }

    /// Changes an account through `door`: the admin page's form that posts to
    /// `/admin/users/{id}/{verb}` (filled with `fields`), or `blog users ARGS…`.
    fn change_account(
        &self,
        door: Door,
        email: &str,
        verb: &str,
        fields: &[(&str, &str)],
        args: &[&str],
    ) {
        if door == Door::Cli {
            let args: Vec<&str> = std::iter::once("users")
                .chain(args.iter().copied())
                .collect();
            self.server.cli(&args).success();
            return;
        }
        let page = self.admin.get("/admin/users").assert_status(200);
        let rows = page.select("tr.admin-user");
        let row = rows
            .iter()
            .find(|row| row.text.contains(email))
            .expect("listed");
        let id = row.attr("data-id").expect("a data-id");
        let mut form = page.form(&format!("form[action=\"/admin/users/{id}/{verb}\"]"));
        for (name, value) in fields {
            form = form.fill(name, value);
        }
        form.submit().assert_status(303);
    }

    fn media_file(&self, url: &str) -> PathBuf {
        let path = url.strip_prefix("/media/").expect("a /media/ URL");
        self.server.path().join("blog-data/media").join(path)
    }

    /// Presses the post button `verb` (publish, unpublish, delete) through `door`.
    fn post_button(&self, door: Door, slug: &str, verb: &str) {
        match door {
            Door::Author if verb == "delete" => {
                self.author.delete_post(slug).assert_status(303);
            }
            Door::Author => {
                self.author.post_action(slug, verb).assert_status(303);
            }
            // Delete… leads to the post's page that asks, which comes back here.
            Door::Admin if verb == "delete" => {
                let asking = format!("/posts/{slug}/delete?next=/admin/posts");
                assert!(self
                    .admin
                    .get("/admin/posts")
                    .has(&format!("a[href=\"{asking}\"]")));
                let answer = self.admin.confirm(&asking).assert_status(303);
                assert_eq!(answer.location(), "/admin/posts", "back to the admin page");
            }
            Door::Admin => {
                let answer = self
                    .admin
                    .get("/admin/posts")
                    .assert_status(200)
                    .form(&format!("form[action=\"/posts/{slug}/{verb}\"]"))
                    .submit()
                    .assert_status(303);
                assert_eq!(answer.location(), "/admin/posts", "back to the admin page");
            }
            Door::Cli => {
                let mut args = vec!["posts", verb, slug];
                if verb == "delete" {
                    args.push("--yes");
                }
                self.server.cli(&args).success();
            }
        }
    }
}

#[test]
fn publishing_unpublishing_and_deleting_a_post_is_the_same_from_every_door() {
    let blog = blog(Site::new());
    let visitor = blog.server.anonymous();
    // One post per door, each showing an image of its own.
    let posts: Vec<(Door, String, String)> = DOORS
        .iter()
        .map(|&door| {
            let image = uploaded_url(&blog.author, "small.png", SMALL_PNG);
            let title = format!("Through {door:?}");
            let slug = blog
                .author
                .create_post(&title, &format!("<p>Hi</p><p><img src=\"{image}\"></p>"));
            (door, slug, image)
        })
        .collect();

    for verb in ["publish", "unpublish", "delete"] {
        for (door, slug, _) in &posts {
            blog.post_button(*door, slug, verb);
        }
        let rows = blog.last_rows(posts.len());
        for ((door, slug, _), row) in posts.iter().zip(&rows) {
            let expected = AuditRow {
                actor: blog.actor(*door).to_owned(),
                action: format!("post.{verb}"),
                target: format!("Through {door:?}"),
                detail: slug.clone(),
            };
            assert_eq!(row, &expected, "{verb} through {door:?}");
            let shown = visitor.get(&format!("/posts/{slug}")).status;
            let expected_status = if verb == "publish" { 200 } else { 404 };
            assert_eq!(shown, expected_status, "{verb} through {door:?}");
        }
    }
    // Deleting released each post's image, whoever deleted it.
    for (door, slug, image) in &posts {
        assert!(!blog.media_file(image).exists(), "{door:?} left {image}");
        blog.admin.get(&format!("/posts/{slug}")).assert_status(404);
        visitor.get(image).assert_status(404);
    }
}

#[test]
fn moderating_a_comment_is_the_same_from_the_post_page_and_the_admin_page() {
    let blog = blog(Site::new());
    let reader = blog.server.reader("reader@blog.example");
    let slug = blog
        .author
        .create_post("Talk to me", "<p>Say something</p>");
    blog.author.publish(&slug);
    let comment = |body: &str| {
        reader
            .get(&format!("/posts/{slug}"))
            .form(&format!("form[action=\"/posts/{slug}/comments\"]"))
            .fill("body", body)
            .submit()
            .assert_status(303);
        let ids = waiting_ids(&blog.admin);
        ids.last().expect("the comment waits").clone()
    };
    let visitor = blog.server.anonymous();

    for verb in ["approve", "hide", "delete"] {
        let mut rows = Vec::new();
        for door in [Door::Author, Door::Admin] {
            let id = comment(&format!("{verb} through {door:?}"));
            // Hidden and deleted comments were approved first, so a reader saw them.
            if verb != "approve" {
                blog.author
                    .get(&format!("/posts/{slug}"))
                    .form(&format!("form[action=\"/comments/{id}/approve\"]"))
                    .submit()
                    .assert_status(303);
            }
            match door {
                // Delete… leads to the page that asks; its button deletes.
                _ if verb == "delete" => {
                    let client = if door == Door::Author {
                        &blog.author
                    } else {
                        &blog.admin
                    };
                    client
                        .confirm(&format!("/comments/{id}/delete"))
                        .assert_status(303);
                }
                Door::Author => {
                    blog.author
                        .get(&format!("/posts/{slug}"))
                        .form(&format!("form[action=\"/comments/{id}/{verb}\"]"))
                        .submit()
                        .assert_status(303);
                }
                _ => {
                    let page = if verb == "approve" {
                        "/admin/comments".to_owned()
                    } else {
                        format!("/posts/{slug}")
                    };
                    let answer = blog
                        .admin
                        .get(&page)
                        .form(&format!("form[action=\"/comments/{id}/{verb}\"]"))
                        .submit()
                        .assert_status(303);
                    if verb == "approve" {
                        assert_eq!(answer.location(), "/admin/comments");
                    }
                }
            }
            rows.push((door, id, blog.last_rows(1).remove(0)));
        }
        let shown = visitor.get(&format!("/posts/{slug}")).text();
        for (door, id, row) in rows {
            assert_eq!(
                (row.actor.as_str(), row.action.as_str(), row.target.as_str()),
                (blog.actor(door), &*format!("comment.{verb}"), "Talk to me"),
                "{verb} through {door:?}"
            );
            assert_eq!(row.detail, format!("#{id}"));
            assert_eq!(
                shown.contains(&format!("{verb} through {door:?}")),
                verb == "approve",
                "{verb} through {door:?}: {shown}"
            );
        }
    }
}

fn waiting_ids(admin: &Client) -> Vec<String> {
    admin
        .get("/admin/comments")
        .assert_status(200)
        .select("[id^=\"comment-\"]")
        .into_iter()
        .filter_map(|c| {
            c.attr("id")
                .map(|id| id.trim_start_matches("comment-").to_owned())
        })
        .collect()
}

#[test]
fn changing_an_account_is_the_same_from_the_admin_page_and_the_cli() {
    let blog = blog(Site::new());
    let people: Vec<(Door, &str, Client)> = [
        (Door::Admin, "by-admin@blog.example"),
        (Door::Cli, "by-cli@blog.example"),
    ]
    .into_iter()
    .map(|(door, email)| (door, email, blog.server.reader(email)))
    .collect();
    for (door, email, client) in &people {
        blog.change_account(
            *door,
            email,
            "role",
            &[("role", "author")],
            &["set-role", email, "author"],
        );
        let row = blog.last_rows(1).remove(0);
        assert_eq!(
            row,
            AuditRow {
                actor: blog.actor(*door).to_owned(),
                action: "user.role".into(),
                target: email.to_string(),
                detail: "reader → author".into(),
            }
        );
        client.get("/posts/new").assert_status(200);
    }

    for (door, email, client) in &people {
        blog.change_account(*door, email, "deactivate", &[], &["deactivate", email]);
        let row = blog.last_rows(1).remove(0);
        assert_eq!(
            (row.actor.as_str(), row.action.as_str(), row.target.as_str()),
            (blog.actor(*door), "user.deactivate", *email)
        );
        assert!(!client.is_signed_in(), "{door:?}: the sessions end");
    }
}

#[test]
fn the_media_gc_frees_the_same_files_and_logs_the_same_from_the_admin_page_and_the_cli() {
    let blog = blog(Site::new().env("BLOG_MEDIA_GC_GRACE", "0s"));
    let media = blog.server.path().join("blog-data/media/uploads/2020/01");
    std::fs::create_dir_all(&media).expect("a media folder");
    for door in [Door::Admin, Door::Cli] {
        let planted = media.join(format!("stray-{door:?}.jpg"));
        std::fs::write(&planted, b"left behind by a crash").expect("planted");
        match door {
            Door::Admin => {
                blog.admin
                    .get("/admin/media")
                    .form("form[action=\"/admin/media/gc\"]")
                    .submit()
                    .assert_status(200);
            }
            _ => {
                blog.server
                    .cli_env(&["media", "gc"], &[("BLOG_MEDIA_GC_GRACE", "0s")])
                    .success();
            }
        }
        assert!(!planted.exists(), "{door:?} deleted the orphan");
        let row = blog.last_rows(1).remove(0);
        assert_eq!(
            row,
            AuditRow {
                actor: blog.actor(door).to_owned(),
                action: "media.gc".into(),
                target: "media".into(),
                detail: "1 file, 22 bytes".into(),
            }
        );
    }
}
