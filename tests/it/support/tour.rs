//! A blog with something on every page, and the list of its page types: the walk
//! that the markup checks (one `h1`, the Nu Html Checker) and the screenshots take.

use super::{Client, Site, TestServer};

const WIDE_PNG: &[u8] = include_bytes!("../../fixtures/wide.png");
const PHOTO_WEBP: &[u8] = include_bytes!("../../fixtures/photo.webp");

/// Who looks at a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Visitor,
    Reader,
    Author,
    Admin,
}

/// One page type: a name for reports and file names, who opens it, where, and the
/// status it answers.
#[derive(Debug, Clone)]
pub struct Stop {
    pub name: &'static str,
    pub who: Who,
    pub path: String,
    pub status: u16,
}

pub struct Tour {
    /// The blog being toured; it stops when the tour is dropped.
    pub server: TestServer,
    pub visitor: Client,
    pub reader: Client,
    pub author: Client,
    pub admin: Client,
    pub stops: Vec<Stop>,
}

impl Tour {
    /// `host:port` of the blog, for a browser.
    pub fn address(&self) -> String {
        self.server.address()
    }

    pub fn client(&self, who: Who) -> &Client {
        match who {
            Who::Visitor => &self.visitor,
            Who::Reader => &self.reader,
            Who::Author => &self.author,
            Who::Admin => &self.admin,
        }
    }
}

/// Uploads an image as the editor does; its `/media/` URL.
fn upload(client: &Client, name: &str, bytes: &[u8]) -> String {
    let token = client.csrf_token();
    let answer = client.post_multipart(
        "/uploads",
        &[],
        &[("file", name, bytes)],
        &[("x-csrf-token", &token)],
    );
    assert_eq!(answer.status, 200, "upload {name}: {}", answer.body);
    let json: serde_json::Value = serde_json::from_str(&answer.body).expect("JSON");
    json["url"].as_str().expect("a url").to_owned()
}

/// A blog with two pages of posts (two a page), a post with images, a list, a link,
/// tags and comments, a standalone page in the menu, a draft with revisions, a pending
/// invitation, and open registration; every page type as the person who would see it.
pub fn tour() -> Tour {
    let server = Site::new()
        .open_registration()
        .env("BLOG_SITE_POSTS_PER_PAGE", "2")
        .start();
    let admin = server.admin();
    let author = server.author("writer@blog.example");
    let reader = server.reader("reader@blog.example");
    let visitor = server.anonymous();

    for title in ["Notes from the workshop", "A second look at the hills"] {
        let slug = author.create_post(title, "<p>Short notes on a long day.</p>");
        author.publish(&slug);
    }
    let wide = upload(&author, "wide.png", WIDE_PNG);
    let photo = upload(&author, "photo.webp", PHOTO_WEBP);
    let body = format!(
        "<p>We walked along the river from the old mill to the bridge, \
         an afternoon of <strong>light</strong> and <em>wind</em>.</p>\
         <h2>What we saw</h2>\
         <ul><li>Herons by the weir</li><li>An otter, briefly</li></ul>\
         <p><img src=\"{wide}\" alt=\"The river at the weir, wide and grey\"></p>\
         <p>More on <a href=\"https://example.com/rivers\">the rivers of the valley</a>.</p>\
         <p><img src=\"{photo}\" alt=\"A heron standing in shallow water\"></p>"
    );
    let slug = author.create_post("A walk by the river", &body);
    author
        .edit_post(&slug, "tags", "walks, rivers, outdoors")
        .assert_status(303);
    author.publish(&slug);
    let comment = reader
        .get(&format!("/posts/{slug}"))
        .form(&format!("form[action=\"/posts/{slug}/comments\"]"))
        .fill(
            "body",
            "Lovely walk. Which bridge was it? https://example.com/bridges",
        )
        .submit()
        .assert_status(303)
        .location();
    let comment_id = comment
        .rsplit_once("#comment-")
        .map(|(_, id)| id.to_owned())
        .expect("a comment anchor");

    let draft = author.create_post("An unfinished thought", "<p>First words.</p>");
    author
        .edit_post(&draft, "body", "<p>First words, then more.</p>")
        .assert_status(303);

    let about = admin
        .get("/pages/new")
        .form("form[action=\"/pages/new\"]")
        .fill("title", "About")
        .fill("body", "<p>A blog about walks.</p>")
        .submit()
        .assert_status(303)
        .location();
    let about = about.trim_start_matches("/pages/").to_owned();
    admin
        .get(&format!("/pages/{about}"))
        .form(&format!("form[action=\"/posts/{about}/publish\"]"))
        .submit()
        .assert_status(303);

    // A pending invitation: the users page lists it, with the page that asks
    // before revoking it.
    admin
        .get("/admin/users")
        .form("form#invite")
        .fill("email", "guest@blog.example")
        .fill("role", "author")
        .submit()
        .assert_status(200);

    let author_path = author
        .get(&format!("/posts/{slug}"))
        .select(".byline a.author")
        .first()
        .and_then(|a| a.attr("href").map(str::to_owned))
        .expect("a byline link");

    let stop = |name, who, path: &str, status| Stop {
        name,
        who,
        path: path.to_owned(),
        status,
    };
    use Who::*;
    let stops = vec![
        stop("home", Visitor, "/", 200),
        stop("home-page-2", Visitor, "/?page=2", 200),
        stop("post", Visitor, &format!("/posts/{slug}"), 200),
        stop("post-as-author", Author, &format!("/posts/{slug}"), 200),
        stop("page", Visitor, &format!("/pages/{about}"), 200),
        stop("tag", Visitor, "/tags/walks", 200),
        stop("author", Visitor, &author_path, 200),
        stop("search", Visitor, "/search?q=river", 200),
        stop("login", Visitor, "/accounts/login", 200),
        stop("signup", Visitor, "/accounts/signup", 200),
        stop("profile", Reader, "/accounts/profile", 200),
        stop("password", Reader, "/accounts/password", 200),
        stop("two-factor", Reader, "/accounts/two-factor", 200),
        stop("drafts", Author, "/drafts", 200),
        stop("editor-new", Author, "/posts/new", 200),
        stop("editor-edit", Author, &format!("/posts/{draft}/edit"), 200),
        stop("editor-page", Admin, "/pages/new", 200),
        stop(
            "revisions",
            Author,
            &format!("/posts/{draft}/revisions"),
            200,
        ),
        stop(
            "delete-post",
            Author,
            &format!("/posts/{draft}/delete"),
            200,
        ),
        stop(
            "delete-comment",
            Author,
            &format!("/comments/{comment_id}/delete"),
            200,
        ),
        stop(
            "close-comments",
            Author,
            &format!("/posts/{slug}/comments/close"),
            200,
        ),
        stop("admin", Admin, "/admin", 200),
        stop("admin-posts", Admin, "/admin/posts", 200),
        stop("admin-users", Admin, "/admin/users", 200),
        stop(
            "revoke-invitation",
            Admin,
            "/admin/invitations/guest@blog.example/revoke",
            200,
        ),
        stop("admin-comments", Admin, "/admin/comments", 200),
        stop("admin-media", Admin, "/admin/media", 200),
        stop("admin-menu", Admin, "/admin/menu", 200),
        stop("not-found", Visitor, "/posts/no-such-post", 404),
        stop("forbidden", Reader, "/admin", 403),
    ];
    Tour {
        server,
        visitor,
        reader,
        author,
        admin,
        stops,
    }
}
