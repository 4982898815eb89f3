//! What a handler knows about a request: who asks (user, session, client address), the
//! query, the decoded form, and the CSRF token to put in the forms it renders.

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::app::App;
use crate::auth::{csrf, permissions, Actor, Token};
use crate::content::site::SiteLook;
use crate::content::{MenuEntry, User};
use crate::i18n::Text;
use crate::views::{PageCtx, UserBadge};

use super::WebError;

pub struct Ctx {
    pub app: Arc<App>,
    /// The path as requested, for `?next=` after a login.
    pub path: String,
    query: Vec<(String, String)>,
    pub form: Form,
    pub client: IpAddr,
    /// The original request was HTTPS (per a trusted proxy, or `base_url`).
    pub https: bool,
    pub user: Option<User>,
    /// The signed-in account has a second factor (a TOTP app or a passkey).
    pub has_second_factor: bool,
    /// The browser's User-Agent header (cut short), for the list of sessions.
    pub user_agent: String,
    session: Token,
    /// The browser sent no usable session cookie: `session` is new and must be set
    /// if a form carries its CSRF token.
    session_is_new: bool,
    csrf_rendered: AtomicBool,
    /// The site's menu, from `App::menu`.
    menu: Arc<[MenuEntry]>,
    /// The site's title, description and accent, from `App::site`.
    pub site: Arc<SiteLook>,
}

pub struct CtxParts {
    pub app: Arc<App>,
    pub path: String,
    pub query: Option<String>,
    pub form: Form,
    pub client: IpAddr,
    pub https: bool,
    pub user: Option<User>,
    pub has_second_factor: bool,
    pub user_agent: String,
    pub session: Token,
    pub session_is_new: bool,
    pub menu: Arc<[MenuEntry]>,
    pub site: Arc<SiteLook>,
}

impl Ctx {
    pub fn new(parts: CtxParts) -> Self {
        let query = parts
            .query
            .as_deref()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        Self {
            app: parts.app,
            path: parts.path,
            query,
            form: parts.form,
            client: parts.client,
            https: parts.https,
            user: parts.user,
            has_second_factor: parts.has_second_factor,
            user_agent: parts.user_agent,
            session: parts.session,
            session_is_new: parts.session_is_new,
            csrf_rendered: AtomicBool::new(false),
            menu: parts.menu,
            site: parts.site,
        }
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn session(&self) -> &Token {
        &self.session
    }

    /// True when a form with this session's CSRF token was rendered: the page is
    /// then this visitor's own and must not be shared.
    pub fn csrf_was_rendered(&self) -> bool {
        self.csrf_rendered.load(Ordering::Relaxed)
    }

    /// The cookie to set so that a rendered CSRF token will verify on submit.
    pub fn pending_visitor_session(&self) -> Option<&Token> {
        (self.session_is_new && self.csrf_rendered.load(Ordering::Relaxed)).then_some(&self.session)
    }

    pub fn csrf_token(&self) -> String {
        csrf::token(&self.app.key, &self.session)
    }

    /// True when the POST carries this session's token, as a field or a header.
    pub fn csrf_ok(&self, header: Option<&str>) -> bool {
        let given = header.unwrap_or_else(|| self.form.get("csrf_token"));
        !self.session_is_new
            && !given.is_empty()
            && csrf::verify(&self.app.key, &self.session, given)
    }

    /// `page` for a page with a form a visitor may submit (login, signup, reset):
    /// the visitor's token must then reach the browser as a cookie.
    pub fn form_page(&self) -> PageCtx {
        self.csrf_rendered.store(true, Ordering::Relaxed);
        self.page()
    }

    /// What every page's layout needs to know. A signed-in user's forms (the header's
    /// logout form among them) verify against the session cookie they already have.
    /// A page that shows a form to visitors must use `form_page` instead, or it could
    /// be cached and shared with the token inside.
    pub fn page(&self) -> PageCtx {
        let site = &self.app.config.site;
        PageCtx {
            site_title: self.site.title.clone(),
            site_description: self.site.description.clone(),
            accent: self.site.accent.clone(),
            icon: self.site.icon.clone(),
            text: self.text(),
            time_zone: self.app.time_zone.clone(),
            user: self.user.as_ref().map(|u| UserBadge {
                id: u.id,
                // Without a name chosen, the whole address: "Admin admin" beside the
                // admin link said nothing of whose account this is.
                name: if u.display_name.trim().is_empty() {
                    u.email.to_string()
                } else {
                    u.display_name.clone()
                },
                avatar: u.avatar.as_ref().map(|a| crate::urls::media(&a.small)),
                can_write: permissions::can_write(u),
                is_admin: u.role == crate::content::Role::Admin,
            }),
            csrf_token: self.csrf_token(),
            open_registration: self.app.config.accounts.open_registration,
            infinite_scroll: site.infinite_scroll,
            mail: self.app.letters.is_some(),
            federation: self.app.federation.is_some(),
            menu: Arc::clone(&self.menu),
        }
    }

    /// The interface's words in `[site] language`.
    pub fn text(&self) -> Text {
        Text::new(self.app.config.site.language)
    }

    pub fn require_user(&self) -> Result<&User, WebError> {
        self.user
            .as_ref()
            .ok_or_else(|| WebError::LoginRequired(self.path.clone()))
    }

    /// The signed-in user, as the actor of what they ask for.
    pub fn actor(&self) -> Result<Actor, WebError> {
        self.require_user().map(|user| Actor::User(user.clone()))
    }

    /// Where a form asks to go after it is done (`next`, from the admin pages), when
    /// that is a path on this site; else `default`.
    pub fn next_or(&self, default: String) -> String {
        local_path(self.form.get("next")).map_or(default, str::to_string)
    }

    /// The `next` a confirmation page was opened with (`?next=/admin/comments`), to
    /// carry into its form; only ever a local path.
    pub fn next_asked(&self) -> Option<&str> {
        self.query("next").and_then(local_path)
    }

    /// A signed-in admin or author.
    pub fn require_writer(&self) -> Result<&User, WebError> {
        let user = self.require_user()?;
        if permissions::can_write(user) {
            Ok(user)
        } else {
            Err(WebError::Forbidden)
        }
    }
}

/// `next` only ever leads to a path on this site: `/x`, never `//host` or `/\\host`.
pub fn local_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.chars().any(|c| c.is_control() || c == '\\');
    ok.then_some(next)
}

