//! Form bodies (urlencoded and multipart) and query strings.

use blog::content::pagination::{PageNumber, Pagination};
use blog::urls;
use blog::web::request::Form;
use blog::web::router::Route;
use blog::web::{decode_form, WebError};
use bytes::Bytes;
use http::Method;
use proptest::collection::vec;
use proptest::prelude::*;

const URLENCODED: &str = "application/x-www-form-urlencoded";

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a runtime for one decode")
        .block_on(future)
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("csrf_token".to_string()),
        Just("title".to_string()),
        Just("body".to_string()),
        "[a-z_][a-z0-9_]{0,10}",
    ]
}

/// Text users type, with the characters that mean something to an encoding.
fn field_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-Z0-9 &=+%;\r\n\"'-]{0,40}",
        "[가-힣 ]{0,20}",
    ]
}

/// The first value of each name, as `Form::get` promises.
fn first_values(pairs: &[(String, String)]) -> Vec<(String, String)> {
    let mut seen: Vec<(String, String)> = Vec::new();
    for (name, value) in pairs {
        if !seen.iter().any(|(n, _)| n == name) {
            seen.push((name.clone(), value.clone()));
        }
    }
    seen
}

fn multipart_body(
    boundary: &str,
    fields: &[(String, String)],
    files: &[(String, String, Vec<u8>)],
) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(value.as_bytes());
        body.extend_from_slice(b"\r\n");
    }
    for (name, file_name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    body
}

/// Content types a client may send: good boundaries, empty, quoted, odd parameters.
fn multipart_content_type() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9'()+_,./:=?-]{1,70}".prop_map(|b| format!("multipart/form-data; boundary={b}")),
        "[ -~]{0,80}".prop_map(|rest| format!("multipart/form-data{rest}")),
        "[ -~]{0,40}".prop_map(|b| format!("multipart/form-data; boundary=\"{b}\"; charset=x")),
        Just("multipart/form-data".to_string()),
        Just("multipart/form-data; boundary=".to_string()),
        any::<String>(),
    ]
}

/// Multipart-shaped bytes: a real body for `boundary`, cut and spliced with noise.
fn multipart_bytes() -> impl Strategy<Value = (String, Vec<u8>)> {
    (
        "[a-zA-Z0-9-]{1,30}",
        vec((field_name(), field_value()), 0..4),
        vec(any::<u8>(), 0..64),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
    )
        .prop_map(|(boundary, fields, noise, cut, splice)| {
            let mut body = multipart_body(
                &boundary,
                &fields,
                &[("file".into(), "a.png".into(), noise.clone())],
            );
            let cut = cut.index(body.len() + 1);
            body.truncate(cut);
            let at = splice.index(body.len() + 1);
            body.splice(at..at, noise);
            (boundary, body)
        })
}

