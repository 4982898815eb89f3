//! The frame of every page: head (stylesheet, scripts), header with the site's menu of
//! pages and the visitor's menu, main, footer.

use maud::{html, Markup, DOCTYPE};

use super::components::{csrf_input, search_form};
use super::PageCtx;
use crate::content::site::Accent;
use crate::{assets, urls};

pub fn page(ctx: &PageCtx, title: &str, content: Markup) -> Markup {
    page_with(ctx, title, html! {}, content)
}

/// `page` with more in the head: the stylesheets and scripts only this page needs
/// (the editor's), an author's feed, a post's canonical link and preview tags. Scripts are always files with `defer`: the CSP allows no inline
/// script, and deferred scripts run in order once the page is parsed.
pub fn page_with(ctx: &PageCtx, title: &str, head: Markup, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(ctx.text.language().code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (ctx.site_title) }
                meta name="description" content=(ctx.site_description);
                link rel="stylesheet" href=(assets::url("css/site.css"));
                // Named here, so browsers do not ask for a missing `/favicon.ico`.
                @if let Some(icon) = &ctx.icon {
                    link rel="icon" type=(image_type(&icon.small)) href=(urls::media(&icon.small));
                } @else {
                    link rel="icon" type="image/svg+xml" href=(assets::url("img/favicon.svg"));
                }
                // Every list pages with it; on other pages it finds nothing and stops.
                script src=(assets::url("js/paging.js")) defer {}
                link rel="alternate" type="application/atom+xml" title=(ctx.site_title) href=(urls::feed());
                link rel="alternate" type="application/feed+json" title=(ctx.site_title) href=(urls::feed_json());
                (head)
            }
            // The accent is a custom property on body (the CSP allows style attributes,
            // not style elements); `Accent` is `#rrggbb` and nothing else.
            body data-infinite-scroll=[ctx.infinite_scroll.then_some("true")]
                data-accent=[ctx.accent.as_ref().map(|_| "site")]
                style=[ctx.accent.as_ref().map(accent_style)] {
                // The first thing a keyboard reaches: past the header's links.
                a.skip-link href="#main" { (ctx.t("layout.skip_to_content")) }
                header.site-header {
                    div.wrap {
                        a.brand href=(urls::index()) {
                            @if let Some(icon) = &ctx.icon {
                                img.logo src=(urls::media(&icon.large)) alt="" width="32" height="32";
                                " "
                            }
                            (ctx.site_title)
                        }
                        (site_menu(ctx))
                        (search_form(ctx))
                        nav.menu aria-label=(ctx.t("layout.account_menu")) { (menu(ctx)) }
                    }
                }
                main #main .wrap tabindex="-1" { (content) }
                footer.site-footer {
                    div.wrap {
                        p { (ctx.site_description) }
                        @if ctx.mail {
                            p { a href=(urls::subscribe(None)) { (ctx.t("mail.subscribe_link")) } }
                        }
                    }
                }
            }
        }
    }
}

/// The pages the admin put in the menu, in their order; nothing when there are none.
fn site_menu(ctx: &PageCtx) -> Markup {
    html! {
        @if !ctx.menu.is_empty() {
            nav.site-menu aria-label=(ctx.t("layout.site_menu")) {
                ul {
                    @for entry in ctx.menu.iter() {
                        li { a href=(urls::site_page(&entry.slug)) { (entry.title) } }
                    }
                }
            }
        }
    }
}

fn menu(ctx: &PageCtx) -> Markup {
    html! {
        @if let Some(user) = &ctx.user {
            @if user.can_write {
                a href=(urls::new_post()) { (ctx.t("layout.new_post")) }
                a href=(urls::new_site_page()) { (ctx.t("layout.new_page")) }
                a href=(urls::drafts()) { (ctx.t("layout.drafts")) }
                @if ctx.federation {
                    a href=(urls::fediverse()) { (ctx.t("federation.title")) }
                }
            }
            @if user.is_admin {
                a href=(urls::admin()) { (ctx.t("layout.admin")) }
            }
            a.me href=(urls::author(user.id)) {
                @if let Some(avatar) = &user.avatar {
                    img.avatar.small src=(avatar) alt="" width="24" height="24";
                }
                (user.name)
            }
            a href=(urls::profile()) { (ctx.t("layout.profile")) }
            form.inline method="post" action=(urls::logout()) {
                (csrf_input(ctx))
                button.link type="submit" { (ctx.t("layout.log_out")) }
            }
        } @else {
            a href=(urls::login()) { (ctx.t("layout.log_in")) }
            @if ctx.open_registration {
                a href=(urls::signup()) { (ctx.t("layout.sign_up")) }
            }
        }
    }
}

/// The type of a stored image, from the extension our pipeline gave it.
fn image_type(path: &str) -> &'static str {
    match path.rsplit('.').next() {
        Some("png") => "image/png",
        Some("webp") => "image/webp",
        Some("gif") => "image/gif",
        _ => "image/jpeg",
    }
}

/// The admin's accent for each theme (`site.css` picks the dark one in dark mode),
/// each made readable on that theme's background, with the text that reads on it.
fn accent_style(accent: &Accent) -> String {
    let light = accent.readable_on(&LIGHT_PAGE);
    let dark = accent.readable_on(&DARK_PAGE);
    format!(
        "--accent: {light}; --accent-text: {}; --accent-dark: {dark}; --accent-dark-text: {};",
        light.text_colour(),
        dark.text_colour()
    )
}

/// The backgrounds of `site.css`'s two themes (`--bg`).
static LIGHT_PAGE: std::sync::LazyLock<Accent> =
    std::sync::LazyLock::new(|| "#ffffff".parse().expect("a literal colour"));
static DARK_PAGE: std::sync::LazyLock<Accent> =
    std::sync::LazyLock::new(|| "#0d1117".parse().expect("a literal colour"));
