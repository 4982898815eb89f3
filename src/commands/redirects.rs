//! `blog redirects list|add FROM TO|remove FROM`: the old addresses that answer 301,
//! as on `/admin/redirects`. A change is the same action as the admin page's, so it is
//! in the audit log (as "cli").

use anyhow::bail;

use crate::actions::{self, Blog};
use crate::auth::Actor;
use crate::cli::RedirectsCommand;
use crate::config::Config;
use crate::content::redirect::{OldPath, Target};
use crate::db;
use crate::media::MediaDir;

pub fn run(config: &Config, command: RedirectsCommand) -> anyhow::Result<()> {
    let db = super::open_db(config)?;
    let media = MediaDir::new(config.storage.media_dir());
    let blog = Blog::new(&db, &media);
    match command {
        RedirectsCommand::List => {
            let rows = db.read_now(db::redirects::all)?;
            if rows.is_empty() {
                println!("no redirects yet");
            }
            for row in rows {
                println!("{}\t{}\t{}", row.from, row.to, row.source);
            }
        }
        RedirectsCommand::Add { from, to } => {
            let from = OldPath::parse(&from)?;
            let to = Target::parse(&to)?;
            match actions::redirects::add(blog, &Actor::Cli, &from, &to) {
                Ok(true) => println!("{from} now answers 301 to {to}"),
                Ok(false) => println!("{from} already leads to {to}"),
                Err(actions::ActionError::Refused(_)) => bail!(
                    "this site answers {from} itself, so a redirect from it would never be used"
                ),
                Err(err) => return Err(err.into()),
            }
        }
        RedirectsCommand::Remove { from } => {
            let from = OldPath::parse(&from)?;
            if !actions::redirects::remove(blog, &Actor::Cli, &from)? {
                bail!("no redirect from {from}: see `blog redirects list`");
            }
            println!("removed the redirect from {from}");
        }
    }
    Ok(())
}
