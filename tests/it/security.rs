//! Accounts worth trusting (issue 20): sessions an account sees and ends, admins and
//! `blog users logout` ending an account's sessions, a password change ending the
//! others; TOTP codes and recovery codes; `require_second_factor`. Every ending takes
//! effect on the very next request of the browser it ended.

use crate::support::{Client, Page, TestServer, PASSWORD};

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

/// A browser with this User-Agent, coming through the (trusted) proxy from `address`,
/// signed in as `email`.
fn browser(server: &TestServer, agent: &str, address: &str, email: &str) -> Client {
    let client = server
        .anonymous()
        .with_user_agent(agent)
        .via_proxy_from(address);
    client.sign_in(email, PASSWORD);
    client
}

/// The profile's rows of sessions: (device, address, is this browser).
fn sessions(profile: &Page) -> Vec<(String, String, bool)> {
    profile
        .select("#sessions tr.session")
        .iter()
        .map(|row| {
            let html = &row.inner_html;
            (
                between(html, "<td class=\"device\">", "</td>"),
                between(html, "<td class=\"address\">", "</td>"),
                html.contains("class=\"current\""),
            )
        })
        .collect()
}

fn between(text: &str, start: &str, end: &str) -> String {
    text.split_once(start)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(inside, _)| inside.trim().to_string())
        .unwrap_or_default()
}

#[test]
fn the_profile_lists_sessions_and_ends_one_or_all_others() {
    let server = TestServer::start();
    server.create_user("me@blog.example", "author");
    let laptop = browser(&server, FIREFOX, "203.0.113.7", "me@blog.example");
    let phone = browser(&server, IPHONE, "198.51.100.20", "me@blog.example");
    let tablet = browser(&server, IPHONE, "198.51.100.21", "me@blog.example");

    let profile = laptop.get("/accounts/profile").assert_status(200);
    let rows = sessions(&profile);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows.contains(&("Firefox on Linux".into(), "203.0.113.7".into(), true)),
        "{rows:?}"
    );
    assert!(
        rows.contains(&("Safari on iPhone".into(), "198.51.100.20".into(), false)),
        "{rows:?}"
    );

    // End the phone's session from the laptop: its next request is a visitor's.
    let phone_row = profile
        .select("#sessions tr.session")
        .into_iter()
        .find(|row| row.inner_html.contains("198.51.100.20"))
        .expect("the phone's row");
    let key = phone_row.attr("data-key").expect("a key").to_string();
    profile
        .form(&format!("form[action=\"/accounts/sessions/{key}/end\"]"))
        .submit()
        .assert_status(303);
    assert!(!phone.is_signed_in(), "the phone was signed out at once");
    assert!(tablet.is_signed_in() && laptop.is_signed_in());

    // Someone else's key does nothing to them.
    let other = browser(&server, FIREFOX, "192.0.2.1", "me@blog.example");
    let stranger = server.reader("stranger@blog.example");
    let other_key = sessions_keys(&laptop.get("/accounts/profile"))
        .into_iter()
        .find(|k| !k.1)
        .map(|k| k.0)
        .unwrap();
    let token = stranger.csrf_token();
    stranger
        .post(
            &format!("/accounts/sessions/{other_key}/end"),
            &[("csrf_token", &token)],
        )
        .assert_status(404);
    assert!(other.is_signed_in());

    // End all the others: the laptop stays.
    laptop
        .get("/accounts/profile")
        .form("form[action=\"/accounts/sessions/end-others\"]")
        .submit()
        .assert_status(303);
    assert!(!tablet.is_signed_in() && !other.is_signed_in());
    assert!(laptop.is_signed_in());
    let rows = sessions(&laptop.get("/accounts/profile"));
    assert_eq!(rows.len(), 1, "{rows:?}");

    let actions: Vec<String> = server
        .audit_rows()
        .into_iter()
        .filter(|r| r.target == "me@blog.example")
        .map(|r| format!("{} {}", r.action, r.detail))
        .collect();
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("account.login password, from 203.0.113.7")),
        "{actions:?}"
    );
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("account.sessions_ended 2 sessions")),
        "{actions:?}"
    );
}

fn sessions_keys(profile: &Page) -> Vec<(String, bool)> {
    profile
        .select("#sessions tr.session")
        .iter()
        .map(|row| {
            (
                row.attr("data-key").unwrap_or_default().to_string(),
                row.inner_html.contains("class=\"current\""),
            )
        })
        .collect()
}

