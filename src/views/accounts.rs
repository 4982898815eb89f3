//! Account pages: login, signup, profile, password change and reset.

use maud::{html, Markup};

use super::components::{csrf_input, field, field_errors, form_errors, Field};
use super::{layout, PageCtx};
use crate::content::password;
use crate::content::Problems;
use crate::urls;

/// The login form; with `passkeys`, a button that logs in with a passkey instead.
pub fn login(
    ctx: &PageCtx,
    email: &str,
    next: Option<&str>,
    problems: &Problems,
    passkeys: bool,
) -> Markup {
    layout::page_with(
        ctx,
        ctx.t("accounts.log_in"),
        passkey_script(passkeys),
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
                @if passkeys {
                    div.passkey-login data-start=(urls::passkey_login_start()) data-finish=(urls::passkey_login_finish()) {
                        button #passkey-login type="button" disabled { (ctx.t("accounts.log_in_with_passkey")) }
                        p.passkey-status role="status" {}
                    }
                }
                @if ctx.mail {
                    p { a href=(urls::forgot_password()) { (ctx.t("mail.forgot_link")) } }
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
    let password_label = ctx.tc(
        "accounts.password_with_length",
        password::MIN_CHARS as u64,
        &[],
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
                    (field(ctx, &Field { name: "display_name", label: ctx.t("accounts.name"), kind: "text", value: values.display_name, autocomplete: "name", required: true }, problems))
                    (field(ctx, &Field { name: "password", label: &password_label, kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    (field(ctx, &Field { name: "password2", label: ctx.t("accounts.password_again"), kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    div.actions { button.primary type="submit" { (ctx.t("accounts.create_account")) } }
                }
            }
        },
    )
}

/// An invitation's page, as its form shows it.
pub struct InvitationForm<'a> {
    /// The link itself, where the form posts.
    pub action: String,
    pub email: &'a str,
    pub role: crate::content::Role,
    pub display_name: &'a str,
}

/// Following an invitation: the address is the admin's choice, shown, not asked; the
/// invitee chooses a name and a password.
pub fn invitation(ctx: &PageCtx, values: &InvitationForm, problems: &Problems) -> Markup {
    let password_label = ctx.tc(
        "accounts.password_with_length",
        password::MIN_CHARS as u64,
        &[],
    );
    let role = ctx.t(match values.role {
        crate::content::Role::Admin => "accounts.invited_as_admin",
        crate::content::Role::Author => "accounts.invited_as_author",
        crate::content::Role::Reader => "accounts.invited_as_reader",
    });
    layout::page(
        ctx,
        ctx.t("accounts.invitation"),
        html! {
            section.narrow {
                h1 { (ctx.t("accounts.invitation")) }
                p { (ctx.tf("accounts.invitation_intro", &[("email", &values.email), ("role", &role)])) }
                form #invitation method="post" action=(values.action) {
                    (csrf_input(ctx))
                    (form_errors(ctx, problems))
                    input type="hidden" name="email" value=(values.email) autocomplete="username";
                    (field(ctx, &Field { name: "display_name", label: ctx.t("accounts.name"), kind: "text", value: values.display_name, autocomplete: "name", required: true }, problems))
                    (field(ctx, &Field { name: "password", label: &password_label, kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    (field(ctx, &Field { name: "password2", label: ctx.t("accounts.password_again"), kind: "password", value: "", autocomplete: "new-password", required: true }, problems))
                    div.actions { button.primary type="submit" { (ctx.t("accounts.join")) } }
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
    /// Mail about new comments on the account's posts.
    pub comment_mails: bool,
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

/// One of the account's passkeys.
#[derive(Debug, Clone)]
pub struct PasskeyRow {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// The profile's security sections: sessions and second factors.
#[derive(Debug, Clone, Default)]
pub struct SecurityView {
    pub sessions: Vec<SessionRow>,
    /// A confirmed authenticator app.
    pub totp: bool,
    pub recovery_codes_left: u32,
    pub passkeys: Vec<PasskeyRow>,
    /// `[site] base_url` names a domain, which passkeys need.
    pub passkeys_available: bool,
}

pub fn profile(
    ctx: &PageCtx,
    values: &ProfileForm,
    problems: &Problems,
    saved: Saved,
    security: &SecurityView,
) -> Markup {
    layout::page_with(
        ctx,
        ctx.t("accounts.profile"),
        passkey_script(true),
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
                    @if ctx.mail {
                        div.field {
                            // Sent with the form, so an unchecked box is told from a form
                            // without the box.
                            input type="hidden" name="comment_mails_shown" value="1";
                            label.checkbox {
                                input type="checkbox" name="comment_mails" value="1" checked[values.comment_mails];
                                " " (ctx.t("mail.notify_comments"))
                            }
                        }
                    }
                    div.actions { button.primary type="submit" { (ctx.t("accounts.save")) } }
                }
                p { a href=(urls::password()) { (ctx.t("accounts.change_your_password")) } }
                (two_factor_summary(ctx, security))
                (passkeys(ctx, &security.passkeys, security.passkeys_available))
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
    let new_label = ctx.tc(
        "accounts.new_password_with_length",
        password::MIN_CHARS as u64,
        &[],
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

/// `passkeys.js`, on the pages that add or use passkeys.
fn passkey_script(wanted: bool) -> Markup {
    html! {
        @if wanted {
            script src=(crate::assets::url("js/passkeys.js")) defer {}
        }
    }
}

/// Whether the account has a second factor, and the way to set one up or change it.
fn two_factor_summary(ctx: &PageCtx, security: &SecurityView) -> Markup {
    html! {
        section.security #two-factor {
            h2 { (ctx.t("accounts.two_factor")) }
            @if security.totp {
                p.factor-on { (ctx.t("accounts.totp_on")) " "
                    (ctx.tc("accounts.recovery_codes_left", security.recovery_codes_left.into(), &[])) }
            } @else if !security.passkeys.is_empty() {
                p.factor-on { (ctx.t("accounts.passkeys_are_second_factor")) }
            } @else {
                p.factor-off { (ctx.t("accounts.totp_off")) }
            }
            p { a href=(urls::two_factor()) { (ctx.t("accounts.manage_two_factor")) } }
        }
    }
}

/// The account's passkeys, each renamed or removed by its own form, and the button
/// that adds one (`passkeys.js`; without JavaScript it says that it needs it).
pub fn passkeys(ctx: &PageCtx, passkeys: &[PasskeyRow], available: bool) -> Markup {
    html! {
        section.security #passkeys {
            h2 { (ctx.t("accounts.passkeys")) }
            p.hint { (ctx.t("accounts.passkeys_hint")) }
            @if passkeys.is_empty() {
                p.empty { (ctx.t("accounts.no_passkeys")) }
            }
            ul.passkeys {
                @for key in passkeys {
                    li.passkey data-id=(key.id) {
                        form.inline method="post" action=(urls::passkey_rename(key.id)) {
                            (csrf_input(ctx))
                            input type="text" name="name" value=(key.name) maxlength="100"
                                aria-label=(ctx.t("accounts.passkey_name")) required;
                            " "
                            button type="submit" { (ctx.t("accounts.rename")) }
                        }
                        " "
                        span.hint {
                            (ctx.tf("accounts.passkey_added", &[("date", &ctx.date(key.created_at))]))
                            @if let Some(used) = key.last_used_at {
                                " · " (ctx.tf("accounts.passkey_used", &[("date", &ctx.date_time(used))]))
                            }
                        }
                        " "
                        form.inline method="post" action=(urls::passkey_delete(key.id)) {
                            (csrf_input(ctx))
                            button.danger type="submit" { (ctx.t("accounts.remove")) }
                        }
                    }
                }
            }
            @if !available {
                p.hint { (ctx.t("problems.passkeys_unavailable")) }
            }
            div.passkey-add hidden[!available] data-start=(urls::passkey_register_start()) data-finish=(urls::passkey_register_finish()) {
                label for="passkey-name" { (ctx.t("accounts.passkey_name")) }
                input #passkey-name type="text" maxlength="100" placeholder=(ctx.t("accounts.passkey_name_example"));
                " "
                button #passkey-add type="button" disabled { (ctx.t("accounts.add_passkey")) }
                p.passkey-status role="status" {}
                noscript { p.hint { (ctx.t("accounts.passkeys_need_script")) } }
            }
        }
    }
}

/// Setting up an authenticator app: the QR code (our own inline SVG), the secret to
/// type by hand, and the first code that confirms it.
pub struct TotpSetup<'a> {
    pub qr_svg: &'a str,
    pub secret_base32: &'a str,
    /// The otpauth:// URL the QR code holds.
    pub url: &'a str,
}

/// `/accounts/two-factor`: the app's set-up or state, recovery codes, passkeys. `required`
/// when the account's role must have a factor and it has none yet.
pub fn two_factor(
    ctx: &PageCtx,
    setup: Option<&TotpSetup>,
    security: &SecurityView,
    required: bool,
    problems: &Problems,
) -> Markup {
    layout::page_with(
        ctx,
        ctx.t("accounts.two_factor"),
        passkey_script(true),
        html! {
            section.narrow {
                h1 { (ctx.t("accounts.two_factor")) }
                @if required {
                    p.notice.required role="status" { (ctx.t("accounts.second_factor_required")) }
                }
                section.security #totp {
                    h2 { (ctx.t("accounts.authenticator_app")) }
                    @if let Some(setup) = setup {
                        p { (ctx.t("accounts.totp_scan")) }
                        figure.qr { (maud::PreEscaped(setup.qr_svg)) }
                        p { (ctx.t("accounts.totp_by_hand")) " " code #totp-secret { (setup.secret_base32) } }
                        // On a phone, the app is on the same device as the page.
                        p { a.totp-link href=(setup.url) { (ctx.t("accounts.totp_open")) } }
                        form method="post" action=(urls::two_factor()) {
                            (csrf_input(ctx))
                            (form_errors(ctx, problems))
                            (field(ctx, &Field { name: "code", label: ctx.t("accounts.totp_first_code"), kind: "text", value: "", autocomplete: "one-time-code", required: true }, problems))
                            div.actions { button.primary type="submit" { (ctx.t("accounts.turn_on")) } }
                        }
                    } @else {
                        p.factor-on { (ctx.t("accounts.totp_on")) }
                        form method="post" action=(urls::two_factor_remove()) {
                            (csrf_input(ctx))
                            div.actions { button.danger type="submit" { (ctx.t("accounts.totp_remove")) } }
                        }
                    }
                }
                @if security.totp || !security.passkeys.is_empty() {
                    section.security #recovery {
                        h2 { (ctx.t("accounts.recovery_codes")) }
                        p { (ctx.tc("accounts.recovery_codes_left", security.recovery_codes_left.into(), &[])) }
                        form method="post" action=(urls::recovery_codes()) {
                            (csrf_input(ctx))
                            div.actions { button type="submit" { (ctx.t("accounts.new_recovery_codes")) } }
                        }
                    }
                }
                (passkeys(ctx, &security.passkeys, security.passkeys_available))
                p { a href=(urls::profile()) { (ctx.t("accounts.back_to_profile")) } }
            }
        },
    )
}

/// Ten recovery codes, shown this once.
pub fn recovery_codes(ctx: &PageCtx, codes: &[String]) -> Markup {
    layout::page(
        ctx,
        ctx.t("accounts.recovery_codes"),
        html! {
            section.narrow {
                h1 { (ctx.t("accounts.recovery_codes")) }
                p.notice role="status" { (ctx.t("accounts.recovery_codes_once")) }
                ol #recovery-codes {
                    @for code in codes { li { code { (code) } } }
                }
                p { a href=(urls::profile()) { (ctx.t("accounts.back_to_profile")) } }
            }
        },
    )
}

/// The login's second step: a code from the app or a recovery code, or a passkey.
pub fn second_factor(
    ctx: &PageCtx,
    has_totp: bool,
    has_passkeys: bool,
    problems: &Problems,
) -> Markup {
    layout::page_with(
        ctx,
        ctx.t("accounts.second_factor"),
        passkey_script(has_passkeys),
        html! {
            section.narrow {
                h1 { (ctx.t("accounts.second_factor")) }
                (form_errors(ctx, problems))
                @if has_passkeys {
                    div.passkey-login data-start=(urls::passkey_login_start()) data-finish=(urls::passkey_login_finish()) {
                        button.primary #passkey-login type="button" disabled { (ctx.t("accounts.use_passkey")) }
                        p.passkey-status role="status" {}
                    }
                }
                form method="post" action=(urls::login_second_factor()) {
                    (csrf_input(ctx))
                    @let label = if has_totp { ctx.t("accounts.code_or_recovery") } else { ctx.t("accounts.recovery_code") };
                    (field(ctx, &Field { name: "code", label, kind: "text", value: "", autocomplete: "one-time-code", required: true }, problems))
                    div.actions { button.primary type="submit" { (ctx.t("accounts.verify")) } }
                }
                p { a href=(urls::login()) { (ctx.t("accounts.start_over")) } }
            }
        },
    )
}
