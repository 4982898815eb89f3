//! Account pages: login, signup, profile, password change and reset.

use maud::{html, Markup};

use super::components::{csrf_input, field, field_errors, form_errors, Field};
use super::{layout, PageCtx};
use crate::content::password;
use crate::content::Problems;
use crate::urls;

pub fn login(ctx: &PageCtx, email: &str, next: Option<&str>, problems: &Problems) -> Markup {
    layout::page(
        ctx,
        ctx.t("accounts.log_in"),
        html! {
            section.narrow {
                h1 { (ctx.t("accounts.log_in")) }
                form method="post" action=(urls::login()) {
                    (csrf_input(ctx))
                    @if let Some(next) = next {
                        input type="hidden" name="next" value=(next);
                    }
                    (form_errors(ctx, problems))
                    (field(ctx, &Field { name: "email", label: ctx.t("accounts.email"), kind: "email", value: email, autocomplete: "username", required: true }, problems))
                    (field(ctx, &Field { name: "password", label: ctx.t("accounts.password"), kind: "password", value: "", autocomplete: "current-password", required: true }, problems))
                    div.actions { button.primary type="submit" { (ctx.t("accounts.log_in")) } }
                }
                @if ctx.open_registration {
                    p { (ctx.t("accounts.no_account_yet")) " " a href=(urls::signup()) { (ctx.t("accounts.sign_up")) } }
                }
            }
        },
    )
}

pub struct SignupForm<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
}

