//! `blog check [--deploy]`: is the configuration valid, the data folder writable, the
//! database sound? Prints what it checked; fails with the first problem. With
//! `--deploy` it then lists every setting unsafe in production, one `warning:` line
//! each with what to do, and fails if there is any (like Django's `check --deploy`).

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ipnet::IpNet;

use crate::config::{
    Bind, Config, ReplicaUrl, Replication, SecretKey, SecretSource, SmtpSecurity, SmtpUrl,
};

pub fn run(config: &Config, deploy: bool) -> anyhow::Result<()> {
    println!(
        "config: ok (listening on {}, site {}{})",
        config.server.bind,
        config.site.base_url,
        match (config.site.base_url_from_bind, &config.server.bind) {
            (false, _) => "",
            (true, Bind::Tcp(_)) => ", from the bind: no [site] base_url is set",
            (true, Bind::Unix(_)) =>
                ", the default: no [site] base_url is set, and a Unix socket names no address for links",
        }
    );
    // Links that nobody can follow are worth a word even outside `--deploy`.
    if let (false, Some(finding)) = (deploy, address_mismatch(config)) {
        println!("warning: {finding}");
    }
    let db = super::open_db(config)?;
    let integrity: String = db
        .read_now(|conn| crate::db::backup::integrity_check(conn).map(|lines| lines.join("; ")))
        .context("cannot check the database")?;
    if integrity != "ok" {
        anyhow::bail!("the database is damaged ({integrity}): restore it from a backup");
    }
    println!("database: ok ({})", config.storage.database().display());
    let litestream_tables = db.has_litestream_tables()?;
    if litestream_tables {
        println!("replication: Litestream's _litestream_* tables are in the database (Litestream's own; blog never reads or exports them)");
    }
    let (_, source) = SecretKey::load(&config.storage)?;
    match source {
        SecretSource::Environment => println!("secret key: from BLOG_SECRET_KEY"),
        SecretSource::File => println!(
            "secret key: from {}",
            config.storage.secret_key_file().display()
        ),
    }
    check_mail(config)?;
    match (
        config.federation.enabled,
        config.federation.refusal(&config.site.base_url),
    ) {
        (_, Some(why)) => anyhow::bail!("{why}"),
        (true, None) => println!("federation: on (ActivityPub and webmentions)"),
        (false, None) => println!("federation: off (set [federation] enabled = true to federate)"),
    }
    if !deploy {
        return Ok(());
    }

    let storage = &config.storage;
    let observed = Observed {
        // A key from the environment makes the file irrelevant, whatever its mode.
        secret_key_file: match source {
            SecretSource::File => mode(&storage.secret_key_file())?,
            SecretSource::Environment => None,
        },
        data_dir: mode(&storage.data_dir)?,
        database: mode(&storage.database())?,
        litestream_tables,
    };
    let findings = findings(config, &observed);
    for finding in &findings {
        println!("warning: {finding}");
    }
    match findings.len() {
        0 => {
            println!("deploy: no unsafe settings found");
            Ok(())
        }
        n => anyhow::bail!(
            "{n} unsafe setting{} for production (listed above): fix each as it says, then run `blog check --deploy` again",
            if n == 1 { "" } else { "s" }
        ),
    }
}

/// With `[mail]` on: the sender, the password and the server, tried for real.
fn check_mail(config: &Config) -> anyhow::Result<()> {
    if !config.mail.is_on() {
        println!("mail: off (set [mail] smtp_url to send mail)");
        return Ok(());
    }
    let (key, _) = SecretKey::load(&config.storage)?;
    let letters =
        crate::mail::Letters::of(config, &key).context("mail is on but cannot be set up")?;
    let mailer = crate::mail::smtp::Mailer::new(&config.mail, &letters.from).context("[mail]")?;
    mailer.check().with_context(|| {
        format!(
            "mail: cannot reach {}: check [mail] smtp_url, and the password in BLOG_MAIL_PASSWORD",
            config.mail.smtp_url
        )
    })?;
    println!(
        "mail: ok ({} answers; mail comes from {})",
        config.mail.smtp_url, letters.from
    );
    Ok(())
}

