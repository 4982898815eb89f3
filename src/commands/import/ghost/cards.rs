//! A Ghost post's body when its export has no rendered `html`: the Lexical document
//! (Ghost 5's editor) or the Mobiledoc one (before it), made HTML that our sanitizer
//! keeps. Cards our bodies cannot hold (embeds, bookmarks, buttons) become links.

use serde_json::Value;

use super::super::escape;

/// HTML from Ghost's Lexical JSON (`posts.lexical`).
pub fn lexical(json: &str) -> anyhow::Result<String> {
    let doc: Value = serde_json::from_str(json)?;
    let mut html = String::new();
    for node in children(&doc["root"]) {
        lexical_node(node, &mut html);
    }
    Ok(html)
}

fn children(node: &Value) -> &[Value] {
    node["children"].as_array().map_or(&[], Vec::as_slice)
}

fn text_of<'a>(node: &'a Value, key: &str) -> &'a str {
    node[key].as_str().unwrap_or_default()
}

fn lexical_node(node: &Value, html: &mut String) {
    let inner = |html: &mut String| {
        for child in children(node) {
            lexical_node(child, html);
        }
    };
    match text_of(node, "type") {
        "text" | "extended-text" => {
            let format = node["format"].as_u64().unwrap_or(0);
            let tags: Vec<&str> = [
                (1, "strong"),
                (2, "em"),
                (4, "s"),
                (8, "u"),
                (16, "code"),
                (32, "sub"),
                (64, "sup"),
            ]
            .iter()
            .filter(|(bit, _)| format & bit != 0)
            .map(|(_, tag)| *tag)
            .collect();
            for tag in &tags {
                html.push_str(&format!("<{tag}>"));
            }
            html.push_str(&escape(text_of(node, "text")));
            for tag in tags.iter().rev() {
                html.push_str(&format!("</{tag}>"));
            }
        }
        "linebreak" => html.push_str("<br>"),
        "link" | "autolink" => {
            html.push_str(&format!("<a href=\"{}\">", escape(text_of(node, "url"))));
            inner(html);
            html.push_str("</a>");
        }
        "paragraph" => {
            html.push_str("<p>");
            inner(html);
            html.push_str("</p>\n");
        }
        "heading" | "extended-heading" => {
            let tag = match text_of(node, "tag") {
                tag @ ("h1" | "h2" | "h3" | "h4" | "h5" | "h6") => tag,
                _ => "h2",
            };
            html.push_str(&format!("<{tag}>"));
            inner(html);
            html.push_str(&format!("</{tag}>\n"));
        }
        "quote" | "extended-quote" | "aside" => {
            html.push_str("<blockquote><p>");
            inner(html);
            html.push_str("</p></blockquote>\n");
        }
        "list" => {
            let tag = if text_of(node, "listType") == "number" {
                "ol"
            } else {
                "ul"
            };
            html.push_str(&format!("<{tag}>"));
            inner(html);
            html.push_str(&format!("</{tag}>\n"));
        }
        "listitem" => {
            html.push_str("<li>");
            inner(html);
            html.push_str("</li>");
        }
        "horizontalrule" => html.push_str("<hr>\n"),
        "image" => html.push_str(&image(
            text_of(node, "src"),
            text_of(node, "alt"),
            text_of(node, "caption"),
        )),
        "gallery" => {
            html.push_str("<figure>");
            for image in node["images"].as_array().map_or(&[][..], Vec::as_slice) {
                html.push_str(&self::image(
                    text_of(image, "src"),
                    text_of(image, "alt"),
                    text_of(image, "caption"),
                ));
            }
            caption(text_of(node, "caption"), html);
            html.push_str("</figure>\n");
        }
        "codeblock" => html.push_str(&format!(
            "<pre><code>{}</code></pre>\n",
            escape(text_of(node, "code"))
        )),
        "html" => html.push_str(text_of(node, "html")),
        "markdown" => html.push_str(&markdown(text_of(node, "markdown"))),
        "callout" => {
            html.push_str("<blockquote>");
            html.push_str(text_of(node, "calloutText"));
            html.push_str("</blockquote>\n");
        }
        "embed" | "bookmark" | "video" | "audio" | "file" | "button" | "product" | "header"
        | "signup" | "toggle" => {
            let url = ["url", "src", "buttonUrl"]
                .iter()
                .map(|key| text_of(node, key))
                .find(|url| !url.is_empty())
                .unwrap_or_default();
            let title = ["title", "buttonText", "header", "heading"]
                .iter()
                .map(|key| text_of(node, key))
                .chain([text_of(&node["metadata"], "title")])
                .find(|t| !t.is_empty())
                .unwrap_or(url);
            if !url.is_empty() {
                html.push_str(&format!(
                    "<p><a href=\"{}\">{}</a></p>\n",
                    escape(url),
                    escape(title)
                ));
            }
        }
        _ => inner(html),
    }
}

