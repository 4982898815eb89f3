//! `blog nginx-config`: an nginx site that fits the current config. nginx serves
//! `/static/` (a collectstatic folder) and `/media/` (the media folder) itself, with the
//! headers and types the binary would send, and passes everything else to the binary
//! with the `X-Forwarded-*` headers it believes from `trusted_proxies`. With `--cache`,
//! nginx also keeps anonymous pages as blog's `Cache-Control` allows (`proxy_cache`),
//! never for a request with our session cookie, and serves them stale while blog is down.

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{bail, Context};

use crate::assets;
use crate::auth::session;
use crate::config::{Bind, Config};
// What nginx is told to add, so files it serves itself carry the same headers and types
// as when the binary serves them.
use crate::media::TYPES as MEDIA_TYPES;
use crate::serving::response::{CACHE_FOREVER, SECURITY_HEADERS};

/// Where `--static-dir` points when not given, and where the README puts collectstatic.
pub const DEFAULT_STATIC_DIR: &str = "/var/www/blog/static";

/// The `upstream` block's name; prefixed, so it cannot clash with another site's.
const UPSTREAM: &str = "blog_backend";

/// What blog and nginx call a file of no particular type.
const DEFAULT_TYPE: &str = "application/octet-stream";

/// Idle connections nginx keeps open to blog, so most requests skip a TCP handshake.
const UPSTREAM_KEEPALIVE: u32 = 16;

/// Where `--cache-dir` points when not given.
pub const DEFAULT_CACHE_DIR: &str = "/var/cache/nginx/blog";

/// The `proxy_cache` zone's name; prefixed like the upstream's.
const CACHE_ZONE: &str = "blog_cache";

/// Where nginx listens: a port (`80`) or an address and port (`127.0.0.1:8080`, `[::]:80`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listen {
    Port(u16),
    Addr(SocketAddr),
}

impl FromStr for Listen {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let listen = match s.parse::<u16>() {
            Ok(port) => Self::Port(port),
            Err(_) => Self::Addr(s.parse().map_err(|_| {
                format!("{s:?} is not a port or an address: write \"80\" or \"127.0.0.1:8080\"")
            })?),
        };
        match listen {
            Self::Port(0) => Err("port 0 is not a port nginx can listen on".into()),
            Self::Addr(addr) if addr.port() == 0 => {
                Err("port 0 is not a port nginx can listen on".into())
            }
            listen => Ok(listen),
        }
    }
}

impl fmt::Display for Listen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Port(port) => write!(f, "{port}"),
            Self::Addr(addr) => write!(f, "{addr}"),
        }
    }
}

/// What the config does not say: where nginx listens and where the folders are, as
/// absolute paths (nginx does not share blog's working directory).
#[derive(Debug, Clone)]
pub struct Options {
    pub listen: Listen,
    pub static_dir: PathBuf,
    pub media_dir: PathBuf,
    /// With `--cache`: the folder of nginx's `proxy_cache`.
    pub cache_dir: Option<PathBuf>,
    /// With `--replicas`: read-only followers (`blog serve --replica`) for readers.
    pub replicas: Vec<SocketAddr>,
}

pub fn run(
    config: &Config,
    static_dir: &Path,
    listen: Listen,
    cache_dir: Option<&Path>,
    replicas: Vec<SocketAddr>,
) -> anyhow::Result<()> {
    let options = Options {
        listen,
        static_dir: absolute(static_dir)?,
        media_dir: real_path(&config.storage.media_dir())?,
        cache_dir: cache_dir.map(absolute).transpose()?,
        replicas,
    };
    let text = render(config, &options)?;
    // Also on stderr: the output usually goes straight into a file nobody reads.
    for warning in warnings(config) {
        eprintln!("warning: {warning}");
    }
    std::io::stdout()
        .write_all(text.as_bytes())
        .context("cannot write the nginx config to standard output")
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path)
        .with_context(|| format!("cannot make {} an absolute path", path.display()))
}

/// Links resolved where the path exists: the media location refuses to follow links,
/// so a data folder reached through one would otherwise serve nothing.
fn real_path(path: &Path) -> anyhow::Result<PathBuf> {
    path.canonicalize().or_else(|_| absolute(path))
}

