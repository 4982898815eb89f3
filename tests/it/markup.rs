//! The markup of every page type (see `support::tour`): one `h1`, a skip link to
//! `main`, a heading in every section and article, and no error from the Nu Html
//! Checker (npm `vnu-jar`, a current release, run with Debian's Java; `.ci/run`
//! installs both, and under `CI=true` a missing one fails the test).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::tour::{tour, Tour};
use crate::support::Page;

/// Where `.ci/run` puts the checker (`npm i --prefix target/tools-npm vnu-jar@…`).
const VNU_JAR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/tools-npm/node_modules/vnu-jar/build/dist/vnu.jar"
);

/// Every stop of the tour, fetched by the person who would see it, with the status
/// it must answer.
fn pages(tour: &Tour) -> Vec<(&'static str, Page)> {
    tour.stops
        .iter()
        .map(|stop| {
            let page = tour
                .client(stop.who)
                .get(&stop.path)
                .assert_status(stop.status);
            (stop.name, page)
        })
        .collect()
}

#[test]
fn every_page_has_one_h1_a_skip_link_and_a_heading_in_each_section() {
    let tour = tour();
    println!("touring {}", tour.address());
    for (name, page) in pages(&tour) {
        assert_eq!(
            page.select("h1").len(),
            1,
            "one h1 on {name} ({})",
            page.url
        );
        let links = page.select("body a[href]");
        assert_eq!(
            links.first().and_then(|a| a.attr("href")),
            Some("#main"),
            "the first link of {name} skips to the content"
        );
        assert!(page.has("main#main"), "{name} has main#main");
        for css in ["section", "article"] {
            for node in page.select(css) {
                let html = &node.inner_html;
                assert!(
                    ["<h1", "<h2", "<h3", "<h4"]
                        .iter()
                        .any(|h| html.contains(h)),
                    "a {css} without a heading on {name}: {html}"
                );
            }
        }
    }
}

#[test]
fn comments_have_headings_and_tags_are_a_list_of_links() {
    let tour = tour();
    let post = tour
        .stops
        .iter()
        .find(|s| s.name == "post")
        .expect("a post stop");
    let page = tour.visitor.get(&post.path).assert_status(200);
    let names = page.select("#comments article.comment h3");
    assert_eq!(names.len(), 1, "the comment is headed by its writer");
    assert_eq!(names[0].text, "reader");
    let tags: Vec<String> = page
        .select("article.post ul.tags li a[rel=tag]")
        .into_iter()
        .map(|a| a.text)
        .collect();
    assert_eq!(tags, ["#outdoors", "#rivers", "#walks"]);
}

/// The checker, or `None` (skipped) on a developer's machine without it; under
/// `CI=true` its absence fails the test.
fn vnu() -> Option<(PathBuf, PathBuf)> {
    let java = ["/usr/bin/java", "/usr/lib/jvm/default-java/bin/java"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists());
    let jar = Path::new(VNU_JAR);
    match (java, jar.exists()) {
        (Some(java), true) => Some((java, jar.to_owned())),
        _ if std::env::var("CI").as_deref() == Ok("true") => panic!(
            "the Nu Html Checker needs Java and {VNU_JAR}: .ci/run installs \
             default-jre-headless and npm vnu-jar"
        ),
        _ => {
            println!("skipped: Java or vnu-jar not installed (see .ci/run)");
            None
        }
    }
}

/// The checker's messages for some HTML files: (file, type, message, extract).
pub(crate) fn check_files(files: &[PathBuf]) -> Option<Vec<(String, String, String, String)>> {
    let (java, jar) = vnu()?;
    let output = Command::new(java)
        .arg("-jar")
        .arg(jar)
        .args(["--format", "json", "--exit-zero-always"])
        .args(files)
        .output()
        .expect("the Nu Html Checker runs");
    // It writes its JSON report to stderr.
    let report: serde_json::Value = serde_json::from_slice(&output.stderr).unwrap_or_else(|err| {
        panic!(
            "the checker's report is JSON ({err}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let messages = report["messages"].as_array().cloned().unwrap_or_default();
    Some(
        messages
            .iter()
            .map(|m| {
                let text = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
                let file = text("url");
                let file = file.rsplit('/').next().unwrap_or_default().to_owned();
                let kind = match (text("type").as_str(), text("subType").as_str()) {
                    (_, "warning") => "warning".to_owned(),
                    (kind, _) => kind.to_owned(),
                };
                (file, kind, text("message"), text("extract"))
            })
            .collect(),
    )
}

#[test]
fn every_page_type_passes_the_nu_html_checker() {
    if vnu().is_none() {
        return;
    }
    let tour = tour();
    let dir = tempfile::tempdir().expect("a folder for the pages");
    let mut files: Vec<PathBuf> = pages(&tour)
        .into_iter()
        .map(|(name, page)| {
            let file = dir.path().join(format!("{name}.html"));
            std::fs::write(&file, &page.body).expect("write the page");
            file
        })
        .collect();
    // A page with a known error: the checker must see it, or it checked nothing.
    let canary = dir.path().join("canary.html");
    std::fs::write(
        &canary,
        "<!DOCTYPE html><html lang=en><title>x</title><div><li>not in a list</li></div>",
    )
    .expect("write the canary");
    files.push(canary);
    let messages = check_files(&files).expect("the checker is there");
    let (canary, messages): (Vec<_>, Vec<_>) =
        messages.into_iter().partition(|m| m.0 == "canary.html");
    assert!(
        canary.iter().any(|m| m.1 == "error"),
        "the checker reports the canary's error: {canary:?}"
    );
    let errors: Vec<_> = messages
        .iter()
        .filter(|m| m.1 != "warning" && m.1 != "info")
        .collect();
    assert!(
        errors.is_empty(),
        "the Nu Html Checker found errors: {errors:#?}"
    );
    // Warnings are printed for the record (`cargo test -- --nocapture`).
    for warning in messages.iter().filter(|m| m.1 == "warning") {
        println!("vnu warning: {warning:?}");
    }
}
