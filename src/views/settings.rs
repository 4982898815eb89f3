//! `/admin/settings`: the site's title, description and accent colour, each with the
//! value `blog.toml` gives when the field is left blank.

use maud::{html, Markup};

use super::admin::admin_page;
use super::components::{csrf_input, field_errors, form_errors};
use super::PageCtx;
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
                div.field {
                    label for="title" { (ctx.t("admin.site_title")) }
                    input #title name="title" type="text" value=(form.title)
                        placeholder=(&form.file_title) maxlength="100" aria-describedby="title-hint";
                    p.hint #title-hint { (ctx.tf("admin.blank_is_file", &[("value", &form.file_title)])) }
                    (field_errors(ctx, problems, "title"))
                }
                div.field {
                    label for="description" { (ctx.t("admin.site_description")) }
                    input #description name="description" type="text" value=(form.description)
                        placeholder=(&form.file_description) maxlength="300" aria-describedby="description-hint";
                    p.hint #description-hint { (ctx.tf("admin.blank_is_file", &[("value", &form.file_description)])) }
                    (field_errors(ctx, problems, "description"))
                }
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