/// The nginx site for `config`: an `upstream`, the header maps and the `server` block.
pub fn render(config: &Config, options: &Options) -> anyhow::Result<String> {
    let base_url = config.site.base_url.as_str();
    let host = token(&server_name(config)?)?;
    let warnings: String = warnings(config)
        .iter()
        .map(|warning| format!("#\n# WARNING: {warning}\n"))
        .collect();
    let upstream = upstream_address(&config.server.bind)?;
    let maps = header_maps()?;
    let listen = match options.listen {
        // A bare port means every IPv4 address: IPv6 needs a line of its own.
        Listen::Port(port) => format!("listen {port};\n    listen [::]:{port};"),
        Listen::Addr(addr) => format!("listen {addr};"),
    };
    let limit = config.server.max_upload_bytes;
    let body_size = nginx_size(limit);
    let collected_in = options.static_dir.display();
    let static_dir = folder(&options.static_dir)?;
    let static_types = static_types("        ")?;
    let media_dir = folder(&options.media_dir)?;
    let extensions: Vec<&str> = MEDIA_TYPES.iter().map(|(ext, _)| *ext).collect();
    let extensions = extensions.join("|");
    let media_types: Vec<String> = MEDIA_TYPES
        .iter()
        .map(|(ext, mime)| format!("                {mime} {ext};"))
        .collect();
    let media_types = media_types.join("\n");
    let cache = token(CACHE_FOREVER)?;
    let (security_4, security_8, security_12) = (
        security_headers("    "),
        security_headers("        "),
        security_headers("            "),
    );
    let (followers, target) = match options.replicas.as_slice() {
        [] => (String::new(), UPSTREAM.to_string()),
        replicas => (followers(replicas, &upstream), "$blog_upstream".to_string()),
    };
    let (cache_path, cache_lines) = match &options.cache_dir {
        Some(dir) => (cache_path(dir)?, cache_lines(&security_8)),
        None => (String::new(), String::new()),
    };
    Ok(format!(
        r##"# nginx site for {base_url}, made by `blog nginx-config`.
# Run it again after changing [server] bind or max_upload_bytes, or [storage] data_dir.
#
# TLS is left to certbot: `certbot --nginx -d {host}` adds the `listen 443 ssl` and
# certificate lines to this server block, and the redirect from http to https.
{warnings}
# blog itself; idle connections to it stay open for the next requests.
upstream {UPSTREAM} {{
    server {upstream};
    keepalive {UPSTREAM_KEEPALIVE};
}}
{followers}{cache_path}
# The security headers blog puts on every response, for the responses nginx makes
# itself (/static/ and /media/ files, its own errors such as 413): each map gives the
# value unless blog already sent the header, and "" (no header) when it did.
{maps}

server {{
    {listen}
    server_name {host};
    server_tokens off;

    # [server] max_upload_bytes ({limit} bytes): a larger body gets 413 from nginx.
    client_max_body_size {body_size};

    # Inherited only by locations without add_header lines of their own.
{security_4}

    # Hashed assets, written by `blog collectstatic {collected_in}` with .gz and .br twins.
    location /static/ {{
        alias {static_dir};
{static_types}
        gzip_static on;
        # Needs nginx's brotli static module (Debian: libnginx-mod-http-brotli-static).
        brotli_static on;
        # A name changes with its content, so anyone may keep a file for a year.
        add_header Cache-Control {cache};
        add_header Vary Accept-Encoding;
        # add_header here drops the server's, so the security headers again.
{security_8}
    }}

    # Uploads: /media/<path> is the file <data_dir>/media/<path>.
    location /media/ {{
        alias {media_dir};
        autoindex off;
        # Like blog: never through a link, which could lead out of the folder.
        disable_symlinks on;
        # Hidden names, such as .tmp/ where uploads are written, are never served.
        location ~ /\. {{
            return 404;
        }}
        # Only the image types blog writes, with the types blog gives them.
        location ~ \.(?:{extensions})$ {{
            types {{
{media_types}
            }}
            # Upload names are random and never reused: cached for a year.
            add_header Cache-Control {cache};
{security_12}
        }}
        return 404;
    }}

    # Everything else is blog's. It believes the X-Forwarded-* headers only from
    # [server] trusted_proxies, so this nginx's address must be among them.
    location / {{
        proxy_pass http://{target};
        # HTTP/1.1 without "Connection: close" keeps upstream connections open.
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Forwarded-Host $host;
        # A blog that does not even accept the connection within 5 s is down: 502.
        proxy_connect_timeout 5s;
        proxy_send_timeout 60s;
        # Longer than blog's own 60 s per request, so its 503 page arrives, not a 504.
        proxy_read_timeout 75s;{cache_lines}
    }}
}}
"##
    ))
}

