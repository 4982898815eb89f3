//! Claims the README makes that no other test checked: slugs are unique (`-2`, `-3`)
//! and stay when the title changes; 20 failed logins from one client address within
//! 15 minutes refuse logins from that address, for every account.

use crate::support::{TestServer, LOGIN_FORM, PASSWORD};

#[test]
fn posts_with_the_same_title_get_slugs_ending_2_and_3_and_keep_them() {
    let server = TestServer::start();
    let author = server.author("author@blog.example");
    let slugs: Vec<String> = ["Same title", "Same title", "Same  Title!"]
        .into_iter()
        .map(|title| author.create_post(title, &format!("<p>{title}</p>")))
        .collect();
    assert_eq!(slugs, ["same-title", "same-title-2", "same-title-3"]);
    for slug in &slugs {
        author.publish(slug);
    }
    // Each address shows its own post.
    let visitor = server.anonymous();
    for (slug, body) in slugs
        .iter()
        .zip(["Same title", "Same title", "Same  Title!"])
    {
        let page = visitor.get(&format!("/posts/{slug}")).assert_status(200);
        assert!(page.body.contains(&format!("<p>{body}</p>")), "{slug}");
    }

    // A new title keeps the slug, so the next post of the old title still counts on.
    author
        .edit_post("same-title", "title", "Another title")
        .assert_status(303);
    visitor.get("/posts/same-title").assert_status(200);
    visitor.get("/posts/another-title").assert_status(404);
    let fourth = author.create_post("Same title", "<p>fourth</p>");
    assert_eq!(fourth, "same-title-4");
}

#[test]
fn twenty_failed_logins_from_one_address_refuse_every_account_there() {
    let server = TestServer::start();
    server.create_user("target@blog.example", "author");
    server.create_user("neighbour@blog.example", "author");
    let address = "198.51.100.40";
    // 19 failures, each for another (unknown) account: no account reaches its own
    // limit of 5, so only the address's count can refuse.
    for n in 1..=19 {
        let page = server
            .anonymous()
            .via_proxy_from(address)
            .login(&format!("guess{n}@blog.example"), "wrong password");
        assert_eq!(page.status, 422, "failure {n} is an ordinary refusal");
    }
    // The 20th is still only a refusal: the limit is 20 failures, not 19.
    let page = server
        .anonymous()
        .via_proxy_from(address)
        .login("target@blog.example", "wrong password");
    assert_eq!(page.status, 422, "failure 20: {}", page.text());

    // Now the right password for an account with a single failure is refused there...
    let client = server.anonymous().via_proxy_from(address);
    let page = client.login("neighbour@blog.example", PASSWORD);
    assert_eq!(page.status, 429, "{}", page.text());
    assert!(page.has(LOGIN_FORM), "the 429 page keeps the form");
    assert!(!client.is_signed_in());
    let page = client.login("target@blog.example", PASSWORD);
    assert_eq!(page.status, 429, "{}", page.text());

    // ...while the same accounts sign in from another address.
    server
        .anonymous()
        .via_proxy_from("198.51.100.41")
        .sign_in("neighbour@blog.example", PASSWORD);
    server
        .anonymous()
        .via_proxy_from("198.51.100.41")
        .sign_in("target@blog.example", PASSWORD);
}
