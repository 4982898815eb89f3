//! Small pieces that many pages share: the CSRF input, form fields with their problems,
//! page links.

use maud::{html, Markup};

use super::PageCtx;
use crate::content::{problems::FORM, Pagination, Problems};
use crate::urls;

pub fn csrf_input(ctx: &PageCtx) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(ctx.csrf_token); }
}

/// The messages for one field, shown beside it.
pub fn field_errors(ctx: &PageCtx, problems: &Problems, field: &str) -> Markup {
    html! {
        @for message in problems.for_field(field) {
            p.field-error role="alert" { (ctx.text.format_message(message)) }
        }
    }
}

/// Problems with the form as a whole (a wrong password), above its fields.
pub fn form_errors(ctx: &PageCtx, problems: &Problems) -> Markup {
    html! {
        @for message in problems.for_field(FORM) {
            p.form-error role="alert" { (ctx.text.format_message(message)) }
        }
    }
}

pub struct Field<'a> {
    pub name: &'static str,
    pub label: &'a str,
    pub kind: &'static str,
    pub value: &'a str,
    pub autocomplete: &'static str,
    pub required: bool,
}

/// A labelled input with its messages. Password inputs never echo a value back.
pub fn field(ctx: &PageCtx, f: &Field, problems: &Problems) -> Markup {
    let value = if f.kind == "password" { "" } else { f.value };
    let invalid = problems.for_field(f.name).next().is_some();
    html! {
        div.field {
            label for=(f.name) { (f.label) }
            input id=(f.name) name=(f.name) type=(f.kind) value=(value)
                autocomplete=(f.autocomplete) required[f.required]
                aria-invalid=[invalid.then_some("true")];
            (field_errors(ctx, problems, f.name))
        }
    }
}

/// Numbered page links with previous and next, and a "Show more" link to the next
/// page, as el_pagination has them; nothing when there is one page. Without scripts
/// both are plain links; `paging.js` makes "Show more" append the next page's entries
/// to the list in place (or load them on scroll, with `[site] infinite_scroll`).
pub fn pagination(ctx: &PageCtx, p: &Pagination, base: &str) -> Markup {
    html! {
        @if p.last_page() > 1 {
            nav.pagination aria-label=(ctx.t("pages.pages")) {
                @if let Some(prev) = p.previous() {
                    a.prev rel="prev" href=(urls::page(base, prev)) { (ctx.t("pages.newer")) }
                }
                @for n in p.window() {
                    @match n {
                        Some(n) if n == p.page => { span.current aria-current="page" { (n) } }
                        Some(n) => { a href=(urls::page(base, n)) { (n) } }
                        None => { span.gap { "…" } }
                    }
                }
                @if let Some(next) = p.next() {
                    a.next rel="next" href=(urls::page(base, next)) { (ctx.t("pages.older")) }
                }
            }
            @if let Some(next) = p.next() {
                p.show-more {
                    a.button href=(urls::page(base, next)) { (ctx.t("pages.show_more")) }
                }
            }
        }
    }
}

/// The header's search box: a GET form, so no CSRF token and nothing to cache apart.
pub fn search_form(ctx: &PageCtx) -> Markup {
    html! {
        form.site-search role="search" method="get" action=(urls::search("")) {
            input type="search" name="q" aria-label=(ctx.t("search.label"))
                placeholder=(ctx.t("search.placeholder"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::pagination::PageNumber;

    fn render(page: &str, total: u64) -> String {
        let page = PageNumber::parse(Some(page)).unwrap();
        let ctx = PageCtx::sample(crate::i18n::Language::En);
        pagination(
            &ctx,
            &Pagination::new(page, 10, total).unwrap(),
            "/authors/7",
        )
        .into_string()
    }

    #[test]
    fn show_more_links_to_the_next_page_beside_the_numbered_links() {
        let first = render("1", 25);
        assert!(
            first.contains(r#"<a class="next" rel="next" href="/authors/7?page=2">"#),
            "{first}"
        );
        assert!(first.contains(r#"<p class="show-more"><a class="button" href="/authors/7?page=2">Show more</a></p>"#), "{first}");
        let second = render("2", 25);
        assert!(
            second.contains(r#"href="/authors/7?page=3">Show more"#),
            "{second}"
        );
        assert!(
            second.contains(r#"<a class="prev" rel="prev" href="/authors/7">"#),
            "{second}"
        );
    }

    #[test]
    fn the_last_page_has_no_show_more() {
        let last = render("3", 25);
        assert!(!last.contains("show-more"), "{last}");
        assert!(last.contains("aria-current"), "{last}");
    }

    #[test]
    fn one_page_has_neither_links_nor_show_more() {
        assert_eq!(render("1", 10), "");
    }
}
