//! Reverse-proxy headers, believed only when the connection comes from a trusted proxy:
//! otherwise anyone could claim any address and escape throttling.

use std::net::IpAddr;

use http::{HeaderMap, HeaderName};
use ipnet::IpNet;

// Named once: a name given as a string is parsed again on every lookup.
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");

/// What the original request looked like, as far as we can trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin {
    pub client: IpAddr,
    pub https: bool,
}

pub fn origin(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> Origin {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return Origin {
            client: peer,
            https: false,
        };
    }
    // Walk X-Forwarded-For from the right: the last address a trusted hop did not add
    // is the client. Anything further left was written by the client itself.
    let forwarded: Vec<IpAddr> = headers
        .get_all(X_FORWARDED_FOR)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let client = forwarded
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer);
    let https = headers
        .get(X_FORWARDED_PROTO)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    Origin { client, https }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.append(*k, v.parse().unwrap());
        }
        map
    }

    #[test]
    fn untrusted_peers_cannot_claim_an_address() {
        let trusted = vec!["127.0.0.1/32".parse().unwrap()];
        let peer: IpAddr = "203.0.113.9".parse().unwrap();
        let h = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-proto", "https"),
        ]);
        assert_eq!(
            origin(peer, &h, &trusted),
            Origin {
                client: peer,
                https: false
            }
        );
    }

    #[test]
    fn trusted_proxy_gives_the_rightmost_untrusted_address() {
        let trusted = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        let peer: IpAddr = "127.0.0.1".parse().unwrap();
        let h = headers(&[
            ("x-forwarded-for", "6.6.6.6, 198.51.100.7, 10.0.0.2"),
            ("x-forwarded-proto", "https"),
        ]);
        let o = origin(peer, &h, &trusted);
        assert_eq!(o.client, "198.51.100.7".parse::<IpAddr>().unwrap());
        assert!(o.https);
    }
}
