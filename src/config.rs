//! Configuration: built-in defaults, then `blog.toml`, then `BLOG_<SECTION>_<KEY>`
//! environment variables. Every section rejects unknown keys, and every error names the
//! key and where it came from, in one line.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The example file doubles as the documentation of every key; `blog init` writes it.
pub const EXAMPLE: &str = include_str!("../blog.example.toml");

/// The file read when no `--config` is given, if it exists.
pub const DEFAULT_FILE: &str = "blog.toml";

/// Environment variables with this prefix override the file; `BLOG_SECRET_KEY` is not
/// configuration but the secret, and is read by `SecretKey`.
const ENV_PREFIX: &str = "BLOG_";
const SECRET_ENV: &str = "BLOG_SECRET_KEY";
/// The SMTP password: a secret too, so never configuration (see `Mail`).
pub const MAIL_PASSWORD_ENV: &str = "BLOG_MAIL_PASSWORD";

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub site: Site,
    pub server: Server,
    pub storage: Storage,
    pub accounts: Accounts,
    pub media: Media,
    pub comments: Comments,
    pub cache: Cache,
    pub log: Log,
    pub mail: Mail,
    pub federation: Federation,
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Site {
    pub title: String,
    pub description: String,
    pub base_url: BaseUrl,
    pub language: Language,
    pub timezone: TimeZoneName,
    pub posts_per_page: PerPage,
    pub infinite_scroll: bool,
    /// Set by `Config::load` when neither the file nor `BLOG_SITE_BASE_URL` names a
    /// `base_url`: it is then `http://` + the bind, and `serve` puts the address it
    /// actually bound there (the real port when 0 was asked).
    #[serde(skip)]
    pub base_url_from_bind: bool,
}

impl Default for Site {
    fn default() -> Self {
        Self {
            title: "My blog".into(),
            description: "A blog".into(),
            base_url: BaseUrl("http://127.0.0.1:8000".into()),
            language: Language::En,
            timezone: TimeZoneName("UTC".into()),
            posts_per_page: PerPage(10),
            infinite_scroll: false,
            base_url_from_bind: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Server {
    pub bind: Bind,
    pub trusted_proxies: Vec<IpNet>,
    pub max_upload_bytes: u64,
    /// Open connections at most; one more is answered 503 and closed.
    pub max_connections: usize,
    /// A client must send its request headers within this time; a keep-alive
    /// connection idle for this long is closed.
    #[serde(with = "duration_text")]
    pub header_timeout: Duration,
}

impl Default for Server {
    fn default() -> Self {
        Self {
            bind: Bind::Tcp(SocketAddr::from(([127, 0, 0, 1], 8000))),
            trusted_proxies: vec![
                IpNet::from_str("127.0.0.1/32").expect("a valid literal CIDR"),
                IpNet::from_str("::1/128").expect("a valid literal CIDR"),
            ],
            max_upload_bytes: 10 * 1024 * 1024,
            max_connections: 1024,
            header_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Storage {
    pub data_dir: PathBuf,
    /// Who else writes the database file: `litestream` replicating it.
    pub replication: Replication,
    /// Where the database (`<replica>/db`) and the media (`<replica>/media/`) go.
    pub replica: ReplicaUrl,
    /// The SSH private key for an `sftp://` replica.
    pub replica_key: PathBuf,
}

impl Default for Storage {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("blog-data"),
            replication: Replication::None,
            replica: ReplicaUrl::default(),
            replica_key: PathBuf::new(),
        }
    }
}

/// Whether Litestream replicates the database, which changes what blog may do to the
/// file itself (no truncating checkpoint at shutdown: Litestream owns the WAL's end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Replication {
    None,
    Litestream,
}

impl Storage {
    pub fn database(&self) -> PathBuf {
        self.data_dir.join("blog.sqlite3")
    }
    pub fn media_dir(&self) -> PathBuf {
        self.data_dir.join("media")
    }
    pub fn secret_key_file(&self) -> PathBuf {
        self.data_dir.join("secret.key")
    }
}

/// A replica off the machine: `file:///path` (a folder, such as a mounted disk),
/// `sftp://user@host[:port]/path` (an SSH server, with `[storage] replica_key`), or
/// nothing (""). Litestream keeps the database under `<url>/db`; blog copies every
/// media file to `<url>/media/<path>` and never deletes one there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ReplicaUrl {
    #[default]
    None,
    Folder(PathBuf),
    Sftp(SftpTarget),
}

/// An SFTP server and the absolute folder on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SftpTarget {
    pub user: String,
    pub host: String,
    pub port: u16,
    pub path: String,
}

impl SftpTarget {
    /// `sftp://user@host:port` and a path on the server: `<folder>/<sub>`.
    pub fn url(&self, sub: &str) -> String {
        format!(
            "sftp://{}@{}:{}{}/{sub}",
            self.user, self.host, self.port, self.path
        )
    }
}

impl ReplicaUrl {
    pub fn is_set(&self) -> bool {
        !matches!(self, Self::None)
    }