proptest! {
    #[test]
    fn urlencoded_bytes_never_panic(body in vec(any::<u8>(), 0..512), name in field_name()) {
        let form = Form::parse(&body);
        let _ = form.get(&name);
        let decoded = block_on(decode_form(URLENCODED, Bytes::from(body)));
        prop_assert!(decoded.is_ok());
    }

    #[test]
    fn urlencoded_fields_come_back_as_sent(pairs in vec((field_name(), field_value()), 0..8)) {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        let form = block_on(decode_form(
            "application/x-www-form-urlencoded; charset=UTF-8",
            Bytes::from(body),
        ))
        .expect("urlencoded bodies always decode");
        for (name, value) in first_values(&pairs) {
            prop_assert_eq!(form.get(&name), value.as_str());
        }
        prop_assert_eq!(form.get("never-sent"), "");
    }

    #[test]
    fn multipart_is_decoded_or_refused_never_panics(
        content_type in multipart_content_type(),
        (boundary, body) in multipart_bytes(),
        use_own_boundary in any::<bool>(),
    ) {
        let content_type = if use_own_boundary {
            format!("multipart/form-data; boundary={boundary}")
        } else {
            content_type
        };
        match block_on(decode_form(&content_type, Bytes::from(body))) {
            Ok(form) => {
                let _ = (form.get("title"), form.file("file"));
            }
            Err(err) => prop_assert!(matches!(err, WebError::BadRequest(_)), "{err:?}"),
        }
    }

    #[test]
    fn multipart_fields_and_files_come_back_as_sent(
        // Token characters only: a boundary with `/`, `=` or `?` must be quoted.
        boundary in "[a-zA-Z0-9'+_.-]{1,60}",
        fields in vec(("[a-z][a-z0-9_]{0,8}", field_value()), 0..5),
        files in vec(("f_[a-z0-9]{1,6}", "[a-zA-Z0-9 ._-]{1,20}", vec(any::<u8>(), 0..200)), 0..3),
    ) {
        let delimiter = format!("\r\n--{boundary}");
        prop_assume!(fields.iter().all(|(_, v)| !format!("\r\n{v}").contains(&delimiter)));
        prop_assume!(files.iter().all(|(_, _, bytes)| {
            let mut framed = b"\r\n".to_vec();
            framed.extend_from_slice(bytes);
            !framed.windows(delimiter.len()).any(|w| w == delimiter.as_bytes())
        }));
        let body = multipart_body(&boundary, &fields, &files);
        let content_type = format!("multipart/form-data; boundary={boundary}");
        let form = block_on(decode_form(&content_type, Bytes::from(body)))
            .expect("a well-formed multipart body decodes");
        for (name, value) in first_values(&fields) {
            prop_assert_eq!(form.get(&name), value.as_str());
        }
        for (name, _, bytes) in &files {
            let first = files.iter().find(|(n, _, b)| n == name && !b.is_empty());
            let expected = first.map(|(_, _, b)| b.as_slice());
            prop_assert_eq!(form.file(name).map(|f| f.bytes.as_ref()), expected, "{}", bytes.len());
        }
    }

    #[test]
    fn other_content_types_give_an_empty_form(
        content_type in "[ -~]{0,40}",
        body in vec(any::<u8>(), 0..128),
    ) {
        prop_assume!(!content_type.starts_with("multipart/form-data"));
        prop_assume!(!content_type.starts_with(URLENCODED));
        let form = block_on(decode_form(&content_type, Bytes::from(body)))
            .expect("an unknown body is no error");
        prop_assert_eq!(form.get("csrf_token"), "");
    }

    #[test]
    fn page_numbers_are_whole_numbers_from_one(value in prop_oneof![
        any::<String>(),
        "[+-]?[0-9]{1,12}",
        "[0-9]{1,3}[.e ][0-9]",
    ]) {
        let expected = value
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1_000_000).contains(n));
        prop_assert_eq!(PageNumber::parse(Some(&value)).map(PageNumber::get), expected);
        prop_assert_eq!(PageNumber::parse(None), Some(PageNumber::FIRST));
    }

    #[test]
    fn pagination_never_overflows(page in 1u32..=1_000_000, per_page in any::<u32>(), total in any::<u64>()) {
        let number = PageNumber::parse(Some(&page.to_string())).expect("in range");
        if let Some(pages) = Pagination::new(number, per_page, total) {
            prop_assert!(pages.page <= pages.last_page());
            prop_assert!(pages.offset() <= total);
            let _ = (pages.previous(), pages.next());
        }
    }

    #[test]
    fn search_and_page_links_decode_to_what_was_asked(query in any::<String>(), page in 1u32..1000) {
        let url = urls::page(&urls::search(&query), page);
        let (path, query_string) = url.split_once('?').unwrap_or((&url, ""));
        prop_assert_eq!(Route::parse(&Method::GET, path), Some(Route::Search));
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(query_string.as_bytes()).into_owned().collect();
        let q = pairs.iter().find(|(k, _)| k == "q").map(|(_, v)| v.as_str());
        prop_assert_eq!(q.unwrap_or(""), query.as_str());
        let asked = pairs.iter().find(|(k, _)| k == "page").map(|(_, v)| v.as_str());
        prop_assert_eq!(PageNumber::parse(asked).map(PageNumber::get), Some(page));
    }
}
