//! Requests the blog makes to other servers (webmentions, ActivityPub deliveries,
//! fetching a remote actor): every one through `Outbound`, which refuses private,
//! loopback and link-local addresses (a visitor could otherwise make the server fetch
//! `http://127.0.0.1:…` or a cloud metadata address for them), with timeouts, a size
//! limit on what it reads and a User-Agent that names the blog.
//!
//! The addresses are checked after DNS, on every address a name resolves to and on
//! every redirect, and the connection goes to the address that was checked, so a name
//! that resolves to a public address for the check and a private one for the
//! connection (DNS rebinding) gets nowhere. `[federation] allow_private_addresses`
//! lifts the rule, for tests that federate over 127.0.0.1.

use std::net::IpAddr;
use std::time::Duration;

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// How long a whole request may take, redirects and body included.
const TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Redirects followed, each checked like the first address.
const REDIRECTS: u32 = 3;

/// The client every outbound request goes through.
pub struct Outbound {
    agent: ureq::Agent,
}

/// Why an outbound request got no answer worth reading.
#[derive(Debug, thiserror::Error)]
pub enum OutboundError {
    #[error("{0} is not an http or https URL")]
    NotHttp(String),
    #[error(
        "{0} is a private, loopback or link-local address: the blog does not send requests there"
    )]
    Private(String),
    #[error("the answer is larger than {0} bytes")]
    TooLarge(u64),
    #[error("{0}")]
    Failed(String),
}

/// An answer: its status, type and body (within the limit asked for).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// A page (`Outbound::get_page`): the answer, the URL it came from after redirects,
/// and its `Link` header values in order.
#[derive(Debug, Clone)]
pub struct Page {
    pub answer: Answer,
    pub url: String,
    pub links: Vec<String>,
}

impl Outbound {
    /// `user_agent` names the blog (`blog/0.1 (+https://blog.example.com)`);
    /// `allow_private` lifts the address rule (tests only).
    pub fn new(user_agent: &str, allow_private: bool) -> Self {
        let config = ureq::Agent::config_builder()
            .user_agent(user_agent)
            .timeout_global(Some(TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .max_redirects(REDIRECTS)
            // A proxy from the environment would be connected to instead of the
            // address checked here.
            .proxy(None)
            .http_status_as_error(false)
            .build();
        let resolver = PublicOnly {
            inner: DefaultResolver::default(),
            allow_private,
        };
        Self {
            agent: ureq::Agent::with_parts(config, DefaultConnector::new(), resolver),
        }
    }

    /// GET `url` with `Accept: accept`, reading at most `limit` bytes of the answer.
    pub fn get(&self, url: &str, accept: &str, limit: u64) -> Result<Answer, OutboundError> {
        self.get_with(url, accept, &[], limit)
    }

    /// `get` with extra `headers` (a signature, say).
    pub fn get_with(
        &self,
        url: &str,
        accept: &str,
        headers: &[(&str, &str)],
        limit: u64,
    ) -> Result<Answer, OutboundError> {
        check_scheme(url)?;
        let mut request = self.agent.get(url).header("accept", accept);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        read(request.call(), limit)
    }

    /// GET `url` like `get`, keeping what a page says of itself outside its body: the
    /// address it was finally answered from (after redirects) and its `Link` headers.
    pub fn get_page(&self, url: &str, accept: &str, limit: u64) -> Result<Page, OutboundError> {
        check_scheme(url)?;
        let answer = self
            .agent
            .get(url)
            .header("accept", accept)
            .call()
            .map_err(describe)?;
        let final_url = ureq::ResponseExt::get_uri(&answer).to_string();
        let links = answer
            .headers()
            .get_all(http::header::LINK)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_string)
            .collect();
        Ok(Page {
            answer: read(Ok(answer), limit)?,
            url: final_url,
            links,
        })
    }

    /// POST `body` as `content_type` to `url`, with extra `headers` (a signature, say).
    pub fn post(
        &self,
        url: &str,
        content_type: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        limit: u64,
    ) -> Result<Answer, OutboundError> {
        check_scheme(url)?;
        let mut request = self.agent.post(url).header("content-type", content_type);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        read(request.send(body), limit)
    }
}

fn check_scheme(url: &str) -> Result<(), OutboundError> {
    let lower = url.to_ascii_lowercase();
    match lower.starts_with("https://") || lower.starts_with("http://") {
        true => Ok(()),
        false => Err(OutboundError::NotHttp(url.to_string())),
    }
}

fn read(
    answer: Result<http::Response<ureq::Body>, ureq::Error>,
    limit: u64,
) -> Result<Answer, OutboundError> {
    let mut answer = answer.map_err(describe)?;
    let status = answer.status().as_u16();
    let content_type = answer
        .headers()
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = answer
        .body_mut()
        .with_config()
        .limit(limit)
        .read_to_vec()
        .map_err(|err| match err {
            ureq::Error::BodyExceedsLimit(_) => OutboundError::TooLarge(limit),
            other => describe(other),
        })?;
    Ok(Answer {
        status,
        content_type,
        body,
    })
}

/// Our refusal comes back from ureq as an I/O error of kind PermissionDenied.
fn describe(err: ureq::Error) -> OutboundError {
    match err {
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::PermissionDenied => {
            OutboundError::Private(io.to_string())
        }
        other => OutboundError::Failed(other.to_string()),
    }
}

/// Resolves like the system does, then keeps only public addresses.
#[derive(Debug)]
struct PublicOnly {
    inner: DefaultResolver,
    allow_private: bool,
}

impl Resolver for PublicOnly {
    fn resolve(
        &self,
        uri: &http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let found = self.inner.resolve(uri, config, timeout)?;
        if self.allow_private {
            return Ok(found);
        }
        let mut kept = self.empty();
        for address in found.iter().filter(|a| is_public(a.ip())) {
            kept.push(*address);
        }
        if kept.is_empty() {
            let host = uri.host().unwrap_or_default();
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                host.to_string(),
            )));
        }
        Ok(kept)
    }
}

