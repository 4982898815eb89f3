//! Finding a page's webmention endpoint (§3.1.2 of the spec): the first `Link` header
//! with `rel="webmention"`, else the first `<link>` or `<a>` element with that rel and an
//! `href`, in document order; relative addresses resolve against the page's URL after
//! redirects, an empty `href` is the page itself, and the endpoint's query is kept.
//!
//! The `Link` header is read here rather than with a crate: the ones on crates.io
//! strip every space from the header before splitting it, which turns
//! `rel="webmention other"` into one unknown word and cuts URLs that hold commas.

use url::Url;

use super::absolute;

/// The endpoint, from the page's final URL, its `Link` header values (in order), its
/// content type and body.
pub fn endpoint(
    page: &Url,
    link_headers: &[String],
    content_type: Option<&str>,
    body: &[u8],
) -> Option<Url> {
    let from_header = link_headers
        .iter()
        .find_map(|value| webmention_link(value).map(str::to_string));
    let href = match from_header {
        Some(href) => href,
        None if is_html(content_type) => from_html(&String::from_utf8_lossy(body))?,
        None => return None,
    };
    absolute(&href, Some(page))
}

fn is_html(content_type: Option<&str>) -> bool {
    // A page sent without a type is read as HTML, as a browser would.
    content_type.is_none_or(|t| {
        let t = t.to_ascii_lowercase();
        t.starts_with("text/html") || t.starts_with("application/xhtml+xml")
    })
}

/// The first `<link>` or `<a>` with `rel` holding `webmention` and an `href`.
fn from_html(html: &str) -> Option<String> {
    let document = scraper::Html::parse_document(html);
    let selector = scraper::Selector::parse("link[rel][href], a[rel][href]").ok()?;
    document
        .select(&selector)
        .filter(|element| element.value().attr("rel").is_some_and(has_webmention))
        .find_map(|element| element.value().attr("href").map(str::to_string))
}

/// Whether a `rel` value (space-separated, any case) names webmention.
fn has_webmention(rel: &str) -> bool {
    rel.split_ascii_whitespace()
        .any(|r| r.eq_ignore_ascii_case("webmention"))
}

/// The URI reference of the first link in one `Link` header value (RFC 8288:
/// `<uri>; param=value; param="quoted", <uri>; …`) whose rel names webmention.
fn webmention_link(value: &str) -> Option<&str> {
    let mut rest = value;
    loop {
        rest = rest.trim_start_matches(|c: char| c == ',' || c.is_whitespace());
        let open = rest.strip_prefix('<')?;
        let close = open.find('>')?;
        let target = &open[..close];
        rest = &open[close + 1..];
        let mut is_webmention = false;
        // Parameters up to the next link (a comma outside quotes) or the end.
        loop {
            rest = rest.trim_start();
            let Some(after) = rest.strip_prefix(';') else {
                break;
            };
            let (name, value, after) = parameter(after);
            rest = after;
            if name.eq_ignore_ascii_case("rel") && has_webmention(&value) {
                is_webmention = true;
            }
        }
        if is_webmention {
            return Some(target);
        }
        // Whatever is left of this link (nothing, if well-formed) up to its comma.
        if !rest.starts_with(',') {
            rest = &rest[rest.find(',')?..];
        }
    }
}

