//! Full-text search over published posts. The index is the FTS5 table `post_search`
//! (migration 003): a row per published post, its rowid the post's id, holding the
//! title and the body's text without markup. Triggers on `posts` keep it in step
//! within the writing transaction; they call the two SQL functions registered here.
//!
//! The table uses the trigram tokenizer, which cannot look up terms shorter than three
//! characters (Korean words are often two: "서울"). Such terms are matched with
//! `instr` over the same columns instead, which reads every indexed post: fine for a
//! blog's few thousand posts.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension};

use super::posts::{from_row, SELECT};
use crate::content::excerpt::text_of;
use crate::content::highlight::{Highlighted, END, START};
use crate::content::{Post, PostId};

/// The shortest term the trigram index can find.
const TRIGRAM: usize = 3;

/// A snippet's length in tokens, which for trigrams are about characters (64 is the
/// most FTS5 allows).
const SNIPPET_TOKENS: usize = 64;

/// bm25 weights of the columns: a term in the title counts ten times one in the body.
const RANK: &str = "bm25(post_search, 10.0, 1.0)";

/// Registers the functions the `post_search` triggers and migration 003 call. Every
/// connection of ours gets them, so any write to `posts` can update the index.
pub fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    // Innocuous: they only read their argument, so triggers may call them even with
    // `PRAGMA trusted_schema = OFF`.
    let flags = FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("blog_search_text", 1, flags, |ctx| {
        Ok(without_marks(&text_arg(ctx)?))
    })?;
    conn.create_scalar_function("blog_search_html", 1, flags, |ctx| {
        Ok(without_marks(&text_of(&text_arg(ctx)?)))
    })?;
    Ok(())
}

fn text_arg(ctx: &Context) -> rusqlite::Result<String> {
    Ok(ctx.get::<Option<String>>(0)?.unwrap_or_default())
}

/// The index never holds the highlight marks, so in what `highlight()` and
/// `snippet()` return, every mark is one they put there.
fn without_marks(text: &str) -> String {
    text.chars().filter(|&c| c != START && c != END).collect()
}

/// What a visitor typed, as terms that all must be found. Nothing typed reaches
/// FTS5's query syntax: each term becomes a quoted FTS5 string, so `"`, `*`, `AND(`,
/// `NEAR`, `-` or `title:` are searched for as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Terms of three characters or more, looked up in the index.
    long: Vec<String>,
    /// Shorter terms, matched with `instr`.
    short: Vec<String>,
}

impl Query {
    /// The words of `text` (split at white space), duplicates dropped; `None` when
    /// there is nothing to search for.
    pub fn parse(text: &str) -> Option<Self> {
        let mut query = Self {
            long: Vec::new(),
            short: Vec::new(),
        };
        for word in text.split_whitespace() {
            let term = without_marks(&word.replace(char::is_control, ""));
            let seen = query
                .long
                .iter()
                .chain(&query.short)
                .any(|t| t.eq_ignore_ascii_case(&term));
            if term.is_empty() || seen {
                continue;
            }
            if term.chars().count() >= TRIGRAM {
                query.long.push(term);
            } else {
                query.short.push(term);
            }
        }
        (!query.long.is_empty() || !query.short.is_empty()).then_some(query)
    }

    /// Every term, for highlighting by hand.
    fn terms(&self) -> Vec<String> {
        self.long.iter().chain(&self.short).cloned().collect()
    }

    /// The FTS5 expression for the long terms: each an FTS5 string (`"` doubled
    /// inside), all required.
    fn match_expr(&self) -> Option<String> {
        (!self.long.is_empty()).then(|| {
            self.long
                .iter()
                .map(|term| format!("\"{}\"", term.replace('"', "\"\"")))
                .collect::<Vec<_>>()
                .join(" AND ")
        })
    }