    /// The URL Litestream replicates the database to.
    pub fn database_url(&self) -> Option<String> {
        match self {
            Self::None => None,
            Self::Folder(dir) => Some(format!("file://{}/db", dir.display())),
            Self::Sftp(target) => Some(target.url("db")),
        }
    }
}

impl FromStr for ReplicaUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.is_empty() {
            return Ok(Self::None);
        }
        if let Some(path) = s.strip_prefix("file://") {
            let trimmed = path.trim_end_matches('/');
            if !trimmed.starts_with('/') {
                return Err(format!(
                    "{s:?} needs an absolute path, as in \"file:///srv/blog-replica\""
                ));
            }
            return Ok(Self::Folder(PathBuf::from(trimmed)));
        }
        if let Some(rest) = s.strip_prefix("sftp://") {
            let bad = || {
                format!(
                    "{s:?} is not an SFTP replica: write \"sftp://user@host:22/srv/blog-replica\" (the key goes in [storage] replica_key, never a password in the URL)"
                )
            };
            let (authority, path) = rest.split_once('/').ok_or_else(bad)?;
            let (user, host_port) = authority.split_once('@').ok_or_else(bad)?;
            let (host, port) = match host_port.rsplit_once(':') {
                Some((host, port)) => (host, port.parse().map_err(|_| bad())?),
                None => (host_port, 22),
            };
            let path = format!("/{}", path.trim_end_matches('/'));
            let plain = |t: &str| {
                !t.is_empty()
                    && t.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            };
            let path_ok = path.len() > 1
                && path
                    .split('/')
                    .skip(1)
                    .all(|segment| plain(segment) && segment != "..");
            if !plain(user) || !plain(host) || !path_ok {
                return Err(bad());
            }
            return Ok(Self::Sftp(SftpTarget {
                user: user.to_string(),
                host: host.to_string(),
                port,
                path,
            }));
        }
        Err(format!(
            "{s:?} is not a replica blog can use: write \"file:///srv/blog-replica\" (a folder on a disk that outlives the machine) or \"sftp://user@host/srv/blog-replica\""
        ))
    }
}

impl fmt::Display for ReplicaUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::None => Ok(()),
            Self::Folder(dir) => write!(f, "file://{}", dir.display()),
            Self::Sftp(target) => write!(
                f,
                "sftp://{}@{}:{}{}",
                target.user, target.host, target.port, target.path
            ),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Accounts {
    pub open_registration: bool,
    pub bcrypt_cost: BcryptCost,
    /// Roles whose accounts must have a second factor (a TOTP app or a passkey): one
    /// without is led to set one up before anything else.
    pub require_second_factor: Vec<crate::content::Role>,
}

