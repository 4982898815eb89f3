-- Pages and featured images (issue #15).
--
-- A row of `posts` is a post or a standalone page (About, Contact, …): pages share the
-- editor, revisions, autosave and preview links, but stay out of every list, feed and
-- search of posts. A published page with a `menu_position` is in the site's menu,
-- smallest first.
ALTER TABLE posts ADD COLUMN kind TEXT NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'page'));
ALTER TABLE posts ADD COLUMN menu_position INTEGER;
CREATE INDEX posts_menu ON posts(menu_position) WHERE kind = 'page';

-- The image lists show as a thumbnail and link previews use; the media GC and the
-- release rules count it as used.
ALTER TABLE posts ADD COLUMN featured_media_id INTEGER REFERENCES media(id) ON DELETE SET NULL;
CREATE INDEX posts_featured ON posts(featured_media_id) WHERE featured_media_id IS NOT NULL;
