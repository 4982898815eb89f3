//! `/admin/settings`: the site's title, description and accent colour, each with the
//! value `blog.toml` gives when the field is left blank.

use maud::{html, Markup};

use super::admin::admin_page;
use super::components::{csrf_input, field_errors, form_errors};
use super::PageCtx;
use crate::content::site::{MAX_DESCRIPTION, MAX_TITLE};
use crate::content::Problems;
use crate::urls;

/// The form as shown: what is set (or was typed, when it came back), and what a blank
/// field falls back to.
pub struct SettingsForm<'a> {
    pub title: &'a str,
    pub description: &'a str,
    /// `#rrggbb`, or empty for the stylesheet's colours.
    pub accent: &'a str,
    pub file_title: String,
    pub file_description: String,
    pub saved: bool,
    /// URL of the icon's 256 px square, when one is set.
    pub icon: Option<String>,
}

pub fn settings(ctx: &PageCtx, form: &SettingsForm, problems: &Problems) -> Markup {
    admin_page(
        ctx,
        ctx.t("admin.settings"),
        html! {
            @if form.saved {
                p.notice role="status" { (ctx.t("admin.settings_saved")) }
            }
            form #settings method="post" action=(urls::admin_settings()) enctype="multipart/form-data" {
                (csrf_input(ctx))
                (form_errors(ctx, problems))
                (text_field(ctx, problems, "title", "admin.site_title", form.title, &form.file_title, MAX_TITLE))
                (text_field(ctx, problems, "description", "admin.site_description", form.description, &form.file_description, MAX_DESCRIPTION))
                div.field {
                    label for="accent" { (ctx.t("admin.accent")) }
                    input #accent name="accent" type="text" value=(form.accent)
                        placeholder="#0b5cad" pattern="#[0-9a-fA-F]{6}" aria-describedby="accent-hint";
                    p.hint #accent-hint { (ctx.t("admin.accent_hint")) }
                    (field_errors(ctx, problems, "accent"))
                }
                div.field {
                    label for="icon" { (ctx.t("admin.icon")) }
                    @if let Some(icon) = &form.icon {
                        p { img.site-icon src=(icon) alt=(ctx.t("admin.current_icon")) width="64" height="64"; }
                        p {
                            input #remove_icon type="checkbox" name="remove_icon" value="1";
                            " "
                            label for="remove_icon" { (ctx.t("admin.remove_icon")) }
                        }
                    }
                    input #icon name="icon" type="file" accept="image/png,image/jpeg,image/webp,image/gif" aria-describedby="icon-hint";
                    p.hint #icon-hint { (ctx.t("admin.icon_hint")) }
                    (field_errors(ctx, problems, "icon"))
                }
                div.actions { button.primary type="submit" { (ctx.t("admin.save_settings")) } }
            }
        },
    )
}

/// A setting that falls back to the file's value when left blank, which it shows.
fn text_field(
    ctx: &PageCtx,
    problems: &Problems,
    name: &'static str,
    label: &'static str,
    value: &str,
    fallback: &str,
    max: usize,
) -> Markup {
    let hint = format!("{name}-hint");
    html! {
        div.field {
            label for=(name) { (ctx.t(label)) }
            input id=(name) name=(name) type="text" value=(value)
                placeholder=(fallback) maxlength=(max) aria-describedby=(hint);
            p.hint id=(hint) { (ctx.tf("admin.blank_is_file", &[("value", &fallback)])) }
            (field_errors(ctx, problems, name))
        }
    }
}