/// A decoded form body: `application/x-www-form-urlencoded`, or `multipart/form-data`
/// with files.
#[derive(Debug, Default, Clone)]
pub struct Form {
    fields: Vec<(String, String)>,
    files: Vec<FilePart>,
}

/// A file sent in a multipart form.
#[derive(Debug, Clone)]
pub struct FilePart {
    pub field: String,
    pub bytes: bytes::Bytes,
}

impl Form {
    pub fn parse(body: &[u8]) -> Self {
        Self {
            fields: form_urlencoded::parse(body).into_owned().collect(),
            files: Vec::new(),
        }
    }

    /// Decodes a multipart body that was already read whole (and size-limited).
    /// Parts with a file name are files; the others are fields.
    pub async fn parse_multipart(
        body: bytes::Bytes,
        boundary: &str,
    ) -> Result<Self, multer::Error> {
        let stream =
            futures_util::stream::once(async move { Ok::<_, std::convert::Infallible>(body) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut form = Self::default();
        while let Some(field) = multipart.next_field().await? {
            let name = field.name().unwrap_or_default().to_string();
            if field.file_name().is_some() {
                let bytes = field.bytes().await?;
                form.files.push(FilePart { field: name, bytes });
            } else {
                form.fields.push((name, field.text().await?));
            }
        }
        Ok(form)
    }

    /// The field's first value, or "" when absent: a missing field and an empty one
    /// are the same mistake to a user.
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// True when the form sent the field at all, even empty: a script's form that
    /// leaves one out means "as it was", where an empty one means "none".
    pub fn has(&self, name: &str) -> bool {
        self.fields.iter().any(|(k, _)| k == name)
    }

    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    /// The file sent in a field, unless none was chosen (browsers send an empty part).
    pub fn file(&self, name: &str) -> Option<&FilePart> {
        self.files
            .iter()
            .find(|f| f.field == name && !f.bytes.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn next_is_only_a_local_path() {
        assert_eq!(local_path("/posts/new"), Some("/posts/new"));
        for bad in [
            "",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "evil",
            "/a\nb",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
