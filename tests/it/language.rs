//! `[site] language` and `[site] timezone`: the interface in Korean or English, dates
//! in the site's time zone written the language's way, feeds in RFC 3339.

use crate::support::{Site, TestServer};

fn korean_site() -> TestServer {
    Site::new()
        .env("BLOG_SITE_LANGUAGE", "ko")
        .env("BLOG_SITE_TIMEZONE", "Asia/Seoul")
        .start()
}

/// Today's date in `zone`, as `write` puts it; asked before and after an action so a
/// test running across midnight accepts either day.
fn today_in(zone: &str, write: fn(jiff::civil::Date) -> String) -> Vec<String> {
    let tz = jiff::tz::TimeZone::get(zone).unwrap();
    let now = jiff::Timestamp::now();
    let dates = [
        now - jiff::SignedDuration::from_secs(120),
        now + jiff::SignedDuration::from_secs(120),
    ];
    dates
        .iter()
        .map(|ts| write(ts.to_zoned(tz.clone()).date()))
        .collect()
}

#[test]
fn with_language_ko_the_login_page_and_its_errors_are_in_korean() {
    let server = korean_site();
    let page = server.anonymous().get("/accounts/login").assert_status(200);
    assert!(page.body.contains(r#"<html lang="ko">"#), "{}", page.body);
    assert_eq!(page.select("h1")[0].text, "로그인");
    let labels: Vec<String> = page.select("label").into_iter().map(|l| l.text).collect();
    assert_eq!(labels, ["이메일", "비밀번호"]);
    let text = page.text();
    for english in ["Log in", "Email", "Password", "Sign up"] {
        assert!(!text.contains(english), "{english:?} left in: {text}");
    }

    let client = server.anonymous();
    let refused = client.login("nobody@example.com", "wrong password!");
    assert!(
        refused
            .text()
            .contains("이메일 또는 비밀번호가 틀렸습니다."),
        "{}",
        refused.text()
    );

    let missing = server
        .anonymous()
        .get("/posts/no-such-post")
        .assert_status(404);
    assert!(
        missing.text().contains("찾을 수 없음"),
        "{}",
        missing.text()
    );
    assert!(
        missing.text().contains("첫 페이지로 돌아가기"),
        "{}",
        missing.text()
    );
}

#[test]
fn the_default_interface_is_english() {
    let server = TestServer::start();
    let page = server.anonymous().get("/accounts/login").assert_status(200);
    assert!(page.body.contains(r#"<html lang="en">"#));
    assert_eq!(page.select("h1")[0].text, "Log in");
}

#[test]
fn dates_are_shown_in_the_site_time_zone_in_the_languages_style_and_feeds_use_rfc_3339() {
    let server = korean_site();
    let author = server.author("kim@example.com");
    let slug = author.create_post("Seoul morning", "<p>어제 서울에서 친구를 만났습니다.</p>");
    author.publish(&slug);

    let expected = today_in("Asia/Seoul", |d| {
        format!("{}년 {}월 {}일", d.year(), d.month(), d.day())
    });
    let page = server
        .anonymous()
        .get(&format!("/posts/{slug}"))
        .assert_status(200);
    let shown = page.select("p.byline time")[0].text.clone();
    assert!(
        expected.contains(&shown),
        "shown {shown:?}, expected one of {expected:?}"
    );
    let datetime = page.select("p.byline time")[0]
        .attr("datetime")
        .unwrap()
        .to_owned();
    assert!(datetime.ends_with("+09:00"), "{datetime}");
    assert!(page.text().contains("1분 분량"), "{}", page.text());

    let feed = server.anonymous().get("/feed.xml").assert_status(200);
    let doc = roxmltree::Document::parse(&feed.body).unwrap();
    let updated: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("updated"))
        .filter_map(|n| n.text())
        .collect();
    assert!(!updated.is_empty());
    for time in updated {
        assert!(
            jiff::Timestamp::strptime("%Y-%m-%dT%H:%M:%S%:z", time).is_ok()
                || time.parse::<jiff::Timestamp>().is_ok(),
            "not RFC 3339: {time}"
        );
    }
}

#[test]
fn english_dates_spell_the_month() {
    let server = TestServer::start();
    let author = server.author("ann@example.com");
    let slug = author.create_post("Morning", "<p>Hello.</p>");
    author.publish(&slug);
    let expected = today_in("UTC", |d| {
        let month = jiff::fmt::strtime::format("%B", d).unwrap();
        format!("{month} {}, {}", d.day(), d.year())
    });
    let page = server.anonymous().get(&format!("/posts/{slug}"));
    let shown = page.select("p.byline time")[0].text.clone();
    assert!(
        expected.contains(&shown),
        "shown {shown:?}, expected one of {expected:?}"
    );
}

#[test]
fn the_admin_counts_files_in_korean_with_a_counter_word() {
    let server = Site::new()
        .env("BLOG_SITE_LANGUAGE", "ko")
        .env("BLOG_MEDIA_GC_GRACE", "0s")
        .start();
    let admin = server.admin();
    crate::admin::plant_orphan(&server);
    let dashboard = admin.get("/admin").assert_status(200);
    let counts = dashboard.select("#counts")[0].text.clone();
    // Korean has one form for every number, with the counter word 개: the orphan
    // is "파일 1개", the (empty) library "파일 0개".
    assert!(counts.contains("파일 1개, 22바이트"), "{counts}");
    assert!(counts.contains("파일 0개, 0바이트"), "{counts}");
    assert!(!counts.contains("files"), "{counts}");
}