/// One `name=value` or `name="quoted value"` parameter; answers the name, the value
/// and what follows it.
fn parameter(text: &str) -> (&str, String, &str) {
    let text = text.trim_start();
    let name_end = text.find(['=', ';', ',']).unwrap_or(text.len());
    let name = text[..name_end].trim();
    let Some(after_equals) = text[name_end..].strip_prefix('=') else {
        return (name, String::new(), &text[name_end..]);
    };
    let after_equals = after_equals.trim_start();
    if let Some(quoted) = after_equals.strip_prefix('"') {
        let mut value = String::new();
        let mut chars = quoted.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, escaped)) = chars.next() {
                        value.push(escaped);
                    }
                }
                '"' => return (name, value, &quoted[i + 1..]),
                c => value.push(c),
            }
        }
        return (name, value, "");
    }
    let end = after_equals.find([';', ',']).unwrap_or(after_equals.len());
    (
        name,
        after_equals[..end].trim().to_string(),
        &after_equals[end..],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The discovery tests of https://webmention.rocks, each as that page serves it.
    fn found(page: &str, headers: &[&str], html: &str) -> Option<String> {
        let page = Url::parse(page).unwrap();
        let headers: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
        endpoint(
            &page,
            &headers,
            Some("text/html; charset=utf-8"),
            html.as_bytes(),
        )
        .map(String::from)
    }

    const PAGE: &str = "https://webmention.rocks/test/1";

    #[test]
    fn the_link_header_comes_first_relative_or_absolute() {
        // Tests 1, 2: a relative and an absolute URL in the header.
        assert_eq!(
            found(
                PAGE,
                &["</test/1/webmention?head=true>; rel=webmention"],
                ""
            ),
            Some("https://webmention.rocks/test/1/webmention?head=true".into())
        );
        assert_eq!(
            found(
                PAGE,
                &["<https://webmention.rocks/test/2/webmention?head=true>; rel=webmention"],
                ""
            ),
            Some("https://webmention.rocks/test/2/webmention?head=true".into())
        );
        // Test 8: the rel quoted; test 10: among other rel values.
        assert_eq!(
            found(
                PAGE,
                &[r#"<https://webmention.rocks/test/8/webmention>; rel="webmention""#],
                ""
            ),
            Some("https://webmention.rocks/test/8/webmention".into())
        );
        assert_eq!(
            found(
                PAGE,
                &[
                    r#"<https://webmention.rocks/test/10/webmention>; rel="webmention somethingelse""#
                ],
                ""
            ),
            Some("https://webmention.rocks/test/10/webmention".into())
        );
        // Test 11: the header wins over elements.
        assert_eq!(
            found(
                PAGE,
                &["</test/11/webmention/header>; rel=\"webmention\""],
                r#"<link rel="webmention" href="/test/11/webmention/link"><a rel="webmention" href="/test/11/webmention/a">a</a>"#
            ),
            Some("https://webmention.rocks/test/11/webmention/header".into())
        );
    }

    #[test]
    fn several_links_in_headers_are_told_apart() {
        // Test 18: two Link headers, the first for something else.
        assert_eq!(
            found(
                PAGE,
                &[
                    r#"<https://webmention.rocks/test/18/error>; rel="other""#,
                    r#"<https://webmention.rocks/test/18/webmention>; rel="webmention""#
                ],
                ""
            ),
            Some("https://webmention.rocks/test/18/webmention".into())
        );
        // Test 19: one header with several values.
        assert_eq!(
            found(
                PAGE,
                &[
                    r#"<https://webmention.rocks/test/19/error>; rel="other", <https://webmention.rocks/test/19/webmention>; rel="webmention""#
                ],
                ""
            ),
            Some("https://webmention.rocks/test/19/webmention".into())
        );
        // Test 12: only the exact rel counts.
        assert_eq!(
            found(
                PAGE,
                &[r#"<https://webmention.rocks/test/12/error>; rel="not-webmention""#],
                r#"<link rel="webmention" href="/test/12/webmention">"#
            ),
            Some("https://webmention.rocks/test/12/webmention".into())
        );
        // A comma inside a quoted parameter does not end the link.
        assert_eq!(
            found(PAGE, &[r#"</x>; title="a, b"; rel="webmention""#], ""),
            Some("https://webmention.rocks/x".into())
        );
    }

    #[test]
    fn elements_count_in_document_order() {
        // Tests 3, 4: <link>, relative and absolute; 5, 6: <a>.
        assert_eq!(
            found(
                PAGE,
                &[],
                r#"<link rel="webmention" href="/test/3/webmention">"#
            ),
            Some("https://webmention.rocks/test/3/webmention".into())
        );
        assert_eq!(
            found(
                PAGE,
                &[],
                r#"<a rel="webmention" href="https://webmention.rocks/test/6/webmention">e</a>"#
            ),
            Some("https://webmention.rocks/test/6/webmention".into())
        );
        // Test 9: several rel values on the element.
        assert_eq!(
            found(
                PAGE,
                &[],
                r#"<link rel="webmention somethingelse" href="/test/9/webmention">"#
            ),
            Some("https://webmention.rocks/test/9/webmention".into())
        );
        // Tests 16, 17: whichever comes first, <a> or <link>.
        assert_eq!(
            found(
                PAGE,
                &[],
                r#"<body><a rel="webmention" href="/test/16/webmention">a</a><link rel="webmention" href="/test/16/error"></body>"#
            ),
            Some("https://webmention.rocks/test/16/webmention".into())
        );
        assert_eq!(
            found(
                PAGE,
                &[],
                r#"<link rel="webmention" href="/test/17/webmention"><a rel="webmention" href="/test/17/error">a</a>"#
            ),
            Some("https://webmention.rocks/test/17/webmention".into())
        );
        // Test 20: a link without href is passed over.
        assert_eq!(
            found(
                PAGE,
                &[],
                r#"<link rel="webmention"><a rel="webmention" href="/test/20/webmention">a</a>"#
            ),
            Some("https://webmention.rocks/test/20/webmention".into())
        );
    }

    #[test]
    fn comments_and_escaped_html_are_no_endpoints() {
        // Test 13: an endpoint in a comment; 14: one in escaped text.
        assert_eq!(
            found(
                PAGE,
                &[],
                r#"<!-- <link rel="webmention" href="/test/13/error"> --><link rel="webmention" href="/test/13/webmention">"#
            ),
            Some("https://webmention.rocks/test/13/webmention".into())
        );
        assert_eq!(
            found(
                PAGE,
                &[],
                r#"<p><code>&lt;a href="/test/14/error" rel="webmention"&gt;&lt;/a&gt;</code></p><a rel="webmention" href="/test/14/webmention">a</a>"#
            ),
            Some("https://webmention.rocks/test/14/webmention".into())
        );
    }

    #[test]
    fn empty_relative_and_query_addresses_resolve_against_the_final_page() {
        // Test 15: an empty href is the page itself.
        assert_eq!(
            found(
                "https://webmention.rocks/test/15",
                &[],
                r#"<link rel="webmention" href="">"#
            ),
            Some("https://webmention.rocks/test/15".into())
        );
        // Test 21: the endpoint's query is kept.
        assert_eq!(
            found(
                PAGE,
                &[],
                r#"<link rel="webmention" href="/test/21/webmention?query=yes">"#
            ),
            Some("https://webmention.rocks/test/21/webmention?query=yes".into())
        );
        // Test 22: relative to the page's path.
        assert_eq!(
            found(
                "https://webmention.rocks/test/22",
                &[],
                r#"<link rel="webmention" href="22/webmention">"#
            ),
            Some("https://webmention.rocks/test/22/webmention".into())
        );
        // Test 23: after a redirect, against the page it led to (the caller passes it).
        assert_eq!(
            found(
                "https://webmention.rocks/test/23/page/final",
                &["<webmention-endpoint/abc>; rel=\"webmention\""],
                ""
            ),
            Some("https://webmention.rocks/test/23/page/webmention-endpoint/abc".into())
        );
    }

    #[test]
    fn a_page_without_an_endpoint_has_none() {
        assert_eq!(found(PAGE, &[], "<p>nothing here</p>"), None);
        assert_eq!(found(PAGE, &["<https://x.example/>; rel=next"], ""), None);
        let page = Url::parse(PAGE).unwrap();
        let json = endpoint(
            &page,
            &[],
            Some("application/json"),
            br#"{"a": "<link rel=\"webmention\" href=\"/x\">"}"#,
        );
        assert_eq!(json, None, "only HTML is read for elements");
    }
}
