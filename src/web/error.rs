//! The web layer's one error type. Each variant becomes a page with the right status;
//! internal errors are logged once, here, and the visitor sees a plain 500 page.
//! A rejected form is not an error: handlers answer it with the form and its problems.

use http::StatusCode;

use crate::actions::ActionError;
use crate::i18n::Text;
use crate::serving::response::{self, html, Response};
use crate::urls;
use crate::views::{self, PageCtx};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("the form's CSRF token is missing or belongs to another session")]
    Csrf,
    #[error("method not allowed")]
    MethodNotAllowed,
    /// A signed-in page asked for anonymously: log in, then come back to the path.
    #[error("login required")]
    LoginRequired(String),
    #[error("request body too large")]
    PayloadTooLarge,
    /// The key of the sentence that says what was wrong (`locales/*/errors.toml`).
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("the post was saved elsewhere since")]
    Conflict,
    #[error("too many requests from this address")]
    TooManyRequests,
    #[error("the request took too long")]
    Timeout,
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden | Self::Csrf => StatusCode::FORBIDDEN,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::LoginRequired(_) => StatusCode::SEE_OTHER,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Timeout => StatusCode::REQUEST_TIMEOUT,
            Self::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Self::Conflict => StatusCode::CONFLICT,
            Self::Internal(err) if is_disk_full(err) => StatusCode::INSUFFICIENT_STORAGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn into_response(self, page: &PageCtx) -> Response {
        if let Self::LoginRequired(next) = &self {
            return response::redirect(&urls::login_then(next));
        }
        let message = page.t(self.message());
        html(
            self.status(),
            views::errors::page(page, self.status(), message),
        )
    }

    /// For JSON endpoints (the editor's uploads): `{"error": "…"}` with the status.
    pub fn into_json(self, text: Text) -> Response {
        response::json_error(self.status(), text.get(self.message()))
    }

    /// The key of one sentence for the visitor; internal errors are logged here, once.
    fn message(&self) -> &'static str {
        match self {
            Self::LoginRequired(_) => "errors.login_required",
            Self::Internal(err) if is_disk_full(err) => {
                tracing::error!("the disk is full; free some space: {err:#}");
                "errors.disk_full"
            }
            Self::Internal(err) => {
                tracing::error!("{err:#}");
                "errors.internal"
            }
            Self::NotFound => "errors.not_found",
            Self::Forbidden => "errors.forbidden",
            Self::Csrf => "errors.csrf",
            Self::MethodNotAllowed => "errors.method_not_allowed",
            Self::PayloadTooLarge => "errors.payload_too_large",
            Self::BadRequest(why) => why,
            Self::Timeout => "errors.timeout",
            Self::TooManyRequests => "errors.too_many_requests",
            Self::Conflict => "errors.conflict",
        }
    }
}

/// Out of space: SQLite's SQLITE_FULL, or ENOSPC from writing a media file. The write
/// was rolled back (or its file removed), so the visitor may simply try again later.
fn is_disk_full(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        if let Some(err) = cause.downcast_ref::<rusqlite::Error>() {
            return err.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull);
        }
        if let Some(err) = cause.downcast_ref::<std::io::Error>() {
            return err.kind() == std::io::ErrorKind::StorageFull
                || err.raw_os_error() == Some(libc::ENOSPC);
        }
        false
    })
}

/// A refused action becomes the page its reason calls for.
impl From<ActionError> for WebError {
    fn from(err: ActionError) -> Self {
        match err {
            ActionError::NotFound(_) => Self::NotFound,
            ActionError::Forbidden(_) => Self::Forbidden,
            ActionError::Refused(why) => Self::BadRequest(why),
            ActionError::Stale(_) => Self::Conflict,
            ActionError::Throttled => Self::TooManyRequests,
            ActionError::Internal(err) => Self::Internal(err),
        }
    }
}

impl From<rusqlite::Error> for WebError {
    fn from(err: rusqlite::Error) -> Self {
        Self::Internal(err.into())
    }
}

impl From<tokio::task::JoinError> for WebError {
    fn from(err: tokio::task::JoinError) -> Self {
        Self::Internal(err.into())
    }
}