/// The permission bits of a file, or `None` where there are none to read (not Unix).
fn mode(path: &Path) -> anyhow::Result<Option<u32>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta =
            std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
        Ok(Some(meta.permissions().mode() & 0o7777))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        Ok(None)
    }
}

/// What `--deploy` looked at on disk: permission bits, `None` when not applicable.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Only when the key comes from `<data_dir>/secret.key`.
    pub secret_key_file: Option<u32>,
    pub data_dir: Option<u32>,
    pub database: Option<u32>,
    /// Litestream's tables are in the database: it replicates (or did) the file.
    pub litestream_tables: bool,
}

/// Below this bcrypt cost a stolen hash is cheap to crack; 12 is the default.
const MIN_BCRYPT_COST: u32 = 10;

/// Trusted proxy ranges wider than these are "anyone": /8 is the widest private IPv4
/// block (10.0.0.0/8), /32 an ISP's whole IPv6 allocation.
const NARROWEST_BROAD_V4: u8 = 8;
const NARROWEST_BROAD_V6: u8 = 32;

/// One unsafe production setting; its `Display` is the line shown after `warning: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    HttpBaseUrl(String),
    BroadTrustedProxy(IpNet),
    SecretKeyFileOpen {
        path: PathBuf,
        mode: u32,
    },
    OpenRegistration,
    DataDirOpen {
        path: PathBuf,
        mode: u32,
    },
    DatabaseOpen {
        path: PathBuf,
        mode: u32,
    },
    LowBcryptCost(u32),
    PublicBind(Bind),
    /// Links name this machine while other machines connect.
    LoopbackBaseUrl {
        base_url: String,
        bind: Bind,
    },
    /// Links name another machine's address on the port blog holds on loopback.
    UnreachableBaseUrl {
        base_url: String,
        bind: Bind,
    },
    LitestreamUnannounced,
    MediaNotReplicated,
    SftpWithoutKey,
    PlainSmtpLogin(String),
    /// The tests' switch left on: the server sends requests wherever it is told to.
    PrivateAddressesAllowed,
}

/// Every unsafe setting in `config` and `observed`, in the order of the config file.
pub fn findings(config: &Config, observed: &Observed) -> Vec<Finding> {
    let mut out = Vec::new();
    if !config.site.base_url.is_https() {
        out.push(Finding::HttpBaseUrl(config.site.base_url.to_string()));
    }
    out.extend(address_mismatch(config));
    let proxies = &config.server.trusted_proxies;
    out.extend(
        proxies
            .iter()
            .filter(|net| is_broad(net))
            .map(|net| Finding::BroadTrustedProxy(*net)),
    );
    if let Bind::Tcp(addr) = &config.server.bind {
        if !addr.ip().is_loopback() && proxies.iter().all(is_loopback) {
            out.push(Finding::PublicBind(config.server.bind.clone()));
        }
    }
    let storage = &config.storage;
    // Others may pass through the data folder (nginx reaches media/ that way), but
    // not list or change it.
    if let Some(mode) = observed.data_dir.filter(|m| m & 0o006 != 0) {
        out.push(Finding::DataDirOpen {
            path: storage.data_dir.clone(),
            mode,
        });
    }
    if let Some(mode) = observed.database.filter(|m| m & 0o007 != 0) {
        out.push(Finding::DatabaseOpen {
            path: storage.database(),
            mode,
        });
    }
    if let Some(mode) = observed.secret_key_file.filter(|m| m & 0o077 != 0) {
        out.push(Finding::SecretKeyFileOpen {
            path: storage.secret_key_file(),
            mode,
        });
    }
    let litestream = storage.replication == Replication::Litestream;
    if observed.litestream_tables && !litestream {
        out.push(Finding::LitestreamUnannounced);
    }
    if litestream && !storage.replica.is_set() {
        out.push(Finding::MediaNotReplicated);
    }
    if matches!(storage.replica, ReplicaUrl::Sftp(_)) && storage.replica_key.as_os_str().is_empty()
    {
        out.push(Finding::SftpWithoutKey);
    }
    if config.accounts.open_registration {
        out.push(Finding::OpenRegistration);
    }
    if config.accounts.bcrypt_cost.0 < MIN_BCRYPT_COST {
        out.push(Finding::LowBcryptCost(config.accounts.bcrypt_cost.0));
    }
    if let SmtpUrl::Server(server) = &config.mail.smtp_url {
        let local = matches!(
            server.host.as_str(),
            "localhost" | "127.0.0.1" | "::1" | "[::1]"
        );
        if server.security == SmtpSecurity::Plain && server.user.is_some() && !local {
            out.push(Finding::PlainSmtpLogin(config.mail.smtp_url.to_string()));
        }
    }
    if config.federation.allow_private_addresses {
        out.push(Finding::PrivateAddressesAllowed);
    }
    out
}