impl Default for Accounts {
    fn default() -> Self {
        Self {
            open_registration: false,
            bcrypt_cost: BcryptCost(12),
            require_second_factor: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Media {
    #[serde(with = "duration_text")]
    pub gc_interval: Duration,
    #[serde(with = "duration_text")]
    pub gc_grace: Duration,
}

impl Default for Media {
    fn default() -> Self {
        Self {
            gc_interval: Duration::from_secs(3600),
            gc_grace: Duration::from_secs(24 * 3600),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Comments {
    pub enabled: bool,
    pub moderation: bool,
    pub anonymous: bool,
}

impl Default for Comments {
    fn default() -> Self {
        Self {
            enabled: true,
            moderation: false,
            anonymous: false,
        }
    }
}

/// Outgoing mail (`mail/`): everything mail does is off until `smtp_url` is set. The
/// password is never in this file: it comes from `BLOG_MAIL_PASSWORD`, or from
/// `password_file`, a file only its owner may read.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Mail {
    pub smtp_url: SmtpUrl,
    /// The sender, `Name <address>` or an address; empty is the site's title at
    /// `blog@` the host of `base_url`.
    pub from: String,
    /// At most this many mails leave in any minute (a provider's limit, say).
    pub max_per_minute: u32,
    pub password_file: PathBuf,
}

impl Default for Mail {
    fn default() -> Self {
        Self {
            smtp_url: SmtpUrl::Off,
            from: String::new(),
            max_per_minute: 60,
            password_file: PathBuf::new(),
        }
    }
}

impl Mail {
    pub fn is_on(&self) -> bool {
        self.smtp_url != SmtpUrl::Off
    }
}

/// Federation (`federation/`): ActivityPub and webmentions. Off until the admin turns
/// it on, and then only with an https `base_url`: the rest of the fediverse fetches
/// our actors and posts by that address and refuses plain http.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Federation {
    pub enabled: bool,
    /// Lets outbound requests reach private and loopback addresses, and federation run
    /// on an http `base_url`: for tests that federate two blogs over 127.0.0.1. Never
    /// on a public server (see `outbound.rs`).
    pub allow_private_addresses: bool,
}

impl Federation {
    /// Why federation cannot run with this `base_url`, if it cannot.
    pub fn refusal(&self, base_url: &BaseUrl) -> Option<String> {
        (self.enabled && !base_url.is_https() && !self.allow_private_addresses).then(|| {
            format!(
                "[federation] enabled needs an https base_url (it is {base_url}): other servers fetch the blog's actors and posts by that address"
            )
        })
    }
}

/// Where mail goes: `smtp://host:port` (plain, for a relay on the same machine),
/// `smtps://…` (TLS from the start, port 465) or `smtp+starttls://…` (port 587), with
/// an optional `user@` before the host. Empty: no mail.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SmtpUrl {
    #[default]
    Off,
    Server(SmtpServer),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpServer {
    pub security: SmtpSecurity,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    Plain,
    Tls,
    StartTls,
}

impl FromStr for SmtpUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.trim().is_empty() {
            return Ok(Self::Off);
        }
        let example = "like \"smtp+starttls://user@mail.example.com:587\"";
        let (scheme, rest) = s
            .split_once("://")
            .ok_or_else(|| format!("{s:?} is not an SMTP URL {example}"))?;
        let (security, default_port) = match scheme {
            "smtp" => (SmtpSecurity::Plain, 25),
            "smtps" => (SmtpSecurity::Tls, 465),
            "smtp+starttls" => (SmtpSecurity::StartTls, 587),
            other => {
                return Err(format!(
                    "{other}:// is not an SMTP scheme: use smtp://, smtps:// or smtp+starttls:// ({example})"
                ))
            }
        };
        let rest = rest.trim_end_matches('/');
        let (user, host_port) = match rest.rsplit_once('@') {
            Some((user, _)) if user.contains(':') => {
                return Err(format!(
                    "the SMTP URL holds a password: remove it and set {MAIL_PASSWORD_ENV} (or [mail] password_file) instead"
                ))
            }
            Some((user, host)) => (Some(percent_encoding::percent_decode_str(user).decode_utf8_lossy().into_owned()), host),
            None => (None, rest),
        };
        let (host, port) = match host_port.rsplit_once(':') {
            Some((host, port)) => (
                host,
                port.parse()
                    .map_err(|_| format!("{port:?} is not a port number in {s:?}"))?,
            ),
            None => (host_port, default_port),
        };
        if host.is_empty() || host.contains(['/', '?', '#']) {
            return Err(format!("{s:?} names no mail server {example}"));
        }
        Ok(Self::Server(SmtpServer {
            security,
            host: host.to_string(),
            port,
            user: user.filter(|u| !u.is_empty()),
        }))
    }
}

impl fmt::Display for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self::Server(server) = self else {
            return Ok(());
        };
        let scheme = match server.security {
            SmtpSecurity::Plain => "smtp",
            SmtpSecurity::Tls => "smtps",
            SmtpSecurity::StartTls => "smtp+starttls",
        };
        write!(f, "{scheme}://")?;
        if let Some(user) = &server.user {
            write!(
                f,
                "{}@",
                percent_encoding::utf8_percent_encode(user, percent_encoding::NON_ALPHANUMERIC)
            )?;
        }
        write!(f, "{}:{}", server.host, server.port)
    }
}

