//! `/fediverse` (writers; 404 while `[federation]` is off): their address and
//! followers, following and unfollowing remote accounts by address, the latest posts
//! of those accounts with a reply box, and for admins the blocks and the delivery
//! queue.

use super::request::Ctx;
use super::router::FediverseAction;
use super::WebError;
use crate::actions::federation as act;
use crate::actions::ActionError;
use crate::content::problems::FORM;
use crate::content::{CommentBody, Problems, Role};
use crate::db::federation as store;
use crate::federation::{remote, Federation, Local};
use crate::serving::response::{self, Response};
use crate::urls;
use crate::views::fediverse::{self as view, Fediverse};

fn federation(ctx: &Ctx) -> Result<Federation, WebError> {
    ctx.app.federation.clone().ok_or(WebError::NotFound)
}

pub async fn show(
    ctx: &Ctx,
    notice: Option<&str>,
    problems: &Problems,
) -> Result<Response, WebError> {
    let fed = federation(ctx)?;
    let user = ctx.require_writer()?.clone();
    ctx.app.act(act::ensure_handles).await?;
    let local = Local::User(user.id).key();
    let is_admin = user.role == Role::Admin;
    let (handle, followers, following, received, admin) = ctx
        .app
        .db
        .read(move |conn| {
            let admin = match is_admin {
                true => Some((store::blocks(conn)?, store::delivery_counts(conn)?)),
                false => None,
            };
            Ok((
                store::handle_of(conn, user.id)?.unwrap_or_default(),
                store::follower_count(conn, &local)?,
                store::following(conn, &local)?,
                store::received_for(conn, &local, 30)?,
                admin,
            ))
        })
        .await?;
    let notice = notice.or_else(|| ctx.query("done").and_then(notice_key));
    let page = Fediverse {
        address: format!("@{handle}@{}", fed.host),
        followers,
        following: &following,
        received: &received,
        admin: admin.as_ref().map(|(blocks, deliveries)| view::AdminView {
            blocks,
            deliveries: *deliveries,
        }),
        notice,
    };
    Ok(response::html(
        problems.status(),
        view::page(&ctx.page(), &page, problems),
    ))
}

/// The notice a finished form comes back with (`?done=followed`).
fn notice_key(done: &str) -> Option<&'static str> {
    Some(match done {
        "followed" => "federation.followed",
        "unfollowed" => "federation.unfollowed",
        "replied" => "federation.replied",
        "blocked" => "federation.blocked",
        "unblocked" => "federation.unblocked",
        _ => return None,
    })
}

fn done(what: &str) -> Response {
    response::redirect(&format!("{}?done={what}", urls::fediverse()))
}

pub async fn act(ctx: &Ctx, action: FediverseAction) -> Result<Response, WebError> {
    let fed = federation(ctx)?;
    let actor = ctx.actor()?;
    ctx.require_writer()?;
    match action {
        FediverseAction::Follow => {
            let account = ctx.form.get("account").trim().to_string();
            let found = find_account(ctx, &fed, &account).await;
            let Ok(remote) = found else {
                if let Err(err) = found {
                    tracing::info!("federation: cannot follow {account:?}: {err:#}");
                }
                let problems = Problems::of(FORM, "federation.account_not_found");
                return show(ctx, None, &problems).await;
            };
            ctx.app
                .act(move |blog| act::follow(blog, &fed, &actor, &remote))
                .await?;
            Ok(done("followed"))
        }
        FediverseAction::Unfollow => {
            let remote = ctx.form.get("remote").to_string();
            ctx.app
                .act(move |blog| act::unfollow(blog, &fed, &actor, &remote))
                .await?;
            Ok(done("unfollowed"))
        }
        FediverseAction::Reply => {
            let object = ctx.form.get("object").to_string();
            let Ok(body) = ctx.form.get("body").parse::<CommentBody>() else {
                return show(ctx, None, &Problems::of(FORM, "federation.reply_empty")).await;
            };
            ctx.app
                .act(move |blog| act::reply(blog, &fed, &actor, &object, &body))
                .await?;
            Ok(done("replied"))
        }
        FediverseAction::Block | FediverseAction::Unblock => {
            let target = ctx.form.get("target").trim().to_string();
            let blocking = action == FediverseAction::Block;
            let result = ctx
                .app
                .act(move |blog| match blocking {
                    true => act::block(blog, &actor, &target),
                    false => act::unblock(blog, &actor, &target),
                })
                .await;
            match result {
                Ok(()) => Ok(done(if blocking { "blocked" } else { "unblocked" })),
                Err(ActionError::Refused(key)) => show(ctx, None, &Problems::of(FORM, key)).await,
                Err(err) => Err(err.into()),
            }
        }
    }
}

/// The account at `name@server` (by WebFinger) or at an actor URL, fetched.
async fn find_account(
    ctx: &Ctx,
    fed: &Federation,
    account: &str,
) -> anyhow::Result<store::RemoteActor> {
    let url = if account.starts_with("https://") || account.starts_with("http://") {
        account.to_string()
    } else {
        let app = std::sync::Arc::clone(&ctx.app);
        let (account, http) = (
            account.to_string(),
            ctx.app.config.federation.allow_private_addresses,
        );
        tokio::task::spawn_blocking(move || remote::webfinger(app.outbound(), &account, http))
            .await??
    };
    super::federation::fetch_actor(&ctx.app, fed, &url).await
}