pub fn signup(ctx: &PageCtx, values: &SignupForm, problems: &Problems) -> Markup {
    let password_label = ctx.tf(
        "accounts.password_with_length",
        &[("min", &password::MIN_CHARS)],
    );
    layout::page(
        ctx,
        ctx.t("accounts.sign_up"),
        html! {
            section.narrow {
                h1 { (ctx.t("accounts.sign_up")) }
                form method="post" action=(urls::signup()) {
                    (csrf_input(ctx))
                    (form_errors(ctx, problems))
                    (field(ctx, &Field { name: "email", label: ctx.t("accounts.email"), kind: "email", value: values.email, autocomplete: "username", required: true }, problems))
                    (field(ctx, &Field { name: "display_name", label: ctx.t("accounts.name"), kind: "text", value: values.display_name, autocomplete: "name", required: false }, problems))
                    (field(ctx, &Field { name: "password", label: &password_label, kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    (field(ctx, &Field { name: "password2", label: ctx.t("accounts.password_again"), kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    div.actions { button.primary type="submit" { (ctx.t("accounts.create_account")) } }
                }
            }
        },
    )
}

pub struct ProfileForm<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub bio: &'a str,
    /// URL of the current 256 px thumbnail.
    pub avatar: Option<String>,
}

/// Whether the profile page says its changes were saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Saved {
    Yes,
    No,
}

/// One of the account's sessions, as the profile lists it.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub key: String,
    /// "Firefox on Linux", or the User-Agent cut short.
    pub device: String,
    pub client: String,
    pub last_seen_at: i64,
    /// This browser's own session.
    pub current: bool,
}

/// The profile's security sections: sessions and second factors.
#[derive(Debug, Clone, Default)]
pub struct SecurityView {
    pub sessions: Vec<SessionRow>,
}

pub fn profile(
    ctx: &PageCtx,
    values: &ProfileForm,
    problems: &Problems,
    saved: Saved,
    security: &SecurityView,
) -> Markup {
    layout::page(
        ctx,
        ctx.t("accounts.profile"),
        html! {
            section.narrow {
                h1 { (ctx.t("accounts.profile")) }
                @if saved == Saved::Yes { p.notice role="status" { (ctx.t("accounts.saved")) } }
                p { (ctx.t("accounts.signed_in_as")) " " strong { (values.email) } }
                form method="post" action=(urls::profile()) enctype="multipart/form-data" {
                    (csrf_input(ctx))
                    (form_errors(ctx, problems))
                    div.field {
                        label for="avatar" { (ctx.t("accounts.picture")) }
                        @if let Some(avatar) = &values.avatar {
                            img.avatar.large src=(avatar) alt=(ctx.t("accounts.your_picture")) width="128" height="128";
                            label.checkbox {
                                input type="checkbox" name="remove_avatar" value="1";
                                " " (ctx.t("accounts.remove_picture"))
                            }
                        }
                        input #avatar name="avatar" type="file" accept="image/jpeg,image/png,image/gif,image/webp";
                        (field_errors(ctx, problems, "avatar"))
                    }
                    (field(ctx, &Field { name: "display_name", label: ctx.t("accounts.name"), kind: "text", value: values.display_name, autocomplete: "name", required: false }, problems))
                    div.field {
                        label for="bio" { (ctx.t("accounts.about_you")) }
                        textarea #bio name="bio" rows="5" { (values.bio) }
                        (field_errors(ctx, problems, "bio"))
                    }
                    div.actions { button.primary type="submit" { (ctx.t("accounts.save")) } }
                }
                p { a href=(urls::password()) { (ctx.t("accounts.change_your_password")) } }
                (sessions(ctx, &security.sessions))
            }
        },
    )
}

/// The account's signed-in browsers, each with a button that ends it, and one that
/// ends all but this one.
fn sessions(ctx: &PageCtx, sessions: &[SessionRow]) -> Markup {
    html! {
        section.security #sessions {
            h2 { (ctx.t("accounts.sessions")) }
            p.hint { (ctx.t("accounts.sessions_hint")) }
            table.sessions {
                thead {
                    tr {
                        th { (ctx.t("accounts.session_device")) }
                        th { (ctx.t("accounts.session_address")) }
                        th { (ctx.t("accounts.session_last_seen")) }
                        th {}
                    }
                }
                tbody {
                    @for session in sessions {
                        tr.session data-key=(session.key) {
                            td.device { (session.device) }
                            td.address { (session.client) }
                            td { time datetime=(ctx.datetime(session.last_seen_at)) { (ctx.date_time(session.last_seen_at)) } }
                            td {
                                @if session.current {
                                    span.current { (ctx.t("accounts.this_browser")) }
                                } @else {
                                    form.inline method="post" action=(urls::end_session(&session.key)) {
                                        (csrf_input(ctx))
                                        button type="submit" { (ctx.t("accounts.end_session")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if sessions.iter().any(|s| !s.current) {
                form method="post" action=(urls::end_other_sessions()) {
                    (csrf_input(ctx))
                    div.actions { button type="submit" { (ctx.t("accounts.end_other_sessions")) } }
                }
            }
        }
    }
}

/// Which password form: a signed-in user's change (which asks for the current one),
/// or the reset form of a one-time link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordForm {
    Change,
    Reset,
}

/// The password form of this kind, posting to `action`.
pub fn password(ctx: &PageCtx, action: &str, kind: PasswordForm, problems: &Problems) -> Markup {
    let with_old = kind == PasswordForm::Change;
    let title = if with_old {
        ctx.t("accounts.change_password")
    } else {
        ctx.t("accounts.choose_new_password")
    };
    let new_label = ctx.tf(
        "accounts.new_password_with_length",
        &[("min", &password::MIN_CHARS)],
    );
    layout::page(
        ctx,
        title,
        html! {
            section.narrow {
                h1 { (title) }
                form method="post" action=(action) {
                    (csrf_input(ctx))
                    (form_errors(ctx, problems))
                    @if with_old {
                        (field(ctx, &Field { name: "old_password", label: ctx.t("accounts.current_password"), kind: "password", value: "", autocomplete: "current-password", required: true }, problems))
                    }
                    (field(ctx, &Field { name: "new_password", label: &new_label, kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    (field(ctx, &Field { name: "new_password2", label: ctx.t("accounts.new_password_again"), kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    div.actions { button.primary type="submit" { (ctx.t("accounts.save_password")) } }
                }
            }
        },
    )
}