/// The followers' upstream and the map that sends readers to them: GET and HEAD of
/// what a follower answers itself (pages, feeds, search, health); everything else,
/// `/posts/new` included, to the primary, and so does every request with a session.
/// A follower redirects anything else to `base_url`, which would come back here: so
/// this list is `Route::is_for_readers`.
fn followers(replicas: &[SocketAddr], primary: &str) -> String {
    let servers: String = replicas
        .iter()
        .map(|addr| format!("    server {addr};\n"))
        .collect();
    format!(
        r#"
# Read-only followers (`blog serve --replica`), a second or two behind the primary;
# the primary stands in should every follower be down.
upstream {UPSTREAM}_followers {{
{servers}    server {primary} backup;
    keepalive {UPSTREAM_KEEPALIVE};
}}

# Readers' GETs go to the followers; writes, logins, the editor and the admin pages
# to the primary (/static/ and /media/ are nginx's own).
map "$request_method:$uri" $blog_read_upstream {{
    default {UPSTREAM};
    "~^(GET|HEAD):/(|posts/(?!new/?$)[^/]+/?|authors/[0-9]+/?|authors/[0-9]+/feed\.xml|tags/[^/]+/?|feed\.xml|sitemap\.xml|robots\.txt|search/?|healthz)$" {UPSTREAM}_followers;
}}

# Whoever carries blog's session cookie (signed in, or given a form) reads from the
# primary: an author sees a draft or a post just saved at once, not a second later.
map $cookie_{cookie} $blog_upstream {{
    "" $blog_read_upstream;
    default {UPSTREAM};
}}
"#,
        cookie = session::COOKIE
    )
}

/// The cache's folder and zone, at the `http` level where the site is included.
fn cache_path(dir: &Path) -> anyhow::Result<String> {
    let dir = token(utf8(dir)?)?;
    Ok(format!(
        r#"
# Anonymous readers' pages, kept as long as blog's Cache-Control allows: `public,
# s-maxage=N` ([cache] s_maxage), then stale while one request refreshes the entry
# (stale-while-revalidate) or while blog is down (stale-if-error). blog marks private
# whatever a session shaped. An entry nobody asked for in 7 days is dropped.
proxy_cache_path {dir} levels=1:2 keys_zone={CACHE_ZONE}:10m max_size=1g inactive=7d use_temp_path=off;
"#
    ))
}

/// The `proxy_cache` lines of `location /`.
fn cache_lines(security_8: &str) -> String {
    let cookie = session::COOKIE;
    format!(
        r#"

        proxy_cache {CACHE_ZONE};
        proxy_cache_key $scheme$host$request_uri;
        # A request with blog's session cookie (signed in, or a visitor given a form)
        # goes to blog, and its answer is never stored: nobody else can be served a
        # page that shows who was signed in or carries their CSRF token.
        proxy_cache_bypass $cookie_{cookie};
        proxy_no_cache $cookie_{cookie};
        # Expired entries are checked with their ETag (blog answers 304), refreshed by
        # one request at a time, and served stale while blog is down or failing.
        proxy_cache_revalidate on;
        proxy_cache_lock on;
        proxy_cache_background_update on;
        proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;
        # HIT, MISS, BYPASS, STALE, UPDATING...: what the cache did, for you and curl -I.
        add_header X-Cache-Status $upstream_cache_status always;
        # add_header here drops the server's, so the security headers again.
{security_8}"#
    )
}