/// `base_url` names a loopback address while the bind takes other machines' clients
/// (their links lead back to their own machine), or the bind is loopback while
/// `base_url` names another address on the bind's own port (blog is not there; a
/// proxy in front listens on a port of its own, or under a name).
fn address_mismatch(config: &Config) -> Option<Finding> {
    let Bind::Tcp(addr) = &config.server.bind else {
        return None;
    };
    let url = &config.site.base_url;
    let elsewhere = || {
        let uri: http::Uri = url.as_str().parse().ok()?;
        let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
        let ip: std::net::IpAddr = host.parse().ok()?;
        let port = uri.port_u16().unwrap_or(80);
        Some(!ip.is_loopback() && port == addr.port())
    };
    let (base_url, bind) = (url.to_string(), config.server.bind.clone());
    if addr.ip().is_loopback() {
        elsewhere()
            .unwrap_or(false)
            .then_some(Finding::UnreachableBaseUrl { base_url, bind })
    } else {
        url.is_loopback()
            .then_some(Finding::LoopbackBaseUrl { base_url, bind })
    }
}

fn is_broad(net: &IpNet) -> bool {
    match net {
        IpNet::V4(net) => net.prefix_len() < NARROWEST_BROAD_V4,
        IpNet::V6(net) => net.prefix_len() < NARROWEST_BROAD_V6,
    }
}

