//! Search: the page with its form and what was found, and the small form in the
//! header of every page. Found words come as `Highlighted` text, which escapes the
//! post's text and marks the words with `<mark>`.

use maud::{html, Markup};

use super::components::pagination;
use super::{layout, PageCtx};
use crate::content::highlight::Highlighted;
use crate::content::{Pagination, Post};
use crate::urls;

/// One post found, as the list shows it.
pub struct Found<'a> {
    pub post: &'a Post,
    pub title: &'a Highlighted,
    pub snippet: &'a Highlighted,
}

/// What the search page shows under its form.
pub enum Outcome<'a> {
    /// Nothing was typed: just the form.
    Empty,
    /// The query was refused; the sentence says why.
    Rejected(&'a str),
    Found(&'a [Found<'a>], &'a Pagination),
}

/// The search page for `query` (as typed, shown back in the form).
pub fn page(ctx: &PageCtx, query: &str, outcome: Outcome) -> Markup {
    let title = match &outcome {
        Outcome::Found(_, pages) if pages.page > 1 => ctx.tf(
            "search.title_page",
            &[("query", &query), ("page", &pages.page)],
        ),
        _ if !query.is_empty() => ctx.tf("search.title_query", &[("query", &query)]),
        _ => ctx.t("search.title").to_string(),
    };
    layout::page(
        ctx,
        &title,
        html! {
            h1 { (ctx.t("search.title")) }
            form.search-form role="search" method="get" action=(urls::search("")) {
                input #search-q type="search" name="q" value=(query)
                    aria-label=(ctx.t("search.label"));
                button.primary type="submit" { (ctx.t("search.button")) }
            }
            @match outcome {
                Outcome::Empty => {}
                Outcome::Rejected(why) => { p.form-error role="alert" { (why) } }
                Outcome::Found(found, pages) => { (results(ctx, query, found, pages)) }
            }
        },
    )
}

fn results(ctx: &PageCtx, query: &str, found: &[Found], pages: &Pagination) -> Markup {
    html! {
        @if found.is_empty() {
            p.empty { (ctx.tf("search.nothing", &[("query", &query)])) }
        } @else {
            p.search-count {
                (ctx.tc("search.results", pages.total, &[]))
            }
            // The classes of every list, so `paging.js` appends the next page here too.
            div.post-list {
                @for hit in found {
                    article.post-summary.search-hit {
                        h2 { a href=(urls::post(&hit.post.slug)) { (hit.title) } }
                        p.byline {
                            a.author href=(urls::author(hit.post.author_id)) { (hit.post.author_name) }
                            @if let Some(at) = hit.post.published_at {
                                " · " time datetime=(ctx.datetime(at)) { (ctx.date(at)) }
                            }
                        }
                        @if !hit.snippet.is_empty() {
                            p.snippet { (hit.snippet) }
                        }
                    }
                }
            }
            (pagination(ctx, pages, &urls::search(query)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::highlight::{END, START};
    use crate::content::{PageNumber, PostId, SanitizedHtml, UserId};
    use crate::i18n::Language;

    fn post() -> Post {
        Post {
            id: PostId(1),
            author_id: UserId(2),
            author_name: "Ann".into(),
            author_avatar: None,
            title: "<i>Seoul</i>".into(),
            slug: "seoul".parse().unwrap(),
            body: SanitizedHtml::from_trusted_storage(String::new()),
            excerpt: String::new(),
            created_at: 0,
            updated_at: 0,
            published_at: Some(0),
            publish_at: None,
            revision: 1,
            tags: Vec::new(),
            kind: crate::content::Kind::Post,
            menu_position: None,
            featured_image: None,
        }
    }

    #[test]
    fn found_text_is_escaped_and_marked_and_the_query_stays_in_the_form() {
        let ctx = PageCtx::sample(Language::En);
        let post = post();
        let title = Highlighted::from_marked(format!("<i>{START}Seoul{END}</i>"));
        let snippet = Highlighted::from_marked(format!("a <script> {START}Seoul{END}"));
        let found = [Found {
            post: &post,
            title: &title,
            snippet: &snippet,
        }];
        let pages = Pagination::new(PageNumber::FIRST, 10, 1).unwrap();
        let html = page(&ctx, "seoul \"x", Outcome::Found(&found, &pages)).into_string();
        assert!(
            html.contains("&lt;i&gt;<mark>Seoul</mark>&lt;/i&gt;"),
            "{html}"
        );
        assert!(
            html.contains("a &lt;script&gt; <mark>Seoul</mark>"),
            "{html}"
        );
        assert!(html.contains(r#"value="seoul &quot;x""#), "{html}");
        assert!(!html.contains("<script>"), "{html}");
    }
}
