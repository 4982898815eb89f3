//! `/admin/settings` (admins only, checked by `web::admin`): the site's title,
//! description and accent, stored in the database over `blog.toml`'s values.

use http::StatusCode;

use super::request::Ctx;
use super::WebError;
use crate::actions;
use crate::content::problems::Message;
use crate::content::site::{self, Accent, SiteSettings};
use crate::content::Problems;
use crate::db;
use crate::serving::response::{self, Response};
use crate::urls;
use crate::views::settings::{self as view, SettingsForm};

pub async fn show(ctx: &Ctx) -> Result<Response, WebError> {
    let set = ctx.app.db.read(db::site_settings::get).await?;
    let icon = current_icon(ctx).await?;
    let accent = set.accent.as_ref().map_or("", Accent::as_str);
    let form = SettingsForm {
        title: set.title.as_deref().unwrap_or(""),
        description: set.description.as_deref().unwrap_or(""),
        accent,
        saved: ctx.query("saved").is_some(),
        icon,
        ..file_values(ctx)
    };
    Ok(response::html(
        StatusCode::OK,
        view::settings(&ctx.page(), &form, &Problems::new()),
    ))
}

/// Saves the form and comes back to it (every page shows the change at once); a
/// refused field brings the form back, 422, as typed.
pub async fn save(ctx: &Ctx) -> Result<Response, WebError> {
    let (title, description, accent) = (
        ctx.form.get("title").trim(),
        ctx.form.get("description").trim(),
        ctx.form.get("accent").trim(),
    );
    let mut problems = Problems::new();
    if title.chars().count() > site::MAX_TITLE {
        problems.add(
            "title",
            Message::from("problems.title_too_long").counting(site::MAX_TITLE),
        );
    }
    if description.chars().count() > site::MAX_DESCRIPTION {
        problems.add(
            "description",
            Message::from("problems.bio_too_long").counting(site::MAX_DESCRIPTION),
        );
    }
    let parsed_accent = match accent {
        "" => None,
        typed => match typed.parse::<Accent>() {
            Ok(accent) => Some(accent),
            Err(_) => {
                problems.add("accent", "problems.accent_invalid");
                None
            }
        },
    };
    // The icon first: a picture refused brings the form back with nothing saved.
    if problems.is_empty() {
        if let Some(file) = ctx.form.file("icon") {
            let bytes = file.bytes.clone();
            if let Err(problem) =
                super::uploads::store_square(ctx, bytes, actions::settings::set_icon).await?
            {
                problems.add("icon", problem);
            }
        } else if ctx.form.checked("remove_icon") {
            let actor = ctx.actor()?;
            ctx.app
                .act(move |blog| actions::settings::remove_icon(blog, &actor))
                .await?;
        }
    }
    if !problems.is_empty() {
        let form = SettingsForm {
            title,
            description,
            accent,
            saved: false,
            icon: current_icon(ctx).await?,
            ..file_values(ctx)
        };
        return Ok(response::html(
            StatusCode::UNPROCESSABLE_ENTITY,
            view::settings(&ctx.page(), &form, &problems),
        ));
    }
    let given = |value: &str| (!value.is_empty()).then(|| value.to_string());
    let settings = SiteSettings {
        title: given(title),
        description: given(description),
        accent: parsed_accent,
    };
    let actor = ctx.actor()?;
    ctx.app
        .act(move |blog| actions::settings::save(blog, &actor, &settings))
        .await?;
    Ok(response::redirect(&format!(
        "{}?saved=1",
        urls::admin_settings()
    )))
}

/// What blank fields fall back to: the file's values (or the translated defaults).
fn file_values(ctx: &Ctx) -> SettingsForm<'static> {
    let fallback = ctx.app.site_look(SiteSettings::default());
    SettingsForm {
        title: "",
        description: "",
        accent: "",
        file_title: fallback.title,
        file_description: fallback.description,
        saved: false,
        icon: None,
    }
}

/// The URL of the icon's 256 px square, if one is set.
async fn current_icon(ctx: &Ctx) -> Result<Option<String>, WebError> {
    let icon = ctx.app.db.read(db::site_settings::icon).await?;
    Ok(icon.map(|icon| urls::media(&icon.large)))
}
