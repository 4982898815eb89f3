//! `blog mail status`: the outbox as the server's worker sees it.

use crate::cli::MailCommand;
use crate::config::Config;
use crate::db;

/// Unsent mails listed, newest first.
const LISTED: u32 = 20;

pub fn run(config: &Config, command: MailCommand) -> anyhow::Result<()> {
    match command {
        MailCommand::Status => status(config),
    }
}

fn status(config: &Config) -> anyhow::Result<()> {
    if !config.mail.is_on() {
        println!("mail is off: set [mail] smtp_url to send mail");
    } else {
        println!("mail goes to {}", config.mail.smtp_url);
    }
    let db = super::open_db(config)?;
    let (counts, unsent) =
        db.read_now(|conn| Ok((db::outbox::counts(conn)?, db::outbox::unsent(conn, LISTED)?)))?;
    println!(
        "queued {}, sent {}, failed {}",
        counts.queued, counts.sent, counts.failed
    );
    let zone = jiff::tz::TimeZone::get(config.site.timezone.as_str())?;
    for mail in unsent {
        let written = jiff::Timestamp::from_millisecond(mail.created_at)
            .map(|t| {
                t.to_zoned(zone.clone())
                    .strftime("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default();
        let why = mail.last_error.as_deref().unwrap_or("not tried yet");
        println!(
            "{:<6} {written} {:<9} to {} ({} tries): {:?}: {why}",
            mail.status, mail.kind, mail.to, mail.attempts, mail.subject
        );
    }
    Ok(())
}
