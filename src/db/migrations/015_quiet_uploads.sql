-- An image that nothing readers see uses yet (one just put in the editor, the
-- copies of one no post shows) does not make cached pages stale: only files of an
-- image that a post, an account's thumbnail or the site's icon uses do (new copies
-- from `blog media rebuild`, say). Whatever makes an image used, saving a post or
-- setting a thumbnail or the icon, changes what readers see by itself (migrations
-- 004 and 011), in the same transaction. Each use is looked up by its index, not
-- through a view of every use, so an upload costs the same on a large blog.
DROP TRIGGER media_files_insert_changes_content;
DROP TRIGGER media_files_delete_changes_content;
CREATE TRIGGER media_files_insert_changes_content AFTER INSERT ON media_files
WHEN EXISTS (SELECT 1 FROM post_media WHERE media_id = NEW.media_id)
  OR EXISTS (SELECT 1 FROM posts WHERE featured_media_id = NEW.media_id)
  OR EXISTS (SELECT 1 FROM users WHERE avatar_id = NEW.media_id)
  OR EXISTS (SELECT 1 FROM site_icon WHERE media_id = NEW.media_id)
BEGIN UPDATE content_version SET n = n + 1; END;
CREATE TRIGGER media_files_delete_changes_content AFTER DELETE ON media_files
WHEN EXISTS (SELECT 1 FROM post_media WHERE media_id = OLD.media_id)
  OR EXISTS (SELECT 1 FROM posts WHERE featured_media_id = OLD.media_id)
  OR EXISTS (SELECT 1 FROM users WHERE avatar_id = OLD.media_id)
  OR EXISTS (SELECT 1 FROM site_icon WHERE media_id = OLD.media_id)
BEGIN UPDATE content_version SET n = n + 1; END;
