//! A post's kept revisions: who saved what when, two chosen ones compared word by word,
//! and a button to restore any of them.

use maud::{html, Markup};

use super::components::csrf_input;
use super::{layout, PageCtx};
use crate::content::diff::Piece;
use crate::content::Post;
use crate::urls;

/// One revision in the list.
pub struct Row {
    pub id: i64,
    pub author_name: String,
    pub title: String,
    pub saved_at: i64,
}

/// Two revisions compared: the title's and the body's changes.
pub struct Compared {
    pub from: Row,
    pub to: Row,
    pub title: Vec<Piece>,
    pub body: Vec<Piece>,
}

pub fn list(ctx: &PageCtx, post: &Post, rows: &[Row], compared: Option<&Compared>) -> Markup {
    let title = ctx.tf("posts.revisions_of", &[("title", &post.title)]);
    // By default the newest two are compared.
    let (from, to) = match compared {
        Some(c) => (c.from.id, c.to.id),
        None => (
            rows.get(1).map_or(0, |r| r.id),
            rows.first().map_or(0, |r| r.id),
        ),
    };
    layout::page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p { a href=(urls::post_edit(&post.slug)) { (ctx.t("posts.edit")) } }
            @if let Some(compared) = compared {
                section.diff #diff aria-labelledby="diff-title" {
                    h2 #diff-title {
                        (ctx.tf("posts.changes", &[
                            ("from", &ctx.date_time(compared.from.saved_at)),
                            ("to", &ctx.date_time(compared.to.saved_at)),
                        ]))
                    }
                    h3.diff-title { (pieces(&compared.title)) }
                    div.diff-body { (pieces(&compared.body)) }
                }
            }
            @if rows.is_empty() {
                p.empty { (ctx.t("posts.no_revisions")) }
            } @else {
                form method="get" action=(urls::post_revisions(&post.slug)) {
                    table.admin-table #revisions {
                        thead {
                            tr {
                                th scope="col" { (ctx.t("posts.from")) }
                                th scope="col" { (ctx.t("posts.to")) }
                                th scope="col" { (ctx.t("posts.title")) }
                                th scope="col" { "" }
                                th scope="col" { "" }
                            }
                        }
                        tbody {
                            @for row in rows {
                                tr.revision data-id=(row.id) {
                                    td { input type="radio" name="from" value=(row.id) checked[row.id == from] aria-label=(ctx.t("posts.from")); }
                                    td { input type="radio" name="to" value=(row.id) checked[row.id == to] aria-label=(ctx.t("posts.to")); }
                                    td { (row.title) }
                                    td {
                                        time datetime=(ctx.datetime(row.saved_at)) { (ctx.date_time(row.saved_at)) }
                                        " " (ctx.tf("posts.by", &[("name", &row.author_name)]))
                                    }
                                    td {
                                        button type="submit" form=(format!("restore-{}", row.id))
                                            { (ctx.t("posts.restore")) }
                                    }
                                }
                            }
                        }
                    }
                    button.primary type="submit" { (ctx.t("posts.compare")) }
                }
                // The restore buttons' forms: a form cannot sit inside the compare form.
                @for row in rows {
                    form #(format!("restore-{}", row.id)) method="post"
                        action=(urls::post_revision_restore(&post.slug, row.id)) {
                        (csrf_input(ctx))
                    }
                }
            }
        },
    )
}

fn pieces(pieces: &[Piece]) -> Markup {
    html! {
        @for piece in pieces {
            @match piece {
                Piece::Same(text) => span { (text) },
                Piece::Removed(text) => del { (text) },
                Piece::Added(text) => ins { (text) },
            }
        }
    }
}
