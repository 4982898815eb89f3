//! The SMTP client: `lettre` over the connection `[mail] smtp_url` names, with the
//! password from `BLOG_MAIL_PASSWORD` or `[mail] password_file`. A queued row becomes a
//! multipart/alternative message with its fixed Message-ID, the Date it was written,
//! and, for mails a reader may stop, `List-Unsubscribe` with one-click
//! `List-Unsubscribe-Post` (RFC 8058).

use std::time::{Duration, UNIX_EPOCH};

use anyhow::{bail, Context};
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::Tls;
use lettre::{Message, SmtpTransport, Transport};

use crate::config::{self, SmtpSecurity, SmtpUrl, MAIL_PASSWORD_ENV};
use crate::db::outbox::Queued;

/// How long one exchange with the server may take before it counts as down.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A connection (pooled) to the mail server, and the sender of mail queued without one.
pub struct Mailer {
    transport: SmtpTransport,
    from: Mailbox,
}

/// Why a send failed, and whether another try could help.
#[derive(Debug)]
pub enum SendError {
    /// The server refused this mail for good (an address that does not exist, a mail
    /// it will never take): trying again would only be refused again.
    Refused(String),
    /// Down, unreachable, busy, or refusing for now: worth another try later.
    Later(String),
}

impl Mailer {
    /// Checks the settings and prepares the connection; nothing is sent yet.
    pub fn new(mail: &config::Mail, from: &str) -> anyhow::Result<Self> {
        let SmtpUrl::Server(server) = &mail.smtp_url else {
            bail!("mail is off: set [mail] smtp_url");
        };
        let from: Mailbox = from.parse().with_context(|| {
            format!("[mail] from: {from:?} is not an address like \"Blog <blog@example.com>\"")
        })?;
        let mut builder = match server.security {
            SmtpSecurity::Plain => SmtpTransport::builder_dangerous(&server.host),
            SmtpSecurity::Tls => SmtpTransport::relay(&server.host)?,
            SmtpSecurity::StartTls => SmtpTransport::starttls_relay(&server.host)?,
        };
        builder = builder.port(server.port).timeout(Some(TIMEOUT));
        if server.security == SmtpSecurity::Plain {
            builder = builder.tls(Tls::None);
        }
        if let Some(user) = &server.user {
            let Some(password) = password(mail)? else {
                bail!(
                    "[mail] smtp_url names the user {user:?} but no password is set: set {MAIL_PASSWORD_ENV}, or [mail] password_file"
                );
            };
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        Ok(Self {
            transport: builder.build(),
            from,
        })
    }

    /// Connects and says hello (and logs in, with a user): what `blog check` reports.
    pub fn check(&self) -> anyhow::Result<()> {
        match self.transport.test_connection() {
            Ok(true) => Ok(()),
            Ok(false) => bail!("the mail server did not answer"),
            Err(err) => bail!("{}", describe(&err)),
        }
    }

    /// Sends one queued mail.
    pub fn send(&self, mail: &Queued) -> Result<(), SendError> {
        let message = self.message(mail)?;
        match self.transport.send(&message) {
            Ok(_) => Ok(()),
            Err(err) if refuses_this_mail(&err) => Err(SendError::Refused(err.to_string())),
            Err(err) => Err(SendError::Later(describe(&err))),
        }
    }

    fn message(&self, mail: &Queued) -> Result<Message, SendError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|err| SendError::Refused(format!("{:?} is not an address: {err}", mail.to)))?;
        let written =
            UNIX_EPOCH + Duration::from_millis(u64::try_from(mail.created_at).unwrap_or(0));
        // The sender the mail was written with (the site's title then); a row without
        // one, or with one that no longer parses, goes from the configured sender.
        let from = mail
            .sender
            .as_deref()
            .and_then(|sender| sender.parse::<Mailbox>().ok())
            .unwrap_or_else(|| self.from.clone());
        let mut builder = Message::builder()
            .from(from)
            .to(to)
            .subject(&mail.subject)
            .message_id(Some(format!("<{}>", mail.message_id)))
            .date(written);
        if let Some(url) = &mail.unsubscribe {
            builder = builder
                .header(ListUnsubscribe(url.clone()))
                .header(ListUnsubscribePost);
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                mail.text.clone(),
                mail.html.clone(),
            ))
            .map_err(|err| SendError::Refused(format!("the mail could not be built: {err}")))
    }
}

/// A permanent answer to this mail's recipient or content (550–554), as opposed to a
/// refused login (535) or a server that is down, which the admin can fix.
fn refuses_this_mail(err: &lettre::transport::smtp::Error) -> bool {
    err.is_permanent()
        && err.status().is_some_and(|code| {
            matches!(
                code.to_string().as_str(),
                "550" | "551" | "552" | "553" | "554"
            )
        })
}

/// The error and what caused it, on one line ("Connection refused" sits in the source).
fn describe(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// The SMTP password: `BLOG_MAIL_PASSWORD`, else the first line of `[mail]
/// password_file`, which only its owner may read.
fn password(mail: &config::Mail) -> anyhow::Result<Option<String>> {
    if let Ok(password) = std::env::var(MAIL_PASSWORD_ENV) {
        return Ok(Some(password));
    }
    let path = &mail.password_file;
    if path.as_os_str().is_empty() {
        return Ok(None);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("[mail] password_file {}", path.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            bail!(
                "[mail] password_file {} may be read by others (mode {:o}): chmod 600 it",
                path.display(),
                mode & 0o777
            );
        }
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("[mail] password_file {}", path.display()))?;
    Ok(text.lines().next().map(str::to_string))
}

/// `List-Unsubscribe: <https://…>`.
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim_matches(['<', '>', ' ']).to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`: a mail client may unsubscribe
/// with one POST to the URL above, without showing a page.
#[derive(Clone)]
struct ListUnsubscribePost;

impl Header for ListUnsubscribePost {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }
    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".into())
    }
}