/// Whether every address of `net` is this machine's own.
fn is_loopback(net: &IpNet) -> bool {
    match net {
        IpNet::V4(net) => net.prefix_len() >= 8 && net.network().is_loopback(),
        IpNet::V6(net) => net.prefix_len() == 128 && net.addr().is_loopback(),
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HttpBaseUrl(url) => write!(
                f,
                "[site] base_url is {url}, not https: set it to the public https:// address (nginx terminates TLS), so cookies are Secure and links use https"
            ),
            Self::BroadTrustedProxy(net) => write!(
                f,
                "[server] trusted_proxies has {net}, so clients there can fake their address and HTTPS with X-Forwarded-* headers: list only your proxies, such as 127.0.0.1/32 for nginx on this machine"
            ),
            Self::PublicBind(bind) => write!(
                f,
                "[server] bind is {bind}, open to other machines, while trusted_proxies holds only loopback addresses: behind nginx on this machine, bind to 127.0.0.1:{} or unix:/run/blog/blog.sock so nobody goes around nginx",
                match bind {
                    Bind::Tcp(addr) => addr.port(),
                    Bind::Unix(_) => 8000,
                }
            ),
            Self::LoopbackBaseUrl { base_url, bind } => write!(
                f,
                "[site] base_url is {base_url}, this machine's own address, but [server] bind is {bind}, open to other machines: their links (feeds, canonical, reset and invitation links) would lead back to their own machine; set base_url to the address they use"
            ),
            Self::UnreachableBaseUrl { base_url, bind } => write!(
                f,
                "[site] base_url is {base_url}, but [server] bind is {bind}, which only this machine can reach: links lead where blog does not listen; bind to that address, or set base_url to the public address of the proxy in front"
            ),
            Self::DataDirOpen { path, mode } => write!(
                f,
                "the data folder {} has mode {mode:04o}, so other users can list or change it: run `chmod o-rw {}`",
                path.display(),
                path.display()
            ),
            Self::DatabaseOpen { path, mode } => write!(
                f,
                "the database {} has mode {mode:04o}, so other users can read or change it (emails, password hashes): run `chmod 600 {}`",
                path.display(),
                path.display()
            ),
            Self::SecretKeyFileOpen { path, mode } => write!(
                f,
                "the secret key file {} has mode {mode:04o}, so other users can read or change it: run `chmod 600 {}`, or set BLOG_SECRET_KEY instead",
                path.display(),
                path.display()
            ),
            Self::PlainSmtpLogin(url) => write!(
                f,
                "[mail] smtp_url is {url}: plain smtp:// sends the mail password unencrypted to another machine; use smtps:// or smtp+starttls://"
            ),
            Self::PrivateAddressesAllowed => write!(
                f,
                "[federation] allow_private_addresses is on: anyone who can make the blog fetch an address (a follow, a reply, a webmention) can make it reach this machine's loopback and private network; it is for tests only, set it to false"
            ),
            Self::LitestreamUnannounced => write!(
                f,
                "the database holds Litestream's tables but [storage] replication is \"none\": if Litestream replicates it, set replication = \"litestream\" so blog never truncates the WAL under it"
            ),
            Self::MediaNotReplicated => write!(
                f,
                "[storage] replication is \"litestream\" but replica is empty, so media files stay on this machine and a restore brings back posts without their images: set replica to the URL given to `blog litestream-config`"
            ),
            Self::SftpWithoutKey => write!(
                f,
                "[storage] replica is an sftp:// server but replica_key is empty, so neither Litestream nor blog can log in: set it to the SSH private key (mode 600) whose public key the server accepts"
            ),
            Self::OpenRegistration => write!(
                f,
                "[accounts] open_registration is true, so anyone can make an account: set it to false unless visitors are meant to sign up"
            ),
            Self::LowBcryptCost(cost) => write!(
                f,
                "[accounts] bcrypt_cost is {cost}, too cheap to slow down cracking stolen hashes: set it to 12 (at least {MIN_BCRYPT_COST})"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn safe() -> (Config, Observed) {
        let mut config = Config::default();
        config.site.base_url = "https://blog.example.com".parse().unwrap();
        let observed = Observed {
            secret_key_file: Some(0o600),
            data_dir: Some(0o700),
            database: Some(0o600),
            litestream_tables: false,
        };
        (config, observed)
    }

    fn parse_net(text: &str) -> IpNet {
        text.parse().unwrap()
    }

    #[test]
    fn the_defaults_behind_nginx_with_https_and_private_files_are_safe() {
        let (config, observed) = safe();
        assert_eq!(findings(&config, &observed), []);
    }

    #[test]
    fn the_default_http_base_url_is_flagged() {
        let (_, observed) = safe();
        assert_eq!(
            findings(&Config::default(), &observed),
            [Finding::HttpBaseUrl("http://127.0.0.1:8000".into())]
        );
    }

    #[test]
    fn wildcard_and_very_broad_proxy_ranges_are_flagged_but_private_blocks_are_not() {
        let (mut config, observed) = safe();
        config.server.trusted_proxies = ["0.0.0.0/0", "::/0", "64.0.0.0/2", "2000::/3"]
            .into_iter()
            .map(parse_net)
            .collect();
        let expected: Vec<Finding> = config
            .server
            .trusted_proxies
            .iter()
            .map(|net| Finding::BroadTrustedProxy(*net))
            .collect();
        assert_eq!(findings(&config, &observed), expected);

        config.server.trusted_proxies = ["10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"]
            .into_iter()
            .map(parse_net)
            .collect();
        assert_eq!(findings(&config, &observed), []);
    }

    #[test]
    fn file_modes_open_to_others_are_flagged_and_group_access_to_the_data_folder_is_not() {
        let (config, _) = safe();
        let observed = Observed {
            secret_key_file: Some(0o640),
            data_dir: Some(0o755),
            database: Some(0o644),
            litestream_tables: false,
        };
        let storage = &config.storage;
        assert_eq!(
            findings(&config, &observed),
            [
                Finding::DataDirOpen {
                    path: storage.data_dir.clone(),
                    mode: 0o755
                },
                Finding::DatabaseOpen {
                    path: storage.database(),
                    mode: 0o644
                },
                Finding::SecretKeyFileOpen {
                    path: storage.secret_key_file(),
                    mode: 0o640
                },
            ]
        );
        // nginx (in the group, or passing through with o+x) may reach media/.
        let nginx_friendly = Observed {
            secret_key_file: Some(0o600),
            data_dir: Some(0o751),
            database: Some(0o640),
            litestream_tables: false,
        };
        assert_eq!(findings(&config, &nginx_friendly), []);
        // A key from the environment: no file to look at.
        let from_env = Observed {
            secret_key_file: None,
            ..nginx_friendly
        };
        assert_eq!(findings(&config, &from_env), []);
    }

    #[test]
    fn open_registration_and_cheap_bcrypt_are_flagged() {
        let (mut config, observed) = safe();
        config.accounts.open_registration = true;
        config.accounts.bcrypt_cost = crate::config::BcryptCost(9);
        assert_eq!(
            findings(&config, &observed),
            [Finding::OpenRegistration, Finding::LowBcryptCost(9)]
        );
        config.accounts.open_registration = false;
        config.accounts.bcrypt_cost = crate::config::BcryptCost(10);
        assert_eq!(findings(&config, &observed), []);
    }

    #[test]
    fn a_public_bind_is_flagged_only_when_every_trusted_proxy_is_loopback() {
        let (mut config, observed) = safe();
        for bind in ["0.0.0.0:8000", "[::]:8000", "203.0.113.5:8000"] {
            config.server.bind = bind.parse().unwrap();
            assert_eq!(
                findings(&config, &observed),
                [Finding::PublicBind(config.server.bind.clone())],
                "{bind}"
            );
        }
        // A proxy on another machine needs the server reachable from it.
        config.server.trusted_proxies = vec![parse_net("10.0.0.2/32")];
        assert_eq!(findings(&config, &observed), []);

        config.server.trusted_proxies = vec![parse_net("127.0.0.1/32")];
        for bind in ["127.0.0.1:8000", "[::1]:8000", "unix:/run/blog/blog.sock"] {
            config.server.bind = bind.parse().unwrap();
            assert_eq!(findings(&config, &observed), [], "{bind}");
        }
    }

    #[test]
    fn a_loopback_base_url_on_an_open_bind_is_flagged_and_the_other_way_round() {
        let (mut config, observed) = safe();
        config.server.trusted_proxies = vec![parse_net("10.0.0.2/32")];
        config.server.bind = "0.0.0.0:8000".parse().unwrap();
        config.site.base_url = "http://127.0.0.1:8000".parse().unwrap();
        let found = findings(&config, &observed);
        assert!(
            found.contains(&Finding::LoopbackBaseUrl {
                base_url: "http://127.0.0.1:8000".into(),
                bind: config.server.bind.clone(),
            }),
            "{found:?}"
        );

        config.server.bind = "127.0.0.1:8000".parse().unwrap();
        config.site.base_url = "http://203.0.113.5:8000".parse().unwrap();
        let found = findings(&config, &observed);
        assert!(
            found.contains(&Finding::UnreachableBaseUrl {
                base_url: "http://203.0.113.5:8000".into(),
                bind: config.server.bind.clone(),
            }),
            "{found:?}"
        );

        // Behind nginx: a name, or another port, is the proxy's business.
        for url in [
            "https://blog.example.com",
            "http://203.0.113.5",
            "http://127.0.0.1:8000",
        ] {
            config.site.base_url = url.parse().unwrap();
            let found = findings(&config, &observed);
            assert!(
                !found.iter().any(|f| matches!(
                    f,
                    Finding::UnreachableBaseUrl { .. } | Finding::LoopbackBaseUrl { .. }
                )),
                "{url}: {found:?}"
            );
        }
    }

    #[test]
    fn litestream_without_the_switch_or_a_media_replica_is_flagged() {
        let (mut config, mut observed) = safe();
        observed.litestream_tables = true;
        assert_eq!(
            findings(&config, &observed),
            vec![Finding::LitestreamUnannounced]
        );
        config.storage.replication = Replication::Litestream;
        assert_eq!(
            findings(&config, &observed),
            vec![Finding::MediaNotReplicated]
        );
        config.storage.replica = "file:///srv/replica".parse().unwrap();
        assert!(findings(&config, &observed).is_empty());
        config.storage.replica = "sftp://backup@10.0.0.9/srv/replica".parse().unwrap();
        assert_eq!(findings(&config, &observed), vec![Finding::SftpWithoutKey]);
        config.storage.replica_key = PathBuf::from("/etc/blog/replica_key");
        assert!(findings(&config, &observed).is_empty());
    }

    #[test]
    fn every_line_says_what_to_do() {
        let (mut config, _) = safe();
        config.site.base_url = "http://blog.example.com".parse().unwrap();
        config.server.trusted_proxies = vec![parse_net("0.0.0.0/0")];
        config.accounts.open_registration = true;
        config.accounts.bcrypt_cost = crate::config::BcryptCost(4);
        let observed = Observed {
            secret_key_file: Some(0o644),
            data_dir: Some(0o777),
            database: Some(0o666),
            litestream_tables: true,
        };
        let found = findings(&config, &observed);
        assert_eq!(found.len(), 8, "{found:?}");
        for finding in found {
            let line = finding.to_string();
            assert!(line.contains(": "), "{line}");
            assert!(!line.contains('\n'), "{line}");
        }
    }

    #[test]
    fn the_tests_switch_for_private_addresses_is_a_finding() {
        let observed = Observed::default();
        let mut config = Config::default();
        assert!(!findings(&config, &observed)
            .iter()
            .any(|f| matches!(f, Finding::PrivateAddressesAllowed)));
        config.federation.allow_private_addresses = true;
        assert!(findings(&config, &observed)
            .iter()
            .any(|f| matches!(f, Finding::PrivateAddressesAllowed)));
    }

    #[test]
    fn a_mail_password_in_clear_to_another_machine_is_a_finding() {
        let observed = Observed::default();
        let mut config = Config::default();
        config.mail.smtp_url = "smtp://me@mail.example.com:25".parse().unwrap();
        let found = findings(&config, &observed);
        assert!(
            found
                .iter()
                .any(|f| matches!(f, Finding::PlainSmtpLogin(_))),
            "{found:?}"
        );
        for safe in [
            "smtp+starttls://me@mail.example.com",
            "smtps://me@mail.example.com",
            "smtp://me@127.0.0.1:25",
            "smtp://mail.example.com:25",
        ] {
            config.mail.smtp_url = safe.parse().unwrap();
            let found = findings(&config, &observed);
            assert!(
                !found
                    .iter()
                    .any(|f| matches!(f, Finding::PlainSmtpLogin(_))),
                "{safe}: {found:?}"
            );
        }
    }
}