/// Settings with which blog would not believe what nginx tells it.
pub fn warnings(config: &Config) -> Vec<String> {
    // The address nginx's connections come from, when blog is on the same machine;
    // blog counts a Unix socket peer as 127.0.0.1.
    let nginx = match &config.server.bind {
        Bind::Unix(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        Bind::Tcp(addr) if addr.ip().is_loopback() || addr.ip().is_unspecified() => {
            connect_address(*addr).ip()
        }
        // nginx on another machine: its address is not known here.
        Bind::Tcp(_) => return Vec::new(),
    };
    let trusted = config.server.trusted_proxies.iter();
    if trusted.clone().any(|net| net.contains(&nginx)) {
        return Vec::new();
    }
    vec![format!(
        "[server] trusted_proxies does not include {nginx}, where nginx connects from: blog will ignore X-Forwarded-For and X-Forwarded-Proto, log nginx's address for every client and throttle them all as one"
    )]
}

/// The host of `base_url`: the name browsers ask for.
fn server_name(config: &Config) -> anyhow::Result<String> {
    let uri: http::Uri = config
        .site
        .base_url
        .as_str()
        .parse()
        .context("[site] base_url is not a URL")?;
    match uri.host() {
        Some(host) => Ok(host.to_string()),
        None => bail!("[site] base_url has no host name"),
    }
}

/// `[server] bind` as nginx connects to it: a wildcard address becomes loopback.
fn upstream_address(bind: &Bind) -> anyhow::Result<String> {
    match bind {
        Bind::Tcp(addr) => Ok(connect_address(*addr).to_string()),
        Bind::Unix(path) => token(&format!("unix:{}", utf8(path)?)),
    }
}

fn connect_address(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    }
}

/// A folder for `alias`, which must end with a slash like its location does.
fn folder(path: &Path) -> anyhow::Result<String> {
    let text = utf8(path)?;
    if !path.is_absolute() {
        bail!("{text:?} is not an absolute path, which nginx needs");
    }
    token(&format!("{}/", text.trim_end_matches('/')))
}

fn utf8(path: &Path) -> anyhow::Result<&str> {
    path.to_str()
        .with_context(|| format!("{} is not UTF-8, which nginx needs", path.display()))
}

/// One `map` per security header: the binary's value when the response has none yet.
fn header_maps() -> anyhow::Result<String> {
    let mut maps = Vec::new();
    for (name, value) in SECURITY_HEADERS {
        maps.push(format!(
            "map $upstream_http_{} {} {{\n    \"\" {};\n    default \"\";\n}}",
            name.replace('-', "_"),
            header_variable(name),
            token(value)?
        ));
    }
    Ok(maps.join("\n"))
}

/// The `add_header` lines of the security headers; `always`, so errors carry them too.
fn security_headers(indent: &str) -> String {
    let lines: Vec<String> = SECURITY_HEADERS
        .iter()
        .map(|(name, _)| {
            format!(
                "{indent}add_header {} {} always;",
                title_case(name),
                header_variable(name)
            )
        })
        .collect();
    lines.join("\n")
}

/// The asset types as blog sends them, so nginx needs no `mime.types` of its own and
/// answers `text/css; charset=utf-8` just as the binary does.
fn static_types(indent: &str) -> anyhow::Result<String> {
    let mut types = BTreeMap::new();
    for asset in assets::all() {
        let Some((_, extension)) = asset.hashed_name.rsplit_once('.') else {
            continue;
        };
        let (mime, charset) = match asset.content_type.split_once(';') {
            Some((mime, parameter)) => (mime.trim(), parameter.contains("charset=utf-8")),
            None => (asset.content_type, false),
        };
        // The default type needs no line; a name without an extension ends in its hash.
        if mime != DEFAULT_TYPE {
            types.insert(extension.to_string(), (mime, charset));
        }
    }
    let mut lines = vec![format!("{indent}types {{")];
    for (extension, (mime, _)) in &types {
        lines.push(format!("{indent}    {mime} {};", token(extension)?));
    }
    lines.push(format!("{indent}}}"));
    lines.push(format!("{indent}default_type {DEFAULT_TYPE};"));
    let mut with_charset: Vec<&str> = types
        .values()
        .filter(|(_, charset)| *charset)
        .map(|(mime, _)| *mime)
        .collect();
    with_charset.sort_unstable();
    with_charset.dedup();
    if !with_charset.is_empty() {
        lines.push(format!("{indent}charset utf-8;"));
        lines.push(format!("{indent}charset_types {};", with_charset.join(" ")));
    }
    Ok(lines.join("\n"))
}

/// `content-security-policy` → `$blog_content_security_policy`.
fn header_variable(name: &str) -> String {
    format!("$blog_{}", name.replace('-', "_"))
}

/// `x-content-type-options` → `X-Content-Type-Options`, as people write them.
fn title_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect::<Vec<_>>()
        .join("-")
}

