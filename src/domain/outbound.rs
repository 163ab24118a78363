//! Where the server may send requests on a subscriber's behalf. A webhook URL is chosen by
//! whoever holds an admin token; without this rule it could aim the server at the cloud metadata
//! service, the database, or anything else only reachable from inside the network (SSRF).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Whether `address` is on the public internet: not loopback, private, link-local (cloud
/// metadata lives at 169.254.169.254), carrier-grade NAT, multicast, documentation, reserved or
/// unspecified, in IPv4 or IPv6 (IPv4-mapped and NAT64 forms included).
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(a: Ipv4Addr) -> bool {
    let [first, second, third, _] = a.octets();
    !(a.is_unspecified()
        || a.is_loopback()
        || a.is_private()
        || a.is_link_local()
        || a.is_broadcast()
        || a.is_documentation()
        || a.is_multicast()
        || first == 0
        || (first == 100 && (64..128).contains(&second)) // 100.64.0.0/10, carrier-grade NAT
        || (first == 192 && second == 0 && third == 0) // 192.0.0.0/24, IETF protocol assignments
        || (first == 198 && (18..20).contains(&second)) // 198.18.0.0/15, benchmarking
        || first >= 240) // 240.0.0.0/4, reserved
}

fn is_public_v6(a: Ipv6Addr) -> bool {
    if let Some(v4) = a.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let s = a.segments();
    // 64:ff9b::/96 (NAT64) embeds an IPv4 address: judge that one.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [hi, lo] = [s[6].to_be_bytes(), s[7].to_be_bytes()];
        return is_public_v4(Ipv4Addr::new(hi[0], hi[1], lo[0], lo[1]));
    }
    !(a.is_unspecified()
        || a.is_loopback()
        || a.is_multicast()
        || (s[0] & 0xfe00) == 0xfc00 // fc00::/7, unique local
        || (s[0] & 0xffc0) == 0xfe80 // fe80::/10, link-local
        || (s[0] == 0x2001 && s[1] == 0x0db8) // 2001:db8::/32, documentation
        || s[..6] == [0, 0, 0, 0, 0, 0]) // ::/96, IPv4-compatible (deprecated)
}

/// Why a URL's host is refused before any lookup: a literal non-public address, or a name that
/// always means this machine. Names that resolve to such addresses are refused at send time.
pub fn refused_host(url: &url::Url) -> Option<String> {
    match url.host()? {
        url::Host::Ipv4(v4) if !is_public_v4(v4) => Some(format!("{v4} is not a public address")),
        url::Host::Ipv6(v6) if !is_public_v6(v6) => Some(format!("{v6} is not a public address")),
        url::Host::Domain(name) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            (name == "localhost" || name.ends_with(".localhost")).then(|| format!("{name} is this machine"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_not_public() {
        for address in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "198.18.0.1",
            "192.0.2.1",
            "240.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2001:db8::1",
            "ff02::1",
        ] {
            assert!(!is_public(address.parse().unwrap()), "{address}");
        }
    }

    #[test]
    fn internet_addresses_are_public() {
        for address in [
            "1.1.1.1",
            "8.8.8.8",
            "151.101.1.140",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ] {
            assert!(is_public(address.parse().unwrap()), "{address}");
        }
    }

    #[test]
    fn hosts_refused_before_lookup() {
        let refused = |url: &str| refused_host(&url::Url::parse(url).unwrap());
        assert!(refused("http://127.0.0.1:8080/hook").is_some());
        assert!(refused("http://[::1]/hook").is_some());
        assert!(refused("http://169.254.169.254/latest/meta-data").is_some());
        assert!(refused("http://LOCALHOST./hook").is_some());
        assert!(refused("http://api.localhost/hook").is_some());
        assert!(refused("https://hooks.example.com/khabar").is_none());
        assert!(refused("https://8.8.8.8/hook").is_none());
    }
}
