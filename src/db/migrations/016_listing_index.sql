-- The home page counts and pages the published posts (`kind = 'post'`); with only
-- `posts_published`, SQLite read every post's row to check its kind: a read of the
-- whole table (10,000 pages for 10,000 posts) for the first page after a start, and
-- 5,000 rows for `?page=500`. This index answers the count and the page's ids from
-- the index alone.
CREATE INDEX posts_listed ON posts(kind, published_at DESC, id DESC, author_id)
    WHERE published_at IS NOT NULL;