/// What shared caches in front of blog (nginx `proxy_cache`, a CDN) may keep, and for
/// how long: the `Cache-Control` of anonymous pages, feeds and the sitemap.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cache {
    /// How long a shared cache may serve an anonymous page without asking blog.
    #[serde(with = "duration_text")]
    pub s_maxage: Duration,
    /// After that, how long it may still serve it while it fetches a fresh one.
    #[serde(with = "duration_text")]
    pub stale_while_revalidate: Duration,
    /// How long it may serve it when blog is down or failing.
    #[serde(with = "duration_text")]
    pub stale_if_error: Duration,
    /// How long anyone (feed readers too) may keep a feed.
    #[serde(with = "duration_text")]
    pub feed_max_age: Duration,
    /// How long anyone may keep the sitemap and robots.txt.
    #[serde(with = "duration_text")]
    pub sitemap_max_age: Duration,
}

impl Default for Cache {
    fn default() -> Self {
        Self {
            s_maxage: Duration::from_secs(60),
            stale_while_revalidate: Duration::from_secs(60),
            stale_if_error: Duration::from_secs(24 * 3600),
            feed_max_age: Duration::from_secs(300),
            sitemap_max_age: Duration::from_secs(3600),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Log {
    pub format: LogFormat,
    pub level: LogLevel,
}

impl Default for Log {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            level: LogLevel::Info,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warn => "warn",
            Self::Info => "info",
            Self::Debug => "debug",
            Self::Trace => "trace",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    En,
    Ko,
}

impl Language {
    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ko => "ko",
        }
    }
}

/// Where the server listens: a TCP address or a Unix socket path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bind {
    Tcp(SocketAddr),
    Unix(PathBuf),
}

impl FromStr for Bind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if let Some(path) = s.strip_prefix("unix:") {
            if path.is_empty() {
                return Err("a unix socket needs a path, as in \"unix:/run/blog.sock\"".into());
            }
            return Ok(Self::Unix(PathBuf::from(path)));
        }
        s.parse::<SocketAddr>().map(Self::Tcp).map_err(|_| {
            format!("{s:?} is not an address: write \"host:port\" (like \"127.0.0.1:8000\") or \"unix:/path\"")
        })
    }
}

impl fmt::Display for Bind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tcp(addr) => write!(f, "{addr}"),
            Self::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

/// Types that live in the file as strings and are checked when read.
macro_rules! string_typed {
    ($ty:ty) => {
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
    };
}
string_typed!(Bind);
string_typed!(BaseUrl);
string_typed!(TimeZoneName);
string_typed!(ReplicaUrl);
string_typed!(SmtpUrl);

/// The public address of the site, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }
    /// An absolute URL for a local path such as `/posts/hello`.
    pub fn join(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }
    /// `http://` + a listening address (`[::1]:8000` keeps its brackets).
    pub fn of_address(addr: SocketAddr) -> Self {
        Self(format!("http://{addr}"))
    }
    /// Whether the host is a loopback address or `localhost`: only this machine can
    /// follow such links.
    pub fn is_loopback(&self) -> bool {
        let Ok(uri) = self.0.parse::<http::Uri>() else {
            return false;
        };
        let host = uri.host().unwrap_or("");
        let host = host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }
}

impl FromStr for BaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let trimmed = s.trim_end_matches('/');
        let uri: http::Uri = trimmed.parse().map_err(|_| format!("{s:?} is not a URL"))?;
        let scheme_ok = matches!(uri.scheme_str(), Some("http" | "https"));
        if !scheme_ok || uri.host().is_none() || uri.query().is_some() {
            return Err(format!(
                "{s:?} must be an http or https URL such as \"https://blog.example.com\""
            ));
        }
        Ok(Self(trimmed.to_string()))
    }
}

impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An IANA time zone name that the bundled database knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for TimeZoneName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        jiff::tz::TimeZone::get(s)
            .map(|_| Self(s.to_string()))
            .map_err(|_| format!("{s:?} is not an IANA time zone name such as \"Asia/Seoul\""))
    }
}

impl fmt::Display for TimeZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Posts on one page: at least 1, at most 100.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct PerPage(pub u32);