    /// The `WHERE` and `ORDER BY` of a search, over `post_search` joined with
    /// `posts`, and the values of their parameters (numbered from 1).
    fn sql(&self) -> (String, String, Vec<Value>) {
        let mut args = Vec::new();
        let mut filter = String::from("posts.kind = 'post' AND posts.published_at IS NOT NULL");
        let match_expr = self.match_expr();
        if let Some(expr) = &match_expr {
            args.push(Value::Text(expr.clone()));
            filter.push_str(&format!(" AND post_search MATCH ?{}", args.len()));
        }
        let mut in_title = Vec::new();
        for term in &self.short {
            args.push(Value::Text(term.clone()));
            let n = args.len();
            let title = format!("instr(lower(post_search.title), lower(?{n})) > 0");
            filter.push_str(&format!(
                " AND ({title} OR instr(lower(post_search.body), lower(?{n})) > 0)"
            ));
            in_title.push(title);
        }
        // Without index terms there is no bm25: posts with the terms in their title
        // come first.
        let rank = match match_expr {
            Some(_) => RANK.to_string(),
            None => format!("({}) DESC", in_title.join(") + (")),
        };
        let order = format!("{rank}, posts.published_at DESC, posts.id DESC");
        (filter, order, args)
    }
}

/// A post found, with its title and a piece of its body, found terms marked.
#[derive(Debug)]
pub struct Hit {
    pub post: Post,
    pub title: Highlighted,
    pub snippet: Highlighted,
}

/// How many published posts match.
pub fn count(conn: &Connection, query: &Query) -> rusqlite::Result<u64> {
    let (filter, _, args) = query.sql();
    conn.prepare_cached(&format!(
        "SELECT count(*) FROM post_search CROSS JOIN posts ON posts.id = post_search.rowid
         WHERE {filter}"
    ))?
    .query_row(params_from_iter(args), |row| row.get(0))
}

