-- Full-text search (issue 8): an FTS5 table with a row per published post, its rowid
-- the post's id, holding the title and the body's text without markup.
--
-- Why trigram: Korean writes a noun and its particle as one word ("서울에서" is
-- "서울" + "에서"), so a tokenizer that splits at spaces would index "서울에서" whole
-- and never find "서울". The trigram tokenizer indexes every three-character
-- sequence, so any piece of text of three characters or more is found, in Korean as
-- in English, case-insensitively. Shorter terms ("서울") cannot be looked up in it;
-- `db::search` matches those with instr() over the same columns.
CREATE VIRTUAL TABLE post_search USING fts5(title, body, tokenize = 'trigram');

-- Triggers keep it in step with `posts` in the same transaction as every write: the
-- editor's, an import's, and the deletes that ON DELETE CASCADE makes when a user
-- goes. blog_search_text() and blog_search_html() (the body's text, markup removed)
-- are Rust functions that `db::search` registers on every connection of blog's; a
-- program without them (the sqlite3 shell) can delete posts but not write them.
CREATE TRIGGER post_search_insert AFTER INSERT ON posts
WHEN new.published_at IS NOT NULL
BEGIN
    INSERT INTO post_search (rowid, title, body)
    VALUES (new.id, blog_search_text(new.title), blog_search_html(new.body));
END;

CREATE TRIGGER post_search_update AFTER UPDATE OF id, title, body, published_at ON posts
BEGIN
    DELETE FROM post_search WHERE rowid = old.id;
    INSERT INTO post_search (rowid, title, body)
    SELECT new.id, blog_search_text(new.title), blog_search_html(new.body)
    WHERE new.published_at IS NOT NULL;
END;

CREATE TRIGGER post_search_delete AFTER DELETE ON posts
BEGIN
    DELETE FROM post_search WHERE rowid = old.id;
END;

-- The posts published before this version.
INSERT INTO post_search (rowid, title, body)
SELECT id, blog_search_text(title), blog_search_html(body)
FROM posts WHERE published_at IS NOT NULL;