#[test]
fn a_password_change_ends_the_other_sessions() {
    let server = TestServer::start();
    server.create_user("me@blog.example", "reader");
    let here = browser(&server, FIREFOX, "203.0.113.7", "me@blog.example");
    let there = browser(&server, IPHONE, "198.51.100.20", "me@blog.example");
    here.get("/accounts/password")
        .form("form[action=\"/accounts/password\"]")
        .fill("old_password", PASSWORD)
        .fill("new_password", "a new and long password")
        .fill("new_password2", "a new and long password")
        .submit()
        .assert_status(303);
    assert!(here.is_signed_in());
    assert!(!there.is_signed_in(), "the other browser was signed out");
    let actions: Vec<String> = server.audit_rows().into_iter().map(|r| r.action).collect();
    assert!(
        actions.contains(&"account.password_changed".to_string()),
        "{actions:?}"
    );
}

#[test]
fn admins_end_every_session_of_an_account_from_the_page_and_the_cli() {
    let server = TestServer::start();
    let admin = server.admin();
    server.create_user("author@blog.example", "author");
    let one = browser(&server, FIREFOX, "203.0.113.7", "author@blog.example");
    let two = browser(&server, IPHONE, "198.51.100.20", "author@blog.example");

    let users = admin.get("/admin/users").assert_status(200);
    let row = users
        .select("tr.admin-user")
        .into_iter()
        .find(|r| r.text.contains("author@blog.example"))
        .expect("the author's row");
    let id = row.attr("data-id").unwrap().to_string();
    users
        .form(&format!("form[action=\"/admin/users/{id}/logout\"]"))
        .submit()
        .assert_status(303);
    assert!(!one.is_signed_in() && !two.is_signed_in());
    assert!(
        admin.is_signed_in(),
        "the admin's own session is not touched"
    );

    // Not for an author: 403, and nothing ends.
    let three = browser(&server, FIREFOX, "203.0.113.8", "author@blog.example");
    let token = three.csrf_token();
    three
        .post(
            &format!("/admin/users/{id}/logout"),
            &[("csrf_token", &token)],
        )
        .assert_status(403);
    assert!(three.is_signed_in());

    let out = server
        .cli(&["users", "logout", "AUTHOR@blog.example"])
        .success();
    assert!(
        out.stdout.contains("signed out everywhere"),
        "{}",
        out.stdout
    );
    assert!(
        !three.is_signed_in(),
        "the CLI ended it on the next request"
    );
    let ended: Vec<(String, String)> = server
        .audit_rows()
        .into_iter()
        .filter(|r| r.action == "account.sessions_ended")
        .map(|r| (r.actor, r.detail))
        .collect();
    assert_eq!(
        ended,
        [
            ("admin@blog.example".to_string(), "2 sessions".to_string()),
            ("cli".to_string(), "1 session".to_string())
        ]
    );
    let missing = server.cli(&["users", "logout", "nobody@blog.example"]);
    assert!(!missing.status.success());
}