/// A figure with its caption (Ghost keeps captions as HTML).
fn image(src: &str, alt: &str, caption_html: &str) -> String {
    let mut html = format!(
        "<figure><img src=\"{}\" alt=\"{}\">",
        escape(src),
        escape(alt)
    );
    caption(caption_html, &mut html);
    html.push_str("</figure>\n");
    html
}

fn caption(caption_html: &str, html: &mut String) {
    if !caption_html.trim().is_empty() {
        html.push_str("<figcaption>");
        html.push_str(caption_html);
        html.push_str("</figcaption>");
    }
}

fn markdown(text: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(text));
    html
}

/// HTML from Ghost's Mobiledoc JSON (`posts.mobiledoc`, before Lexical).
pub fn mobiledoc(json: &str) -> anyhow::Result<String> {
    let doc: Value = serde_json::from_str(json)?;
    let empty = Vec::new();
    let markups = doc["markups"].as_array().unwrap_or(&empty);
    let atoms = doc["atoms"].as_array().unwrap_or(&empty);
    let cards = doc["cards"].as_array().unwrap_or(&empty);
    let mut html = String::new();
    for section in doc["sections"].as_array().unwrap_or(&empty) {
        match section[0].as_u64() {
            // A markup section: <p>, <h2>, <blockquote>, … with its markers.
            Some(1) => {
                let tag = tag_or_p(section[1].as_str().unwrap_or("p"));
                html.push_str(&format!("<{tag}>"));
                markers(&section[2], markups, atoms, &mut html);
                html.push_str(&format!("</{tag}>\n"));
            }
            // A list: its items are lists of markers.
            Some(3) => {
                let tag = if section[1].as_str() == Some("ol") {
                    "ol"
                } else {
                    "ul"
                };
                html.push_str(&format!("<{tag}>"));
                for item in section[2].as_array().unwrap_or(&empty) {
                    html.push_str("<li>");
                    markers(item, markups, atoms, &mut html);
                    html.push_str("</li>");
                }
                html.push_str(&format!("</{tag}>\n"));
            }
            // A card, by its index.
            Some(10) => {
                let Some(card) = section[1].as_u64().and_then(|i| cards.get(i as usize)) else {
                    continue;
                };
                html.push_str(&mobiledoc_card(card));
            }
            _ => {}
        }
    }
    Ok(html)
}

fn tag_or_p(tag: &str) -> &str {
    match tag.to_ascii_lowercase().as_str() {
        "h1" => "h1",
        "h2" => "h2",
        "h3" => "h3",
        "h4" => "h4",
        "h5" => "h5",
        "h6" => "h6",
        "blockquote" | "aside" => "blockquote",
        _ => "p",
    }
}

fn markers(list: &Value, markups: &[Value], atoms: &[Value], html: &mut String) {
    let mut open: Vec<&str> = Vec::new();
    for marker in list.as_array().map_or(&[][..], Vec::as_slice) {
        for index in marker[1].as_array().map_or(&[][..], Vec::as_slice) {
            let Some(markup) = index.as_u64().and_then(|i| markups.get(i as usize)) else {
                continue;
            };
            let tag = match markup[0].as_str().unwrap_or_default() {
                "a" => "a",
                "strong" | "b" => "strong",
                "em" | "i" => "em",
                "code" => "code",
                "s" => "s",
                "u" => "u",
                "sub" => "sub",
                "sup" => "sup",
                _ => "span",
            };
            if tag == "a" {
                let attrs = markup[1].as_array().map_or(&[][..], Vec::as_slice);
                let href = attrs
                    .chunks(2)
                    .find(|pair| pair[0].as_str() == Some("href"))
                    .and_then(|pair| pair.get(1))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                html.push_str(&format!("<a href=\"{}\">", escape(href)));
            } else {
                html.push_str(&format!("<{tag}>"));
            }
            open.push(tag);
        }
        match marker[0].as_u64() {
            Some(1) => {
                let atom = marker[3].as_u64().and_then(|i| atoms.get(i as usize));
                match atom.and_then(|a| a[0].as_str()) {
                    Some("soft-return") => html.push_str("<br>"),
                    _ => html.push_str(&escape(
                        atom.and_then(|a| a[1].as_str()).unwrap_or_default(),
                    )),
                }
            }
            _ => html.push_str(&escape(marker[3].as_str().unwrap_or_default())),
        }
        for _ in 0..marker[2].as_u64().unwrap_or(0) {
            if let Some(tag) = open.pop() {
                html.push_str(&format!("</{tag}>"));
            }
        }
    }
    while let Some(tag) = open.pop() {
        html.push_str(&format!("</{tag}>"));
    }
}

