//! The HTML sanitizer against generated hostile HTML: tags, attributes, entities,
//! case changes, nested and unclosed tags, and `javascript:` spelled every way a
//! browser still understands. Sanitizing twice changes nothing, and nothing that
//! runs code survives. And what it costs grows in proportion to the input: nested
//! markup up to the depth limit takes no more per byte in a large body than in a small
//! one, and markup past the limit is refused as cheaply.

use std::time::{Duration, Instant};

use blog::content::complexity::MAX_DEPTH;
use blog::content::html::{sanitize, sanitize_checked};
use proptest::collection::vec;
use proptest::prelude::*;
use scraper::Html;

const BASE: &str = "https://blog.example.com";

/// What the sanitizer lets through (`content/html.rs`); anything else in the output
/// is a hole.
const ALLOWED_TAGS: &[&str] = &[
    "a",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "div",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strike",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
];
const ALLOWED_ATTRIBUTES: &[&str] = &[
    "href", "src", "alt", "width", "height", "title", "style", "colspan", "rowspan", "start", "rel",
];
const STYLE_PROPERTIES: &[&str] = &["width", "height", "float", "text-align"];
/// Never in the output in any case, whatever they are nested in.
const FORBIDDEN_TAGS: &[&str] = &[
    "<script",
    "<iframe",
    "<object",
    "<embed",
    "<style",
    "<svg",
    "<math",
    "<form",
    "<base",
    "<link",
    "<meta",
    "<frame",
    "<template",
    "<noscript",
    "<textarea",
    "<xmp",
];

const TAG_NAMES: &[&str] = &[
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "img",
    "a",
    "p",
    "div",
    "span",
    "form",
    "input",
    "button",
    "textarea",
    "noscript",
    "template",
    "base",
    "link",
    "meta",
    "xmp",
    "plaintext",
    "title",
    "noembed",
    "select",
    "option",
    "table",
    "tr",
    "td",
    "frame",
    "frameset",
    "video",
    "audio",
    "source",
    "details",
    "marquee",
    "body",
    "html",
    "h1",
    "ul",
    "li",
    "pre",
    "code",
    "blockquote",
    "b",
    "i",
    "u",
    "br",
    "hr",
    "annotation-xml",
    "foreignObject",
    "animate",
    "set",
    "use",
    "image",
    "isindex",
    "applet",
    "bgsound",
];

const ATTRIBUTE_NAMES: &[&str] = &[
    "onclick",
    "onerror",
    "onload",
    "onmouseover",
    "OnFocus",
    "onanimationstart",
    "href",
    "src",
    "style",
    "xlink:href",
    "formaction",
    "action",
    "srcdoc",
    "data",
    "background",
    "poster",
    "title",
    "alt",
    "width",
    "height",
    "rel",
    "target",
    "class",
    "id",
    "srcset",
    "dynsrc",
    "lowsrc",
    "colspan",
    "start",
    "attributeName",
    "values",
    "to",
    "from",
    "autofocus",
];

/// `javascript:` and friends in the spellings browsers still run, and URLs that are fine.
const URLS: &[&str] = &[
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\u{1}javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java&#x09;script:alert(1)",
    "java&Tab;script:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)",
    "javascript&colon;alert(1)",
    "javascript&#58;alert(1)",
    "jav&#x0A;ascript:alert(1)",
    "%6A%61%76%61%73%63%72%69%70%74:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "DATA:image/svg+xml,<svg onload=alert(1)>",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "livescript:alert(1)",
    "https://ok.example/page",
    "http://blog.example.com/media/a.png",
    "https://blog.example.com/media/a.png",
    "https://blog.example.com.evil.example/media/a.png",
    "https://blog.example.com@evil.example/media/a.png",
    "/media/uploads/a.jpg",
    "/media/../secret.key",
    "/media/%2e%2e/secret.key",
    "//evil.example/x.gif",
    "/\\evil.example/x.gif",
    "mailto:a@example.com",
    "#top",
    "?q=1",
    "",
];

const STYLES: &[&str] = &[
    "width:50%",
    "width: 640px; float: left",
    "text-align:center",
    "background:url(javascript:alert(1))",
    "width:expression(alert(1))",
    "behavior:url(x.htc)",
    "-moz-binding:url(x.xml#xss)",
    "w\\idth:1px",
    "width/**/:1px",
    "position:fixed;top:0;left:0;width:100%;height:100%",
    "float:left;background-image:url(data:image/png;base64,AA)",
    "width:50%;;;height:10em",
    "WIDTH:1PX;FLOAT:RIGHT",
    "height: 1px\\;position:fixed",
    "font-family:'a;position:fixed'",
    "&#x77;idth:1px",
];