/// The code an authenticator app shows for this base32 secret at Unix time `at`,
/// computed here from the secret the set-up page shows.
fn code(secret_base32: &str, at: u64) -> String {
    let secret = totp_rs::Secret::Encoded(secret_base32.to_string())
        .to_bytes()
        .expect("a base32 secret");
    totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        secret,
        None,
        "test".into(),
    )
    .expect("a TOTP generator")
    .generate(at)
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A six-digit code that is none of the app's codes around now.
fn wrong_code(secret: &str) -> String {
    let t = now();
    let near: Vec<String> = [t - 60, t - 30, t, t + 30, t + 60]
        .iter()
        .map(|&at| code(secret, at))
        .collect();
    (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .unwrap()
}

const SECOND_FACTOR_FORM: &str = "form[action=\"/accounts/login/second-factor\"]";

/// Sets up an authenticator app from `client`'s two-factor page: returns the secret
/// and the ten recovery codes shown once.
fn set_up_totp(client: &Client) -> (String, Vec<String>) {
    let page = client.get("/accounts/two-factor").assert_status(200);
    assert!(page.has("figure.qr svg"), "an inline SVG QR code");
    let secret = page
        .select("#totp-secret")
        .first()
        .expect("the key")
        .text
        .clone();
    let wrong = page
        .form("form[action=\"/accounts/two-factor\"]")
        .fill("code", &wrong_code(&secret))
        .submit()
        .assert_status(422);
    assert_eq!(
        wrong.select("#totp-secret").first().map(|n| n.text.clone()),
        Some(secret.clone()),
        "the same key, still waiting"
    );
    let done = wrong
        .form("form[action=\"/accounts/two-factor\"]")
        .fill("code", &code(&secret, now()))
        .submit()
        .assert_status(200);
    let codes: Vec<String> = done
        .select("#recovery-codes li")
        .into_iter()
        .map(|li| li.text)
        .collect();
    assert_eq!(codes.len(), 10, "ten recovery codes: {}", done.text());
    (secret, codes)
}

fn log_out(client: &Client) {
    client
        .get("/")
        .form(crate::support::LOGOUT_FORM)
        .submit()
        .assert_status(303);
    assert!(!client.is_signed_in());
}

/// Logs in with the password: the answer must lead to the second step.
fn password_step(client: &Client, email: &str) -> Page {
    let answer = client.login(email, PASSWORD).assert_status(303);
    assert_eq!(answer.location(), "/accounts/login/second-factor");
    assert!(
        !client.is_signed_in(),
        "not signed in before the second factor"
    );
    client.get("/posts/new").assert_status(303);
    answer.follow().assert_status(200)
}

#[test]
fn totp_set_up_login_single_use_codes_recovery_codes_and_throttling() {
    let server = TestServer::start();
    server.create_user("me@blog.example", "author");
    let me = browser(&server, FIREFOX, "203.0.113.7", "me@blog.example");
    let elsewhere = browser(&server, IPHONE, "198.51.100.20", "me@blog.example");

    let (secret, recovery) = set_up_totp(&me);
    assert!(me.is_signed_in(), "this browser stays");
    assert!(
        !elsewhere.is_signed_in(),
        "adding a factor ends the other sessions"
    );
    let profile = me.get("/accounts/profile").assert_status(200);
    assert!(
        profile.text().contains("10 recovery codes left"),
        "{}",
        profile.text()
    );
    // Shown once: the two-factor page now only says how many are left.
    let page = me.get("/accounts/two-factor").assert_status(200);
    assert!(!page.has("#recovery-codes") && !page.has("#totp-secret"));
    log_out(&me);

    // The code that confirmed the set-up was used: it does not work again.
    let step = password_step(&me, "me@blog.example");
    let used = code(&secret, now());
    let refused = step
        .form(SECOND_FACTOR_FORM)
        .fill("code", &used)
        .submit()
        .assert_status(422);
    assert!(refused.has(".form-error"));
    refused
        .form(SECOND_FACTOR_FORM)
        .fill("code", &wrong_code(&secret))
        .submit()
        .assert_status(422);
    assert!(!me.is_signed_in());
    // The next step's code works, once.
    let next = code(&secret, now() + 30);
    let done = me
        .get("/accounts/login/second-factor")
        .form(SECOND_FACTOR_FORM)
        .fill("code", &next)
        .submit()
        .assert_status(303);
    assert_eq!(done.location(), "/");
    assert!(me.is_signed_in());
    log_out(&me);
    password_step(&me, "me@blog.example")
        .form(SECOND_FACTOR_FORM)
        .fill("code", &next)
        .submit()
        .assert_status(422);

    // A recovery code works once, in any case and with spaces.
    let typed = recovery[3].to_uppercase().replace('-', " ");
    me.get("/accounts/login/second-factor")
        .form(SECOND_FACTOR_FORM)
        .fill("code", &typed)
        .submit()
        .assert_status(303);
    assert!(me.is_signed_in());
    assert!(me
        .get("/accounts/profile")
        .text()
        .contains("9 recovery codes left"));
    log_out(&me);
    let step = password_step(&me, "me@blog.example");
    step.form(SECOND_FACTOR_FORM)
        .fill("code", &recovery[3])
        .submit()
        .assert_status(422);

    // Throttled like passwords: 5 failures for the account (one above, four here),
    // then even a right code is refused, and so is the password.
    for _ in 0..4 {
        me.get("/accounts/login/second-factor")
            .form(SECOND_FACTOR_FORM)
            .fill("code", &wrong_code(&secret))
            .submit()
            .assert_status(422);
    }
    let throttled = me
        .get("/accounts/login/second-factor")
        .form(SECOND_FACTOR_FORM)
        .fill("code", &recovery[4])
        .submit()
        .assert_status(429);
    assert!(throttled.has(".form-error"));
    assert!(!me.is_signed_in());
    server
        .anonymous()
        .login("me@blog.example", PASSWORD)
        .assert_status(429);

    let rows: Vec<(String, String)> = server
        .audit_rows()
        .into_iter()
        .filter(|r| r.target == "me@blog.example")
        .map(|r| (r.action, r.detail))
        .collect();
    let has = |action: &str, detail: &str| {
        rows.iter()
            .any(|(a, d)| a == action && d.starts_with(detail))
    };
    assert!(has("account.factor_added", "authenticator app"), "{rows:?}");
    assert!(has("account.login", "password + code"), "{rows:?}");
    assert!(has("account.login", "password + recovery code"), "{rows:?}");
    assert!(has("account.recovery_code_used", "9 left"), "{rows:?}");
    assert!(has("account.second_factor_failed", "code"), "{rows:?}");
}

#[test]
fn removing_the_app_ends_other_sessions_and_reset_2fa_lets_the_owner_back_in() {
    let server = TestServer::start();
    server.create_user("me@blog.example", "author");
    let me = browser(&server, FIREFOX, "203.0.113.7", "me@blog.example");
    let (secret, _) = set_up_totp(&me);

    // A second browser, through both steps.
    let other = server.anonymous();
    password_step(&other, "me@blog.example")
        .form(SECOND_FACTOR_FORM)
        .fill("code", &code(&secret, now() + 30))
        .submit()
        .assert_status(303);
    assert!(other.is_signed_in());

    me.get("/accounts/two-factor")
        .form("form[action=\"/accounts/two-factor/remove\"]")
        .submit()
        .assert_status(303);
    assert!(me.is_signed_in());
    assert!(
        !other.is_signed_in(),
        "removing a factor ends the other sessions"
    );
    other.sign_in("me@blog.example", PASSWORD);

    // Lost phone: the owner resets the account's factors from the command line.
    let (_, _) = set_up_totp(&me);
    let out = server
        .cli(&["users", "reset-2fa", "me@blog.example"])
        .success();
    assert!(out.stdout.contains("authenticator app"), "{}", out.stdout);
    assert!(!me.is_signed_in(), "its sessions ended");
    me.sign_in("me@blog.example", PASSWORD);
    let rows: Vec<(String, String)> = server
        .audit_rows()
        .into_iter()
        .map(|r| (r.actor, r.action))
        .collect();
    assert!(rows.contains(&("cli".into(), "account.two_factor_reset".into())));
    assert!(rows.contains(&("me@blog.example".into(), "account.factor_removed".into())));
}

#[test]
fn require_second_factor_leads_admins_to_set_one_up_first() {
    let server = crate::support::Site::new()
        .config("[accounts]\nrequire_second_factor = [\"admin\"]\n")
        .start();
    let author = server.author("author@blog.example");
    author.get("/posts/new").assert_status(200);

    server.create_user("admin@blog.example", "admin");
    let admin = server.anonymous();
    admin
        .login("admin@blog.example", PASSWORD)
        .assert_status(303);
    for path in ["/", "/admin", "/posts/new", "/accounts/profile"] {
        let led = admin.get(path).assert_status(303);
        assert_eq!(led.location(), "/accounts/two-factor", "{path}");
    }
    let token = admin
        .get("/accounts/two-factor")
        .input_value("csrf_token")
        .expect("a form");
    let led = admin
        .post("/admin/media/gc", &[("csrf_token", &token)])
        .assert_status(303);
    assert_eq!(led.location(), "/accounts/two-factor", "a POST too");
    let page = admin.get("/accounts/two-factor").assert_status(200);
    assert!(page.has(".required"), "says why");
    set_up_totp(&admin);
    admin.get("/admin").assert_status(200);
    admin.get("/accounts/profile").assert_status(200);
}

#[test]
fn passkeys_need_a_domain_and_refuse_forged_answers() {
    // The default base_url is an address: no relying party, no passkey button.
    let server = TestServer::start();
    let visitor = server.anonymous();
    let login = visitor.get("/accounts/login").assert_status(200);
    assert!(!login.has(".passkey-login"));
    let token = visitor.csrf_token();
    let refused = visitor
        .post("/accounts/login/passkey/start", &[("csrf_token", &token)])
        .assert_status(409);
    assert_eq!(refused.header("content-type"), Some("application/json"));
    assert!(refused.body.contains("domain name"), "{}", refused.body);
    let me = server.author("me@blog.example");
    let profile = me.get("/accounts/profile").assert_status(200);
    assert!(profile.has(".passkey-add[hidden]"));
    assert!(profile.text().contains("domain name"));

    // With a domain: challenges are JSON for this relying party, and answers that are
    // not the authenticator's are refused without signing anyone in.
    let server = crate::support::Site::new().start_on_localhost();
    let visitor = server.anonymous();
    assert!(visitor.get("/accounts/login").has(".passkey-login"));
    let token = visitor.csrf_token();
    let start = visitor
        .post("/accounts/login/passkey/start", &[("csrf_token", &token)])
        .assert_status(200);
    let options: serde_json::Value = serde_json::from_str(&start.body).unwrap();
    assert_eq!(options["publicKey"]["rpId"], "localhost", "{options}");
    visitor
        .post(
            "/accounts/login/passkey/finish",
            &[
                ("csrf_token", &token),
                ("credential", "{\"id\": \"forged\"}"),
            ],
        )
        .assert_status(400);
    // Without the CSRF token: 403, in JSON too.
    let forged = visitor
        .post("/accounts/login/passkey/start", &[])
        .assert_status(403);
    assert_eq!(forged.header("content-type"), Some("application/json"));
    assert!(!visitor.is_signed_in());

    server.create_user("me@blog.example", "author");
    let me = server.anonymous();
    me.sign_in("me@blog.example", PASSWORD);
    let token = me.csrf_token();
    let options = registration_options(&me);
    assert_eq!(options["publicKey"]["rp"]["id"], "localhost");
    assert_eq!(options["publicKey"]["user"]["name"], "me@blog.example");
    me.post(
        "/accounts/passkeys/register/finish",
        &[
            ("csrf_token", &token),
            ("credential", "{}"),
            ("name", "Fake"),
        ],
    )
    .assert_status(400);
    assert!(!me.get("/accounts/profile").has("li.passkey"));
}

/// The `issuer` of the otpauth:// key on `client`'s two-factor page: the name the
/// authenticator app lists the account under.
fn totp_issuer(client: &Client) -> String {
    let page = client.get("/accounts/two-factor").assert_status(200);
    let href = page
        .select("a.totp-link")
        .first()
        .and_then(|a| a.attr("href").map(str::to_owned))
        .expect("the key as a link");
    assert!(href.starts_with("otpauth://totp/"), "{href}");
    let query = href.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "issuer")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_else(|| panic!("no issuer in {href}"))
}

