//! Account pages: login, signup, profile, password change and reset.

use maud::{html, Markup};

use super::components::{csrf_input, field, field_errors, form_errors, Field};
use super::{layout, PageCtx};
use crate::content::Problems;
use crate::urls;

pub fn login(ctx: &PageCtx, email: &str, next: Option<&str>, problems: &Problems) -> Markup {
    layout::page(
        ctx,
        "Log in",
        html! {
            section.narrow {
                h1 { "Log in" }
                form method="post" action=(urls::login()) {
                    (csrf_input(ctx))
                    @if let Some(next) = next {
                        input type="hidden" name="next" value=(next);
                    }
                    (form_errors(problems))
                    (field(&Field { name: "email", label: "Email", kind: "email", value: email, autocomplete: "username", required: true }, problems))
                    (field(&Field { name: "password", label: "Password", kind: "password", value: "", autocomplete: "current-password", required: true }, problems))
                    div.actions { button.primary type="submit" { "Log in" } }
                }
                @if ctx.open_registration {
                    p { "No account yet? " a href=(urls::signup()) { "Sign up" } }
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
    layout::page(
        ctx,
        "Sign up",
        html! {
            section.narrow {
                h1 { "Sign up" }
                form method="post" action=(urls::signup()) {
                    (csrf_input(ctx))
                    (form_errors(problems))
                    (field(&Field { name: "email", label: "Email", kind: "email", value: values.email, autocomplete: "username", required: true }, problems))
                    (field(&Field { name: "display_name", label: "Name", kind: "text", value: values.display_name, autocomplete: "name", required: false }, problems))
                    (field(&Field { name: "password", label: "Password (at least 10 characters)", kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    (field(&Field { name: "password2", label: "Password again", kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    div.actions { button.primary type="submit" { "Create account" } }
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

pub fn profile(ctx: &PageCtx, values: &ProfileForm, problems: &Problems, saved: bool) -> Markup {
    layout::page(
        ctx,
        "Profile",
        html! {
            section.narrow {
                h1 { "Profile" }
                @if saved { p.notice role="status" { "Saved." } }
                p { "Signed in as " strong { (values.email) } }
                form method="post" action=(urls::profile()) enctype="multipart/form-data" {
                    (csrf_input(ctx))
                    (form_errors(problems))
                    div.field {
                        label for="avatar" { "Picture" }
                        @if let Some(avatar) = &values.avatar {
                            img.avatar.large src=(avatar) alt="Your picture" width="128" height="128";
                            label.checkbox {
                                input type="checkbox" name="remove_avatar" value="1";
                                " Remove this picture"
                            }
                        }
                        input #avatar name="avatar" type="file" accept="image/jpeg,image/png,image/gif,image/webp";
                        (field_errors(problems, "avatar"))
                    }
                    (field(&Field { name: "display_name", label: "Name", kind: "text", value: values.display_name, autocomplete: "name", required: false }, problems))
                    div.field {
                        label for="bio" { "About you" }
                        textarea #bio name="bio" rows="5" { (values.bio) }
                        (field_errors(problems, "bio"))
                    }
                    div.actions { button.primary type="submit" { "Save" } }
                }
                p { a href=(urls::password()) { "Change your password" } }
            }
        },
    )
}

/// The password change form (`with_old` asks for the current password) or the reset
/// form of a one-time link (`action`).
pub fn password(ctx: &PageCtx, action: &str, with_old: bool, problems: &Problems) -> Markup {
    let title = if with_old {
        "Change password"
    } else {
        "Choose a new password"
    };
    layout::page(
        ctx,
        title,
        html! {
            section.narrow {
                h1 { (title) }
                form method="post" action=(action) {
                    (csrf_input(ctx))
                    (form_errors(problems))
                    @if with_old {
                        (field(&Field { name: "old_password", label: "Current password", kind: "password", value: "", autocomplete: "current-password", required: true }, problems))
                    }
                    (field(&Field { name: "new_password", label: "New password (at least 10 characters)", kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    (field(&Field { name: "new_password2", label: "New password again", kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    div.actions { button.primary type="submit" { "Save password" } }
                }
            }
        },
    )
}