impl<'de> Deserialize<'de> for PerPage {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u32::deserialize(d)? {
            n @ 1..=100 => Ok(Self(n)),
            n => Err(serde::de::Error::custom(format!(
                "{n} posts per page: choose from 1 to 100"
            ))),
        }
    }
}

/// bcrypt's work factor, in the range the bcrypt crate accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct BcryptCost(pub u32);

impl<'de> Deserialize<'de> for BcryptCost {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match u32::deserialize(d)? {
            n @ 4..=31 => Ok(Self(n)),
            n => Err(serde::de::Error::custom(format!(
                "bcrypt cost {n}: choose from 4 to 31 (12 is a good default)"
            ))),
        }
    }
}

/// Durations are written as text: "24h", "10m", "30s".
mod duration_text {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&humantime::format_duration(*d))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_duration(&text).map_err(|_| {
            serde::de::Error::custom(format!(
                "{text:?} is not a duration: write it like \"24h\", \"10m\" or \"30s\""
            ))
        })
    }
}

/// A configuration problem, in one line naming the key and where it was set.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl Config {
    /// Parses the text of a config file; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|err| ConfigError(describe_toml_error(&err, text, origin)))
    }

    /// Loads the configuration: defaults, then the file (the given one, which must
    /// exist, or `blog.toml` if present), then the environment.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let (mut table, origin) = match file {
            Some(path) => (read_table(path)?, path.display().to_string()),
            None if Path::new(DEFAULT_FILE).exists() => (
                read_table(Path::new(DEFAULT_FILE))?,
                DEFAULT_FILE.to_string(),
            ),
            None => (toml::Table::new(), "built-in defaults".to_string()),
        };
        for (name, value) in env {
            let Some(rest) = name.strip_prefix(ENV_PREFIX) else {
                continue;
            };
            if name == SECRET_ENV || name == MAIL_PASSWORD_ENV {
                continue;
            }
            let (section, key, value) = env_override(&name, rest, &value)?;
            let section_table = table
                .entry(section.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if let toml::Value::Table(t) = section_table {
                t.insert(key, value);
            }
        }
        let base_url_set = table
            .get("site")
            .and_then(|site| site.get("base_url"))
            .is_some();
        let mut config = Config::deserialize(toml::Value::Table(table))
            .map_err(|err| ConfigError(format!("{origin}: {}", err.message())))?;
        if !base_url_set {
            config.site.use_bind_for_base_url(&config.server.bind);
        }
        Ok(config)
    }
}

impl Site {
    /// With no `base_url` set anywhere, absolute links name the bind: `http://` + its
    /// address. A Unix socket has no address a browser could use, so the default
    /// stays (`blog check` asks for a real one behind nginx).
    pub fn use_bind_for_base_url(&mut self, bind: &Bind) {
        self.base_url_from_bind = true;
        if let Bind::Tcp(addr) = bind {
            self.base_url = BaseUrl::of_address(*addr);
        }
    }
}

fn read_table(path: &Path) -> Result<toml::Table, ConfigError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|err| ConfigError(format!("{origin}: cannot read the config file: {err}")))?;
    // Parse into the typed config first, so errors carry the line and the key.
    Config::parse(&text, &origin)?;
    toml::from_str(&text).map_err(|err| ConfigError(describe_toml_error(&err, &text, &origin)))
}

