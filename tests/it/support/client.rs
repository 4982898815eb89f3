//! `Client`, a browser without a screen: its own cookie jar, no redirects followed,
//! every status answered as a `Page`; GET, urlencoded POST and multipart POST.

use std::cell::RefCell;
use std::rc::Rc;

use super::{encode_path, Page, PATIENCE};

/// A browser: its own cookie jar, no redirects followed, every status returned as a page.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
    pub(super) base: String,
    jar: Rc<RefCell<Vec<(String, String)>>>,
    /// Sent as `X-Forwarded-For` on every request: a client behind the (trusted,
    /// loopback) proxy, as the server sees it.
    forwarded_for: Option<String>,
    /// Sent as `User-Agent` when set (else ureq's own).
    user_agent: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Self {
        Self::with_tls(base, ureq::tls::TlsConfig::default())
    }

    /// No redirects followed, every status a page, nothing from the environment's proxy.
    fn with_tls(base: &str, tls: ureq::tls::TlsConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(PATIENCE))
            .tls_config(tls)
            .build()
            .new_agent();
        Client {
            agent,
            base: base.to_owned(),
            jar: Rc::default(),
            forwarded_for: None,
            user_agent: None,
        }
    }

    /// The same browser (cookies shared) seen as coming from `address` through the
    /// proxy: every request carries `X-Forwarded-For: address`.
    pub fn via_proxy_from(&self, address: &str) -> Self {
        Client {
            forwarded_for: Some(address.to_owned()),
            ..self.clone()
        }
    }

    /// The same browser (cookies shared) sending this `User-Agent`.
    pub fn with_user_agent(&self, user_agent: &str) -> Self {
        Client {
            user_agent: Some(user_agent.to_owned()),
            ..self.clone()
        }
    }

    /// A browser for an HTTPS address whose certificate is the test's own, self-signed.
    pub fn new_trusting_any_certificate(base: &str) -> Self {
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(true)
            .build();
        Self::with_tls(base, tls)
    }

    pub fn cookie(&self, name: &str) -> Option<String> {
        self.jar
            .borrow()
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// Puts a cookie in the jar by hand (replaying an old session, for instance).
    pub fn set_cookie(&self, name: &str, value: &str) {
        let mut jar = self.jar.borrow_mut();
        jar.retain(|(k, _)| k != name);
        jar.push((name.into(), value.into()));
    }

    pub fn get(&self, path: &str) -> Page {
        let request = self.with_headers(self.agent.get(self.url(path)));
        self.page(path, request.call())
    }

    /// The cookie jar and the forwarded address, on any request.
    fn with_headers<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        let request = match self.cookie_header() {
            Some(cookies) => request.header("cookie", cookies),
            None => request,
        };
        let request = match &self.user_agent {
            Some(agent) => request.header("user-agent", agent),
            None => request,
        };
        match &self.forwarded_for {
            Some(address) => request.header("x-forwarded-for", address),
            None => request,
        }
    }

    /// POSTs an urlencoded form exactly as given (no CSRF token added).
    pub fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let request = self.with_headers(self.agent.post(self.url(path)));
        self.page(path, request.send_form(fields.iter().copied()))
    }

    /// POSTs `multipart/form-data`: text fields, then files as (field, file name, bytes);
    /// `headers` are added as given (an `X-CSRF-Token`, say).
    pub fn post_multipart(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
        headers: &[(&str, &str)],
    ) -> Page {
        let boundary = "----blog-test-boundary-7MA4YWxkTrZu0gW";
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, file_name, bytes) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut request = self.with_headers(self.agent.post(self.url(path))).header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        );
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        self.page(path, request.send(&body[..]))
    }

    fn url(&self, path: &str) -> String {
        assert!(
            path.starts_with('/'),
            "a path on the test server, not {path:?}"
        );
        format!("{}{}", self.base, encode_path(path))
    }

    fn cookie_header(&self) -> Option<String> {
        let jar = self.jar.borrow();
        (!jar.is_empty()).then(|| {
            jar.iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    fn page(
        &self,
        path: &str,
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Page {
        let mut response = response.unwrap_or_else(|err| panic!("request to {path} failed: {err}"));
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        for (_, set_cookie) in headers.iter().filter(|(k, _)| k == "set-cookie") {
            self.store(set_cookie);
        }
        let body = response
            .body_mut()
            .read_to_vec()
            .unwrap_or_else(|err| panic!("body of {path}: {err}"));
        Page {
            status: response.status().as_u16(),
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
            bytes: body,
            url: path.to_owned(),
            client: self.clone(),
        }
    }

    /// One host, one path: name and value, dropped when the server expires the cookie.
    fn store(&self, set_cookie: &str) {
        let mut parts = set_cookie.split(';').map(str::trim);
        let Some((name, value)) = parts.next().and_then(|pair| pair.split_once('=')) else {
            return;
        };
        let expired = parts.any(|attr| {
            let attr = attr.to_ascii_lowercase();
            attr == "max-age=0"
                || attr.starts_with("max-age=-")
                || (attr.starts_with("expires=") && attr.contains("1970"))
        });
        let mut jar = self.jar.borrow_mut();
        jar.retain(|(k, _)| k != name);
        if !expired && !value.is_empty() {
            jar.push((name.to_owned(), value.to_owned()));
        }
    }
}