/// The options a passkey registration starts with, for `navigator.credentials.create()`.
fn registration_options(client: &Client) -> serde_json::Value {
    let token = client.csrf_token();
    let start = client
        .post(
            "/accounts/passkeys/register/start",
            &[("csrf_token", &token)],
        )
        .assert_status(200);
    serde_json::from_str(&start.body).expect("JSON options")
}

/// The relying party's name and id in the options of a passkey registration.
fn passkey_party(client: &Client) -> (String, String) {
    let options = registration_options(client);
    let rp = &options["publicKey"]["rp"];
    (
        rp["name"].as_str().unwrap_or_default().to_owned(),
        rp["id"].as_str().unwrap_or_default().to_owned(),
    )
}

#[test]
fn the_app_and_passkeys_name_the_site_by_the_title_set_in_settings() {
    let server = crate::support::Site::new()
        .config("[site]\ntitle = \"From the file\"\n")
        .start_on_localhost();
    let admin = server.admin();
    assert_eq!(totp_issuer(&admin), "From the file");
    assert_eq!(
        passkey_party(&admin),
        ("From the file".to_owned(), "localhost".to_owned())
    );

    admin
        .get("/admin/settings")
        .assert_status(200)
        .form("form#settings")
        .fill("title", "Field notes 현장")
        .submit()
        .assert_status(303);
    // The running server names the site anew; the RP id, which passkeys are bound
    // to, stays the host of base_url.
    assert_eq!(totp_issuer(&admin), "Field notes 현장");
    assert_eq!(
        passkey_party(&admin),
        ("Field notes 현장".to_owned(), "localhost".to_owned())
    );
}