/// Turns `BLOG_SITE_POSTS_PER_PAGE=5` into (`site`, `posts_per_page`, 5), typed like the
/// default value of that key, and checks it on its own so the error names the variable.
fn env_override(
    name: &str,
    rest: &str,
    raw: &str,
) -> Result<(String, String, toml::Value), ConfigError> {
    let lower = rest.to_ascii_lowercase();
    let defaults = toml::Table::try_from(Config::default())
        .map_err(|err| ConfigError(format!("internal: defaults do not serialize: {err}")))?;
    let found = defaults.iter().find_map(|(section, keys)| {
        let key = lower.strip_prefix(section.as_str())?.strip_prefix('_')?;
        let default = keys.as_table()?.get(key)?;
        Some((section.clone(), key.to_string(), default.clone()))
    });
    let Some((section, key, default)) = found else {
        return Err(ConfigError(format!(
            "environment variable {name}: no such setting (expected BLOG_<SECTION>_<KEY>, like BLOG_SERVER_BIND)"
        )));
    };
    let bad = |what: &str| {
        ConfigError(format!(
            "environment variable {name}: {raw:?} is not {what}"
        ))
    };
    let value = match default {
        toml::Value::Boolean(_) => match raw.trim() {
            "true" | "1" | "yes" | "on" => toml::Value::Boolean(true),
            "false" | "0" | "no" | "off" => toml::Value::Boolean(false),
            _ => return Err(bad("true or false")),
        },
        toml::Value::Integer(_) => {
            toml::Value::Integer(raw.trim().parse().map_err(|_| bad("a whole number"))?)
        }
        toml::Value::Array(_) => toml::Value::Array(
            raw.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| toml::Value::String(s.to_string()))
                .collect(),
        ),
        _ => toml::Value::String(raw.to_string()),
    };
    // Check this one value alone, so a bad one is blamed on its variable.
    let mut probe = toml::Table::new();
    let mut inner = toml::Table::new();
    inner.insert(key.clone(), value.clone());
    probe.insert(section.clone(), toml::Value::Table(inner));
    Config::deserialize(toml::Value::Table(probe))
        .map_err(|err| ConfigError(format!("environment variable {name}: {}", err.message())))?;
    Ok((section, key, value))
}

/// One line: file, line number, `[section] key`, and what is wrong.
fn describe_toml_error(err: &toml::de::Error, text: &str, origin: &str) -> String {
    let message = err.message().trim().replace('\n', " ");
    let Some(span) = err.span() else {
        return format!("{origin}: {message}");
    };
    let before = &text[..span.start.min(text.len())];
    let line_no = before.matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
    let section = before
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| l.starts_with('[') && l.ends_with(']'));
    let key = line.split('=').next().unwrap_or("").trim();
    let place = match (section, line.contains('=')) {
        (Some(section), true) => format!("{section} {key}: "),
        (None, true) => format!("{key}: "),
        _ => String::new(),
    };
    format!("{origin}, line {line_no}: {place}{message}")
}

/// The key that signs sessions and CSRF tokens; never in the config file.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// Where the secret key came from, for `blog check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSource {
    Environment,
    File,
}

impl SecretKey {
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// A fixed key, for unit tests of what it signs.
    #[cfg(test)]
    pub fn for_tests() -> Self {
        Self(b"a test key that is at least thirty-two bytes".to_vec())
    }