/// A byte count as nginx writes sizes (`k` and `m` are powers of 1024).
fn nginx_size(bytes: u64) -> String {
    // nginx reads 0 as "no limit" where blog means "no body at all": 1 byte is closest.
    let bytes = bytes.max(1);
    const MIB: u64 = 1024 * 1024;
    if bytes % MIB == 0 {
        format!("{}m", bytes / MIB)
    } else if bytes % 1024 == 0 {
        format!("{}k", bytes / 1024)
    } else {
        bytes.to_string()
    }
}

/// One nginx token: bare when plainly safe, else double-quoted. nginx has no escape for
/// `$` (it always starts a variable), so text with one cannot be written at all.
fn token(text: &str) -> anyhow::Result<String> {
    if text.contains('$') || text.chars().any(char::is_control) {
        bail!("{text:?} cannot be written in an nginx config ($ or a control character)");
    }
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@%,=~[]".contains(c));
    if plain {
        return Ok(text.to_string());
    }
    Ok(format!(
        "\"{}\"",
        text.replace('\\', "\\\\").replace('"', "\\\"")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> Options {
        Options {
            listen: Listen::Port(80),
            static_dir: PathBuf::from(DEFAULT_STATIC_DIR),
            media_dir: PathBuf::from("/var/lib/blog/media"),
            cache_dir: None,
            replicas: Vec::new(),
        }
    }

    fn config(text: &str) -> Config {
        Config::parse(text, "test").unwrap()
    }

    /// The lines of the block that opens with `opening`, up to its closing brace.
    fn block<'a>(text: &'a str, opening: &str) -> Vec<&'a str> {
        let lines: Vec<&str> = text.lines().collect();
        let start = lines
            .iter()
            .position(|l| l.trim() == format!("{opening} {{"))
            .unwrap_or_else(|| panic!("no {opening} block in:\n{text}"));
        let indent = lines[start].len() - lines[start].trim_start().len();
        let end = lines[start..]
            .iter()
            .position(|l| l.trim() == "}" && l.len() - l.trim_start().len() == indent)
            .unwrap();
        lines[start..start + end].to_vec()
    }

    fn has(lines: &[&str], line: &str) -> bool {
        lines.iter().any(|l| l.trim() == line)
    }

    #[test]
    fn default_config_proxies_to_loopback_with_the_forwarded_headers() {
        let text = render(&Config::default(), &options()).unwrap();
        let server = block(&text, "server");
        assert!(has(&server, "listen 80;"), "{text}");
        assert!(has(&server, "listen [::]:80;"), "{text}");
        assert!(has(&server, "server_name 127.0.0.1;"), "{text}");
        assert!(has(&server, "client_max_body_size 10m;"), "{text}");
        assert!(has(
            &block(&text, "upstream blog_backend"),
            "server 127.0.0.1:8000;"
        ));
        let root = block(&text, "location /");
        for line in [
            "proxy_pass http://blog_backend;",
            "proxy_http_version 1.1;",
            "proxy_set_header Connection \"\";",
            "proxy_set_header Host $host;",
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
            "proxy_set_header X-Forwarded-Proto $scheme;",
            "proxy_set_header X-Forwarded-Host $host;",
        ] {
            assert!(has(&root, line), "{line} in:\n{text}");
        }
        assert!(text.contains("certbot --nginx -d 127.0.0.1"), "{text}");
        assert!(warnings(&Config::default()).is_empty());
    }

    #[test]
    fn static_files_come_precompressed_from_the_collectstatic_folder() {
        let text = render(&Config::default(), &options()).unwrap();
        let location = block(&text, "location /static/");
        for line in [
            "alias /var/www/blog/static/;",
            "gzip_static on;",
            "brotli_static on;",
            "add_header Cache-Control \"public, max-age=31536000, immutable\";",
            "add_header Vary Accept-Encoding;",
            "default_type application/octet-stream;",
            "charset utf-8;",
        ] {
            assert!(has(&location, line), "{line} in:\n{text}");
        }
        let types = block(&text, "types");
        assert!(has(&types, "text/css css;"), "{text}");
        assert!(has(&types, "text/javascript js;"), "{text}");
        let charsets = location
            .iter()
            .find(|l| l.trim().starts_with("charset_types "))
            .unwrap();
        assert!(charsets.contains("text/css"), "{charsets}");
    }

    #[test]
    fn media_serves_only_image_types_and_no_hidden_names() {
        let text = render(&Config::default(), &options()).unwrap();
        let location = block(&text, "location /media/");
        assert!(has(&location, "alias /var/lib/blog/media/;"), "{text}");
        assert!(has(&location, "autoindex off;"));
        assert!(has(&location, "return 404;"));
        assert!(has(&block(&text, "location ~ /\\."), "return 404;"));
        let images = block(&text, "location ~ \\.(?:jpg|jpeg|png|gif|webp)$");
        assert!(has(&images, "image/png png;"), "{text}");
        assert!(has(&images, "image/jpeg jpeg;"), "{text}");
    }

    #[test]
    fn every_location_with_its_own_headers_repeats_the_security_headers() {
        let text = render(&Config::default(), &options()).unwrap();
        for opening in [
            "server",
            "location /static/",
            "location ~ \\.(?:jpg|jpeg|png|gif|webp)$",
        ] {
            let lines = block(&text, opening);
            for (name, _) in SECURITY_HEADERS {
                let line = format!(
                    "add_header {} {} always;",
                    title_case(name),
                    header_variable(name)
                );
                assert!(has(&lines, &line), "{line} in {opening}:\n{text}");
            }
        }
        // The values are the binary's own, given when blog did not send the header.
        for (name, value) in SECURITY_HEADERS {
            let map = block(
                &text,
                &format!(
                    "map $upstream_http_{} {}",
                    name.replace('-', "_"),
                    header_variable(name)
                ),
            );
            assert!(has(&map, &format!("\"\" {};", token(value).unwrap())));
            assert!(has(&map, "default \"\";"));
        }
    }

    #[test]
    fn base_url_listen_and_upload_limit_are_followed() {
        let config = config(
            "[site]\nbase_url = \"https://blog.example.com/\"\n[server]\nbind = \"0.0.0.0:9000\"\nmax_upload_bytes = 300000\n",
        );
        let options = Options {
            listen: "127.0.0.1:8080".parse().unwrap(),
            ..options()
        };
        let text = render(&config, &options).unwrap();
        assert!(has(
            &block(&text, "server"),
            "server_name blog.example.com;"
        ));
        assert!(has(&block(&text, "server"), "listen 127.0.0.1:8080;"));
        let listens = block(&text, "server")
            .into_iter()
            .filter(|l| l.trim().starts_with("listen "))
            .count();
        assert_eq!(listens, 1, "only the address asked for:\n{text}");
        assert!(has(&block(&text, "server"), "client_max_body_size 300000;"));
        assert!(has(
            &block(&text, "upstream blog_backend"),
            "server 127.0.0.1:9000;"
        ));
        let v6 = self::config("[server]\nbind = \"[::]:9000\"\n");
        let text = render(&v6, &self::options()).unwrap();
        assert!(has(
            &block(&text, "upstream blog_backend"),
            "server [::1]:9000;"
        ));
    }

    #[test]
    fn unix_socket_is_an_upstream_server() {
        let config = config("[server]\nbind = \"unix:/run/blog/blog.sock\"\n");
        let text = render(&config, &options()).unwrap();
        assert!(has(
            &block(&text, "upstream blog_backend"),
            "server unix:/run/blog/blog.sock;"
        ));
    }

    #[test]
    fn cache_keeps_anonymous_pages_and_never_a_session_s() {
        let plain = render(&Config::default(), &options()).unwrap();
        assert!(!plain.contains("proxy_cache"), "{plain}");
        let options = Options {
            cache_dir: Some(PathBuf::from(DEFAULT_CACHE_DIR)),
            ..options()
        };
        let text = render(&Config::default(), &options).unwrap();
        let path = text
            .lines()
            .find(|l| l.starts_with("proxy_cache_path "))
            .unwrap_or_else(|| panic!("a proxy_cache_path at the top:\n{text}"));
        assert!(path.contains("/var/cache/nginx/blog "), "{path}");
        assert!(path.contains("keys_zone=blog_cache:"), "{path}");
        let root = block(&text, "location /");
        for line in [
            "proxy_cache blog_cache;",
            "proxy_cache_bypass $cookie_blog_session;",
            "proxy_no_cache $cookie_blog_session;",
            "proxy_cache_revalidate on;",
            "proxy_cache_background_update on;",
            "proxy_cache_use_stale error timeout updating http_500 http_502 http_503 http_504;",
        ] {
            assert!(has(&root, line), "{line} in:\n{text}");
        }
        // No lifetime of nginx's own: only what blog's Cache-Control allows is kept.
        assert!(!text.contains("proxy_cache_valid"), "{text}");
        for (name, _) in SECURITY_HEADERS {
            let line = format!(
                "add_header {} {} always;",
                title_case(name),
                header_variable(name)
            );
            assert!(has(&root, &line), "{line} in location /:\n{text}");
        }
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect();
        assert_eq!(code.matches('{').count(), code.matches('}').count());
    }

    #[test]
    fn replicas_take_readers_gets_and_the_primary_everything_else() {
        let options = Options {
            replicas: vec!["10.0.0.2:8000".parse().unwrap()],
            ..options()
        };
        let text = render(&Config::default(), &options).unwrap();
        let followers = block(&text, "upstream blog_backend_followers");
        assert!(has(&followers, "server 10.0.0.2:8000;"), "{text}");
        assert!(has(&followers, "server 127.0.0.1:8000 backup;"), "{text}");
        assert!(has(
            &block(&text, "location /"),
            "proxy_pass http://$blog_upstream;"
        ));
        assert!(text.contains("posts/(?!new/?$)"), "{text}");
        assert!(has(
            &block(&text, "map $cookie_blog_session $blog_upstream"),
            "default blog_backend;"
        ));
        let plain = render(&Config::default(), &self::options()).unwrap();
        assert!(!plain.contains("followers"), "{plain}");
    }

    #[test]
    fn sizes_are_written_the_nginx_way() {
        assert_eq!(nginx_size(10 * 1024 * 1024), "10m");
        assert_eq!(nginx_size(512 * 1024), "512k");
        assert_eq!(nginx_size(1000), "1000");
        assert_eq!(nginx_size(0), "1", "0 would mean no limit to nginx");
    }

    #[test]
    fn odd_paths_are_quoted_and_dollars_refused() {
        let options = Options {
            static_dir: PathBuf::from("/srv/my static"),
            ..options()
        };
        let text = render(&Config::default(), &options).unwrap();
        assert!(has(
            &block(&text, "location /static/"),
            "alias \"/srv/my static/\";"
        ));
        let options = Options {
            media_dir: PathBuf::from("/srv/$media"),
            ..self::options()
        };
        assert!(render(&Config::default(), &options).is_err());
        let options = Options {
            media_dir: PathBuf::from("relative/media"),
            ..self::options()
        };
        assert!(render(&Config::default(), &options).is_err());
    }

    #[test]
    fn braces_balance() {
        let text = render(&Config::default(), &options()).unwrap();
        let code: String = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect();
        assert_eq!(code.matches('{').count(), code.matches('}').count());
    }

    #[test]
    fn nginx_outside_trusted_proxies_is_warned_about() {
        let config = config("[server]\ntrusted_proxies = [\"10.0.0.0/8\"]\n");
        assert_eq!(warnings(&config).len(), 1);
        let text = render(&config, &options()).unwrap();
        assert!(
            text.contains("# WARNING: [server] trusted_proxies"),
            "{text}"
        );
        let remote = self::config(
            "[server]\nbind = \"10.0.0.5:8000\"\ntrusted_proxies = [\"10.0.0.0/8\"]\n",
        );
        assert!(warnings(&remote).is_empty());
    }

    #[test]
    fn listen_takes_a_port_or_an_address() {
        assert_eq!("80".parse::<Listen>(), Ok(Listen::Port(80)));
        assert_eq!("[::]:80".parse::<Listen>().unwrap().to_string(), "[::]:80");
        assert!("80; include /etc/passwd".parse::<Listen>().is_err());
        assert!("0".parse::<Listen>().is_err());
    }

    /// `deploy/nginx.conf` is this command's output for the README's VPS, under a
    /// `##` header saying how to make it again.
    #[test]
    fn deploy_example_is_what_the_command_prints() {
        let vps = config(
            "[site]\nbase_url = \"https://blog.example.com\"\n[storage]\ndata_dir = \"/var/lib/blog\"\n",
        );
        let expected = render(&vps, &options()).unwrap();
        let file = include_str!("../../deploy/nginx.conf");
        let body: String = file
            .lines()
            .skip_while(|l| l.starts_with("##"))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            body, expected,
            "deploy/nginx.conf is stale (a header, an asset type or a default changed): \
             make it again with the command in its first lines"
        );
    }
}