fn mobiledoc_card(card: &Value) -> String {
    let name = card[0].as_str().unwrap_or_default();
    let payload = &card[1];
    // A Mobiledoc card carries the same fields as the Lexical node of its kind.
    let mut node = payload.clone();
    if let Some(object) = node.as_object_mut() {
        let kind = match name {
            "code" => "codeblock",
            "hr" => "horizontalrule",
            "card-markdown" => "markdown",
            other => other,
        };
        object.insert("type".into(), Value::String(kind.into()));
        if name == "code" && !object.contains_key("code") {
            object.insert("code".into(), Value::String(String::new()));
        }
    }
    let mut html = String::new();
    lexical_node(&node, &mut html);
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_paragraphs_headings_lists_images_and_embeds() {
        let json = r#"{"root":{"children":[
            {"type":"paragraph","children":[{"type":"extended-text","text":"Hello ","format":0},{"type":"extended-text","text":"bold","format":1},{"type":"link","url":"https://x.example/","children":[{"type":"text","text":"a <link>","format":2}]}]},
            {"type":"extended-heading","tag":"h3","children":[{"type":"extended-text","text":"Title","format":0}]},
            {"type":"list","listType":"number","children":[{"type":"listitem","children":[{"type":"extended-text","text":"one","format":0}]}]},
            {"type":"image","src":"__GHOST_URL__/content/images/2024/01/a.jpg","alt":"A","caption":"<span>Cap</span>"},
            {"type":"gallery","images":[{"src":"/content/images/b.jpg","alt":"","caption":""},{"src":"/content/images/c.jpg","alt":"","caption":""}],"caption":"Both"},
            {"type":"embed","url":"https://www.youtube.com/watch?v=x","html":"<iframe src=\"https://www.youtube.com/embed/x\"></iframe>"},
            {"type":"codeblock","code":"a < b","language":"js"}
        ]}}"#;
        assert_eq!(
            lexical(json).unwrap(),
            "<p>Hello <strong>bold</strong><a href=\"https://x.example/\"><em>a &lt;link&gt;</em></a></p>\n\
             <h3>Title</h3>\n<ol><li>one</li></ol>\n\
             <figure><img src=\"__GHOST_URL__/content/images/2024/01/a.jpg\" alt=\"A\"><figcaption><span>Cap</span></figcaption></figure>\n\
             <figure><figure><img src=\"/content/images/b.jpg\" alt=\"\"></figure>\n<figure><img src=\"/content/images/c.jpg\" alt=\"\"></figure>\n<figcaption>Both</figcaption></figure>\n\
             <p><a href=\"https://www.youtube.com/watch?v=x\">https://www.youtube.com/watch?v=x</a></p>\n\
             <pre><code>a &lt; b</code></pre>\n"
        );
    }

    #[test]
    fn mobiledoc_sections_markups_atoms_and_cards() {
        let json = r#"{"version":"0.3.1","atoms":[["soft-return","",{}]],
            "cards":[["image",{"src":"/content/images/a.jpg","caption":"Cap"}],["markdown",{"markdown":"*hi*"}],["hr",{}]],
            "markups":[["strong"],["a",["href","https://x.example/"]]],
            "sections":[[1,"p",[[0,[],0,"plain "],[0,[0],1,"bold"],[1,[],0,0],[0,[1],1,"link"]]],[10,0],[3,"ul",[[[0,[],0,"item"]]]],[10,1],[10,2],[1,"h2",[[0,[],0,"Head"]]]]}"#;
        assert_eq!(
            mobiledoc(json).unwrap(),
            "<p>plain <strong>bold</strong><br><a href=\"https://x.example/\">link</a></p>\n\
             <figure><img src=\"/content/images/a.jpg\" alt=\"\"><figcaption>Cap</figcaption></figure>\n\
             <ul><li>item</li></ul>\n<p><em>hi</em></p>\n<hr>\n<h2>Head</h2>\n"
        );
    }
}