const FRAGMENTS: &[&str] = &[
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img/src=x/onerror=alert(1)>",
    "<a href=javascript&colon;alert(1)>x</a>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<!--<img src=x onerror=alert(1)>-->",
    "<!--><img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<?xml version=\"1.0\"?><script>alert(1)</script>",
    "<<script>alert(1)//<</script>",
    "<p style=\"width:1px\" style=\"background:url(javascript:x)\">",
    "<a href=\"/ok\" href=\"javascript:alert(1)\">",
    "<table><td><script>alert(1)</script></td></table>",
    "<form><button formaction=javascript:alert(1)>x",
    "<iframe srcdoc=\"<script>alert(1)</script>\">",
    "<object data=\"javascript:alert(1)\">",
    "<embed src=\"javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<details open ontoggle=alert(1)>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>",
    "<xmp><p title=\"</xmp><img src=x onerror=alert(1)>\">",
    "<plaintext><script>",
    "</p><p>",
    "<p",
    "<",
    "&lt;script&gt;",
    "&amp;lt;script&amp;gt;",
    "\u{0}",
];

fn case_mixed(word: &'static str) -> impl Strategy<Value = String> {
    vec(any::<bool>(), word.len()).prop_map(move |flips| {
        word.chars()
            .zip(flips)
            .map(|(c, up)| if up { c.to_ascii_uppercase() } else { c })
            .collect()
    })
}

fn pick(words: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop::sample::select(words).prop_flat_map(case_mixed)
}

fn attribute_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(URLS).prop_map(str::to_string),
        prop::sample::select(STYLES).prop_map(str::to_string),
        "[ -~]{0,20}",
        "alert\\([0-9]\\)",
    ]
}

fn attribute() -> impl Strategy<Value = String> {
    (
        pick(ATTRIBUTE_NAMES),
        attribute_value(),
        prop::sample::select(vec!['"', '\'', ' ', '/']),
    )
        .prop_map(|(name, value, quote)| match quote {
            '"' => format!(" {name}=\"{}\"", value.replace('"', "&quot;")),
            '\'' => format!(" {name}='{}'", value.replace('\'', "&#39;")),
            '/' => format!("/{name}={}", value.replace([' ', '>'], "")),
            _ => format!(" {name}={}", value.replace([' ', '>'], "")),
        })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ,.!?가-힣]{0,20}",
        Just("&amp;&lt;&gt;&quot;&#39;&nbsp;&#0;&#x110000;&bogus;".to_string()),
        Just("javascript:alert(1) onclick=alert(1)".to_string()),
        "[ -~]{0,12}",
    ]
}

fn html() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        3 => text(),
        2 => prop::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => "[^<>]{0,8}".prop_map(|t| format!("<!--{t}-->")),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        (
            pick(TAG_NAMES),
            vec(attribute(), 0..4),
            vec(inner, 0..6),
            prop::sample::select(vec!["close", "unclosed", "self-closing", "wrong-close"]),
        )
            .prop_map(|(tag, attributes, children, ending)| {
                let open = format!("<{tag}{}", attributes.concat());
                let children = children.concat();
                match ending {
                    "close" => format!("{open}>{children}</{tag}>"),
                    "self-closing" => format!("{open}/>{children}"),
                    "wrong-close" => format!("{open}>{children}</p></{tag}x>"),
                    _ => format!("{open}>{children}"),
                }
            })
    })
}

/// A URL attribute's value as a browser reads it: whitespace and control characters
/// around and inside the scheme are ignored.
fn scheme_of(value: &str) -> Option<String> {
    let cleaned: String = value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    let (scheme, _) = cleaned.split_once(':')?;
    // Anything else before the colon makes it a relative URL, not a scheme.
    let mut chars = scheme.chars();
    let is_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then(|| scheme.to_string())
}