    /// From `BLOG_SECRET_KEY`, else from `<data_dir>/secret.key`, which is created with
    /// mode 0600 on first use. The data folder must exist.
    pub fn load(storage: &Storage) -> anyhow::Result<(Self, SecretSource)> {
        use anyhow::Context;
        if let Ok(value) = std::env::var(SECRET_ENV) {
            if value.trim().len() < 32 {
                anyhow::bail!("{SECRET_ENV} is too short: use at least 32 random characters (for example `openssl rand -hex 32`)");
            }
            return Ok((
                Self(value.trim().as_bytes().to_vec()),
                SecretSource::Environment,
            ));
        }
        let path = storage.secret_key_file();
        match std::fs::read_to_string(&path) {
            Ok(text) if text.trim().len() >= 32 => {
                Ok((Self(text.trim().as_bytes().to_vec()), SecretSource::File))
            }
            Ok(_) => anyhow::bail!(
                "{} is too short: delete it to have a new one made, or set {SECRET_ENV}",
                path.display()
            ),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let mut bytes = [0u8; 32];
                getrandom::fill(&mut bytes)
                    .map_err(|err| anyhow::anyhow!("no randomness for the secret key: {err}"))?;
                let text = hex::encode(bytes);
                write_private(&path, &text)
                    .with_context(|| format!("cannot create {}", path.display()))?;
                Ok((Self(text.into_bytes()), SecretSource::File))
            }
            Err(err) => Err(err).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

/// Writes a file readable by its owner only (0600), failing if it exists.
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = crate::files::create_private(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_file_matches_defaults() {
        assert_eq!(
            Config::parse(EXAMPLE, "example").unwrap(),
            Config::default()
        );
    }

    #[test]
    fn unknown_key_is_named_with_its_line_and_file() {
        let err = Config::parse("[site]\npost_per_page = 5\n", "blog.toml").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("blog.toml, line 2: [site] post_per_page:"),
            "{text}"
        );
        assert!(!text.contains('\n'));
    }

    #[test]
    fn wrong_type_names_the_key() {
        let err = Config::parse("[site]\nposts_per_page = \"ten\"\n", "blog.toml").unwrap_err();
        assert!(err.to_string().contains("posts_per_page"), "{err}");
    }

    #[test]
    fn bad_bind_and_cidr_are_refused() {
        assert!(Config::parse("[server]\nbind = \"nowhere\"\n", "f").is_err());
        assert!(Config::parse("[server]\ntrusted_proxies = [\"10.0.0.0/99\"]\n", "f").is_err());
        let unix = Config::parse("[server]\nbind = \"unix:/run/blog.sock\"\n", "f").unwrap();
        assert_eq!(
            unix.server.bind,
            Bind::Unix(PathBuf::from("/run/blog.sock"))
        );
    }

    #[test]
    fn environment_overrides_the_file_with_typed_values() {
        let env = [
            ("BLOG_SERVER_BIND".to_string(), "0.0.0.0:9000".to_string()),
            ("BLOG_SITE_POSTS_PER_PAGE".into(), "5".into()),
            ("BLOG_ACCOUNTS_OPEN_REGISTRATION".into(), "true".into()),
            (
                "BLOG_SERVER_TRUSTED_PROXIES".into(),
                "10.0.0.0/8,::1/128".into(),
            ),
            ("BLOG_MEDIA_GC_GRACE".into(), "10m".into()),
            ("BLOG_SECRET_KEY".into(), "not configuration".into()),
            ("HOME".into(), "/root".into()),
        ];
        let config = Config::load(Some(Path::new("/dev/null")), env).unwrap();
        assert_eq!(config.server.bind.to_string(), "0.0.0.0:9000");
        assert_eq!(config.site.posts_per_page, PerPage(5));
        assert!(config.accounts.open_registration);
        assert_eq!(config.server.trusted_proxies.len(), 2);
        assert_eq!(config.media.gc_grace, Duration::from_secs(600));
    }

    #[test]
    fn require_second_factor_takes_role_names() {
        use crate::content::Role;
        let config = Config::parse(
            "[accounts]\nrequire_second_factor = [\"admin\", \"Author\"]\n",
            "f",
        )
        .unwrap();
        assert_eq!(
            config.accounts.require_second_factor,
            vec![Role::Admin, Role::Author]
        );
        let err = Config::parse("[accounts]\nrequire_second_factor = [\"boss\"]\n", "f")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("require_second_factor") && err.contains("boss"),
            "{err}"
        );
        let env = [(
            "BLOG_ACCOUNTS_REQUIRE_SECOND_FACTOR".to_string(),
            "admin,author".to_string(),
        )];
        let config = Config::load(Some(Path::new("/dev/null")), env).unwrap();
        assert_eq!(config.accounts.require_second_factor.len(), 2);
    }

    #[test]
    fn bad_environment_value_names_the_variable() {
        let env = [("BLOG_SITE_POSTS_PER_PAGE".to_string(), "many".to_string())];
        let err = Config::load(Some(Path::new("/dev/null")), env).unwrap_err();
        assert!(
            err.to_string().contains("BLOG_SITE_POSTS_PER_PAGE"),
            "{err}"
        );
        let env = [("BLOG_SITE_COLOUR".to_string(), "red".to_string())];
        let err = Config::load(Some(Path::new("/dev/null")), env).unwrap_err();
        assert!(err.to_string().contains("BLOG_SITE_COLOUR"), "{err}");
    }

    #[test]
    fn a_replica_is_an_absolute_file_or_sftp_url_or_nothing() {
        assert_eq!("".parse::<ReplicaUrl>().unwrap(), ReplicaUrl::None);
        let replica: ReplicaUrl = "file:///srv/replica/".parse().unwrap();
        assert_eq!(replica, ReplicaUrl::Folder(PathBuf::from("/srv/replica")));
        assert_eq!(
            replica.database_url().as_deref(),
            Some("file:///srv/replica/db")
        );
        assert_eq!(replica.to_string(), "file:///srv/replica");
        let sftp: ReplicaUrl = "sftp://backup@10.0.0.9:2222/srv/replica".parse().unwrap();
        assert_eq!(
            sftp.database_url().as_deref(),
            Some("sftp://backup@10.0.0.9:2222/srv/replica/db")
        );
        assert_eq!(sftp.to_string(), "sftp://backup@10.0.0.9:2222/srv/replica");
        let default_port: ReplicaUrl = "sftp://b@host/r".parse().unwrap();
        assert_eq!(default_port.to_string(), "sftp://b@host:22/r");
        for bad in [
            "file://relative/path",
            "ftp://host/x",
            "sftp://host/x",
            "sftp://u:secret@host/x",
            "sftp://u@host/",
            "sftp://u@host/a/../b",
            "sftp://u@host/a b",
        ] {
            assert!(bad.parse::<ReplicaUrl>().is_err(), "{bad}");
        }
    }

