//! The command line: `init`, `check`, config errors, and `users list`.

use crate::support::{Output, Site, TestServer};

/// Exit code 2 and exactly one stderr line naming both the key and `blog.toml`.
#[track_caller]
fn assert_config_error(output: &Output, key: &str) {
    assert_eq!(
        output.status.code(),
        Some(2),
        "bad config exits 2; stderr: {}",
        output.stderr
    );
    let lines: Vec<&str> = output
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "one line on stderr, got {:?}",
        output.stderr
    );
    assert!(
        lines[0].contains(key),
        "the line names the key {key}: {}",
        lines[0]
    );
    assert!(
        lines[0].contains("blog.toml"),
        "the line names the file: {}",
        lines[0]
    );
    assert!(
        !output.stderr.contains("panicked"),
        "no panic: {}",
        output.stderr
    );
}

#[test]
fn init_writes_blog_toml_and_the_data_folder() {
    let site = Site::new();
    site.run(&["init"]).success();
    let config = std::fs::read_to_string(site.path().join("blog.toml")).expect("blog.toml written");
    assert!(
        config.contains("[site]") && config.contains("posts_per_page"),
        "the documented example: {config}"
    );
    assert!(
        site.path().join("blog-data").is_dir(),
        "the data folder is made"
    );
    site.run(&["check"]).success();
}

#[test]
fn second_init_exits_1_unless_forced() {
    let site = Site::new();
    site.run(&["init"]).success();
    let config = site.path().join("blog.toml");
    let edited = std::fs::read_to_string(&config).expect("blog.toml") + "\n# my own edit\n";
    std::fs::write(&config, &edited).expect("edit blog.toml");

    let again = site.run(&["init"]);
    assert_eq!(again.status.code(), Some(1), "stderr: {}", again.stderr);
    assert_eq!(
        again.stderr.trim().lines().count(),
        1,
        "one line: {:?}",
        again.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&config).expect("blog.toml"),
        edited,
        "left as it was"
    );

    site.run(&["init", "--force"]).success();
    assert!(
        !std::fs::read_to_string(&config)
            .expect("blog.toml")
            .contains("# my own edit"),
        "rewritten"
    );
}

#[test]
fn unknown_config_key_stops_serve_and_check_with_exit_2() {
    let site = Site::new().config("[site]\npost_per_page = 5\n");
    assert_config_error(&site.run(&["check"]), "post_per_page");
    assert_config_error(
        &site.run(&["serve", "--bind", "127.0.0.1:0"]),
        "post_per_page",
    );
}

#[test]
fn wrongly_typed_config_value_stops_serve_and_check_with_exit_2() {
    let site = Site::new().config("[site]\nposts_per_page = \"ten\"\n");
    assert_config_error(&site.run(&["check"]), "posts_per_page");
    assert_config_error(
        &site.run(&["serve", "--bind", "127.0.0.1:0"]),
        "posts_per_page",
    );
}

#[test]
fn unparsable_bind_address_stops_serve_and_check_with_exit_2() {
    let site = Site::new().config("[server]\nbind = \"not an address\"\n");
    assert_config_error(&site.run(&["check"]), "bind");
    assert_config_error(&site.run(&["serve"]), "bind");
}

#[test]
fn users_list_shows_every_user_with_their_role() {
    let server = TestServer::start();
    server.create_user("boss@blog.example", "admin");
    server.create_user("writer@blog.example", "author");
    server.create_user("fan@blog.example", "reader");

    let list = server.cli(&["users", "list"]).success().stdout;
    for (email, role) in [
        ("boss@blog.example", "admin"),
        ("writer@blog.example", "author"),
        ("fan@blog.example", "reader"),
    ] {
        let line = list
            .lines()
            .find(|l| l.contains(email))
            .unwrap_or_else(|| panic!("{email} listed: {list}"));
        assert!(line.contains(role), "{email} is {role}: {line}");
    }
}