/// Every way `out` could still run code, or load what it should not.
fn holes(out: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = out.to_ascii_lowercase();
    for tag in FORBIDDEN_TAGS {
        if lower.contains(tag) {
            found.push(format!("{tag} survived"));
        }
    }
    let document = Html::parse_fragment(out);
    for node in document.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let name = element.name();
        if matches!(name, "html" | "body") {
            continue; // the fragment parser's own wrappers, not the sanitizer's output
        }
        if !ALLOWED_TAGS.contains(&name) {
            found.push(format!("<{name}> survived"));
        }
        for (attribute, value) in element.attrs() {
            if attribute.starts_with("on") || !ALLOWED_ATTRIBUTES.contains(&attribute) {
                found.push(format!("{attribute}= survived on <{name}>"));
            }
            if matches!(attribute, "href" | "src") {
                if let Some(scheme) = scheme_of(value) {
                    if !matches!(scheme.as_str(), "http" | "https" | "mailto") {
                        found.push(format!("{attribute}={value:?} has scheme {scheme}"));
                    }
                }
            }
            if (name, attribute) == ("img", "src")
                && (!value.starts_with("/media/") || value.contains(".."))
            {
                found.push(format!("an image from {value:?}"));
            }
            if attribute == "style" {
                for declaration in value.split(';').filter(|d| !d.trim().is_empty()) {
                    let property = declaration.split(':').next().unwrap_or_default().trim();
                    if !STYLE_PROPERTIES.contains(&property) {
                        found.push(format!("style property {property:?} survived"));
                    }
                    if declaration.contains(['(', '\\', '/', '*', '&']) {
                        found.push(format!("style value {declaration:?} survived"));
                    }
                }
            }
        }
    }
    found
}

proptest! {
    #[test]
    fn sanitizing_twice_changes_nothing(input in html()) {
        let once = sanitize(&input, BASE);
        let twice = sanitize(once.as_str(), BASE);
        prop_assert_eq!(twice.as_str(), once.as_str(), "input: {}", input);
    }

    #[test]
    fn nothing_executable_survives(input in html()) {
        let out = sanitize(&input, BASE);
        let holes = holes(out.as_str());
        prop_assert!(holes.is_empty(), "{:?}\ninput: {}\noutput: {}", holes, input, out.as_str());
    }

    #[test]
    fn any_text_is_sanitized_without_panic(input in any::<String>(), base in prop_oneof![
        Just(BASE.to_string()),
        Just(String::new()),
        "[ -~]{0,30}",
    ]) {
        let out = sanitize(&input, &base);
        let again = sanitize(out.as_str(), &base);
        prop_assert_eq!(again.as_str(), out.as_str());
        let _ = out.media_paths();
    }
}

/// Tags that nest, allowed or not, block and inline, and the ones the parser treats
/// specially (formatting elements it reopens, tables, list items).
const NESTING_TAGS: &[&str] = &[
    "div",
    "span",
    "b",
    "i",
    "em",
    "strong",
    "a",
    "p",
    "ul",
    "li",
    "blockquote",
    "table",
    "td",
    "section",
    "font",
    "u",
];

/// One block of markup nested `depth` deep (up to the limit), closed or left open; a
/// body repeats it, so left open, the nesting grows with the body past the limit.
fn nested_block() -> impl Strategy<Value = String> {
    (
        1..=MAX_DEPTH as usize - 2,
        vec(prop::sample::select(NESTING_TAGS), 1..4),
        any::<bool>(),
        text(),
    )
        .prop_map(|(depth, tags, closed, leaf)| {
            let names: Vec<&str> = (0..depth).map(|i| tags[i % tags.len()]).collect();
            let open: String = names.iter().map(|t| format!("<{t}>")).collect();
            let close: String = if closed {
                names.iter().rev().map(|t| format!("</{t}>")).collect()
            } else {
                String::new()
            };
            format!("{open}{leaf}x{close}")
        })
}

/// The fastest of a few runs: the least disturbed by whatever else the machine does.
fn time_to_sanitize(body: &str) -> Duration {
    (0..3)
        .map(|_| {
            let started = Instant::now();
            let _ = sanitize_checked(body, BASE);
            started.elapsed()
        })
        .min()
        .unwrap_or_default()
}

proptest! {
    // Each case sanitizes a few hundred KB several times over.
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn sanitizing_time_grows_in_proportion_to_the_body(block in nested_block()) {
        // Large enough that a run takes milliseconds, not the timer's noise.
        let small = block.repeat(20_000usize.div_ceil(block.len()));
        let large = small.repeat(8);
        let (t_small, t_large) = (time_to_sanitize(&small), time_to_sanitize(&large));
        // Linear gives 8; a cost that grew with the square of the nesting gave 64.
        let ratio = t_large.as_secs_f64() / t_small.as_secs_f64().max(1e-6);
        prop_assert!(
            ratio < 24.0,
            "8 times the body took {:.1} times as long ({:?} for {} bytes, {:?} for {}): {}",
            ratio, t_small, small.len(), t_large, large.len(), &block[..block.len().min(200)]
        );
    }
}
