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
pub fn field_errors(problems: &Problems, field: &str) -> Markup {
    html! {
        @for message in problems.for_field(field) {
            p.field-error role="alert" { (message) }
        }
    }
}

/// Problems with the form as a whole (a wrong password), above its fields.
pub fn form_errors(problems: &Problems) -> Markup {
    html! {
        @for message in problems.for_field(FORM) {
            p.form-error role="alert" { (message) }
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
pub fn field(f: &Field, problems: &Problems) -> Markup {
    let value = if f.kind == "password" { "" } else { f.value };
    let invalid = problems.for_field(f.name).next().is_some();
    html! {
        div.field {
            label for=(f.name) { (f.label) }
            input id=(f.name) name=(f.name) type=(f.kind) value=(value)
                autocomplete=(f.autocomplete) required[f.required]
                aria-invalid=[invalid.then_some("true")];
            (field_errors(problems, f.name))
        }
    }
}

/// Numbered page links with previous and next; nothing when there is one page.
pub fn pagination(p: &Pagination, base: &str) -> Markup {
    html! {
        @if p.last_page() > 1 {
            nav.pagination aria-label="Pages" {
                @if let Some(prev) = p.previous() {
                    a.prev rel="prev" href=(urls::page(base, prev)) { "← Newer" }
                }
                @for n in p.window() {
                    @match n {
                        Some(n) if n == p.page => { span.current aria-current="page" { (n) } }
                        Some(n) => { a href=(urls::page(base, n)) { (n) } }
                        None => { span.gap { "…" } }
                    }
                }
                @if let Some(next) = p.next() {
                    a.next rel="next" href=(urls::page(base, next)) { "Older →" }
                }
            }
        }
    }
}