/// One page of matching posts, best first, newest first among equals.
pub fn page(
    conn: &Connection,
    query: &Query,
    limit: u32,
    offset: u64,
) -> rusqlite::Result<Vec<Hit>> {
    let (filter, order, mut args) = query.sql();
    let marked = query.match_expr().is_some();
    let columns = if marked {
        args.push(Value::Text(START.to_string()));
        args.push(Value::Text(END.to_string()));
        let (start, end) = (args.len() - 1, args.len());
        format!(
            "highlight(post_search, 0, ?{start}, ?{end}),
             snippet(post_search, 1, ?{start}, ?{end}, '…', {SNIPPET_TOKENS})"
        )
    } else {
        "post_search.title, post_search.body".to_string()
    };
    args.push(Value::Integer(i64::from(limit)));
    args.push(Value::Integer(i64::try_from(offset).unwrap_or(i64::MAX)));
    let (limit_at, offset_at) = (args.len() - 1, args.len());
    // CROSS JOIN keeps the FTS table as the outer loop, so its query runs once
    // rather than once per post.
    let found: Vec<(PostId, String, String)> = conn
        .prepare_cached(&format!(
            "SELECT post_search.rowid, {columns}
             FROM post_search CROSS JOIN posts ON posts.id = post_search.rowid
             WHERE {filter} ORDER BY {order} LIMIT ?{limit_at} OFFSET ?{offset_at}"
        ))?
        .query_map(params_from_iter(args), |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let terms = query.terms();
    let mut by_id = conn.prepare_cached(&format!("{SELECT} WHERE posts.id = ?1"))?;
    let mut hits = Vec::with_capacity(found.len());
    for (id, title, body) in found {
        // A post deleted since the query above is simply left out.
        let Some(post) = by_id.query_row([id], from_row).optional()? else {
            continue;
        };
        let (title, snippet) = if marked {
            (
                Highlighted::from_marked(title),
                Highlighted::from_marked(body),
            )
        } else {
            (
                Highlighted::marking(&title, &terms),
                Highlighted::around_first(&body, &terms, SNIPPET_TOKENS),
            )
        };
        hits.push(Hit {
            post,
            title,
            snippet,
        });
    }
    Ok(hits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::migrate;

    fn query(text: &str) -> Query {
        Query::parse(text).unwrap()
    }

    #[test]
    fn terms_are_split_at_spaces_and_sorted_by_length() {
        let q = query("  서울 친구를\tRust  rust 서울 ");
        assert_eq!(q.long, vec!["친구를", "Rust"]);
        assert_eq!(q.short, vec!["서울"]);
        assert_eq!(Query::parse(" \t\n"), None);
        assert_eq!(Query::parse("\u{0}\u{E000}"), None);
    }

    #[test]
    fn fts_syntax_is_quoted_as_text() {
        let q = query(r#"say"hi" AND( NEAR(a title: * -x"#);
        assert_eq!(
            q.match_expr().unwrap(),
            r#""say""hi""" AND "AND(" AND "NEAR(a" AND "title:""#
        );
        assert_eq!(q.short, vec!["*", "-x"]);
        assert_eq!(query("ab").match_expr(), None);
    }

    #[test]
    fn short_terms_are_matched_with_instr_and_ranked_by_title() {
        let (filter, order, args) = query("서울 ab").sql();
        assert!(
            filter.contains("instr(lower(post_search.body), lower(?2))"),
            "{filter}"
        );
        assert!(!filter.contains("MATCH"), "{filter}");
        assert!(
            order.starts_with("(instr(lower(post_search.title), lower(?1)) > 0) + ("),
            "{order}"
        );
        assert_eq!(args.len(), 2);
        let (filter, order, _) = query("서울 seoul").sql();
        assert!(filter.contains("post_search MATCH ?1"), "{filter}");
        assert!(order.starts_with(RANK), "{order}");
    }

    /// A database with the real schema and triggers, and one author.
    fn database() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate::run(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO users (id, email, role, created_at) VALUES (1, 'a@b.example', 'author', 0)",
            [],
        )
        .unwrap();
        conn
    }

    fn add(conn: &Connection, id: i64, title: &str, body: &str, published: Option<i64>) {
        conn.execute(
            "INSERT INTO posts (id, author_id, title, slug, body, excerpt, created_at, updated_at, published_at)
             VALUES (?1, 1, ?2, ?1, ?3, '', 0, 0, ?4)",
            rusqlite::params![id, title, body, published],
        )
        .unwrap();
    }

    fn found(conn: &Connection, text: &str) -> Vec<i64> {
        page(conn, &query(text), 10, 0)
            .unwrap()
            .iter()
            .map(|hit| hit.post.id.0)
            .collect()
    }

    #[test]
    fn the_triggers_index_published_posts_only_and_follow_every_change() {
        let conn = database();
        let same = "<p>어제 <b>서울에서</b> 친구를 만났습니다</p>";
        add(&conn, 1, "Seoul", same, Some(5));
        add(&conn, 2, "Draft", same, None);
        assert_eq!(found(&conn, "서울"), vec![1]);
        assert_eq!(found(&conn, "친구를"), vec![1]);
        assert_eq!(
            found(&conn, "b"),
            Vec::<i64>::new(),
            "markup is not indexed"
        );

        conn.execute("UPDATE posts SET published_at = 9 WHERE id = 2", [])
            .unwrap();
        assert_eq!(found(&conn, "서울에서"), vec![2, 1], "newest first on ties");
        conn.execute("UPDATE posts SET body = '<p>부산</p>' WHERE id = 2", [])
            .unwrap();
        assert_eq!(found(&conn, "서울에서"), vec![1]);
        conn.execute("UPDATE posts SET published_at = NULL WHERE id = 1", [])
            .unwrap();
        assert_eq!(found(&conn, "서울"), Vec::<i64>::new());
        // A user's posts go with them (ON DELETE CASCADE), and so do their index rows.
        conn.execute("DELETE FROM users WHERE id = 1", []).unwrap();
        let left: i64 = conn
            .query_row("SELECT count(*) FROM post_search", [], |row| row.get(0))
            .unwrap();
        assert_eq!(left, 0);
    }

    #[test]
    fn the_title_outranks_the_body_and_snippets_are_marked() {
        let conn = database();
        add(
            &conn,
            1,
            "Other",
            "<p>all about rust &lt;b&gt; here</p>",
            Some(9),
        );
        add(&conn, 2, "Rust notes", "<p>nothing</p>", Some(1));
        let hits = page(&conn, &query("rust"), 10, 0).unwrap();
        let ids: Vec<i64> = hits.iter().map(|hit| hit.post.id.0).collect();
        assert_eq!(ids, vec![2, 1]);
        assert_eq!(
            hits[1].snippet.parts(),
            vec![("all about ", false), ("rust", true), (" <b> here", false)]
        );
        assert_eq!(count(&conn, &query("rust")).unwrap(), 2);
        assert_eq!(count(&conn, &query("\"")).unwrap(), 0);
    }

    #[test]
    fn highlight_marks_typed_by_an_author_are_not_indexed() {
        let conn = database();
        add(
            &conn,
            1,
            "a\u{E000}b title",
            "<p>x\u{E001}y body</p>",
            Some(1),
        );
        let text: String = conn
            .query_row("SELECT title || body FROM post_search", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(text, "ab titlexy body");
    }
}
