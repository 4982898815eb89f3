-- What readers see changes only with these tables: a count of their changes tells
-- the page cache (src/web/cache.rs) when its pages went stale, whichever process wrote.
-- Sessions, failed logins and reset links are left out, so a login storm does not
-- throw away every cached page many times a second.
CREATE TABLE content_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n  INTEGER NOT NULL
);
INSERT INTO content_version (id, n) VALUES (1, 0);

CREATE TRIGGER users_insert_changes_content AFTER INSERT ON users BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER users_update_changes_content AFTER UPDATE ON users BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER users_delete_changes_content AFTER DELETE ON users BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER posts_insert_changes_content AFTER INSERT ON posts BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER posts_update_changes_content AFTER UPDATE ON posts BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER posts_delete_changes_content AFTER DELETE ON posts BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER tags_insert_changes_content AFTER INSERT ON tags BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER tags_update_changes_content AFTER UPDATE ON tags BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER tags_delete_changes_content AFTER DELETE ON tags BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER post_tags_insert_changes_content AFTER INSERT ON post_tags BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER post_tags_update_changes_content AFTER UPDATE ON post_tags BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER post_tags_delete_changes_content AFTER DELETE ON post_tags BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER comments_insert_changes_content AFTER INSERT ON comments BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER comments_update_changes_content AFTER UPDATE ON comments BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER comments_delete_changes_content AFTER DELETE ON comments BEGIN UPDATE content_version SET n = n + 1; END;
