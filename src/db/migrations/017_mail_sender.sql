-- Each queued mail keeps the sender it was written with. Without `[mail] from`, the
-- sender's name is the site's title, which `/admin/settings` may change at any time;
-- the mail's subject and body already carry the title of the moment it was written,
-- and its From now says the same. NULL (mail queued before this migration): the
-- sender the server starts with.
ALTER TABLE mail_outbox ADD COLUMN sender TEXT;