    #[test]
    fn base_url_loses_its_trailing_slash() {
        let url: BaseUrl = "https://blog.example.com/".parse().unwrap();
        assert_eq!(url.join("/posts/a"), "https://blog.example.com/posts/a");
        assert!(url.is_https());
        assert!("ftp://x".parse::<BaseUrl>().is_err());
    }

    #[test]
    fn base_url_follows_the_bind_until_it_is_set() {
        let env = [("BLOG_SERVER_BIND".to_string(), "0.0.0.0:9000".to_string())];
        let config = Config::load(Some(Path::new("/dev/null")), env).unwrap();
        assert_eq!(config.site.base_url.as_str(), "http://0.0.0.0:9000");
        assert!(config.site.base_url_from_bind);

        let env = [
            ("BLOG_SERVER_BIND".to_string(), "0.0.0.0:9000".to_string()),
            (
                "BLOG_SITE_BASE_URL".to_string(),
                "https://blog.example.com".to_string(),
            ),
        ];
        let config = Config::load(Some(Path::new("/dev/null")), env).unwrap();
        assert_eq!(config.site.base_url.as_str(), "https://blog.example.com");
        assert!(!config.site.base_url_from_bind);
    }

    #[test]
    fn loopback_base_urls_are_told_apart() {
        for url in [
            "http://127.0.0.1:8000",
            "http://[::1]:8000",
            "http://localhost",
        ] {
            assert!(url.parse::<BaseUrl>().unwrap().is_loopback(), "{url}");
        }
        for url in [
            "https://blog.example.com",
            "http://0.0.0.0:8000",
            "http://10.0.0.5",
        ] {
            assert!(!url.parse::<BaseUrl>().unwrap().is_loopback(), "{url}");
        }
    }

    #[test]
    fn smtp_urls_name_their_security_and_never_a_password() {
        let url: SmtpUrl = "smtp+starttls://me%40example.com@mail.example.com"
            .parse()
            .unwrap();
        assert_eq!(
            url,
            SmtpUrl::Server(SmtpServer {
                security: SmtpSecurity::StartTls,
                host: "mail.example.com".into(),
                port: 587,
                user: Some("me@example.com".into()),
            })
        );
        assert_eq!(url.to_string().parse::<SmtpUrl>().unwrap(), url);
        let plain: SmtpUrl = "smtp://127.0.0.1:2525".parse().unwrap();
        assert!(matches!(
            plain,
            SmtpUrl::Server(SmtpServer {
                security: SmtpSecurity::Plain,
                port: 2525,
                user: None,
                ..
            })
        ));
        let tls: SmtpUrl = "smtps://mail.example.com".parse().unwrap();
        assert!(matches!(
            tls,
            SmtpUrl::Server(SmtpServer {
                security: SmtpSecurity::Tls,
                port: 465,
                ..
            })
        ));
        assert_eq!("".parse::<SmtpUrl>().unwrap(), SmtpUrl::Off);
        let err = "smtps://me:hunter2@mail.example.com"
            .parse::<SmtpUrl>()
            .unwrap_err();
        assert!(
            err.contains("BLOG_MAIL_PASSWORD") && !err.contains("hunter2"),
            "{err}"
        );
        assert!("http://mail.example.com".parse::<SmtpUrl>().is_err());
        assert!("smtp://mail.example.com:smtp".parse::<SmtpUrl>().is_err());
    }

    #[test]
    fn the_mail_password_is_not_configuration() {
        let env = [("BLOG_MAIL_PASSWORD".to_string(), "hunter2".to_string())];
        let config = Config::load(None, env).unwrap();
        assert_eq!(config.mail, Mail::default());
    }
}