/// Whether an address is on the public internet: not loopback, private, link-local,
/// shared (CGNAT), unspecified, multicast, broadcast or documentation; an IPv4
/// address inside IPv6 is judged as IPv4.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || (first == 0x2001 && v6.segments()[1] == 0x0db8)
                || (first == 0x0064 && v6.segments()[1] == 0xff9b))
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in [
            "93.184.215.14",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    /// A server on 127.0.0.1 that answers each connection with `answer`, and hands
    /// back what it was sent.
    fn server(answer: &'static [u8]) -> (String, std::sync::mpsc::Receiver<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let (seen, requests) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut buffer = [0u8; 4096];
                let n = stream.read(&mut buffer).unwrap_or(0);
                let _ = seen.send(String::from_utf8_lossy(&buffer[..n]).into_owned());
                let _ = stream.write_all(answer);
            }
        });
        (url, requests)
    }

    #[test]
    fn loopback_is_refused_unless_allowed_and_the_agent_names_the_blog() {
        let (url, requests) =
            server(b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nhi");
        let strict = Outbound::new("blog/test (+https://blog.example)", false);
        let refused = strict.get(&url, "text/plain", 1024).unwrap_err();
        assert!(matches!(refused, OutboundError::Private(_)), "{refused}");
        assert!(requests.try_recv().is_err(), "nothing reached the server");

        let open = Outbound::new("blog/test (+https://blog.example)", true);
        let answer = open.get(&url, "text/plain", 1024).unwrap();
        assert_eq!((answer.status, answer.body.as_slice()), (200, &b"hi"[..]));
        let request = requests.recv().unwrap().to_ascii_lowercase();
        assert!(
            request.contains("user-agent: blog/test (+https://blog.example)"),
            "{request}"
        );
        assert!(matches!(
            open.get("file:///etc/passwd", "*/*", 10),
            Err(OutboundError::NotHttp(_))
        ));
    }

    #[test]
    fn an_answer_past_the_limit_is_refused() {
        let (url, _) = server(
            b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 20\r\n\r\n01234567890123456789",
        );
        let open = Outbound::new("blog/test", true);
        assert!(matches!(
            open.get(&url, "*/*", 10),
            Err(OutboundError::TooLarge(10))
        ));
    }
}
